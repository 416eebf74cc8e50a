import { describe, expect, it } from "vitest";
import {
  EngineInputError,
  buildHistoricalEsScenarios,
  computeMargin,
  createHistoricalEsTable,
  defaultRiskParams,
  esTailSize,
  historicalEsMargin,
  historicalEsMarginWithTable,
  liquidationPrices,
  marginAttribution,
  modelMargin,
  stressTest,
  volScenarios,
} from "../../../src/engine/index.js";
import { coin, expectClose, expectRelClose, market, option, perp, position, unit, usdc } from "./helpers.js";
import { alternating, dailyDates, historyFromReturns } from "./historyBuilders.js";
import { referenceBlackScholesPrice } from "./referenceBlackScholes.js";

const params = defaultRiskParams;
const S = 100_000;
const a = 0.01;

describe("HISTORICAL_ES tail size", () => {
  it.each([
    // [n, k]: k = max(1, ⌈0.025·n − 1e-9⌉); 0.025·280 = 7 exactly stays 7, 7.025 becomes 8
    [0, 0],
    [1, 1],
    [31, 1],
    [40, 1],
    [41, 2],
    [250, 7],
    [280, 7],
    [281, 8],
    [730, 19],
    [844, 22],
  ])("n = %i scenarios average the k = %i lowest", (n, k) => {
    expect(esTailSize(n)).toBe(k);
  });
});

/*
 * A long 1 BTC perp at S = 100 000 on a synthetic BTC history counted by hand (no crisis
 * window: dates from 2023-01-01). One-day returns alternate +1 %, −1 %, so every |d| = a
 * and the EWMA stays at v = a² (seed: mean of 30 a²; step 0.97a² + 0.03a² = a²). Three
 * odd days are flipped to −1 %, each giving two down-down two-day returns
 * R = 0.99² − 1 = −0.0199 (6 scenarios); every other two-day return is
 * (1 + a)(1 − a) − 1 = −a² = −0.0001 (no up-up pair exists). The last return is −b with
 * b = a·√101, so σ_now² = 0.97a² + 0.03·101a² = 4a²: older moves scale by σ_now/σ_t = 2,
 * the last scenario's by 1. Its move is (1 + d_{last−1})(1 − b) − 1.
 */
function handHistory(rows: number, lastReturn: number) {
  const returns = alternating(rows, a);
  for (const odd of [101, 151, 201]) returns[odd] = -a;
  returns[rows - 1] = lastReturn;
  const dates = dailyDates("2023-01-01", rows);
  return { dates, returns, history: historyFromReturns(dates, { BTC: returns }) };
}

const b = a * Math.sqrt(101);

