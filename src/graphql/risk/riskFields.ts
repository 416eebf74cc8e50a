import { exposedUnderlyings, type MarginResult, type MarginUnitInput } from "../../engine/index.js";
import type { ReferenceSnapshot } from "../../db/stores/risk.store.js";
import type { RiskUnit } from "../../domain/risk.service.js";
import type { RiskParameterVersionType } from "../riskParameters/riskParameters.type.js";
import type { MarginType } from "./risk.types.js";

/** Finite number or null: the API never carries Infinity or NaN. */
export const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

/** Version 1 is the methodology's defaults: what an underlying with no stored version uses. */
const DEFAULT_VERSION = 1;

/** Per underlying `input` is exposed to, the parameter version of the reference rows a result was computed from. */
export function parameterVersions(input: MarginUnitInput, reference: ReferenceSnapshot): RiskParameterVersionType[] {
  const versions = new Map(reference.params.map((p) => [p.underlying, p.version]));
  return exposedUnderlyings(input)
    .sort()
    .map((underlying) => ({ underlying, version: versions.get(underlying) ?? DEFAULT_VERSION }));
}

export function toMarginType(result: MarginResult, unit: RiskUnit, parameters: RiskParameterVersionType[]): MarginType {
  return {
    unit,
    model: result.model,
    initial: result.initial,
    maintenance: result.maintenance,
    available: result.available,
    ratio: finiteOrNull(result.ratio),
    level: result.level,
    equity: result.equity,
    parameters,
  };
}
