import { EngineInputError } from "./errors.js";
import { exposedUnderlyings } from "./exposure.js";
import { unitGreeks } from "./greeks.js";
import { historicalPnl, tailRisk, type TailRisk } from "./historicalVar.js";
import { parametricVar, sampleCovariance } from "./parametricVar.js";
import { returnWindow } from "./priceReturns.js";
import type { MarginUnitInput, Market, PriceHistory, VarMethod } from "./types.js";
import { unitValuationDate } from "./valuationTime.js";

export interface VarRequest {
  method: VarMethod;
  /** In (0, 1), e.g. 0.99. */
  confidence: number;
  /** Integer ≥ 1; one-day figures are scaled by √horizonDays. */
  horizonDays: number;
  /** Integer ≥ 2: number of daily returns in the window. */
  lookbackDays: number;
}

export interface VarResult extends TailRisk {
  method: VarMethod;
  /** Daily returns used (0 when the unit has no market exposure). */
  observations: number;
}

function validate({ method, confidence, horizonDays, lookbackDays }: VarRequest): void {
  if (method !== "HISTORICAL" && method !== "PARAMETRIC") throw new EngineInputError(`VaR method ("${method}") is unknown`);
  if (!(confidence > 0 && confidence < 1)) throw new EngineInputError(`confidence (${confidence}) must be in (0, 1)`);
  if (!(Number.isInteger(horizonDays) && horizonDays >= 1)) {
    throw new EngineInputError(`horizonDays (${horizonDays}) must be an integer ≥ 1`);
  }
  if (!(Number.isInteger(lookbackDays) && lookbackDays >= 2)) {
    throw new EngineInputError(`lookbackDays (${lookbackDays}) must be an integer ≥ 2`);
  }
}

/**
 * Value at risk and expected shortfall of a unit, USD, positive = loss (DESIGN §4).
 * The window ends on the unit's valuation date (DESIGN §7.1: unitValuationDate, the UTC
 * date of the latest asOf of the underlyings it is exposed to, included); see
 * returnWindow for which days count. The history passed must reach that date. HISTORICAL fully revalues the book under each
 * day's joint moves; PARAMETRIC is delta-normal on the USD deltas of unitGreeks.
 * A unit with no positions or non-stable collateral has VaR 0 and needs no history.
 */
export function valueAtRisk(unit: MarginUnitInput, market: Market, history: PriceHistory, request: VarRequest): VarResult {
  validate(request);
  const { method, confidence, horizonDays, lookbackDays } = request;
  const underlyings = exposedUnderlyings(unit);
  if (underlyings.length === 0) return { method, value: 0, expectedShortfall: 0, observations: 0 };
  const window = returnWindow(history, underlyings, unitValuationDate(unit, market), lookbackDays);
  const horizonScale = Math.sqrt(horizonDays);
  if (method === "HISTORICAL") {
    const pnl = historicalPnl(unit, market, window).map((oneDay) => oneDay * horizonScale);
    return { method, ...tailRisk(pnl, confidence), observations: window.dates.length };
  }
  const deltaUsd = new Map(unitGreeks(unit, market).map((greeks) => [greeks.underlying, greeks.deltaUsd]));
  const exposures = underlyings.map((underlying) => deltaUsd.get(underlying) ?? 0);
  const covariance = sampleCovariance(underlyings.map((underlying) => window.returns.get(underlying) ?? []));
  return { method, ...parametricVar(exposures, covariance, confidence, horizonDays), observations: window.dates.length };
}
