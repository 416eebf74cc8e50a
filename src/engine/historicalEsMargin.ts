import { bsAtSpot, bsSpotTerms, type BsSpotValue } from "./blackScholesKernel.js";
import { EngineInputError } from "./errors.js";
import { historicalEsScenarios, type HistoricalEsScenarioSet } from "./esScenarios.js";
import { exposedUnderlyings } from "./exposure.js";
import { getOrCreate } from "./getOrCreate.js";
import { quoteFor } from "./market.js";
import { volScenarios } from "./portfolioGrid.js";
import type { MarginRequirement } from "./standardMargin.js";
import type {
  InstrumentSpec,
  MarginAttribution,
  MarginComponent,
  MarginScenario,
  MarginUnitInput,
  Market,
  PriceHistory,
  VolBranch,
} from "./types.js";
import { unitValuationDate } from "./valuationTime.js";
import { marketMemo, pricedInstrument, type PricedInstrument } from "./valuationCache.js";

/**
 * HISTORICAL_ES margin (DESIGN §7.2) on a scenario set (esScenarios.ts): every scenario
 * moves all the set's underlyings at once, S_u → S_u·(1 + move_u); time and rates stay;
 * options are repriced under three vol branches, every option at its PORTFOLIO up, base
 * or down volatility (volScenarios: same s and 0.01 floor); collateral of an underlying
 * moves with its spot at full amount. A scenario's P&L is the lowest of its three
 * branches, and that branch is the scenario's. ES of n scenarios: k = max(1,
 * ⌈0.025·n − 1e-9⌉), ES = max(0, −mean of the k lowest P&Ls; ties in date order).
 * MM = max(ES(FILTERED), ES(STRESSED)), the binding set FILTERED on a tie; IM = 1.25·MM.
 *
 * Readings: branch ties go to BASE, then UP, then DOWN (a linear-only book is BASE); an
 * empty STRESSED set has ES 0; a unit exposed to no underlying has margin 0 and needs no
 * history. Linear instruments move by forwardFactor·(S(1 + m) − S) per unit (the same
 * number as re-marking them, up to rounding).
 */

const TAIL_FRACTION = 0.025;
const CEILING_SLACK = 1e-9;
const INITIAL_TO_MAINTENANCE = 1.25;
/** Vol branches in table order (volScenarios order). */
const BRANCHES: readonly VolBranch[] = ["UP", "BASE", "DOWN"];
const UP = 0;
const BASE = 1;
const DOWN = 2;

/** k of an ES over n scenarios (0 for an empty set). */
export function esTailSize(n: number): number {
  return n === 0 ? 0 : Math.max(1, Math.ceil(TAIL_FRACTION * n - CEILING_SLACK));
}

export interface EsInstrumentRow {
  /** Column of the instrument's underlying in the scenario set. */
  underlyingIndex: number;
  /** Options: USD per underlying unit, scenario mark − market mark at index 3·s + branch (UP, BASE, DOWN); null for perps and futures. */
  markChange: Float64Array | null;
  /** Perps and futures: mark per unit of spot (1, or e^(rT)); their P&L per unit is forwardFactor·spotChange. */
  forwardFactor: number;
}

export interface HistoricalEsTable {
  scenarios: HistoricalEsScenarioSet;
  /** Column of each underlying of the set. */
  underlyingIndex: ReadonlyMap<string, number>;
  /** USD per underlying. */
  spots: readonly number[];
  /** spotChange[u][s] = S_u·(1 + move) − S_u, USD per unit held (how collateral moves). */
  spotChange: readonly Float64Array[];
  /** Keyed by symbol: instruments on the set's underlyings. */
  instruments: ReadonlyMap<string, EsInstrumentRow>;
}

/** Rows already priced, per scenario set and priced instrument (the valuation cache's object: new market, new object). */
const rowCache = new WeakMap<HistoricalEsScenarioSet, WeakMap<PricedInstrument, EsInstrumentRow>>();

/** ln(1 + move) per scenario of one underlying, shared by the options on it. */
const logMoveCache = new WeakMap<Float64Array, Float64Array>();

