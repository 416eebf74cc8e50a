import { EngineInputError } from "./errors.js";
import { exposedUnderlyings } from "./exposure.js";
import { computeMargin } from "./margin.js";
import { quoteFor } from "./market.js";
import { byUnderlying } from "./ordering.js";
import { valuePosition } from "./revaluation.js";
import { firstCrossingOutward, type CurveSample } from "./rootFinding.js";
import { spotCurve, type SpotCurve } from "./spotCurve.js";
import { isolatedPositionRisk } from "./standardMargin.js";
import type { MarginModel, MarginUnitInput, Market, PositionInput, RiskParamsLookup } from "./types.js";

/**
 * Liquidation prices: for each underlying, the spot P (other spots, vols and time fixed)
 * where equity(P) = MM(P), nearest to spot on each side within (0, 10·S].
 *
 * Moving one underlying's spot moves only its own positions and collateral: the rest of
 * the unit (cash, other underlyings' equity and margin) is valued once, and each probe
 * re-values only that underlying's part (spotCurve), so f(P) = rest + f_u(P).
 *
 * Affine books (STANDARD margin, no options on that underlying) are solved exactly:
 * equity and MM = Σ|q|·cs·mark·mmr are then both affine in P (|q| does not depend on P,
 * marks and collateral are proportional to P), so f is the line through f(S) with the
 * curve's slope. Otherwise f is scanned outward from S on each side (see
 * firstCrossingOutward) and each bracketed crossing is refined by Brent to a relative
 * 1e-9; the downward scan stops at 1e-9·S.
 *
 * A unit already at or past liquidation (f(S) ≤ 0, from the full valuation) reports no
 * prices and distance 0.
 */

export interface LiquidationPoint {
  underlying: string;
  /** USD. */
  spot: number;
  /** USD: nearest liquidation spot below the current one, null if none in (0, S). */
  lowerPrice: number | null;
  /** USD: nearest liquidation spot above the current one, null if none in (S, 10·S]. */
  upperPrice: number | null;
  /** (P − S)/S of the nearer side, signed; 0 when already liquidatable; null when no side exists. */
  distance: number | null;
}

const MAX_SPOT_MULTIPLE = 10;
const LOWEST_SPOT_FRACTION = 1e-9;
const RELATIVE_TOLERANCE = 1e-9;

interface Crossings {
  lower: number | null;
  upper: number | null;
  /** f(S) ≤ 0: equity is already at or below maintenance margin. */
  underWater: boolean;
}

/**
 * Crossings of f(P) = rest + curve(P) around `spot`. atSpot = f(S) from the full
 * valuation decides whether the unit is already under water; rest (USD) is the part of
 * f that does not move with this underlying.
 */
function crossings(curve: SpotCurve, rest: number, spot: number, atSpot: number, affine: boolean): Crossings {
  if (!(atSpot > 0)) return { lower: null, upper: null, underWater: true };
  const highest = MAX_SPOT_MULTIPLE * spot;
  const { slope } = curve.at(spot); // USD of f per USD of spot
  if (affine) {
    const root = spot - atSpot / slope; // ±Infinity when flat: out of range
    const inRange = root > 0 && root <= highest;
    return {
      lower: inRange && root < spot ? root : null,
      upper: inRange && root > spot ? root : null,
      underWater: false,
    };
  }
  const f = (price: number): CurveSample => {
    const sample = curve.at(price);
    sample.value += rest;
    return sample;
  };
  const start: CurveSample = { x: spot, value: atSpot, slope };
  return {
    lower: firstCrossingOutward(f, start, LOWEST_SPOT_FRACTION * spot, RELATIVE_TOLERANCE, curve.breaks),
    upper: firstCrossingOutward(f, start, highest, RELATIVE_TOLERANCE, curve.breaks),
    underWater: false,
  };
}

function toPoint(underlying: string, spot: number, found: Crossings): LiquidationPoint {
  const { lower, upper } = found;
  let nearer: number | null = lower;
  if (upper !== null && (nearer === null || upper - spot < spot - nearer)) nearer = upper;
  const distance = found.underWater ? 0 : nearer === null ? null : (nearer - spot) / spot;
  return { underlying, spot, lowerPrice: lower, upperPrice: upper, distance };
}

