import type { UnderlyingGreeks } from "../../engine/greeks.js";
import type { LiquidationPoint } from "../../engine/liquidation.js";
import type { MarginResult } from "../../engine/margin.js";
import type { MarginModel } from "../enums.js";
import type { LoadedUnit, RequestRisk } from "./requestRisk.js";
import type { LiquidationPointType, MarginType, UnderlyingGreeksType } from "./risk.types.js";

/** Finite number or null: the API never carries Infinity or NaN. */
export const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

export function toMarginType(result: MarginResult): MarginType {
  return {
    model: result.model,
    initial: result.initial,
    maintenance: result.maintenance,
    available: result.available,
    ratio: finiteOrNull(result.ratio),
    level: result.level,
    equity: result.equity,
  };
}

export const toGreeksType = (greeks: UnderlyingGreeks[]): UnderlyingGreeksType[] => greeks;
export const toLiquidationType = (points: LiquidationPoint[]): LiquidationPointType[] => points;

/**
 * The risk fields shared by Account, Portfolio and RiskSnapshot, all computed from one
 * loaded unit through the request's memo.
 */
export const riskFields = {
  equity: (risk: RequestRisk, unit: LoadedUnit) => risk.margin(unit).equity,
  margin: (risk: RequestRisk, unit: LoadedUnit, model?: MarginModel | null) => toMarginType(risk.margin(unit, model ?? undefined)),
  greeks: (risk: RequestRisk, unit: LoadedUnit) => toGreeksType(risk.greeksOf(unit)),
  liquidation: (risk: RequestRisk, unit: LoadedUnit) => toLiquidationType(risk.liquidationOf(unit)),
};
