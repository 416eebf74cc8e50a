import { EngineInputError } from "./errors.js";
import { quoteFor } from "./market.js";
import type { CollateralInput, Market } from "./types.js";
import { requireFinite } from "./validate.js";

/** USD per unit of the asset: its underlying's spot, or 1 for a stablecoin. */
export function collateralPrice(collateral: CollateralInput, market: Market): number {
  return collateral.underlying === null ? 1 : quoteFor(market, collateral.underlying).spot;
}

/** USD value counted in equity: amount · price · (1 − haircut). */
export function collateralValue(collateral: CollateralInput, market: Market): number {
  requireFinite(`${collateral.asset} amount`, collateral.amount);
  const { haircut } = collateral;
  if (!(haircut >= 0 && haircut <= 1)) throw new EngineInputError(`${collateral.asset} haircut (${haircut}) must be in [0, 1]`);
  return collateral.amount * collateralPrice(collateral, market) * (1 - haircut);
}
