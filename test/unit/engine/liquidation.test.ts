import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../../src/lib/mulberry32.js";
import {
  computeMargin,
  defaultRiskParams,
  instrumentMark,
  isolatedPositionRisk,
  liquidationPrices,
  valuePosition,
  withSpot,
  type MarginModel,
  type InstrumentSpec,
  type MarginUnitInput,
  type Market,
} from "../../../src/engine/index.js";
import { coin, expectClose, expectRelClose, future, market, option, perp, position, unit, usdc } from "./helpers.js";
import { referenceBlackScholesPrice } from "./referenceBlackScholes.js";

const params = defaultRiskParams;
const btcMarket = market({ BTC: { spot: 100000, volatility: 0.6 }, ETH: { spot: 2000 } });

/** equity − MM of the pool at spot P. */
function shortfall(book: MarginUnitInput, m: Market, underlying: string, price: number, model: MarginModel): number {
  const margin = computeMargin(book, withSpot(m, underlying, price), params, model);
  return margin.equity - margin.maintenance;
}

describe("liquidation of linear CROSS books (closed form)", () => {
  it.each([
    // 10 000 USDC, 1 BTC perp at 100 000 = spot.
    // long:  10 000 + (P − 100 000) = mmr·P → P = 90 000/(1 − mmr);  short: 110 000/(1 + mmr)
    [1, 0.004, 90361.45, "lower"], // 90 000/0.996 = 90 361.445…
    [-1, 0.004, 109561.75, "upper"], // 110 000/1.004 = 109 561.753…
    [1, 0.03, 92783.51, "lower"], // 90 000/0.97 = 92 783.505…
    [-1, 0.03, 106796.12, "upper"], // 110 000/1.03 = 106 796.116…
  ] as const)("quantity %s at mmr %s liquidates at %s (%s)", (quantity, mmr, expected, side) => {
    const book = unit("CROSS", [usdc(10000)], [position(perp("BTC", { maintenanceMarginRate: mmr }), quantity, 100000)]);
    const [point] = liquidationPrices(book, btcMarket, params, "STANDARD");
    const price = side === "lower" ? point.lowerPrice : point.upperPrice;
    expectClose(price ?? NaN, expected, 0.01, `${side} price`);
    expect(side === "lower" ? point.upperPrice : point.lowerPrice).toBeNull();
    expectClose(point.distance ?? NaN, (expected - 100000) / 100000, 1e-7, "distance");
  });

  it("handles long and short legs on one underlying (MM uses |q|, still linear)", () => {
    // long 2 perps, short 1 future (r = 0: mark = P), 10 000 USDC, mmr 1 %:
    // equity = 10 000 + 2(P − 100 000) − (P − 100 000) = P − 90 000; MM = 0.01·(2P + P) = 0.03P
    // → 0.97P = 90 000 → P = 92 783.505…
    const book = unit("CROSS", [usdc(10000)], [position(perp("BTC"), 2, 100000), position(future("BTC", 90), -1, 100000)]);
    const [point] = liquidationPrices(book, btcMarket, params, "STANDARD");
    expectClose(point.lowerPrice ?? NaN, 90000 / 0.97, 1e-6, "lower");
    expect(point.upperPrice).toBeNull();
  });

  it("moves collateral of the underlying with its spot", () => {
    // 1 BTC collateral (5 % haircut) against short 2 BTC perps at 100 000, mmr 1 %:
    // equity = 0.95P − 2(P − 100 000) = 200 000 − 1.05P; MM = 0.02P → P = 200 000/1.07 = 186 915.887…
    const book = unit("CROSS", [coin("BTC", 1)], [position(perp("BTC"), -2, 100000)]);
    const [point] = liquidationPrices(book, btcMarket, params, "STANDARD");
    expectClose(point.upperPrice ?? NaN, 200000 / 1.07, 1e-6, "upper");
    expect(point.lowerPrice).toBeNull();
  });

  it("lists every exposed underlying, collateral-only ones included, sorted", () => {
    // 1 BTC collateral + short 10 ETH perps at 2 000 (mmr 1 %), no USDC.
    // BTC: 0.95·P − 200 (ETH MM) = 0 → P = 210.526…; ETH: 95 000 − 10(P − 2 000) − 0.1P = 0 → P = 115 000/10.1.
    const book = unit("CROSS", [coin("BTC", 1)], [position(perp("ETH"), -10, 2000)]);
    const [btc, eth] = liquidationPrices(book, btcMarket, params, "STANDARD");
    expect([btc.underlying, eth.underlying]).toEqual(["BTC", "ETH"]);
    expectClose(btc.lowerPrice ?? NaN, 200 / 0.95, 1e-9, "BTC lower");
    expectClose(eth.upperPrice ?? NaN, 115000 / 10.1, 1e-8, "ETH upper");
  });

  it("reports nothing when margin can never exceed equity, and distance 0 when already under water", () => {
    const safe = unit("CROSS", [usdc(1000)], [position(option("BTC", "CALL", 100000, 30), 1, 5000)]);
    expect(liquidationPrices(safe, btcMarket, params, "STANDARD")).toEqual([
      { underlying: "BTC", spot: 100000, lowerPrice: null, upperPrice: null, distance: null },
    ]);
    const underWater = unit("CROSS", [usdc(500)], [position(perp("BTC"), 1, 100500)]); // equity 0
    expect(liquidationPrices(underWater, btcMarket, params, "STANDARD")).toEqual([
      { underlying: "BTC", spot: 100000, lowerPrice: null, upperPrice: null, distance: 0 },
    ]);
  });

  it("ignores liquidation prices beyond 10·S", () => {
    // 1 BTC collateral against 1 short perp: f = 100 000 − 0.05P − 0.01P → P = 1 666 667 > 1 000 000.
    const book = unit("CROSS", [coin("BTC", 1)], [position(perp("BTC"), -1, 100000)]);
    expect(liquidationPrices(book, btcMarket, params, "STANDARD")[0]).toMatchObject({ lowerPrice: null, upperPrice: null, distance: null });
  });
});

