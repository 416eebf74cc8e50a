import { EngineInputError } from "./errors.js";
import { getOrCreate } from "./getOrCreate.js";
import { historyColumns, isClose } from "./priceReturns.js";
import type { PriceHistory } from "./types.js";

/**
 * HISTORICAL_ES scenarios (DESIGN §7.2): filtered historical simulation with a stressed
 * floor. Pure and deterministic in (history, underlyings, valuationDate), so the domain
 * layer can build it once per valuation date and underlying set and share it between
 * every unit with that set (historicalEsScenarios memoizes per history object).
 *
 * Readings (where the text leaves a choice):
 * - Rows: the history's dates on or before the valuation date on which every underlying
 *   of the set has a positive close; "h rows earlier" counts those rows. Returns, EWMA and
 *   scenarios are the set's own (a BTC + SOL set runs BTC's EWMA on SOL's dates too).
 * - One-day return d_i = C_i/C_{i−1} − 1 for usable rows i ≥ 1 (the i-th return). EWMA:
 *   v at the 30th return (row 30) = mean of d_1² … d_30²; then v_i = 0.97·v_{i−1} + 0.03·d_i².
 *   σ_i = √v_i includes day i's return; σ_now = σ at the last usable row.
 * - Scenario rows: every usable row i ≥ 30 (it has a σ_i and a row two earlier), with
 *   R_i = C_i/C_{i−2} − 1. FILTERED: the last 730 of them (at least 250), each move
 *   R_i·clamp(σ_now/σ_i, 0.5, 3), per underlying. STRESSED: the unscaled R_i of every
 *   scenario row (whole history, not only the last 730) dated inside a crisis window
 *   (bounds included).
 * - An empty underlying set has no scenarios (its margin is 0).
 */

export const EWMA_LAMBDA = 0.97;
/** Returns averaged to seed the EWMA variance. */
export const EWMA_SEED_RETURNS = 30;
/** Margin period of risk in usable rows. */
export const MARGIN_PERIOD_ROWS = 2;
export const FILTERED_SCENARIOS = 730;
export const MIN_FILTERED_SCENARIOS = 250;
export const SCALE_FLOOR = 0.5;
export const SCALE_CAP = 3;

/** Crisis windows of the STRESSED set, inclusive UTC dates. */
export const STRESS_WINDOWS: readonly { from: string; to: string }[] = [
  { from: "2020-03-01", to: "2020-03-31" },
  { from: "2021-05-10", to: "2021-05-31" },
  { from: "2022-05-01", to: "2022-05-31" },
  { from: "2022-11-01", to: "2022-11-30" },
];

export interface HistoricalEsScenarioSet {
  /** yyyy-mm-dd: last date a row may have. */
  valuationDate: string;
  /** Sorted; the column order of every per-underlying array below. */
  underlyings: readonly string[];
  /** Scenarios 0 … filteredCount − 1 are FILTERED, the rest STRESSED; each part in date order. */
  count: number;
  filteredCount: number;
  /** End date of each scenario, yyyy-mm-dd. */
  dates: readonly string[];
  /** moves[u][s]: relative spot move applied to underlyings[u] in scenario s (FILTERED: scaled). */
  moves: readonly Float64Array[];
  /** returns[u][s]: the unscaled two-row return R of the scenario's date. */
  returns: readonly Float64Array[];
  /** scales[u][s]: clamp(σ_now/σ_t, 0.5, 3) for FILTERED scenarios, 1 for STRESSED. */
  scales: readonly Float64Array[];
  /** σ_now per underlying: daily EWMA volatility at the last usable row. */
  currentVolatility: readonly number[];
  /** Date of the last usable row (null for an empty set). */
  lastRowDate: string | null;
}

function inStressWindow(date: string): boolean {
  return STRESS_WINDOWS.some(({ from, to }) => date >= from && date <= to);
}

function emptySet(valuationDate: string): HistoricalEsScenarioSet {
  return {
    valuationDate,
    underlyings: [],
    count: 0,
    filteredCount: 0,
    dates: [],
    moves: [],
    returns: [],
    scales: [],
    currentVolatility: [],
    lastRowDate: null,
  };
}