function instrumentRow(priced: PricedInstrument, underlyingIndex: number, scenarios: HistoricalEsScenarioSet): EsInstrumentRow {
  const { terms, mark } = priced;
  if (terms.kind === "LINEAR") return { underlyingIndex, markChange: null, forwardFactor: terms.forwardFactor };
  const moves = scenarios.moves[underlyingIndex];
  const logMoves = getOrCreate(logMoveCache, moves, () => moves.map(Math.log1p));
  const vols = volScenarios(terms.volatility, terms.years);
  const branchTerms = vols.map((vol) => bsSpotTerms(terms.isCall, terms.strike, terms.years, vol, terms.rate));
  const markChange = new Float64Array(3 * scenarios.count);
  const out: BsSpotValue = { price: 0, delta: 0, spotGamma: 0 };
  const logSpot = Math.log(terms.spot / terms.strike);
  for (let s = 0; s < scenarios.count; s++) {
    const spot = terms.spot * (1 + moves[s]);
    const logMoneyness = logSpot + logMoves[s];
    for (let b = 0; b < 3; b++) {
      bsAtSpot(out, branchTerms[b], spot, logMoneyness, false);
      markChange[3 * s + b] = out.price - mark;
    }
  }
  return { underlyingIndex, markChange, forwardFactor: 0 };
}

/**
 * The table of HISTORICAL_ES P&L per underlying unit of each instrument (on one of the
 * set's underlyings; others are skipped) in every scenario and vol branch, on `market`:
 * a unit's scenario P&L is then a sum over its positions. Rows are cached per scenario
 * set and per market (through the valuation cache), so tables built again for the same
 * market and set reuse them.
 */
export function createHistoricalEsTable(
  instruments: Iterable<InstrumentSpec>,
  market: Market,
  scenarios: HistoricalEsScenarioSet,
): HistoricalEsTable {
  const underlyingIndex = new Map(scenarios.underlyings.map((name, u) => [name, u] as const));
  const spots = scenarios.underlyings.map((name) => quoteFor(market, name).spot);
  const spotChange = spots.map((spot, u) => {
    const moves = scenarios.moves[u];
    return Float64Array.from(moves, (move) => spot * (1 + move) - spot);
  });
  const cached = getOrCreate(rowCache, scenarios, () => new WeakMap<PricedInstrument, EsInstrumentRow>());
  const memo = marketMemo(market);
  const rows = new Map<string, EsInstrumentRow>();
  for (const instrument of instruments) {
    if (rows.has(instrument.symbol)) continue;
    const u = underlyingIndex.get(instrument.underlying);
    if (u === undefined) continue;
    const priced = pricedInstrument(memo, instrument, market);
    rows.set(instrument.symbol, getOrCreate(cached, priced, () => instrumentRow(priced, u, scenarios)));
  }
  return { scenarios, underlyingIndex, spots, spotChange, instruments: rows };
}

export interface HistoricalEsSetResult {
  /** Scenarios in the set. */
  scenarios: number;
  /** k: scenarios averaged (0 for an empty set). */
  tailSize: number;
  /** USD, ≥ 0. */
  expectedShortfall: number;
}

export interface HistoricalEsMarginResult extends MarginRequirement {
  filtered: HistoricalEsSetResult;
  stressed: HistoricalEsSetResult;
  /** The set that gave MM (FILTERED on a tie). */
  binding: "FILTERED" | "STRESSED";
}

// ---- per-unit evaluation, on buffers reused from call to call (the engine is synchronous) ----

let accumulator = new Float64Array(0); // option P&L per scenario × branch
let scenarioPnl = new Float64Array(0); // lowest branch per scenario
let scenarioBranch = new Uint8Array(0);
let tailPnl = new Float64Array(0);
let tailIndex = new Int32Array(0);

function ensureBuffers(count: number): void {
  if (accumulator.length < 3 * count) accumulator = new Float64Array(3 * count);
  if (scenarioPnl.length < count) {
    scenarioPnl = new Float64Array(count);
    scenarioBranch = new Uint8Array(count);
  }
  const k = esTailSize(count);
  if (tailPnl.length < k) {
    tailPnl = new Float64Array(k);
    tailIndex = new Int32Array(k);
  }
}

function rowOf(table: HistoricalEsTable, instrument: InstrumentSpec): EsInstrumentRow {
  const row = table.instruments.get(instrument.symbol);
  if (!row) {
    if (!table.underlyingIndex.has(instrument.underlying)) throw underlyingMismatch(table, instrument.underlying);
    throw new EngineInputError(`instrument "${instrument.symbol}" is not in the HISTORICAL_ES table`);
  }
  return row;
}

