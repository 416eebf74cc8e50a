import { describe, expect, it } from "vitest";
import {
  EngineInputError,
  collateralValue,
  instrumentGreeks,
  instrumentMark,
  timeToExpiry,
  unitEquity,
  unitGreeks,
  valueUnit,
} from "../../../src/engine/index.js";
import { AS_OF_MS, coin, expectClose, future, market, option, perp, position, unit, usdc } from "./helpers.js";

describe("time to expiry", () => {
  it("is ACT/365 in fractional years from the market's asOf", () => {
    expectClose(timeToExpiry(future("BTC", 30), AS_OF_MS), 30 / 365, 1e-15, "30 days");
    // 12 hours = 0.5/365 years
    expectClose(timeToExpiry(future("BTC", 0.5), AS_OF_MS), 0.5 / 365, 1e-15, "half a day");
    expectClose(timeToExpiry(future("BTC", -2), AS_OF_MS), -2 / 365, 1e-15, "expired two days ago");
  });

  it("needs an expiry for futures and options", () => {
    expect(() => timeToExpiry(future("BTC", 30, { expiryMs: null }), AS_OF_MS)).toThrow(EngineInputError);
  });
});

describe("instrument marks", () => {
  const m = market({ BTC: { spot: 100000, rate: 0.05 }, ETH: { spot: 42, volatility: 0.9, rate: 0.1 } });

  it("marks a perpetual at spot", () => {
    expect(instrumentMark(perp("BTC"), m)).toBe(100000);
  });

  it("marks a future at S·e^(rT)", () => {
    // 100 000·e^(0.05·0.5) = 102 531.5120524429 (hand: e^0.025 = 1.025315120524429)
    expectClose(instrumentMark(future("BTC", 182.5), m), 102531.5120524429, 1e-8, "6-month future");
  });

  it("marks an expired future at spot (T floored at 0)", () => {
    expect(instrumentMark(future("BTC", -10), m)).toBe(100000);
  });

  it("marks an option with Black–Scholes at its own markVolatility when set", () => {
    // Hull Ex. 15.6: S=42, K=40, r=10 %, σ=20 %, T=0.5 → c = 4.7594, p = 0.8086 (the quote's 90 % vol is overridden).
    expectClose(instrumentMark(option("ETH", "CALL", 40, 182.5, { markVolatility: 0.2 }), m), 4.7594, 5e-5, "Hull call");
    expectClose(instrumentMark(option("ETH", "PUT", 40, 182.5, { markVolatility: 0.2 }), m), 0.8086, 5e-5, "Hull put");
  });

  it("marks an option at the underlying's volatility otherwise", () => {
    const withQuoteVol = market({ ETH: { spot: 42, volatility: 0.2, rate: 0.1 } });
    expectClose(instrumentMark(option("ETH", "CALL", 40, 182.5), withQuoteVol), 4.7594, 5e-5, "Hull call at quote vol");
  });

  it("marks an expired option at intrinsic value", () => {
    expect(instrumentMark(option("ETH", "PUT", 50, -1), m)).toBe(8);
  });

  it("rejects an option without strike and an underlying without quote", () => {
    expect(() => instrumentMark(option("ETH", "CALL", 40, 30, { strike: null }), m)).toThrow(EngineInputError);
    expect(() => instrumentMark(perp("SOL"), m)).toThrow('no market quote for underlying "SOL"');
  });
});

describe("instrument Greeks", () => {
  const m = market({ BTC: { spot: 100000, rate: 0.05 }, ETH: { spot: 49, volatility: 0.2, rate: 0.05 } });

  it("gives a perpetual delta 1 and a future delta e^(rT)", () => {
    expect(instrumentGreeks(perp("BTC"), m)).toEqual({ delta: 1, gamma: 0, vega: 0, theta: 0 });
    expectClose(instrumentGreeks(future("BTC", 182.5), m).delta, Math.exp(0.025), 1e-15, "future delta");
  });

  it("gives an option its Black–Scholes Greeks in API units", () => {
    // Hull Greek-letters example, T = 20 weeks = 365·20/52 days; tolerances as in blackScholes.test.ts.
    const g = instrumentGreeks(option("ETH", "CALL", 50, (365 * 20) / 52), m);
    expectClose(g.delta, 0.5216, 5e-5, "delta");
    expectClose(g.gamma, 0.0655, 5e-5, "gamma");
    expectClose(g.vega, 12.106 / 100, 1e-3 / 100, "vega per point");
    expectClose(g.theta, -4.305 / 365, 5e-4 / 365, "theta per day");
  });
});

