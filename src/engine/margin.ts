import { marginRatio, plainLevel, ratioForLevel } from "./marginLevel.js";
import { portfolioMargin } from "./portfolioMargin.js";
import { valueUnit } from "./revaluation.js";
import { crossStandardMargin, isolatedPositionRisk, type MarginRequirement } from "./standardMargin.js";
import type { MarginLevel, MarginMode, MarginModel, MarginUnitInput, Market, RiskParamsLookup } from "./types.js";

export interface MarginResult {
  model: MarginModel;
  /** USD. */
  initial: number;
  /** USD. */
  maintenance: number;
  /** USD. */
  equity: number;
  /** USD: equity − initial (negative when short of initial margin). */
  available: number;
  /** maintenance / equity; Infinity when equity ≤ 0 (the API shows null). */
  ratio: number;
  /** Plain level of the ratio (HEALTHY when nothing is owed); alerts apply nextLevel() hysteresis on top. */
  level: MarginLevel;
}

/** A unit's own model: PORTFOLIO accounts use PORTFOLIO margin, CROSS and ISOLATED use STANDARD. */
export function defaultModel(mode: MarginMode): MarginModel {
  return mode === "PORTFOLIO" ? "PORTFOLIO" : "STANDARD";
}

/**
 * Margin of a unit under `model` (default: its own). STANDARD on an ISOLATED unit
 * reports Σ IM, Σ MM and total equity, with the ratio of its worst position (each
 * position stands alone on its isolatedMargin); every other case, including an
 * ISOLATED unit with no positions, is one pool.
 */
export function computeMargin(
  unit: MarginUnitInput,
  market: Market,
  params: RiskParamsLookup,
  model: MarginModel = defaultModel(unit.mode),
): MarginResult {
  const valuation = valueUnit(unit, market);
  const { equity } = valuation;
  let requirement: MarginRequirement;
  let ratio: number;
  if (model === "PORTFOLIO") {
    requirement = portfolioMargin(unit, market, params);
    ratio = marginRatio(requirement.maintenance, equity);
  } else if (unit.mode === "ISOLATED" && valuation.positions.length > 0) {
    const risks = valuation.positions.map((position) => isolatedPositionRisk(position, params));
    requirement = {
      initial: risks.reduce((sum, risk) => sum + risk.initial, 0),
      maintenance: risks.reduce((sum, risk) => sum + risk.maintenance, 0),
    };
    ratio = Math.max(...risks.map((risk) => risk.ratio));
  } else {
    requirement = crossStandardMargin(valuation, params);
    ratio = marginRatio(requirement.maintenance, equity);
  }
  const { initial, maintenance } = requirement;
  const level = plainLevel(ratioForLevel(maintenance, equity, ratio));
  return { model, initial, maintenance, equity, available: equity - initial, ratio, level };
}
