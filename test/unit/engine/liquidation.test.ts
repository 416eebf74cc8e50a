import { describe, expect, it } from "vitest";
import {
  computeMargin,
  defaultRiskParams,
  isolatedPositionRisk,
  liquidationPrices,
  valuePosition,
  withSpot,
  type MarginModel,
  type MarginUnitInput,
  type Market,
} from "../../../src/engine/index.js";
import { coin, expectClose, future, market, option, perp, position, unit, usdc } from "./helpers.js";
import { referenceBlackScholesPrice } from "./referenceBlackScholes.js";

const params = defaultRiskParams;
const btcMarket = market({ BTC: { spot: 100000, volatility: 0.6 }, ETH: { spot: 2000 } });

function only(points: ReturnType<typeof liquidationPrices>, underlying: string) {
  const point = points.find((p) => p.underlying === underlying);
  if (!point) throw new Error(`no liquidation point for ${underlying}`);
  return point;
}

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