describe("collateral and equity", () => {
  const m = market({ BTC: { spot: 100000 }, ETH: { spot: 42, rate: 0.1 } });

  it("values collateral at amount·price·(1 − haircut), stablecoins at 1", () => {
    expect(collateralValue(usdc(2500), m)).toBe(2500);
    expectClose(collateralValue(coin("BTC", 2, 0.05), m), 190000, 1e-9, "2 BTC at 5 % haircut");
    expect(() => collateralValue(coin("BTC", 1, 1.5), m)).toThrow("BTC haircut (1.5) must be in [0, 1]");
  });

  it("sums collateral, perp/future P&L, option value and isolated margin", () => {
    const book = unit(
      "CROSS",
      [usdc(10000), coin("BTC", 1, 0.05)],
      [
        position(perp("BTC"), 2, 90000), // +2·(100 000 − 90 000) = +20 000
        position(future("BTC", -5), -1, 95000), // expired future marks at spot: −1·(100 000 − 95 000) = −5 000
        position(option("ETH", "CALL", 40, 182.5, { markVolatility: 0.2 }), -2, 4), // −2·4.7594 (Hull) = −9.5188
        position(perp("ETH"), 1, 40, 300), // +1·(42 − 40) + 300 isolated margin
      ],
    );
    // 10 000 + 95 000 + 20 000 − 5 000 − 9.5188 + 2 + 300 = 120 292.4812
    expectClose(unitEquity(book, m), 120292.4812, 2 * 5e-5 + 1e-9, "equity");
    const valuation = valueUnit(book, m);
    expectClose(valuation.collateralValue, 105000, 1e-9, "collateral after haircut");
    // Option P&L against its average premium: −2·(4.7594 − 4) = −1.5188
    expectClose(valuation.positions[2].pnl, -1.5188, 1e-4, "option P&L");
  });

  it("rejects a non-positive contract size", () => {
    const book = unit("CROSS", [], [position(perp("BTC", { contractSize: 0 }), 1, 100000)]);
    expect(() => unitEquity(book, m)).toThrow("BTC-PERP contract size (0) must be positive");
  });
});

describe("unit Greeks", () => {
  it("adds q·cs·greek per underlying plus collateral in delta, sorted by underlying", () => {
    const m = market({ BTC: { spot: 100000, rate: 0.05 }, ETH: { spot: 49, volatility: 0.2, rate: 0.05 } }, AS_OF_MS);
    const call = option("ETH", "CALL", 50, (365 * 20) / 52, { contractSize: 10 });
    const book = unit(
      "CROSS",
      [usdc(1000), coin("BTC", 0.5)],
      [position(future("BTC", 182.5), -2, 100000), position(perp("BTC"), 3, 100000), position(call, -1, 2)],
    );
    const [btc, eth] = unitGreeks(book, m);
    expect(btc.underlying).toBe("BTC");
    // 0.5 collateral + 3 perp − 2·e^(0.025) future
    const btcDelta = 0.5 + 3 - 2 * Math.exp(0.025);
    expectClose(btc.delta, btcDelta, 1e-12, "BTC delta");
    expectClose(btc.deltaUsd, btcDelta * 100000, 1e-7, "BTC delta USD");
    expect([btc.gamma, btc.vega, btc.theta]).toEqual([0, 0, 0]);
    // Short 1 contract of 10 units of Hull's 20-week call: −10 × (Δ 0.5216, Γ 0.0655, vega 0.12106, Θ −4.305/365).
    expectClose(eth.delta, -10 * 0.5216, 10 * 5e-5, "ETH delta");
    expectClose(eth.deltaUsd, -10 * 0.5216 * 49, 49 * 10 * 5e-5, "ETH delta USD");
    expectClose(eth.gamma, -10 * 0.0655, 10 * 5e-5, "ETH gamma");
    expectClose(eth.vega, (-10 * 12.106) / 100, (10 * 1e-3) / 100, "ETH vega");
    expectClose(eth.theta, (-10 * -4.305) / 365, (10 * 5e-4) / 365, "ETH theta");
    expect(unitGreeks(unit("CROSS", [usdc(5)], []), m)).toEqual([]);
  });
});

describe("valuation time per underlying", () => {
  it("measures an option's time to expiry from its own underlying's asOf when the quote has one", async () => {
    const { instrumentMark, blackScholes, MS_PER_YEAR } = await import("../../../src/engine/index.js");
    const quoteAsOf = Date.UTC(2025, 0, 1);
    const option = {
      symbol: "BTC-C", kind: "OPTION" as const, underlying: "BTC", contractSize: 1, expiryMs: quoteAsOf + MS_PER_YEAR,
      strike: 100, optionType: "CALL" as const, initialMarginRate: null, maintenanceMarginRate: null, markVolatility: null,
    };
    // The market as a whole is half a year later (another underlying moved on); BTC's own time is what counts: T = 1.
    const market = { asOfMs: quoteAsOf + MS_PER_YEAR / 2, quotes: new Map([["BTC", { spot: 100, volatility: 0.2, rate: 0, asOfMs: quoteAsOf }]]) };
    const expected = blackScholes({ optionType: "CALL", spot: 100, strike: 100, timeToExpiry: 1, volatility: 0.2 }).price;
    expect(instrumentMark(option, market)).toBe(expected);
  });
});