describe("HISTORICAL_ES on a history counted by hand", () => {
  it.each([
    // [usable rows, scenarios n = rows − 30, k]
    [310, 280, 7],
    [311, 281, 8],
  ])("%i rows: %i FILTERED scenarios, the %i lowest averaged", (rows, n, k) => {
    const { dates, returns, history } = handHistory(rows, -b);
    const book = unit("CROSS", [usdc(50_000)], [position(perp("BTC"), 1, S)]);
    const m = market({ BTC: { spot: S } }, Date.parse(`${dates[rows - 1]}T12:00:00Z`));
    const lastMove = (1 + returns[rows - 2]) * (1 - b) - 1;
    const downDown = 2 * ((1 - a) * (1 - a) - 1); // scaled by 2
    const quiet = 2 * ((1 + a) * (1 - a) - 1); // −2a², the 8th lowest when k = 8
    const tail = [lastMove, ...Array(6).fill(downDown), ...Array(k - 7).fill(quiet)];
    const expectedEs = (-S * tail.reduce((sum, x) => sum + x, 0)) / k;

    const result = historicalEsMargin(book, m, history);
    expect(result.filtered).toMatchObject({ scenarios: n, tailSize: k });
    expect(result.stressed).toEqual({ scenarios: 0, tailSize: 0, expectedShortfall: 0 });
    expect(result.binding).toBe("FILTERED");
    expectRelClose(result.maintenance, expectedEs, 1e-9, `ES, ${rows} rows`);
    expectRelClose(result.initial, 1.25 * expectedEs, 1e-9, "IM = 1.25·MM");
    const margin = computeMargin(book, m, params, "HISTORICAL_ES", history);
    expect(margin.model).toBe("HISTORICAL_ES");
    expectRelClose(margin.maintenance, expectedEs, 1e-9, "computeMargin");

    const { scenarios, components } = marginAttribution(book, m, params, "HISTORICAL_ES", history);
    expect(scenarios).toHaveLength(k);
    expect(scenarios[0]).toMatchObject({ set: "FILTERED", date: dates[rows - 1], volBranch: "BASE" });
    expectClose(scenarios[0].spotMoves[0].spotMove, lastMove, 1e-12, "worst move, unscaled (scale 1)");
    expectRelClose(scenarios[0].pnl, S * lastMove, 1e-9, "worst P&L");
    // The six down-down scenarios follow (equal up to rounding, so in any order).
    expect(scenarios.slice(1, 7).map((s) => s.date).sort()).toEqual([101, 102, 151, 152, 201, 202].map((i) => dates[i]));
    for (const s of scenarios.slice(1, 7)) expectClose(s.spotMoves[0].spotMove, downDown, 1e-12, `move ${s.date}`);
    expect(components).toHaveLength(1);
    expectRelClose(components[0].amount, expectedEs, 1e-9, "the perp carries all of it");
  });

  it("seeds the EWMA with the mean of 30 squared returns and steps it with λ = 0.97", () => {
    // d_1 … d_30: 15 of ±2 % and 15 of 0 → v_30 = 15·0.0004/30 = 0.0002. Then |d| = 1 %:
    // v_{30+j} = 0.0001 + 0.0001·0.97^j (each step 0.97v + 0.03·0.0001).
    const rows = 300;
    const returns = alternating(rows, a);
    for (let i = 1; i <= 30; i++) returns[i] = i <= 15 ? (i % 2 ? 0.02 : -0.02) : 0;
    const dates = dailyDates("2023-01-01", rows);
    const set = buildHistoricalEsScenarios(historyFromReturns(dates, { BTC: returns }), ["BTC"], dates[rows - 1]);
    const variance = (i: number) => 1e-4 * (1 + 0.97 ** (i - 30));
    const now = variance(rows - 1);
    expectRelClose(set.currentVolatility[0], Math.sqrt(now), 1e-12, "σ_now");
    expect(set.filteredCount).toBe(rows - 30);
    for (let s = 0; s < set.count; s++) {
      const t = 30 + s;
      expect(set.dates[s]).toBe(dates[t]);
      expectRelClose(set.scales[0][s], Math.sqrt(now / variance(t)), 1e-12, `scale at row ${t}`);
      const raw = (1 + returns[t - 1]) * (1 + returns[t]) - 1;
      expectRelClose(set.returns[0][s], raw, 1e-9, `R at row ${t}`, 1e-15);
      expectRelClose(set.moves[0][s], raw * set.scales[0][s], 1e-9, `move at row ${t}`, 1e-15);
    }
    expectClose(set.scales[0][0], Math.sqrt(now / 2e-4), 1e-12, "first scenario: σ_30² = 0.0002");
  });

  it("clamps the scale to 3 and to 0.5", () => {
    // σ_now² = 0.97a² + 0.03·501a² = 16a²: ratio 4, clamped to 3.
    const up = handHistory(310, -a * Math.sqrt(501));
    const high = buildHistoricalEsScenarios(up.history, ["BTC"], up.dates[309]);
    expectClose(high.scales[0][0], 3, 0, "cap");
    expectClose(high.scales[0][high.count - 1], 1, 1e-12, "last row");
    // 60 quiet days after loud ones: v_now ≈ 0.97^60·0.0016 ≈ 0.00026 < v_30/4 = 0.0004 → floor 0.5.
    const returns = alternating(310, 0.04);
    for (let i = 250; i < 310; i++) returns[i] = i % 2 ? 1e-4 : -1e-4;
    const dates = dailyDates("2023-01-01", 310);
    const low = buildHistoricalEsScenarios(historyFromReturns(dates, { BTC: returns }), ["BTC"], dates[309]);
    expect(low.scales[0][0]).toBe(0.5);
  });

  it("floors margin with the STRESSED set: unscaled moves of crisis-window dates", () => {
    // Dates 2021-07-01 … (400 rows): the 2022-05 window has 31 scenario dates → k = 1.
    // 2022-05-09 +1 %, 05-10 −20 %, 05-11 −1 %: R(05-11) = 0.8·0.99 − 1 = −0.208, the worst.
    const rows = 400;
    const dates = dailyDates("2021-07-01", rows);
    const returns = alternating(rows, a);
    const at = (date: string) => dates.indexOf(date);
    returns[at("2022-05-09")] = a;
    returns[at("2022-05-10")] = -0.2;
    returns[at("2022-05-11")] = -a;
    const history = historyFromReturns(dates, { BTC: returns });
    const book = unit("CROSS", [usdc(50_000)], [position(perp("BTC"), 1, S)]);
    const m = market({ BTC: { spot: S } }, Date.parse(`${dates[rows - 1]}T00:00:00Z`));
    const result = historicalEsMargin(book, m, history);
    expect(result.stressed).toMatchObject({ scenarios: 31, tailSize: 1 });
    expect(result.binding).toBe("STRESSED");
    expectRelClose(result.maintenance, 0.208 * S, 1e-9, "MM = ES(STRESSED)");
    expect(result.filtered.expectedShortfall).toBeLessThan(result.maintenance);
    const [worst] = marginAttribution(book, m, params, "HISTORICAL_ES", history).scenarios;
    expect(worst).toMatchObject({ set: "STRESSED", date: "2022-05-11", volBranch: "BASE" });
    expectClose(worst.spotMoves[0].spotMove, -0.208, 1e-12, "unscaled move");
  });

  it("keeps date order among exactly equal tail P&Ls", () => {
    // Closes 100/101 alternating, then 100 through May 2022 except 80 on 05-10 and 05-13:
    // R(05-10) = R(05-13) = 80/100 − 1 = −0.2 exactly, the STRESSED set's two lowest (k = 1).
    const dates = dailyDates("2021-07-01", 400);
    const closes = dates.map((date, i) =>
      date >= "2022-05-01" && date <= "2022-05-31" ? (date === "2022-05-10" || date === "2022-05-13" ? 80 : 100) : i % 2 ? 101 : 100,
    );
    const history = { dates, closes: new Map([["BTC", closes]]) };
    const book = unit("CROSS", [], [position(perp("BTC"), 1, S)]);
    const m = market({ BTC: { spot: S } }, Date.parse(`${dates[399]}T00:00:00Z`));
    const [worst] = marginAttribution(book, m, params, "HISTORICAL_ES", history).scenarios;
    expect(worst).toMatchObject({ set: "STRESSED", date: "2022-05-10" });
    expectRelClose(worst.pnl, -0.2 * S, 1e-12, "P&L");
  });

  it("takes each scenario's lowest vol branch for options", () => {
    // Long 1 BTC call, 30 days, σ 60 %: every scenario's P&L is the call's change under the
    // branch that loses most; a long call loses most under DOWN (σ·(1 − 0.30·s)).
    const { dates, history } = handHistory(310, -b);
    const asOf = Date.parse(`${dates[309]}T00:00:00Z`);
    const call = { ...option("BTC", "CALL", S, 30), expiryMs: asOf + 30 * 86_400_000 };
    const book = unit("CROSS", [usdc(10_000)], [position(call, 1, 0)]);
    const m = market({ BTC: { spot: S, volatility: 0.6 } }, asOf);
    const years = 30 / 365;
    const [, , down] = volScenarios(0.6, years);
    const base = referenceBlackScholesPrice("CALL", S, S, years, 0.6);
    const { scenarios } = marginAttribution(book, m, params, "HISTORICAL_ES", history);
    for (const s of scenarios) {
      expect(s.volBranch).toBe("DOWN");
      const expected = referenceBlackScholesPrice("CALL", S * (1 + s.spotMoves[0].spotMove), S, years, down) - base;
      expectRelClose(s.pnl, expected, 1e-7, `P&L ${s.date}`);
    }
  });

  it("needs 30 returns and 250 scenarios, and a history", () => {
    const book = unit("CROSS", [], [position(perp("BTC"), 1, S)]);
    const short = handHistory(31, -a); // 30 returns but 1 scenario
    const m = market({ BTC: { spot: S } }, Date.parse("2024-01-01T00:00:00Z"));
    expect(() => historicalEsMargin(book, m, short.history)).toThrow(/250 scenarios needed.*1 available/);
    const shorter = handHistory(30, -a);
    expect(() => historicalEsMargin(book, m, shorter.history)).toThrow(/30 daily returns needed.*29 available/);
    expect(() => computeMargin(book, m, params, "HISTORICAL_ES")).toThrow(EngineInputError);
    expect(() => computeMargin(book, m, params, "HISTORICAL_ES")).toThrow(/needs the price history/);
  });

  it("gives 0 to a unit exposed to nothing, without a history", () => {
    const cash = unit("CROSS", [usdc(1000)], []);
    const m = market({ BTC: { spot: S } });
    expect(computeMargin(cash, m, params, "HISTORICAL_ES")).toMatchObject({ initial: 0, maintenance: 0 });
    expect(modelMargin(cash, m, params, "HISTORICAL_ES").attribution).toEqual({ components: [], scenarios: [] });
  });

  it("refuses a table built for other underlyings", () => {
    const { dates, history } = handHistory(310, -b);
    const m = market({ BTC: { spot: S }, ETH: { spot: 4000 } });
    const set = buildHistoricalEsScenarios(history, ["BTC"], dates[309]);
    const table = createHistoricalEsTable([perp("BTC")], m, set);
    const both = unit("CROSS", [coin("ETH", 1)], [position(perp("BTC"), 1, S)]);
    expect(() => historicalEsMarginWithTable(both, table)).toThrow(/does not cover/);
  });

  it("margins a stressed market under HISTORICAL_ES with the history passed through", () => {
    // Long 1 BTC perp, spot shocked −10 %: the ES scales with spot (every P&L is S·move).
    const { dates, history } = handHistory(310, -b);
    const book = unit("CROSS", [usdc(50_000)], [position(perp("BTC"), 1, S)]);
    const m = market({ BTC: { spot: S } }, Date.parse(`${dates[309]}T00:00:00Z`));
    const base = historicalEsMargin(book, m, history).maintenance;
    const stressed = stressTest(book, m, [{ underlying: "BTC", spotMove: -0.1 }], params, "HISTORICAL_ES", history);
    expectRelClose(stressed.maintenance, 0.9 * base, 1e-9, "MM at 0.9·S");
    expectRelClose(stressed.pnl, -0.1 * S, 1e-12, "P&L");
  });

  it("computes liquidation prices only under a level-driving model", () => {
    const book = unit("CROSS", [usdc(50_000)], [position(perp("BTC"), 1, S)]);
    const m = market({ BTC: { spot: S } });
    expect(() => liquidationPrices(book, m, params, "HISTORICAL_ES")).toThrow(/STANDARD or PORTFOLIO/);
  });
});
