import { describe, expect, it } from "vitest";
import {
  EngineInputError,
  parametricVar,
  returnWindow,
  sampleCovariance,
  tailRisk,
  valueAtRisk,
  type PriceHistory,
  type VarRequest,
} from "../../../src/engine/index.js";
import { AS_OF_MS, DAY_MS, expectClose, market, perp, position, unit, usdc } from "./helpers.js";

/** Consecutive UTC dates ending on `last`. */
function datesEndingOn(last: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => new Date(last - (count - 1 - i) * DAY_MS).toISOString().slice(0, 10));
}

/** Closes C_0 = start, C_t = C_{t−1}·(1 + r_t). */
function closesFrom(start: number, returns: number[]): number[] {
  const closes = [start];
  for (const r of returns) closes.push(closes[closes.length - 1] * (1 + r));
  return closes;
}

function history(columns: Record<string, (number | null)[]>, lastMs = AS_OF_MS): PriceHistory {
  const length = Object.values(columns)[0].length;
  return { dates: datesEndingOn(lastMs, length), closes: new Map(Object.entries(columns)) };
}

const Z99 = 2.3263478740408408; // Φ⁻¹(0.99), mpmath

describe("parametric VaR formula", () => {
  // Delta-normal numbers worked by hand (z₀.₉₉ = 2.326348, φ(z₀.₉₉) = 0.0266521, both mpmath):
  // 10 M USD at 2 % daily vol → σ = 200 000; 99 % VaR = 2.326348·200 000 = 465 270;
  // ES = 200 000·φ(2.326348)/0.01 = 200 000·0.0266521/0.01 = 533 043; 10-day VaR = 465 270·√10 = 1 471 312.
  it("gives 465 270 / 533 043 for 10 M at 2 % daily vol, 99 %", () => {
    const { value, expectedShortfall } = parametricVar([10e6], [[0.02 ** 2]], 0.99, 1);
    expectClose(value, 465270, 1, "1-day VaR");
    expectClose(expectedShortfall, 533043, 1, "1-day ES");
  });

  it("scales with √horizon: 1 471 312 over 10 days", () => {
    expectClose(parametricVar([10e6], [[0.0004]], 0.99, 10).value, 1471312, 1, "10-day VaR");
  });

  it("combines two correlated assets: 10 M at 2 %, 5 M at 1 %, ρ 0.3 → 512 325", () => {
    // σ_P² = 200 000² + 50 000² + 2·0.3·200 000·50 000 = 4.85e10 → σ_P = 220 227.2 → ×2.326348 = 512 325
    const cov = [
      [0.0004, 0.3 * 0.02 * 0.01],
      [0.3 * 0.02 * 0.01, 0.0001],
    ];
    expectClose(parametricVar([10e6, 5e6], cov, 0.99, 1).value, 512325, 1, "two-asset VaR");
  });

  it("never falls as confidence rises", () => {
    let previous = -Infinity;
    for (const c of [0.5, 0.8, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999]) {
      const { value } = parametricVar([1e6, -3e5], [[0.0004, 0.00005], [0.00005, 0.0009]], c, 1);
      expect(value).toBeGreaterThanOrEqual(previous);
      previous = value;
    }
  });
});

describe("sample covariance", () => {
  it("divides by N − 1", () => {
    // x = (1, 2, 3, 4): mean 2.5, Σ(x − x̄)² = 5 → 5/3; y = 2x → cov 10/3, var 20/3
    const cov = sampleCovariance([[1, 2, 3, 4], [2, 4, 6, 8]]);
    expectClose(cov[0][0], 5 / 3, 1e-15, "var x");
    expectClose(cov[0][1], 10 / 3, 1e-15, "cov");
    expectClose(cov[1][1], 20 / 3, 1e-14, "var y");
  });
});

