import { EngineInputError } from "./errors.js";
import type { MarginLevel } from "./types.js";

/** Levels from best to worst, each with the margin ratio at which it starts. */
const LEVELS: readonly MarginLevel[] = ["HEALTHY", "WARNING", "MARGIN_CALL", "LIQUIDATION"];
const THRESHOLDS: Readonly<Record<MarginLevel, number>> = {
  HEALTHY: 0,
  WARNING: 0.7,
  MARGIN_CALL: 0.8,
  LIQUIDATION: 1.0,
};
/** A level is kept until the ratio falls this far below its threshold, so it does not flap. */
const HYSTERESIS = 0.05;

/** Margin ratio ρ = maintenance / equity; Infinity when equity ≤ 0 (the API shows null). */
export function marginRatio(maintenance: number, equity: number): number {
  return equity > 0 ? maintenance / equity : Infinity;
}

/**
 * The ratio a level is judged on: a unit that owes no maintenance margin and is not
 * under water is healthy (ratio 0), whatever 0/0 gives; otherwise the margin ratio.
 */
export function ratioForLevel(maintenance: number, equity: number, ratio: number): number {
  return maintenance === 0 && equity >= 0 ? 0 : ratio;
}

export function levelThreshold(level: MarginLevel): number {
  return THRESHOLDS[level];
}

/** The level of a ratio with no history: HEALTHY < 0.7 ≤ WARNING < 0.8 ≤ MARGIN_CALL < 1 ≤ LIQUIDATION. */
export function plainLevel(ratio: number): MarginLevel {
  if (Number.isNaN(ratio)) throw new EngineInputError(`margin ratio (${ratio}) must be a number`);
  for (let i = LEVELS.length - 1; i > 0; i--) if (ratio >= THRESHOLDS[LEVELS[i]]) return LEVELS[i];
  return "HEALTHY";
}

/**
 * The level after a ratio change, with hysteresis. A ratio whose plain level is at or
 * above `previous` moves straight there (a jump of several levels is one step); a lower
 * ratio keeps the highest level ℓ ≤ previous whose threshold it still reaches within
 * 0.05 (HEALTHY always qualifies), e.g. MARGIN_CALL holds down to ρ = 0.75.
 */
export function nextLevel(previous: MarginLevel, ratio: number): MarginLevel {
  const plain = plainLevel(ratio);
  const previousRank = LEVELS.indexOf(previous);
  if (previousRank < 0) throw new EngineInputError(`previous margin level ("${previous}") is not a margin level`);
  if (LEVELS.indexOf(plain) >= previousRank) return plain;
  for (let i = previousRank; i > 0; i--) if (ratio >= THRESHOLDS[LEVELS[i]] - HYSTERESIS) return LEVELS[i];
  return "HEALTHY";
}