/** The scenario set of `underlyings` (any order) for a valuation date; see the file comment. */
export function buildHistoricalEsScenarios(
  history: PriceHistory,
  underlyings: readonly string[],
  valuationDate: string,
): HistoricalEsScenarioSet {
  const names = [...new Set(underlyings)].sort();
  if (names.length === 0) return emptySet(valuationDate);
  const columns = historyColumns(history, names);
  const rows: number[] = [];
  for (let t = 0; t < history.dates.length && history.dates[t] <= valuationDate; t++) {
    if (columns.every((closes) => isClose(closes[t]))) rows.push(t);
  }
  const returnCount = rows.length - 1;
  if (returnCount < EWMA_SEED_RETURNS) {
    throw new EngineInputError(
      `insufficient price history for HISTORICAL_ES: ${EWMA_SEED_RETURNS} daily returns needed on or before ` +
        `${valuationDate} for ${names.join(", ")}, ${Math.max(0, returnCount)} available`,
    );
  }
  const scenarioRows = rows.length - EWMA_SEED_RETURNS; // usable rows i = 30 … rows.length − 1
  if (scenarioRows < MIN_FILTERED_SCENARIOS) {
    throw new EngineInputError(
      `insufficient price history for HISTORICAL_ES: ${MIN_FILTERED_SCENARIOS} scenarios needed on or before ` +
        `${valuationDate} for ${names.join(", ")}, ${scenarioRows} available`,
    );
  }
  const filteredStart = EWMA_SEED_RETURNS + Math.max(0, scenarioRows - FILTERED_SCENARIOS); // first usable row index
  const stressedRows: number[] = [];
  for (let i = EWMA_SEED_RETURNS; i < rows.length; i++) if (inStressWindow(history.dates[rows[i]])) stressedRows.push(i);
  const filteredCount = rows.length - filteredStart;
  const count = filteredCount + stressedRows.length;
  const dates: string[] = [];
  for (let i = filteredStart; i < rows.length; i++) dates.push(history.dates[rows[i]]);
  for (const i of stressedRows) dates.push(history.dates[rows[i]]);

  const moves: Float64Array[] = [];
  const returns: Float64Array[] = [];
  const scales: Float64Array[] = [];
  const currentVolatility: number[] = [];
  for (const closes of columns) {
    const close = (i: number) => closes[rows[i]] as number;
    // σ_i for usable rows i ≥ 30.
    const sigma = new Float64Array(rows.length);
    let variance = 0;
    for (let i = 1; i <= EWMA_SEED_RETURNS; i++) variance += (close(i) / close(i - 1) - 1) ** 2;
    variance /= EWMA_SEED_RETURNS;
    sigma[EWMA_SEED_RETURNS] = Math.sqrt(variance);
    for (let i = EWMA_SEED_RETURNS + 1; i < rows.length; i++) {
      variance = EWMA_LAMBDA * variance + (1 - EWMA_LAMBDA) * (close(i) / close(i - 1) - 1) ** 2;
      sigma[i] = Math.sqrt(variance);
    }
    const now = sigma[rows.length - 1];
    currentVolatility.push(now);
    const move = new Float64Array(count);
    const raw = new Float64Array(count);
    const scale = new Float64Array(count);
    let s = 0;
    for (let i = filteredStart; i < rows.length; i++, s++) {
      raw[s] = close(i) / close(i - MARGIN_PERIOD_ROWS) - 1;
      // σ_i > 0 unless every return so far was 0, and then R_i = 0 too: any scale will do.
      scale[s] = sigma[i] > 0 ? Math.min(SCALE_CAP, Math.max(SCALE_FLOOR, now / sigma[i])) : 1;
      move[s] = raw[s] * scale[s];
    }
    for (const i of stressedRows) {
      raw[s] = close(i) / close(i - MARGIN_PERIOD_ROWS) - 1;
      scale[s] = 1;
      move[s] = raw[s];
      s++;
    }
    moves.push(move);
    returns.push(raw);
    scales.push(scale);
  }
  return {
    valuationDate,
    underlyings: names,
    count,
    filteredCount,
    dates,
    moves,
    returns,
    scales,
    currentVolatility,
    lastRowDate: history.dates[rows[rows.length - 1]],
  };
}

const setsByHistory = new WeakMap<PriceHistory, Map<string, HistoricalEsScenarioSet>>();

/**
 * The scenario set of `underlyings` for a valuation date (see buildHistoricalEsScenarios),
 * memoized per history object, date and underlying set: the same arguments give the same
 * (frozen-by-convention) object, so tables keyed on it are shared too. Histories are
 * treated as values (not edited in place once passed in).
 */
export function historicalEsScenarios(
  history: PriceHistory,
  underlyings: readonly string[],
  valuationDate: string,
): HistoricalEsScenarioSet {
  const sets = getOrCreate(setsByHistory, history, () => new Map<string, HistoricalEsScenarioSet>());
  const key = `${valuationDate}|${[...new Set(underlyings)].sort().join(",")}`;
  return getOrCreate(sets, key, () => buildHistoricalEsScenarios(history, underlyings, valuationDate));
}
