import { computeMargin, withSpot, type MarginModel, type MarginUnitInput, type Market, type RiskParamsLookup } from "../engine/index.js";
import { BadInputError } from "./errors.js";

/** One point of a margin-ratio-versus-spot curve; money in USD. */
export interface RatioPoint {
  /** USD: the underlying's spot at this point. */
  spot: number;
  /** maintenance / equity; null when equity ≤ 0. */
  ratio: number | null;
  /** USD. */
  equity: number;
  /** USD: maintenance margin. */
  maintenance: number;
}

export interface RatioCurveRequest {
  underlying: string;
  /** USD: first spot of the curve (> 0). */
  from: number;
  /** USD: last spot of the curve (> from). */
  to: number;
  /** Evenly spaced spots from `from` to `to`, both included. */
  points: number;
}

/** Most points one curve may ask for. */
export const MAX_RATIO_CURVE_POINTS = 201;
/** Highest spot a curve may reach, as a multiple of the current spot. */
export const MAX_RATIO_CURVE_SPOT_MULTIPLE = 100;

/**
 * Margin ratio of a unit as one underlying's spot moves from `from` to `to` (other
 * spots, vols, rates and time fixed), under `model`: each point revalues the unit with
 * the engine on the market with that spot.
 */
export function ratioCurve(
  unit: MarginUnitInput,
  market: Market,
  params: RiskParamsLookup,
  model: MarginModel,
  request: RatioCurveRequest,
): RatioPoint[] {
  const { underlying, from, to, points } = request;
  const quote = market.quotes.get(underlying);
  if (!quote) throw new BadInputError(`no market for underlying ${JSON.stringify(underlying)}`);
  if (!Number.isInteger(points) || points < 2 || points > MAX_RATIO_CURVE_POINTS) {
    throw new BadInputError(`points (${points}) must be an integer in [2, ${MAX_RATIO_CURVE_POINTS}]`);
  }
  if (!Number.isFinite(from) || from <= 0) throw new BadInputError(`from (${from}) must be a positive spot`);
  if (!Number.isFinite(to) || to <= from) throw new BadInputError(`to (${to}) must be greater than from (${from})`);
  const ceiling = MAX_RATIO_CURVE_SPOT_MULTIPLE * quote.spot;
  if (to > ceiling) throw new BadInputError(`to (${to}) must be at most ${MAX_RATIO_CURVE_SPOT_MULTIPLE} × the current spot (${ceiling})`);
  const step = (to - from) / (points - 1);
  const curve: RatioPoint[] = [];
  for (let i = 0; i < points; i++) {
    const spot = i === points - 1 ? to : from + i * step;
    const margin = computeMargin(unit, withSpot(market, underlying, spot), params, model);
    curve.push({
      spot,
      ratio: Number.isFinite(margin.ratio) ? margin.ratio : null,
      equity: margin.equity,
      maintenance: margin.maintenance,
    });
  }
  return curve;
}