describe("liquidation of option books (scan + Brent)", () => {
  // 20 000 USDC, short 1 BTC call K = 100 000 (30 days, σ 60 %), long 0.5 BTC perp at 100 000.
  const call = option("BTC", "CALL", 100000, 30);
  const book = unit("CROSS", [usdc(20000)], [position(call, -1, 6853.94), position(perp("BTC"), 0.5, 100000)]);
  const notional = 100000; // |q|·cs·S of the option
  const years = 30 / 365;

  /** Independent f under STANDARD: 20 000 − C(P) + 0.5(P − 100 000) − (0.075P + 0.005P). */
  const referenceShortfall = (p: number) =>
    20000 - referenceBlackScholesPrice("CALL", p, 100000, years, 0.6) + 0.5 * (p - 100000) - 0.08 * p;

  function bisect(f: (x: number) => number, lo: number, hi: number): number {
    for (let i = 0; i < 200; i++) {
      const mid = 0.5 * (lo + hi);
      if (f(lo) * f(mid) <= 0) hi = mid;
      else lo = mid;
    }
    return 0.5 * (lo + hi);
  }

  it("finds the STANDARD crossings an independent bisection finds", () => {
    const [point] = liquidationPrices(book, btcMarket, params, "STANDARD");
    // f(100 000) = 20 000 − 6 853.94 − 8 000 > 0; f falls on both sides (short gamma + MM growing with P).
    const lower = bisect(referenceShortfall, 1, 100000);
    const upper = bisect(referenceShortfall, 100000, 1e6);
    expectClose(point.lowerPrice ?? NaN, lower, 1e-9 * lower + 1e-6, "lower");
    expectClose(point.upperPrice ?? NaN, upper, 1e-9 * upper + 1e-6, "upper");
    for (const price of [point.lowerPrice as number, point.upperPrice as number]) {
      expect(Math.abs(shortfall(book, btcMarket, "BTC", price, "STANDARD"))).toBeLessThanOrEqual(1e-6 * notional);
    }
    const nearer = upper - 100000 < 100000 - lower ? upper : lower;
    expectClose(point.distance ?? NaN, (nearer - 100000) / 100000, 1e-9, "distance");
  });

  it("solves equity(P) = MM(P) under PORTFOLIO margin, nearest to spot on each side", () => {
    const [point] = liquidationPrices(book, btcMarket, params, "PORTFOLIO");
    expect(point.lowerPrice).not.toBeNull();
    for (const price of [point.lowerPrice, point.upperPrice]) {
      if (price === null) continue;
      expect(Math.abs(shortfall(book, btcMarket, "BTC", price, "PORTFOLIO"))).toBeLessThanOrEqual(1e-6 * notional);
      // Nearest: f stays positive strictly between spot and the returned price.
      for (let i = 1; i < 200; i++) {
        const between = 100000 + ((price - 100000) * i) / 200;
        expect(shortfall(book, btcMarket, "BTC", between, "PORTFOLIO")).toBeGreaterThan(0);
      }
    }
  });

  it("matches the closed form for a linear book solved numerically under PORTFOLIO", () => {
    // 30 000 USDC + long 1 BTC perp: MM_PM(P) = 15 %·P + 1 %·P = 0.16P;
    // equity = 30 000 + P − 100 000 → 0.84P = 70 000 → P = 83 333.33…
    const linear = unit("PORTFOLIO", [usdc(30000)], [position(perp("BTC"), 1, 100000)]);
    const [point] = liquidationPrices(linear, btcMarket, params, "PORTFOLIO");
    expectClose(point.lowerPrice ?? NaN, 70000 / 0.84, 1e-4, "lower");
    expect(point.upperPrice).toBeNull();
  });
});