function underlyingMismatch(table: HistoricalEsTable, underlying: string): EngineInputError {
  return new EngineInputError(
    `the unit is exposed to ${underlying}, which the HISTORICAL_ES scenario set ` +
      `(${table.scenarios.underlyings.join(", ") || "none"}) does not cover: build it for the unit's own underlyings`,
  );
}

/** A unit reduced to the table: its option rows with their underlying units, and per underlying the units moving linearly with spot. */
interface PreparedUnit {
  rows: Float64Array[];
  units: number[];
  /** Per underlying of the set: Σ perp/future units·forwardFactor + collateral amount. */
  linear: Float64Array;
}

/** Checks that the unit's exposed underlyings are exactly the set's. */
function prepare(unit: MarginUnitInput, table: HistoricalEsTable): PreparedUnit {
  const { underlyings } = table.scenarios;
  const prepared: PreparedUnit = { rows: [], units: [], linear: new Float64Array(underlyings.length) };
  const seen = new Set<number>(); // underlyings the unit is exposed to
  for (const { instrument, quantity } of unit.positions) {
    const row = rowOf(table, instrument);
    seen.add(row.underlyingIndex);
    const units = quantity * instrument.contractSize;
    if (row.markChange === null) {
      prepared.linear[row.underlyingIndex] += units * row.forwardFactor;
    } else {
      prepared.rows.push(row.markChange);
      prepared.units.push(units);
    }
  }
  for (const { underlying, amount } of unit.collateral) {
    if (underlying === null) continue;
    const u = table.underlyingIndex.get(underlying);
    if (u === undefined) throw underlyingMismatch(table, underlying);
    seen.add(u);
    prepared.linear[u] += amount;
  }
  if (seen.size !== underlyings.length) {
    throw new EngineInputError(
      `the HISTORICAL_ES scenario set covers ${underlyings.join(", ")} but the unit is exposed to ` +
        `${[...seen].map((u) => underlyings[u]).sort().join(", ") || "nothing"}: build it for the unit's own underlyings`,
    );
  }
  return prepared;
}

/**
 * acc[i] = Σ_p units_p·rows_p[i], i < length, four rows per pass and the last one to
 * three in one more: fewer loads and stores of acc than one pass per row (about 1.7×
 * faster here); the order of the additions depends only on the positions' order.
 */
function sumOptionRows(acc: Float64Array, { rows, units }: PreparedUnit, length: number): void {
  acc.fill(0, 0, length);
  const n = rows.length;
  let p = 0;
  for (; p + 4 <= n; p += 4) {
    const c0 = rows[p];
    const c1 = rows[p + 1];
    const c2 = rows[p + 2];
    const c3 = rows[p + 3];
    const u0 = units[p];
    const u1 = units[p + 1];
    const u2 = units[p + 2];
    const u3 = units[p + 3];
    for (let i = 0; i < length; i++) acc[i] += u0 * c0[i] + u1 * c1[i] + u2 * c2[i] + u3 * c3[i];
  }
  // The last one to three rows in one pass too (a pass costs about the same whatever its width).
  const rest = n - p;
  if (rest === 3) {
    const c0 = rows[p];
    const c1 = rows[p + 1];
    const c2 = rows[p + 2];
    const u0 = units[p];
    const u1 = units[p + 1];
    const u2 = units[p + 2];
    for (let i = 0; i < length; i++) acc[i] += u0 * c0[i] + u1 * c1[i] + u2 * c2[i];
  } else if (rest === 2) {
    const c0 = rows[p];
    const c1 = rows[p + 1];
    const u0 = units[p];
    const u1 = units[p + 1];
    for (let i = 0; i < length; i++) acc[i] += u0 * c0[i] + u1 * c1[i];
  } else if (rest === 1) {
    const c = rows[p];
    const u = units[p];
    for (let i = 0; i < length; i++) acc[i] += u * c[i];
  }
}

