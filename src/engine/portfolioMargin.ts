import { EngineInputError } from "./errors.js";
import { byUnderlying } from "./ordering.js";
import { SCENARIO_COUNT } from "./portfolioGrid.js";
import { createScenarioTable, type ScenarioTable, type UnderlyingScenarios } from "./scenarioTable.js";
import type { MarginUnitInput, Market, RiskParamsLookup } from "./types.js";

/**
 * PORTFOLIO margin (DESIGN §4), per underlying u:
 *   MM_u = max(0, −worst grid P&L) + 0.01·|net delta_u|·S_u + 0.002·Σ|short option q·cs|·S_u
 * where the grid revalues every position and every holding of u as collateral (full
 * amount: the haircut lowers equity only), and net delta counts those holdings too.
 * MM = Σ_u MM_u, no offset across underlyings; IM = 1.25·MM.
 */

const NET_DELTA_CHARGE = 0.01; // fraction of |net delta|·S
const SHORT_OPTION_CHARGE = 0.002; // fraction of short option notional in underlying units·S
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

/** Running totals of one underlying while a unit is margined. */
interface UnderlyingBook {
  scenarios: UnderlyingScenarios;
  pnl: Float64Array;
  netDelta: number;
  shortOptionUnits: number;
}

/** Batch path: margin one unit against a table built for (at least) its instruments on the same market. */
export function portfolioMarginWithTable(unit: MarginUnitInput, table: ScenarioTable): PortfolioMarginResult {
  const books = new Map<string, UnderlyingBook>();
  const bookFor = (underlying: string): UnderlyingBook => {
    let book = books.get(underlying);
    if (!book) {
      const scenarios = table.underlyings.get(underlying);
      if (!scenarios) throw new EngineInputError(`no market quote for underlying "${underlying}"`);
      book = { scenarios, pnl: new Float64Array(SCENARIO_COUNT), netDelta: 0, shortOptionUnits: 0 };
      books.set(underlying, book);
    }
    return book;
  };

  for (const { instrument, quantity } of unit.positions) {
    const scenarios = table.instruments.get(instrument.symbol);
    if (!scenarios) throw new EngineInputError(`instrument "${instrument.symbol}" is not in the scenario table`);
    const book = bookFor(scenarios.underlying);
    const units = quantity * instrument.contractSize;
    const { pnl } = book;
    const { markChange } = scenarios;
    for (let s = 0; s < SCENARIO_COUNT; s++) pnl[s] += units * markChange[s];
    book.netDelta += units * scenarios.delta;
    if (scenarios.isOption && units < 0) book.shortOptionUnits -= units;
  }
  for (const { underlying, amount } of unit.collateral) {
    if (underlying === null) continue; // stablecoins do not move on the grid
    const book = bookFor(underlying);
    const { pnl } = book;
    const { spotChange } = book.scenarios;
    for (let s = 0; s < SCENARIO_COUNT; s++) pnl[s] += amount * spotChange[s];
    book.netDelta += amount;
  }

  const perUnderlying: UnderlyingPortfolioMargin[] = [];
  let maintenance = 0;
  for (const [underlying, book] of books) {
    let worst = 0; // the base scenario (no move) is on the grid with P&L 0
    for (let s = 0; s < SCENARIO_COUNT; s++) if (book.pnl[s] < worst) worst = book.pnl[s];
    const { spot } = book.scenarios;
    const worstLoss = 0 - worst; // not −worst: keeps +0 when nothing can lose
    const underlyingMaintenance =
      worstLoss + NET_DELTA_CHARGE * Math.abs(book.netDelta) * spot + SHORT_OPTION_CHARGE * book.shortOptionUnits * spot;
    maintenance += underlyingMaintenance;
    perUnderlying.push({
      underlying,
      spot,
      worstLoss,
      netDelta: book.netDelta,
      shortOptionUnits: book.shortOptionUnits,
      maintenance: underlyingMaintenance,
    });
  }
  perUnderlying.sort(byUnderlying);
  return { initial: INITIAL_TO_MAINTENANCE * maintenance, maintenance, byUnderlying: perUnderlying };
}

/** One unit on its own: builds the scenario table for the unit's instruments, then the batch path. */
export function portfolioMargin(unit: MarginUnitInput, market: Market, params: RiskParamsLookup): PortfolioMarginResult {
  const table = createScenarioTable(
    unit.positions.map((position) => position.instrument),
    market,
    params,
  );
  return portfolioMarginWithTable(unit, table);
}
