import { EngineInputError } from "./errors.js";
import { byUnderlying } from "./ordering.js";
import { SCENARIO_COUNT } from "./portfolioGrid.js";
import { scenarioTableFor, type ScenarioTable, type UnderlyingScenarios } from "./scenarioTable.js";
import type { InstrumentSpec, MarginUnitInput, Market, RiskParamsLookup } from "./types.js";

/**
 * PORTFOLIO margin (DESIGN §4), per underlying u:
 *   MM_u = max(0, −worst grid P&L) + 0.01·|net delta_u|·S_u + 0.002·Σ|short option q·cs|·S_u
 * where the grid revalues every position and every holding of u as collateral (full
 * amount: the haircut lowers equity only), and net delta counts those holdings too.
 * MM = Σ_u MM_u, no offset across underlyings; IM = 1.25·MM.
 */

/** Fraction of |net delta|·S (exported for the liquidation curve, which re-margins one underlying). */
export const NET_DELTA_CHARGE = 0.01;
/** Fraction of short option notional in underlying units·S. */
export const SHORT_OPTION_CHARGE = 0.002;
const INITIAL_TO_MAINTENANCE = 1.25;

export interface UnderlyingPortfolioMargin {
  underlying: string;
  /** USD. */
  spot: number;
  /** USD, ≥ 0: the largest loss over the grid. */
  worstLoss: number;
  /** Underlying units, positions and collateral. */
  netDelta: number;
  /** Underlying units: Σ |q·cs| over short options. */
  shortOptionUnits: number;
  /** USD. */
  maintenance: number;
}

export interface PortfolioMarginResult {
  /** USD. */
  initial: number;
  /** USD. */
  maintenance: number;
  /** Sorted by underlying. */
  byUnderlying: UnderlyingPortfolioMargin[];
}

/**
 * Local copy of the grid size for the hot loops: a transpiler that turns imported
 * bindings into getters (tsx does when loading this as CommonJS) would otherwise add
 * a call per multiply-add.
 */
const SCENARIOS = SCENARIO_COUNT;
/** Accumulator slot of one underlying: the scenario P&Ls, then net delta, then short option units. */
const NET_DELTA = SCENARIOS;
const SHORT_OPTION_UNITS = SCENARIOS + 1;
const SLOT = SCENARIOS + 2;

/**
 * Accumulators reused from call to call, so margining thousands of units allocates no
 * typed arrays. Safe because the engine is synchronous: calls never interleave, and each
 * call zeroes the slots it uses before reading them. Grown when a table has more underlyings.
 */
let scratch = new Float64Array(8 * SLOT);

/** Offset of the underlying's slot, zeroing it the first time this call touches it. */
function slotOf(underlying: UnderlyingScenarios, touched: UnderlyingScenarios[]): number {
  const offset = underlying.index * SLOT;
  if (!touched.includes(underlying)) {
    touched.push(underlying);
    scratch.fill(0, offset, offset + SLOT);
  }
  return offset;
}

/** Batch path: margin one unit against a table built for (at least) its instruments on the same market. */
export function portfolioMarginWithTable(unit: MarginUnitInput, table: ScenarioTable): PortfolioMarginResult {
  if (scratch.length < table.underlyings.size * SLOT) scratch = new Float64Array(table.underlyings.size * SLOT);
  const acc = scratch;
  const touched: UnderlyingScenarios[] = [];

  for (const { instrument, quantity } of unit.positions) {
    const scenarios = table.instruments.get(instrument.symbol);
    if (!scenarios) throw new EngineInputError(`instrument "${instrument.symbol}" is not in the scenario table`);
    const offset = slotOf(scenarios.underlying, touched);
    const units = quantity * instrument.contractSize;
    const { markChange } = scenarios;
    for (let s = 0; s < SCENARIOS; s++) acc[offset + s] += units * markChange[s];
    acc[offset + NET_DELTA] += units * scenarios.delta;
    if (scenarios.isOption && units < 0) acc[offset + SHORT_OPTION_UNITS] -= units;
  }
  for (const { underlying: name, amount } of unit.collateral) {
    if (name === null) continue; // stablecoins do not move on the grid
    const underlying = table.underlyings.get(name);
    if (!underlying) throw new EngineInputError(`no market quote for underlying "${name}"`);
    const offset = slotOf(underlying, touched);
    const { spotChange } = underlying;
    for (let s = 0; s < SCENARIOS; s++) acc[offset + s] += amount * spotChange[s];
    acc[offset + NET_DELTA] += amount;
  }

  const perUnderlying: UnderlyingPortfolioMargin[] = [];
  let maintenance = 0;
  for (const { name, index, spot } of touched) {
    const offset = index * SLOT;
    let worst = 0; // the base scenario (no move) is on the grid with P&L 0
    for (let s = 0; s < SCENARIOS; s++) if (acc[offset + s] < worst) worst = acc[offset + s];
    const worstLoss = 0 - worst; // not −worst: keeps +0 when nothing can lose
    const netDelta = acc[offset + NET_DELTA];
    const shortOptionUnits = acc[offset + SHORT_OPTION_UNITS];
    const underlyingMaintenance =
      worstLoss + NET_DELTA_CHARGE * Math.abs(netDelta) * spot + SHORT_OPTION_CHARGE * shortOptionUnits * spot;
    maintenance += underlyingMaintenance;
    perUnderlying.push({ underlying: name, spot, worstLoss, netDelta, shortOptionUnits, maintenance: underlyingMaintenance });
  }
  perUnderlying.sort(byUnderlying);
  return { initial: INITIAL_TO_MAINTENANCE * maintenance, maintenance, byUnderlying: perUnderlying };
}

/**
 * One unit on its own: the batch path on the market's shared scenario table
 * (scenarioTableFor), so units margined one after another on one market price each
 * instrument's grid once.
 */
export function portfolioMargin(unit: MarginUnitInput, market: Market, params: RiskParamsLookup): PortfolioMarginResult {
  return portfolioMarginWithTable(unit, unitScenarioTable(unit, market, params));
}

/** The market's shared scenario table, holding (at least) the unit's instruments. */
export function unitScenarioTable(unit: MarginUnitInput, market: Market, params: RiskParamsLookup): ScenarioTable {
  const instruments: InstrumentSpec[] = [];
  for (const position of unit.positions) instruments.push(position.instrument);
  return scenarioTableFor(instruments, market, params);
}
