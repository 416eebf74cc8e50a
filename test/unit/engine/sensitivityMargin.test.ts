import { describe, expect, it } from "vitest";
import {
  EngineInputError,
  computeMargin,
  defaultRiskParams,
  marginAttribution,
  sensitivityCorrelation,
  sensitivityMargin,
} from "../../../src/engine/index.js";
import { coin, expectClose, expectRelClose, future, market, option, perp, position, unit, usdc } from "./helpers.js";
import { referenceBlackScholesPrice, referenceNormCdf } from "./referenceBlackScholes.js";

const params = defaultRiskParams;

describe("SENSITIVITY parameters", () => {
  it("uses RW BTC 0.15, ETH 0.20, others 0.25 and the DESIGN correlations", () => {
    expect(params("BTC").deltaRiskWeight).toBe(0.15);
    expect(params("ETH").deltaRiskWeight).toBe(0.2);
    expect(params("SOL").deltaRiskWeight).toBe(0.25);
    expect(params("DOGE").deltaRiskWeight).toBe(0.25);
    expect(sensitivityCorrelation("BTC", "ETH")).toBe(0.8);
    expect(sensitivityCorrelation("ETH", "BTC")).toBe(0.8);
    expect(sensitivityCorrelation("SOL", "BTC")).toBe(0.7);
    expect(sensitivityCorrelation("ETH", "SOL")).toBe(0.7);
    expect(sensitivityCorrelation("XRP", "BTC")).toBe(0.5);
    expect(sensitivityCorrelation("XRP", "XRP")).toBe(1);
  });
});

describe("SENSITIVITY margin worked by hand", () => {
  const m = market({ BTC: { spot: 100_000, volatility: 0.6 }, ETH: { spot: 4000, volatility: 0.7 }, SOL: { spot: 200 } });

  it("long 1 BTC perp at 100 000: MM = 0.15·100 000 = 15 000", () => {
    const book = unit("CROSS", [usdc(20_000)], [position(perp("BTC"), 1, 100_000)]);
    const result = sensitivityMargin(book, m, params);
    expectClose(result.maintenance, 15_000, 1e-9, "MM");
    expectClose(result.initial, 18_750, 1e-9, "IM = 1.25·MM");
    expect(result.vega).toBe(0);
    expect(result.curvature).toBe(0);
    expect(computeMargin(book, m, params, "SENSITIVITY")).toMatchObject({ model: "SENSITIVITY", maintenance: 15_000 });
    expect(marginAttribution(book, m, params, "SENSITIVITY")).toEqual({
      components: [{ kind: "DELTA", underlying: "BTC", instrument: null, asset: null, amount: 15_000 }],
      scenarios: [],
    });
  });

  it("long BTC 100 000 USD against short ETH 100 000 USD: DELTA = √(15 000² + 20 000² − 2·0.8·15 000·20 000)", () => {
    const book = unit("CROSS", [usdc(50_000)], [position(perp("BTC"), 1, 100_000), position(perp("ETH"), -25, 4000)]);
    const expected = Math.sqrt(15_000 ** 2 + 20_000 ** 2 - 2 * 0.8 * 15_000 * 20_000); // √145e6 = 12 041.594578792296
    expectClose(expected, 12_041.594578792296, 1e-9, "reference value");
    const result = sensitivityMargin(book, m, params);
    expectRelClose(result.maintenance, expected, 1e-12, "MM");
    // Euler parts: BTC 15 000·(15 000 − 0.8·20 000)/D = −15e6/D, ETH −20 000·(0.8·15 000 − 20 000)/D = 160e6/D.
    const parts = marginAttribution(book, m, params, "SENSITIVITY").components;
    expect(parts.map((c) => [c.kind, c.underlying])).toEqual([
      ["DELTA", "BTC"],
      ["DELTA", "ETH"],
    ]);
    expectRelClose(parts[0].amount, -15e6 / expected, 1e-12, "BTC part");
    expectRelClose(parts[1].amount, 160e6 / expected, 1e-12, "ETH part");
  });

  it("counts collateral at full amount and futures with delta e^(rT)", () => {
    // 2 BTC collateral (haircut does not matter) + short 1 BTC future, r = 5 %, 73 days: Δ$ = (2 − e^(0.01))·S.
    const mr = market({ BTC: { spot: 100_000, rate: 0.05 } });
    const book = unit("CROSS", [coin("BTC", 2, 0.05)], [position(future("BTC", 73), -1, 100_000)]);
    expectRelClose(sensitivityMargin(book, mr, params).maintenance, 0.15 * (2 - Math.exp(0.01)) * 100_000, 1e-12, "MM");
  });

  it("short 1 BTC call: delta, vega and curvature by direct Black–Scholes revaluation", () => {
    // K = 100 000, 30 days, σ = 60 %, r = 0, S = 100 000, RW = 0.15.
    const S = 100_000;
    const years = 30 / 365;
    const sigma = 0.6;
    const C = (spot: number, vol = sigma) => referenceBlackScholesPrice("CALL", spot, 100_000, years, vol);
    const d1 = (Math.log(1) + 0.5 * sigma * sigma * years) / (sigma * Math.sqrt(years));
    const D = -referenceNormCdf(d1) * S; // USD delta of the short call
    const dCdSigma = (C(S, sigma + 1e-5) - C(S, sigma - 1e-5)) / 2e-5; // vega per 1.00 of vol
    const vegaUsd = -dCdSigma * sigma; // V$ = q·vega_point·100·σ
    const O = (x: number) => -C(x);
    const cvr = -Math.min(O(1.15 * S) - O(S) - 0.15 * D, O(0.85 * S) - O(S) + 0.15 * D);
    const book = unit("CROSS", [usdc(30_000)], [position(option("BTC", "CALL", 100_000, 30), -1, 6853.94)]);
    const result = sensitivityMargin(book, m, params);
    expectRelClose(result.delta, 0.15 * Math.abs(D), 1e-9, "DELTA");
    expectRelClose(result.vega, 0.3 * Math.abs(vegaUsd), 1e-7, "VEGA");
    expect(cvr).toBeGreaterThan(0);
    expectRelClose(result.curvature, cvr, 1e-9, "CURVATURE");
    expectRelClose(result.maintenance, 0.15 * Math.abs(D) + 0.3 * Math.abs(vegaUsd) + cvr, 1e-8, "MM");
    const parts = marginAttribution(book, m, params, "SENSITIVITY").components;
    expect(parts.map((c) => c.kind)).toEqual(["DELTA", "VEGA", "CURVATURE"]);
    expectRelClose(parts[2].amount, cvr, 1e-9, "CURVATURE part");
  });

  it("gives a long call no curvature charge (CVR < 0 counts as 0)", () => {
    const book = unit("CROSS", [usdc(1000)], [position(option("BTC", "CALL", 100_000, 30), 1, 6853.94)]);
    const result = sensitivityMargin(book, m, params);
    expect(result.curvature).toBe(0);
    expect(result.byUnderlying[0].curvatureRisk).toBeLessThan(0);
  });

  it("rejects a risk weight outside (0, 1]", () => {
    const book = unit("CROSS", [], [position(perp("BTC"), 1, 100_000)]);
    const bad = (u: string) => ({ ...defaultRiskParams(u), deltaRiskWeight: 1.5 });
    expect(() => sensitivityMargin(book, m, bad)).toThrow(EngineInputError);
    expect(() => sensitivityMargin(book, m, bad)).toThrow(/delta risk weight \(1.5\)/);
  });
});
