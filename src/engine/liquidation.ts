import { exposedUnderlyings } from "./exposure.js";
import { computeMargin } from "./margin.js";
import { quoteFor, withSpot } from "./market.js";
import { byUnderlying } from "./ordering.js";
import { valuePosition } from "./revaluation.js";
import { firstCrossingOutward } from "./rootFinding.js";
import { isolatedPositionRisk } from "./standardMargin.js";
import type { MarginModel, MarginUnitInput, Market, PositionInput, RiskParamsLookup } from "./types.js";

/**
 * Liquidation prices: for each underlying, the spot P (other spots, vols and time fixed)
 * where equity(P) = MM(P), nearest to spot on each side within (0, 10·S].
 *
 * Affine books (STANDARD margin, no options on that underlying) are solved exactly:
 * equity and MM = Σ|q|·cs·mark·mmr are then both affine in P (|q| does not depend on P,
 * marks and collateral are proportional to P), so f(P) = equity − MM is a line and its
 * values at S and 2S give the root. Otherwise f is scanned outward from S on each side
 * (see firstCrossingOutward) and each bracketed crossing is refined by Brent to a
 * relative 1e-9; the downward scan stops at 1e-9·S.
 *
 * A unit already at or past liquidation (f(S) ≤ 0) reports no prices and distance 0.
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

/** Crossings of f(P) = equity(P) − MM(P) around `spot`. */
function crossings(f: (price: number) => number, spot: number, affine: boolean): Crossings {
  const atSpot = f(spot);
  if (!(atSpot > 0)) return { lower: null, upper: null, underWater: true };
  const highest = MAX_SPOT_MULTIPLE * spot;
  if (affine) {
    const slope = (f(2 * spot) - atSpot) / spot; // USD of f per USD of spot
    const root = spot - atSpot / slope; // ±Infinity when flat: out of range
    const inRange = root > 0 && root <= highest;
    return {
      lower: inRange && root < spot ? root : null,
      upper: inRange && root > spot ? root : null,
      underWater: false,
    };
  }
  return {
    lower: firstCrossingOutward(f, spot, atSpot, LOWEST_SPOT_FRACTION * spot, RELATIVE_TOLERANCE),
    upper: firstCrossingOutward(f, spot, atSpot, highest, RELATIVE_TOLERANCE),
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

function poolCrossings(
  unit: MarginUnitInput,
  market: Market,
  params: RiskParamsLookup,
  model: MarginModel,
  underlying: string,
): Crossings {
  const shortfall = (price: number) => {
    const margin = computeMargin(unit, withSpot(market, underlying, price), params, model);
    return margin.equity - margin.maintenance;
  };
  const affine =
    model === "STANDARD" &&
    !unit.positions.some((p) => p.instrument.underlying === underlying && p.instrument.kind === "OPTION");
  return crossings(shortfall, quoteFor(market, underlying).spot, affine);
}

/** One ISOLATED position on its own isolatedMargin; null when it needs no maintenance margin. */
function isolatedCrossings(
  position: PositionInput,
  market: Market,
  params: RiskParamsLookup,
): Crossings | null {
  const { underlying } = position.instrument;
  const shortfall = (price: number) => {
    const risk = isolatedPositionRisk(valuePosition(position, withSpot(market, underlying, price)), params);
    return risk.equity - risk.maintenance;
  };
  // A long option needs no maintenance margin, so it is never liquidated (ratio 0).
  if (isolatedPositionRisk(valuePosition(position, market), params).maintenance === 0) return null;
  return crossings(shortfall, quoteFor(market, underlying).spot, position.instrument.kind !== "OPTION");
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
  const isolated = unit.mode === "ISOLATED" && model === "STANDARD";
  return exposedUnderlyings(unit)
    .map((underlying) => {
      const found = isolated
        ? isolatedUnderlyingCrossings(unit, market, params, underlying)
        : poolCrossings(unit, market, params, model, underlying);
      return toPoint(underlying, quoteFor(market, underlying).spot, found);
    })
    .sort(byUnderlying);
}