/**
 * One pool (CROSS, PORTFOLIO, or any unit under the PORTFOLIO model); atSpot = equity − MM
 * of the whole unit at the market, USD.
 */
function poolCrossings(
  unit: MarginUnitInput,
  market: Market,
  params: RiskParamsLookup,
  model: MarginModel,
  underlying: string,
  atSpot: number,
): Crossings {
  // The rest: every position and holding not priced by this underlying, margined alone.
  // Its equity and MM are exactly the constant parts of the unit's (MM adds up per
  // underlying under PORTFOLIO, per position under STANDARD).
  const rest: MarginUnitInput = {
    mode: unit.mode,
    collateral: unit.collateral.filter((holding) => holding.underlying !== underlying),
    positions: unit.positions.filter((position) => position.instrument.underlying !== underlying),
  };
  const restMargin = computeMargin(rest, market, params, model);
  const curve = spotCurve(unit.positions, unit.collateral, underlying, market, params, model, "VALUE");
  const affine =
    model === "STANDARD" &&
    !unit.positions.some((p) => p.instrument.underlying === underlying && p.instrument.kind === "OPTION");
  const spot = quoteFor(market, underlying).spot;
  return crossings(curve, restMargin.equity - restMargin.maintenance, spot, atSpot, affine);
}

/** One ISOLATED position on its own isolatedMargin; null when it needs no maintenance margin. */
function isolatedCrossings(
  position: PositionInput,
  market: Market,
  params: RiskParamsLookup,
): Crossings | null {
  const { underlying } = position.instrument;
  const risk = isolatedPositionRisk(valuePosition(position, market), params);
  // A long option needs no maintenance margin, so it is never liquidated (ratio 0).
  if (risk.maintenance === 0) return null;
  // Its equity is its isolatedMargin + P&L: the curve is the whole of f.
  const curve = spotCurve([position], [], underlying, market, params, "STANDARD", "PNL");
  const spot = quoteFor(market, underlying).spot;
  return crossings(curve, 0, spot, risk.equity - risk.maintenance, position.instrument.kind !== "OPTION");
}

/** ISOLATED underlying: nearest lower (max) and upper (min) over its positions; under water if any is. */
function isolatedUnderlyingCrossings(
  unit: MarginUnitInput,
  market: Market,
  params: RiskParamsLookup,
  underlying: string,
): Crossings {
  const combined: Crossings = { lower: null, upper: null, underWater: false };
  for (const position of unit.positions) {
    if (position.instrument.underlying !== underlying) continue;
    const found = isolatedCrossings(position, market, params);
    if (!found) continue;
    combined.underWater ||= found.underWater;
    if (found.lower !== null && (combined.lower === null || found.lower > combined.lower)) combined.lower = found.lower;
    if (found.upper !== null && (combined.upper === null || found.upper < combined.upper)) combined.upper = found.upper;
  }
  return combined;
}

/**
 * Liquidation point per exposed underlying under `model` (pass the unit's own,
 * defaultModel(mode)); sorted by underlying. STANDARD on an ISOLATED unit liquidates
 * each position on its own margin; an ISOLATED underlying with a position already under
 * water reports distance 0 and the other positions' prices.
 */
export function liquidationPrices(
  unit: MarginUnitInput,
  market: Market,
  params: RiskParamsLookup,
  model: MarginModel,
): LiquidationPoint[] {
  if (model !== "STANDARD" && model !== "PORTFOLIO") {
    throw new EngineInputError(`liquidation prices are computed under the unit's own model (STANDARD or PORTFOLIO), not ${model}`);
  }
  const isolated = unit.mode === "ISOLATED" && model === "STANDARD";
  const underlyings = exposedUnderlyings(unit);
  // f(S) of the pool, the same for every underlying: the one full valuation.
  let atSpot = NaN;
  if (!isolated && underlyings.length > 0) {
    const margin = computeMargin(unit, market, params, model);
    atSpot = margin.equity - margin.maintenance;
  }
  return underlyings
    .map((underlying) => {
      const found = isolated
        ? isolatedUnderlyingCrossings(unit, market, params, underlying)
        : poolCrossings(unit, market, params, model, underlying, atSpot);
      return toPoint(underlying, quoteFor(market, underlying).spot, found);
    })
    .sort(byUnderlying);
}