describe("liquidation of ISOLATED positions", () => {
  it("takes the nearest lower and upper price over each underlying's positions", () => {
    // Long 1 BTC perp on 10 000 (mmr 0.4 %): 90 000/0.996 = 90 361.45.
    // Long 1 BTC perp on 5 000 (mmr 0.4 %): 95 000/0.996 = 95 381.53 ← nearest lower.
    // Short 1 ETH perp on 200 (mmr 1 %): 200 − (P − 2 000) = 0.01P → P = 2 200/1.01 = 2 178.22.
    // The 1 000 000 USDC wallet does not help isolated positions.
    const btcPerp = perp("BTC", { maintenanceMarginRate: 0.004 });
    const book = unit(
      "ISOLATED",
      [usdc(1e6)],
      [position(btcPerp, 1, 100000, 10000), position(btcPerp, 1, 100000, 5000), position(perp("ETH"), -1, 2000, 200)],
    );
    const [btc, eth] = liquidationPrices(book, btcMarket, params, "STANDARD");
    expectClose(btc.lowerPrice ?? NaN, 95000 / 0.996, 0.01, "BTC lower");
    expect(btc.upperPrice).toBeNull();
    expectClose(eth.upperPrice ?? NaN, 2200 / 1.01, 0.01, "ETH upper");
    expect(eth.lowerPrice).toBeNull();
  });

  it("solves a short option on its own isolated margin and skips long options", () => {
    const shortPut = position(option("BTC", "PUT", 90000, 30), -1, 2000, 12000);
    const longCall = position(option("BTC", "CALL", 120000, 30), 2, 100, 0);
    const book = unit("ISOLATED", [usdc(1000)], [shortPut, longCall]);
    const [point] = liquidationPrices(book, btcMarket, params, "STANDARD");
    const price = point.lowerPrice as number;
    expect(price).toBeGreaterThan(0);
    expect(price).toBeLessThan(100000);
    const risk = isolatedPositionRisk(valuePosition(shortPut, withSpot(btcMarket, "BTC", price)), params);
    expect(Math.abs(risk.equity - risk.maintenance)).toBeLessThanOrEqual(1e-6 * 100000);
  });

  it("reports distance 0 when a position is already under water", () => {
    const book = unit("ISOLATED", [usdc(1e6)], [position(perp("BTC"), 1, 100000, 500)]); // 500 < MM 1 000
    expect(liquidationPrices(book, btcMarket, params, "STANDARD")[0]).toMatchObject({ distance: 0 });
  });
});