describe("parametric VaR of a book from price history", () => {
  /*
   * Synthetic returns with exactly the sample moments of the two-asset example (N = 8):
   * x = a·(+1, −1, +1, −1, …), z = a·(+1, +1, −1, −1, …) are orthogonal with mean 0 and
   * Σx² = 8a²; a = 0.02·√(7/8) makes the sample variance 8a²/7 = 0.0004 exactly.
   * BTC returns = x; ETH returns = ½·(0.3·x + √0.91·z) → variance 0.0001, correlation 0.3.
   * Book: 100 BTC perps at 100 000 (10 M delta) and 1 000 ETH perps at 5 000 (5 M).
   */
  const a = 0.02 * Math.sqrt(7 / 8);
  const x = [1, -1, 1, -1, 1, -1, 1, -1].map((s) => s * a);
  const z = [1, 1, -1, -1, 1, 1, -1, -1].map((s) => s * a);
  const eth = x.map((xi, i) => 0.5 * (0.3 * xi + Math.sqrt(0.91) * z[i]));
  const prices = history({ BTC: closesFrom(90000, x), ETH: closesFrom(4000, eth) });
  const m = market({ BTC: { spot: 100000 }, ETH: { spot: 5000 } });
  const book = unit("CROSS", [usdc(1e6)], [position(perp("BTC"), 100, 100000), position(perp("ETH"), 1000, 5000)]);
  const request: VarRequest = { method: "PARAMETRIC", confidence: 0.99, horizonDays: 1, lookbackDays: 8 };

  it("reproduces 512 325 from the returns", () => {
    const result = valueAtRisk(book, m, prices, request);
    expectClose(result.value, 512325, 1, "VaR");
    expect(result.observations).toBe(8);
    expect(result.method).toBe("PARAMETRIC");
  });

  it("gives one asset 465 270 and its ES 533 043", () => {
    const btcOnly = unit("CROSS", [], [position(perp("BTC"), 100, 100000)]);
    const result = valueAtRisk(btcOnly, m, prices, request);
    expectClose(result.value, 465270, 1, "VaR");
    expectClose(result.expectedShortfall, 533043, 1, "ES");
    expectClose(valueAtRisk(btcOnly, m, prices, { ...request, horizonDays: 10 }).value, 1471312, 1, "10-day VaR");
  });

  it("uses the 1-day Φ⁻¹(c) multiple", () => {
    const btcOnly = unit("CROSS", [], [position(perp("BTC"), 100, 100000)]);
    expectClose(valueAtRisk(btcOnly, m, prices, request).value / 200000, Z99, 1e-9, "VaR/σ");
  });
});

describe("historical VaR", () => {
  /*
   * Long 1 BTC perp at spot 50 000, 10 daily returns (oldest first):
   *   +1 %, −2 %, +0.5 %, −4 %, +3 %, −1 %, 0, +2 %, −3 %, +1.5 %
   * Full revaluation of a perp: P&L = 50 000·r = 500, −1 000, 250, −2 000, 1 500, −500, 0,
   * 1 000, −1 500, 750. Sorted worst first: −2 000, −1 500, −1 000, −500, …
   *   c = 0.80: k = ⌈10·0.2 − 1e-9⌉ = 2 → VaR = 1 500, ES = (2 000 + 1 500)/2 = 1 750
   *   c = 0.90: k = ⌈10·0.1 − 1e-9⌉ = 1 → VaR = ES = 2 000
   *   c = 0.95: k = max(1, ⌈0.5⌉) = 1 → VaR = ES = 2 000
   *   c = 0.70, 4 days: k = 3 → VaR = 1 000·√4 = 2 000, ES = (2 000 + 1 500 + 1 000)/3·2 = 3 000
   */
  const returns = [0.01, -0.02, 0.005, -0.04, 0.03, -0.01, 0, 0.02, -0.03, 0.015];
  const prices = history({ BTC: closesFrom(40000, returns) });
  const m = market({ BTC: { spot: 50000 } });
  const book = unit("CROSS", [usdc(10000)], [position(perp("BTC"), 1, 50000)]);
  const run = (confidence: number, horizonDays = 1) =>
    valueAtRisk(book, m, prices, { method: "HISTORICAL", confidence, horizonDays, lookbackDays: 10 });

  it.each([
    [0.8, 1, 1500, 1750],
    [0.9, 1, 2000, 2000],
    [0.95, 1, 2000, 2000],
    [0.7, 4, 2000, 3000],
  ])("at c = %s over %s day(s): VaR %s, ES %s", (confidence, horizon, value, es) => {
    const result = run(confidence, horizon);
    expectClose(result.value, value, 1e-6, "VaR");
    expectClose(result.expectedShortfall, es, 1e-6, "ES");
  });

  it("never falls as confidence rises", () => {
    let previous = -Infinity;
    for (const c of [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99]) {
      const { value } = run(c);
      expect(value).toBeGreaterThanOrEqual(previous);
      previous = value;
    }
  });

  it("picks the k-th worst of a bare P&L sample", () => {
    // 20 outcomes, c = 0.95: k = ⌈20·0.05 − 1e-9⌉ = 1 (not 2, thanks to the slack) → the worst.
    const pnl = Array.from({ length: 20 }, (_, i) => i - 5); // −5 … 14
    expect(tailRisk(pnl, 0.95)).toEqual({ value: 5, expectedShortfall: 5 });
    // c = 0.9: k = 2 → VaR 4, ES 4.5
    expect(tailRisk(pnl, 0.9)).toEqual({ value: 4, expectedShortfall: 4.5 });
  });

  it("is 0 for a book with no market exposure, without needing history", () => {
    const cash = unit("CROSS", [usdc(1000)], []);
    const empty: PriceHistory = { dates: [], closes: new Map() };
    expect(valueAtRisk(cash, m, empty, { method: "HISTORICAL", confidence: 0.99, horizonDays: 1, lookbackDays: 365 })).toEqual({
      method: "HISTORICAL",
      value: 0,
      expectedShortfall: 0,
      observations: 0,
    });
  });
});

