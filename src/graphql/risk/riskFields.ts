import type { MarginResult } from "../../engine/index.js";
import type { MarginType } from "./risk.types.js";

/** Finite number or null: the API never carries Infinity or NaN. */
export const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

export function toMarginType(result: MarginResult): MarginType {
  return {
    model: result.model as MarginType["model"], // the API asks only for the models its enum lists
    initial: result.initial,
    maintenance: result.maintenance,
    available: result.available,
    ratio: finiteOrNull(result.ratio),
    level: result.level,
    equity: result.equity,
  };
}