/**
 * Brute-force reference for the nearest crossing of f(P) = equity − MM on one side:
 * full revaluation (computeMargin on withSpot, no spot curve) on a log grid of 0.2 % steps
 * out to 4× (or ¼) the spot, 2 % steps beyond, then 100 bisection steps.
 */
function referenceCrossing(book: MarginUnitInput, m: Market, underlying: string, model: MarginModel, end: number): number | null {
  const spot = m.quotes.get(underlying)!.spot;
  const f = (price: number) => shortfall(book, m, underlying, price, model);
  const direction = end > spot ? 1 : -1;
  let previous = spot;
  for (let logDistance = 0; ; ) {
    logDistance += logDistance < Math.log(4) ? 0.002 : 0.02;
    const x = Math.min(Math.max(spot * Math.exp(direction * logDistance), Math.min(end, spot)), Math.max(end, spot));
    if (f(x) <= 0) {
      let [positive, nonPositive] = [previous, x];
      for (let i = 0; i < 100; i++) {
        const middle = 0.5 * (positive + nonPositive);
        if (f(middle) > 0) positive = middle;
        else nonPositive = middle;
      }
      return nonPositive;
    }
    if (x === end) return null;
    previous = x;
  }
}

describe("liquidation of multi-underlying books against a brute-force reference", () => {
  const m = market({
    BTC: { spot: 100000, volatility: 0.55, rate: 0.04 },
    ETH: { spot: 3500, volatility: 0.7, rate: 0.04 },
    SOL: { spot: 180, volatility: 0.9 },
  });
  const spots: Record<string, number> = { BTC: 100000, ETH: 3500, SOL: 180 };

  /** Perps, futures and options (1–90 days, strikes 70–130 % of spot) on BTC/ETH/SOL, BTC collateral, USDC sized for MM/equity ≈ 0.3–0.9. */
  function randomBook(random: () => number, mode: "CROSS" | "PORTFOLIO", model: MarginModel): MarginUnitInput {
    const positions = Array.from({ length: 8 }, () => {
      const underlying = ["BTC", "ETH", "SOL"][Math.floor(random() * 3)];
      const spot = spots[underlying];
      const kind = random();
      const days = [1, 7, 30, 90][Math.floor(random() * 4)];
      const instrument: InstrumentSpec =
        kind < 0.15
          ? perp(underlying)
          : kind < 0.3
            ? future(underlying, days)
            : option(underlying, random() < 0.5 ? "CALL" : "PUT", Math.round(spot * (0.7 + 0.6 * random())), days);
      const quantity = ((random() < 0.5 ? -1 : 1) * 10 ** (4 + 1.5 * random())) / spot; // 10 k – 300 k USD
      return position(instrument, quantity, instrumentMark(instrument, m) * (1 + 0.2 * (random() - 0.5)));
    });
    const bare = unit(mode, [coin("BTC", 2 * random())], positions);
    const margin = computeMargin(bare, m, params, model);
    const cash = margin.maintenance / (0.3 + 0.6 * random()) - margin.equity;
    return unit(mode, [...bare.collateral, usdc(Math.max(cash, 0))], positions);
  }

  it.each([
    ["PORTFOLIO", "PORTFOLIO", 11],
    ["PORTFOLIO", "PORTFOLIO", 12],
    ["PORTFOLIO", "PORTFOLIO", 13],
    ["CROSS", "STANDARD", 21],
    ["CROSS", "STANDARD", 22],
  ] as const)("%s book under %s (seed %s): every side equals the reference", (mode, model, seed) => {
    const book = randomBook(mulberry32(seed), mode, model);
    let found = 0;
    for (const point of liquidationPrices(book, m, params, model)) {
      const { underlying, spot } = point;
      const lower = referenceCrossing(book, m, underlying, model, 1e-9 * spot);
      const upper = referenceCrossing(book, m, underlying, model, 10 * spot);
      for (const [side, actual, expected] of [["lower", point.lowerPrice, lower], ["upper", point.upperPrice, upper]] as const) {
        const label = `${underlying} ${side}`;
        if (expected === null) expect(actual, label).toBeNull();
        else {
          found++;
          expectRelClose(actual ?? NaN, expected, 1e-9, label, 1e-6);
        }
      }
    }
    expect(found).toBeGreaterThan(0); // the books are sized so that some sides do cross
  });
});

