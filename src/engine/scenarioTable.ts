import { EngineInputError } from "./errors.js";
import { greeksAt, markAt, pricingTerms, type PricingTerms } from "./instruments.js";
import { quoteFor } from "./market.js";
import { SCENARIO_COUNT, SPOT_STEPS, VOL_SCENARIOS, spotMoves, volScenarios } from "./portfolioGrid.js";
import type { InstrumentSpec, Market, RiskParamsLookup } from "./types.js";
import { requirePositive } from "./validate.js";
import { marketMemo, pricedGreeks, pricedInstrument, type PricedInstrument } from "./valuationCache.js";

/**
 * Every instrument's PORTFOLIO-grid P&L, computed once per market so that margining a
 * unit is only dot products: a unit's scenario P&L is Σ q·cs·markChange (+ collateral
 * amount·spotChange), whatever the number of units sharing the instruments.
 */

export interface UnderlyingScenarios {
  name: string;
  /** 0-based position among the table's underlyings (accumulator slot for margining). */
  index: number;
  /** USD. */
  spot: number;
  /** USD per unit held: S·(1 + m) − S in each scenario (how collateral of this underlying moves). */
  spotChange: Float64Array;
}

export interface InstrumentScenarios {
  underlying: UnderlyingScenarios;
  isOption: boolean;
  /** USD per underlying unit: scenario mark − market mark, for each of the SCENARIO_COUNT scenarios. */
  markChange: Float64Array;
  /** Market delta per underlying unit (underlying units). */
  delta: number;
}

export interface ScenarioTable {
  /** Keyed by instrument symbol. */
  instruments: ReadonlyMap<string, InstrumentScenarios>;
  /** Every underlying quoted in the market the table was built from, keyed by name. */
  underlyings: ReadonlyMap<string, UnderlyingScenarios>;
}

/** The grid's relative spot moves for `underlying`; its half-width must keep every scenario spot positive. */
export function gridMoves(underlying: string, params: RiskParamsLookup): Float64Array {
  const range = params(underlying).portfolioRange;
  requirePositive(`${underlying} portfolio range`, range);
  if (range >= 1) throw new EngineInputError(`${underlying} portfolio range (${range}) must be below 1`);
  return spotMoves(range);
}

function underlyingScenarios(
  name: string,
  index: number,
  market: Market,
  params: RiskParamsLookup,
): UnderlyingScenarios {
  const { spot } = quoteFor(market, name);
  const moves = gridMoves(name, params);
  const spotChange = new Float64Array(SCENARIO_COUNT);
  for (let i = 0; i < SPOT_STEPS; i++) {
    // Same arithmetic as re-marking a perpetual, so collateral hedged by perps nets to exactly 0.
    const change = spot * (1 + moves[i]) - spot;
    for (let j = 0; j < VOL_SCENARIOS; j++) spotChange[i * VOL_SCENARIOS + j] = change;
  }
  return { name, index, spot, spotChange };
}

/** One instrument's grid row from its pricing terms, market mark and delta. */
function instrumentScenarios(
  terms: PricingTerms,
  mark: number,
  delta: number,
  underlying: UnderlyingScenarios,
  moves: Float64Array,
): InstrumentScenarios {
  const vols = terms.kind === "OPTION" ? volScenarios(terms.volatility, terms.years) : undefined;
  const markChange = new Float64Array(SCENARIO_COUNT);
  for (let i = 0; i < SPOT_STEPS; i++) {
    const spot = terms.spot * (1 + moves[i]);
    for (let j = 0; j < VOL_SCENARIOS; j++) markChange[i * VOL_SCENARIOS + j] = markAt(terms, spot, vols?.[j]) - mark;
  }
  return { underlying, isOption: terms.kind === "OPTION", markChange, delta };
}

/** Rows of every quoted underlying, and each one's grid moves. */
function underlyingRows(market: Market, params: RiskParamsLookup) {
  const underlyings = new Map<string, UnderlyingScenarios>();
  const moves = new Map<string, Float64Array>();
  for (const name of market.quotes.keys()) {
    underlyings.set(name, underlyingScenarios(name, underlyings.size, market, params));
    moves.set(name, gridMoves(name, params));
  }
  return { underlyings, moves };
}

/** Scenario P&L of each distinct instrument (by symbol) and of each quoted underlying. */
export function createScenarioTable(
  instruments: Iterable<InstrumentSpec>,
  market: Market,
  params: RiskParamsLookup,
): ScenarioTable {
  const { underlyings, moves } = underlyingRows(market, params);
  const table = new Map<string, InstrumentScenarios>();
  for (const instrument of instruments) {
    if (table.has(instrument.symbol)) continue;
    const underlying = underlyings.get(instrument.underlying);
    if (!underlying) throw new EngineInputError(`no market quote for underlying "${instrument.underlying}"`);
    const terms = pricingTerms(instrument, market);
    const row = instrumentScenarios(terms, markAt(terms, terms.spot), greeksAt(terms).delta, underlying, moves.get(underlying.name)!);
    table.set(instrument.symbol, row);
  }
  return { instruments: table, underlyings };
}

/**
 * The scenario table that units margined one by one on the same market and risk
 * parameters share (portfolioMargin): it grows by the instruments each unit brings, so
 * an instrument's 39 grid prices are computed once per market instead of once per unit.
 * Lives in the market's memo (valuationCache.ts).
 */
export interface SharedScenarioTable {
  table: { instruments: Map<string, InstrumentScenarios>; underlyings: Map<string, UnderlyingScenarios> };
  /** Grid moves per underlying, built from `ranges`. */
  moves: Map<string, Float64Array>;
  /** params(u).portfolioRange each underlying row was built with. */
  ranges: Map<string, number>;
  /** The memo's priced instrument each row was built from: reused only while the memo still prices that symbol alike. */
  sources: Map<string, PricedInstrument>;
}

function rangesChanged(shared: SharedScenarioTable, params: RiskParamsLookup): boolean {
  for (const [name, range] of shared.ranges) if (params(name).portfolioRange !== range) return true;
  return false;
}

/**
 * A table holding (at least) `instruments`, from the market's shared table; the same
 * numbers as createScenarioTable(instruments, market, params). Within one call the first
 * spec of a symbol wins, as in createScenarioTable.
 */
export function scenarioTableFor(
  instruments: Iterable<InstrumentSpec>,
  market: Market,
  params: RiskParamsLookup,
): ScenarioTable {
  const memo = marketMemo(market);
  let shared = memo.scenarioTables.get(params);
  if (!shared || rangesChanged(shared, params)) {
    const { underlyings, moves } = underlyingRows(market, params);
    const ranges = new Map([...underlyings.keys()].map((name) => [name, params(name).portfolioRange] as const));
    shared = { table: { instruments: new Map(), underlyings }, moves, ranges, sources: new Map() };
    memo.scenarioTables.set(params, shared);
  }
  const { table, sources } = shared;
  const current = new Set<string>(); // symbols already settled in this call
  for (const instrument of instruments) {
    const { symbol } = instrument;
    if (current.has(symbol)) continue;
    current.add(symbol);
    const underlying = table.underlyings.get(instrument.underlying);
    if (!underlying) throw new EngineInputError(`no market quote for underlying "${instrument.underlying}"`);
    const priced = pricedInstrument(memo, instrument, market);
    if (sources.get(symbol) === priced) continue;
    const { delta } = pricedGreeks(memo, instrument, market);
    table.instruments.set(symbol, instrumentScenarios(priced.terms, priced.mark, delta, underlying, shared.moves.get(underlying.name)!));
    sources.set(symbol, priced);
  }
  return table;
}