describe("return window", () => {
  it("ends on the valuation date (its row included) and skips later rows", () => {
    // Rows on 2024-12-29 … 2025-01-03; valuation date 2025-01-01 → returns ending 12-30, 12-31, 01-01.
    const prices = history({ BTC: [100, 110, 121, 133.1, 200, 300] }, AS_OF_MS + 2 * DAY_MS);
    const window = returnWindow(prices, ["BTC"], "2025-01-01", 3);
    expect(window.dates).toEqual(["2024-12-30", "2024-12-31", "2025-01-01"]);
    for (const r of window.returns.get("BTC") ?? []) expectClose(r, 0.1, 1e-12, "10 % a day");
  });

  it("uses only rows where every exposed underlying has both closes", () => {
    // SOL is missing on the 2nd row: the returns ending on rows 2 and 3 are unusable.
    const prices = history({ BTC: [100, 101, 102, 103, 104], SOL: [10, null, 12, 13, 14] });
    const window = returnWindow(prices, ["BTC", "SOL"], "2025-01-01", 2);
    expect(window.dates).toEqual(["2024-12-31", "2025-01-01"]);
    expect(() => returnWindow(prices, ["BTC", "SOL"], "2025-01-01", 3)).toThrow(
      "insufficient price history: 3 daily returns needed on or before 2025-01-01 for BTC, SOL, 2 available",
    );
    expect(returnWindow(prices, ["BTC"], "2025-01-01", 4).dates).toHaveLength(4);
  });

  it("rejects unsorted dates and unknown underlyings", () => {
    const unsorted: PriceHistory = { dates: ["2025-01-02", "2025-01-01"], closes: new Map([["BTC", [1, 2]]]) };
    expect(() => returnWindow(unsorted, ["BTC"], "2025-01-05", 1)).toThrow(EngineInputError);
    expect(() => returnWindow(history({ BTC: [1, 2, 3] }), ["ETH"], "2025-01-01", 1)).toThrow('no price history for underlying "ETH"');
  });
});

describe("VaR request validation", () => {
  const m = market({ BTC: { spot: 50000 } });
  const book = unit("CROSS", [], [position(perp("BTC"), 1, 50000)]);
  const prices = history({ BTC: closesFrom(100, [0.01, 0.02, 0.03]) });
  it.each([
    [{ confidence: 1 }, "confidence (1) must be in (0, 1)"],
    [{ confidence: 0 }, "confidence (0) must be in (0, 1)"],
    [{ horizonDays: 0 }, "horizonDays (0) must be an integer ≥ 1"],
    [{ horizonDays: 1.5 }, "horizonDays (1.5) must be an integer ≥ 1"],
    [{ lookbackDays: 1 }, "lookbackDays (1) must be an integer ≥ 2"],
    [{ lookbackDays: 30 }, "insufficient price history"],
  ] as [Partial<VarRequest>, string][])("rejects %o", (change, message) => {
    const request: VarRequest = { method: "HISTORICAL", confidence: 0.99, horizonDays: 1, lookbackDays: 3, ...change };
    expect(() => valueAtRisk(book, m, prices, request)).toThrow(EngineInputError);
    expect(() => valueAtRisk(book, m, prices, request)).toThrow(message);
  });
});
