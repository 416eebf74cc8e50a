/**
 * The PORTFOLIO margin scenario grid (DESIGN §4): 13 spot moves from −R to +R in steps
 * of R/6, crossed with 3 volatility scenarios {σ·(1 + u·s), σ, σ·(1 − d·s)}.
 * Scenario index = spotIndex · VOL_SCENARIOS + volIndex.
 */

export const SPOT_STEPS = 13;
export const VOL_SCENARIOS = 3;
export const SCENARIO_COUNT = SPOT_STEPS * VOL_SCENARIOS;

const HALF_STEPS = (SPOT_STEPS - 1) / 2; // 6 steps of R/6 each side of spot
const VOL_UP = 0.45; // u
const VOL_DOWN = 0.3; // d
const VOL_FLOOR = 0.01;
/** s = (30 / max(DTE, 7))^p, p = 0.30 up to 30 days to expiry, 0.13 beyond. */
const SCALE_REFERENCE_DAYS = 30;
const SCALE_MIN_DAYS = 7;
const SHORT_DATED_POWER = 0.3;
const LONG_DATED_POWER = 0.13;
const DAYS_PER_YEAR = 365;

/** Relative spot moves m_i = (i − 6)·R/6, i = 0..12, for grid half-width R (fraction of spot). */
export function spotMoves(range: number): Float64Array {
  const moves = new Float64Array(SPOT_STEPS);
  for (let i = 0; i < SPOT_STEPS; i++) moves[i] = ((i - HALF_STEPS) * range) / HALF_STEPS;
  return moves;
}

/**
 * The three scenario volatilities (annual) of an option with `years` to expiry: up,
 * base, down. The 0.01 floor applies to the shocked ones; the base is the market's σ
 * itself, so the base scenario reproduces the mark exactly.
 */
export function volScenarios(volatility: number, years: number): [number, number, number] {
  const daysToExpiry = years * DAYS_PER_YEAR;
  const power = daysToExpiry <= SCALE_REFERENCE_DAYS ? SHORT_DATED_POWER : LONG_DATED_POWER;
  const scale = (SCALE_REFERENCE_DAYS / Math.max(daysToExpiry, SCALE_MIN_DAYS)) ** power;
  return [
    Math.max(VOL_FLOOR, volatility * (1 + VOL_UP * scale)),
    volatility,
    Math.max(VOL_FLOOR, volatility * (1 - VOL_DOWN * scale)),
  ];
}
