import { valueUnit } from "./revaluation.js";
import type { MarginUnitInput, Market } from "./types.js";

/**
 * Equity of a margin unit, USD: Σ collateral value after haircut + Σ perp/future
 * unrealised P&L + Σ option value q·cs·mark (short options negative) + Σ isolatedMargin.
 */
export function unitEquity(unit: MarginUnitInput, market: Market): number {
  return valueUnit(unit, market).equity;
}