describe("liquidation where f dips below zero between two probes of the scan", () => {
  it("finds a dip narrower than the scan step (long 1-day straddle financed by debt, STANDARD)", () => {
    // Long 1 BTC 80 000 straddle expiring tomorrow, −2 000 USD cash: f(P) = −2 000 + straddle(P)
    // is ≈ |P − 80 000| far from the strike and ≈ 1 840 at it, so it is negative only within
    // about ±1.5 % of the strike, ~20 % below spot, where the outward scan steps ~8 %.
    const book = unit(
      "CROSS",
      [usdc(-2000)],
      [position(option("BTC", "CALL", 80000, 1), 1, 20000), position(option("BTC", "PUT", 80000, 1), 1, 0)],
    );
    const m = market({ BTC: { spot: 100000, volatility: 0.55 } });
    const [point] = liquidationPrices(book, m, params, "STANDARD");
    const expected = referenceCrossing(book, m, "BTC", "STANDARD", 1e-9 * 100000);
    expect(expected).toBeGreaterThan(80000);
    expect(expected).toBeLessThan(83000);
    expectRelClose(point.lowerPrice ?? NaN, expected as number, 1e-9, "lower", 1e-6);
  });

  it("finds a crossing at a jump of f (expired long put under PORTFOLIO: the net delta charge steps at the strike)", () => {
    // Long 10 BTC puts K = 97 000 that expired yesterday (intrinsic value), 9 650 USDC.
    // Above K: the put is worth 0, delta 0, no margin: f = 9 650. Below K: value 10(K − P),
    // worst grid loss 10(K − P) (the +15 % move), net delta −10 → MM = 10(K − P) + 0.01·10·P,
    // f = 9 650 − 0.1·P: negative on (96 500, 97 000), positive again below 96 500.
    const book = unit("PORTFOLIO", [usdc(9650)], [position(option("BTC", "PUT", 97000, -1), 10, 0)]);
    const m = market({ BTC: { spot: 100000, volatility: 0.55 } });
    expectClose(shortfall(book, m, "BTC", 97001, "PORTFOLIO"), 9650, 1e-6, "f just above K");
    expectClose(shortfall(book, m, "BTC", 96999, "PORTFOLIO"), 9650 - 9699.9, 1e-6, "f just below K");
    expect(shortfall(book, m, "BTC", 96400, "PORTFOLIO")).toBeGreaterThan(0);
    const [point] = liquidationPrices(book, m, params, "PORTFOLIO");
    expectRelClose(point.lowerPrice ?? NaN, 97000, 1e-9, "lower at the strike");
    expect(point.upperPrice).toBeNull();
  });

  it("reports where equity and margin both reach 0 when long options underflow to worthless", () => {
    // Long calls and nothing else: f = value of the calls > 0, but far out of the money
    // Φ(d₁) underflows and f is exactly 0 from some spot down. The crossing is the start
    // of that stretch (not just any point inside it).
    const book = unit("CROSS", [], [position(option("BTC", "CALL", 100000, 2), 1, 0)]);
    const m = market({ BTC: { spot: 100000, volatility: 0.55 } });
    const [point] = liquidationPrices(book, m, params, "STANDARD");
    const price = point.lowerPrice as number;
    expect(shortfall(book, m, "BTC", price * (1 - 1e-8), "STANDARD")).toBe(0);
    expect(shortfall(book, m, "BTC", price * (1 + 1e-8), "STANDARD")).toBeGreaterThan(0);
  });
});
