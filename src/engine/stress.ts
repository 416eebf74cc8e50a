import { computeMargin, defaultModel } from "./margin.js";
import { plainLevel, ratioForLevel } from "./marginLevel.js";
import { valueUnit } from "./revaluation.js";
import { applyShocks } from "./shocks.js";
import type { MarginLevel, MarginModel, MarginUnitInput, Market, PriceHistory, RiskParamsLookup, Shock } from "./types.js";

export interface StressResult {
  /** USD: equity after the shocks − equity before. */
  pnl: number;
  /** USD, after the shocks. */
  equity: number;
  /** USD, under `model` on the shocked market. */
  maintenance: number;
  /** maintenance / equity after the shocks; Infinity when equity ≤ 0. */
  ratio: number;
  /** Plain level of the shocked ratio. */
  level: MarginLevel;
}

/**
 * Full revaluation of the unit under `shocks` (see applyShocks), margined under `model`
 * (default: its own; HISTORICAL_ES also needs `history`, ending on the unit's valuation date).
 */
export function stressTest(
  unit: MarginUnitInput,
  market: Market,
  shocks: readonly Shock[],
  params: RiskParamsLookup,
  model: MarginModel = defaultModel(unit.mode),
  history?: PriceHistory,
): StressResult {
  const before = valueUnit(unit, market).equity;
  const shocked = applyShocks(unit, market, shocks);
  const after = computeMargin(shocked.unit, shocked.market, params, model, history);
  return {
    pnl: after.equity - before,
    equity: after.equity,
    maintenance: after.maintenance,
    ratio: after.ratio,
    level: plainLevel(ratioForLevel(after.maintenance, after.equity, after.ratio)),
  };
}
