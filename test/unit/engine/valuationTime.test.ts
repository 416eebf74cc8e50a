import { describe, expect, it } from "vitest";
import {
  buildHistoricalEsScenarios,
  historicalEsMargin,
  unitValuationDate,
  unitValuationTime,
  valueAtRisk,
  type Market,
} from "../../../src/engine/index.js";
import { coin, expectRelClose, perp, position, unit, usdc } from "./helpers.js";
import { alternating, dailyDates, historyFromReturns } from "./historyBuilders.js";

/*
 * A desk back-dates BTC and ETH to 2025-01-01 for a replay while SOL stays current on
 * 2025-01-10 (the market's latest). History runs to 2025-01-10, and BTC falls 50 % on
 * each day after 2025-01-01: windows ending on the wrong date would see it.
 */
const JAN_1 = Date.parse("2025-01-01T16:00:00Z");
const JAN_10 = Date.parse("2025-01-10T08:00:00Z");
const backDated: Market = {
  asOfMs: JAN_10,
  quotes: new Map([
    ["BTC", { spot: 100_000, volatility: 0.5, rate: 0, asOfMs: JAN_1 }],
    ["ETH", { spot: 4000, volatility: 0.6, rate: 0, asOfMs: JAN_1 }],
    ["SOL", { spot: 200, volatility: 0.8, rate: 0, asOfMs: JAN_10 }],
  ]),
};
const dates = dailyDates("2024-01-01", 376); // 2024-01-01 … 2025-01-10
const btc = alternating(376, 0.01);
const last = dates.indexOf("2025-01-01");
btc[last - 1] = 0.03; // 2024-12-31
btc[last] = -0.02; // 2025-01-01
for (let i = last + 1; i < dates.length; i++) btc[i] = -0.5;
const history = historyFromReturns(dates, { BTC: btc, ETH: alternating(376, 0.02), SOL: alternating(376, 0.03) });

describe("valuation date of a unit (DESIGN §7.1)", () => {
  const btcBook = unit("CROSS", [usdc(10_000)], [position(perp("BTC"), 1, 100_000)]);

  it("is the latest asOf among the underlyings the unit is exposed to", () => {
    expect(unitValuationTime(btcBook, backDated)).toBe(JAN_1);
    expect(unitValuationDate(btcBook, backDated)).toBe("2025-01-01");
    const withEth = unit("CROSS", [coin("ETH", 1)], [position(perp("BTC"), 1, 100_000)]);
    expect(unitValuationTime(withEth, backDated)).toBe(JAN_1);
    const withSol = unit("CROSS", [coin("SOL", 10)], [position(perp("BTC"), 1, 100_000)]);
    expect(unitValuationTime(withSol, backDated)).toBe(JAN_10);
  });

  it("is the market's latest for a unit exposed to nothing", () => {
    expect(unitValuationTime(unit("CROSS", [usdc(5)], []), backDated)).toBe(JAN_10);
  });

  it("ends the VaR window on that date", () => {
    // lookback 2: returns of 2024-12-31 (+3 %) and 2025-01-01 (−2 %); k = ⌈2·0.01⌉ = 1 →
    // VaR = ES = 0.02·100 000 = 2 000 (the −50 % days after are not in the window).
    const result = valueAtRisk(btcBook, backDated, history, {
      method: "HISTORICAL",
      confidence: 0.99,
      horizonDays: 1,
      lookbackDays: 2,
    });
    expectRelClose(result.value, 2000, 1e-9, "VaR");
    expectRelClose(result.expectedShortfall, 2000, 1e-9, "ES");
  });

  it("ends the HISTORICAL_ES scenario set on that date", () => {
    const set = buildHistoricalEsScenarios(history, ["BTC"], unitValuationDate(btcBook, backDated));
    expect(set.lastRowDate).toBe("2025-01-01");
    expect(set.dates[set.filteredCount - 1]).toBe("2025-01-01");
    const margin = historicalEsMargin(btcBook, backDated, history);
    // The −50 % days would give a tail of −75 % two-day moves: the margin stays far below.
    expect(margin.maintenance).toBeGreaterThan(0);
    expect(margin.maintenance).toBeLessThan(0.2 * 100_000);
    const truncated = {
      dates: dates.slice(0, last + 1),
      closes: new Map([...history.closes].map(([u, c]) => [u, c.slice(0, last + 1)])),
    };
    expect(historicalEsMargin(btcBook, backDated, truncated).maintenance).toBe(margin.maintenance);
  });
});
