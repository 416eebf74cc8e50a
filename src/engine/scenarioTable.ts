import { EngineInputError } from "./errors.js";
import { greeksAt, markAt, pricingTerms } from "./instruments.js";
import { quoteFor } from "./market.js";
import { SCENARIO_COUNT, SPOT_STEPS, VOL_SCENARIOS, spotMoves, volScenarios } from "./portfolioGrid.js";
import type { InstrumentSpec, Market, RiskParamsLookup } from "./types.js";
import { requirePositive } from "./validate.js";

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

/** Grid half-width must keep every scenario spot positive. */
function gridMoves(underlying: string, params: RiskParamsLookup): Float64Array {
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

function instrumentScenarios(
  instrument: InstrumentSpec,
  underlying: UnderlyingScenarios,
  market: Market,
  params: RiskParamsLookup,
): InstrumentScenarios {
  const terms = pricingTerms(instrument, market);
  const moves = gridMoves(instrument.underlying, params);
  const vols = terms.kind === "OPTION" ? volScenarios(terms.volatility, terms.years) : undefined;
  const base = markAt(terms, terms.spot);
  const markChange = new Float64Array(SCENARIO_COUNT);
  for (let i = 0; i < SPOT_STEPS; i++) {
    const spot = terms.spot * (1 + moves[i]);
    for (let j = 0; j < VOL_SCENARIOS; j++) markChange[i * VOL_SCENARIOS + j] = markAt(terms, spot, vols?.[j]) - base;
  }
  return { underlying, isOption: terms.kind === "OPTION", markChange, delta: greeksAt(terms).delta };
}

/** Scenario P&L of each distinct instrument (by symbol) and of each quoted underlying. */
export function createScenarioTable(
  instruments: Iterable<InstrumentSpec>,
  market: Market,
  params: RiskParamsLookup,
): ScenarioTable {
  const underlyings = new Map<string, UnderlyingScenarios>();
  for (const name of market.quotes.keys()) underlyings.set(name, underlyingScenarios(name, underlyings.size, market, params));
  const table = new Map<string, InstrumentScenarios>();
  for (const instrument of instruments) {
    if (table.has(instrument.symbol)) continue;
    const underlying = underlyings.get(instrument.underlying);
    if (!underlying) throw new EngineInputError(`no market quote for underlying "${instrument.underlying}"`);
    table.set(instrument.symbol, instrumentScenarios(instrument, underlying, market, params));
  }
  return { instruments: table, underlyings };
}
