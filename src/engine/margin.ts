import { EngineInputError } from "./errors.js";
import { historicalEsMargin } from "./historicalEsMargin.js";
import { marginRatio, plainLevel, ratioForLevel } from "./marginLevel.js";
import { portfolioMargin } from "./portfolioMargin.js";
import { valueUnit } from "./revaluation.js";
import { sensitivityMargin } from "./sensitivityMargin.js";
import { crossStandardMargin, isolatedPositionRisk, type MarginRequirement } from "./standardMargin.js";
import type {
  LevelModel,
  MarginLevel,
  MarginMode,
  MarginModel,
  MarginUnitInput,
  Market,
  PriceHistory,
  RiskParamsLookup,
} from "./types.js";

/**
 * A unit's margin under one model. The type parameter narrows `model` to what the caller
 * asked for (computeMargin infers it); it defaults to the level-driving models.
 */
export interface MarginResult<M extends MarginModel = MarginModel> {
  model: M;
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
export function defaultModel(mode: MarginMode): LevelModel {
  return mode === "PORTFOLIO" ? "PORTFOLIO" : "STANDARD";
}

/**
 * Margin of a unit under `model` (default: its own). STANDARD on an ISOLATED unit
 * reports Σ IM, Σ MM and total equity, with the ratio of its worst position (each
 * position stands alone on its isolatedMargin); every other case, including an
 * ISOLATED unit with no positions, is one pool. HISTORICAL_ES needs `history` (it ends
 * on the unit's valuation date, §7.1); the other models ignore it. The attribution of a
 * result comes from marginAttribution / modelMargin (marginModels.ts), computed only
 * when asked for.
 */
export function computeMargin<M extends MarginModel = LevelModel>(
  unit: MarginUnitInput,
  market: Market,
  params: RiskParamsLookup,
  model: M = defaultModel(unit.mode) as M,
  history?: PriceHistory,
): MarginResult<M> {
  const valuation = valueUnit(unit, market);
  const { equity } = valuation;
  let requirement: MarginRequirement;
  let ratio: number;
  if (model === "PORTFOLIO") {
    requirement = portfolioMargin(unit, market, params);
    ratio = marginRatio(requirement.maintenance, equity);
  } else if (model === "HISTORICAL_ES" || model === "SENSITIVITY") {
    requirement = model === "HISTORICAL_ES" ? historicalEsMargin(unit, market, history) : sensitivityMargin(unit, market, params);
    ratio = marginRatio(requirement.maintenance, equity);
  } else if (model !== "STANDARD") {
    throw new EngineInputError(`margin model "${model as string}" is unknown`);
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