/** P&L (lowest branch) and branch of every scenario into scenarioPnl / scenarioBranch. */
function scenarioPnlOf(prepared: PreparedUnit, table: HistoricalEsTable): void {
  const { count } = table.scenarios;
  ensureBuffers(count);
  const acc = accumulator;
  const pnl = scenarioPnl;
  const branch = scenarioBranch;
  // Linear part first, one underlying at a time: pnl[s] = Σ_u linear_u·spotChange_u[s].
  pnl.fill(0, 0, count);
  const { linear } = prepared;
  for (let u = 0; u < linear.length; u++) {
    const units = linear[u];
    if (units === 0) continue;
    const change = table.spotChange[u];
    for (let s = 0; s < count; s++) pnl[s] += units * change[s];
  }
  if (prepared.rows.length === 0) {
    branch.fill(BASE, 0, count);
    return;
  }
  sumOptionRows(acc, prepared, 3 * count);
  for (let s = 0; s < count; s++) {
    const up = acc[3 * s + UP];
    const base = acc[3 * s + BASE];
    const down = acc[3 * s + DOWN];
    let best = base;
    let chosen = BASE;
    if (up < best) {
      best = up;
      chosen = UP;
    }
    if (down < best) {
      best = down;
      chosen = DOWN;
    }
    pnl[s] = best + pnl[s];
    branch[s] = chosen;
  }
}

/** Fills scenarioPnl / scenarioBranch for the unit. */
function evaluate(unit: MarginUnitInput, table: HistoricalEsTable): void {
  scenarioPnlOf(prepare(unit, table), table);
}

/**
 * The k lowest of scenarioPnl[from, to) into tailPnl / tailIndex, ascending, equal P&Ls in
 * date (index) order; returns their sum.
 */
function selectTail(from: number, to: number, k: number): number {
  const pnl = scenarioPnl;
  const values = tailPnl;
  const indices = tailIndex;
  let size = 0;
  let cut = Infinity; // the k-th lowest so far once the tail is full
  for (let s = from; s < to; s++) {
    const value = pnl[s];
    if (!(value < cut)) continue;
    let j = size === k ? k - 1 : size++;
    while (j > 0 && values[j - 1] > value) {
      values[j] = values[j - 1];
      indices[j] = indices[j - 1];
      j--;
    }
    values[j] = value;
    indices[j] = s;
    if (size === k) cut = values[k - 1];
  }
  let sum = 0;
  for (let i = 0; i < size; i++) sum += values[i];
  return sum;
}

function setResult(from: number, to: number): HistoricalEsSetResult {
  const n = to - from;
  const k = esTailSize(n);
  if (k === 0) return { scenarios: 0, tailSize: 0, expectedShortfall: 0 };
  const mean = selectTail(from, to, k) / k;
  return { scenarios: n, tailSize: k, expectedShortfall: Math.max(0, 0 - mean) };
}

/** MM = max of the two sets' ES (binding FILTERED on a tie), IM = 1.25·MM. */
function requirement(filtered: HistoricalEsSetResult, stressed: HistoricalEsSetResult): HistoricalEsMarginResult {
  const binding = stressed.expectedShortfall > filtered.expectedShortfall ? "STRESSED" : "FILTERED";
  const maintenance = Math.max(filtered.expectedShortfall, stressed.expectedShortfall);
  return { initial: INITIAL_TO_MAINTENANCE * maintenance, maintenance, filtered, stressed, binding };
}

function marginOnEvaluated(table: HistoricalEsTable): HistoricalEsMarginResult {
  const { count, filteredCount } = table.scenarios;
  return requirement(setResult(0, filteredCount), setResult(filteredCount, count));
}

const NO_EXPOSURE: HistoricalEsMarginResult = Object.freeze({
  initial: 0,
  maintenance: 0,
  filtered: Object.freeze({ scenarios: 0, tailSize: 0, expectedShortfall: 0 }),
  stressed: Object.freeze({ scenarios: 0, tailSize: 0, expectedShortfall: 0 }),
  binding: "FILTERED",
}) as HistoricalEsMarginResult;

function isUnexposed(unit: MarginUnitInput): boolean {
  return unit.positions.length === 0 && unit.collateral.every((holding) => holding.underlying === null);
}

/**
 * Table path: HISTORICAL_ES margin of a unit on a table whose scenario set is the one of
 * its own exposed underlyings (an input error otherwise) and whose market is the unit's.
 */
export function historicalEsMarginWithTable(unit: MarginUnitInput, table: HistoricalEsTable): HistoricalEsMarginResult {
  if (isUnexposed(unit)) return NO_EXPOSURE;
  evaluate(unit, table);
  return marginOnEvaluated(table);
}

/** Each scenario's P&L (USD, lowest branch) and that branch, FILTERED scenarios first, as the margin sees them. */
export function historicalEsPnl(unit: MarginUnitInput, table: HistoricalEsTable): { pnl: Float64Array; branch: VolBranch[] } {
  if (isUnexposed(unit)) return { pnl: new Float64Array(0), branch: [] };
  evaluate(unit, table);
  const { count } = table.scenarios;
  return { pnl: scenarioPnl.slice(0, count), branch: Array.from(scenarioBranch.subarray(0, count), (b) => BRANCHES[b]) };
}

/** P&L of `units` of a row, or of a collateral holding (row null), in scenario s under branch b. */
function componentPnl(table: HistoricalEsTable, row: EsInstrumentRow | null, u: number, units: number, s: number, b: number): number {
  if (row?.markChange) return units * row.markChange[3 * s + b];
  return units * (row ? row.forwardFactor : 1) * table.spotChange[u][s];
}

/**
 * Attribution (DESIGN §7.3): one POSITION per position and one COLLATERAL per non-stable
 * holding, each −(mean over the binding set's k tail scenarios of its own P&L in that
 * scenario's branch) — an Euler allocation that adds up to ES; all 0 when MM is 0. The
 * scenarios: the binding set's k tail scenarios, worst first (equal P&Ls in date order),
 * with every underlying's applied move; listed even when MM is 0 (the tail then gains).
 */
export function historicalEsAttributionWithTable(unit: MarginUnitInput, table: HistoricalEsTable): MarginAttribution {
  if (isUnexposed(unit)) return { components: [], scenarios: [] };
  evaluate(unit, table);
  const result = marginOnEvaluated(table);
  const { filteredCount, count, underlyings, dates, moves } = table.scenarios;
  const [from, to] = result.binding === "FILTERED" ? [0, filteredCount] : [filteredCount, count];
  const k = esTailSize(to - from);
  selectTail(from, to, k);
  const tail = Array.from(tailIndex.subarray(0, k));
  const zero = result.maintenance === 0;
  const allocate = (row: EsInstrumentRow | null, u: number, units: number): number => {
    if (zero) return 0;
    let sum = 0;
    for (const s of tail) sum += componentPnl(table, row, u, units, s, scenarioBranch[s]);
    return 0 - sum / k;
  };
  const components: MarginComponent[] = [];
  for (const { instrument, quantity } of unit.positions) {
    const row = rowOf(table, instrument);
    components.push({
      kind: "POSITION",
      underlying: instrument.underlying,
      instrument: instrument.symbol,
      asset: null,
      amount: allocate(row, row.underlyingIndex, quantity * instrument.contractSize),
    });
  }
  for (const { asset, underlying, amount } of unit.collateral) {
    if (underlying === null) continue;
    const u = table.underlyingIndex.get(underlying)!;
    components.push({ kind: "COLLATERAL", underlying, instrument: null, asset, amount: allocate(null, u, amount) });
  }
  const set = result.binding;
  const scenarios: MarginScenario[] = tail.map((s) => ({
    set,
    underlying: null,
    date: dates[s],
    spotMoves: underlyings.map((name, u) => ({ underlying: name, spotMove: moves[u][s] })),
    volBranch: BRANCHES[scenarioBranch[s]],
    pnl: scenarioPnl[s],
  }));
  return { components, scenarios };
}

/** The unit's own scenario set and a table of its instruments (rows cached per market and set). */
function unitTable(unit: MarginUnitInput, market: Market, history: PriceHistory | undefined): HistoricalEsTable {
  if (!history) throw new EngineInputError("HISTORICAL_ES margin needs the price history (none was given)");
  const scenarios = historicalEsScenarios(history, exposedUnderlyings(unit), unitValuationDate(unit, market));
  return createHistoricalEsTable(
    unit.positions.map((position) => position.instrument),
    market,
    scenarios,
  );
}

/** One unit on its own: its scenario set (memoized per history) ending on its valuation date (§7.1). */
export function historicalEsMargin(unit: MarginUnitInput, market: Market, history: PriceHistory | undefined): HistoricalEsMarginResult {
  if (isUnexposed(unit)) return NO_EXPOSURE;
  return historicalEsMarginWithTable(unit, unitTable(unit, market, history));
}

export function historicalEsAttribution(unit: MarginUnitInput, market: Market, history: PriceHistory | undefined): MarginAttribution {
  if (isUnexposed(unit)) return { components: [], scenarios: [] };
  return historicalEsAttributionWithTable(unit, unitTable(unit, market, history));
}
