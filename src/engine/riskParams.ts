import type { InstrumentSpec, RiskParamsLookup, UnderlyingRiskParams } from "./types.js";
import { requireNonNegative } from "./validate.js";

/** Default initial and maintenance margin rates (fractions of notional) for every underlying. */
const DEFAULT_INITIAL_MARGIN_RATE = 0.02;
const DEFAULT_MAINTENANCE_MARGIN_RATE = 0.01;
/** PORTFOLIO grid half-width R (fraction of spot): BTC 15 %, ETH 20 %, others 25 %. */
const PORTFOLIO_RANGES: Readonly<Record<string, number>> = { BTC: 0.15, ETH: 0.2 };
const DEFAULT_PORTFOLIO_RANGE = 0.25;
/** SENSITIVITY delta risk weight RW (fraction of USD delta): BTC 15 %, ETH 20 %, others 25 % (DESIGN §7.2). */
const DELTA_RISK_WEIGHTS: Readonly<Record<string, number>> = { BTC: 0.15, ETH: 0.2 };
const DEFAULT_DELTA_RISK_WEIGHT = 0.25;

/** The methodology's default risk parameters of an underlying (DESIGN §4, §7.2). */
export function defaultRiskParams(underlying: string): UnderlyingRiskParams {
  return {
    initialMarginRate: DEFAULT_INITIAL_MARGIN_RATE,
    maintenanceMarginRate: DEFAULT_MAINTENANCE_MARGIN_RATE,
    portfolioRange: PORTFOLIO_RANGES[underlying] ?? DEFAULT_PORTFOLIO_RANGE,
    deltaRiskWeight: DELTA_RISK_WEIGHTS[underlying] ?? DEFAULT_DELTA_RISK_WEIGHT,
  };
}

export interface MarginRates {
  /** Fraction of notional. */
  initial: number;
  /** Fraction of notional. */
  maintenance: number;
}

/** A perp's or future's margin rates: its own when set, otherwise its underlying's. */
export function linearMarginRates(instrument: InstrumentSpec, params: RiskParamsLookup): MarginRates {
  const defaults = params(instrument.underlying);
  const initial = instrument.initialMarginRate ?? defaults.initialMarginRate;
  const maintenance = instrument.maintenanceMarginRate ?? defaults.maintenanceMarginRate;
  requireNonNegative(`${instrument.symbol} initial margin rate`, initial);
  requireNonNegative(`${instrument.symbol} maintenance margin rate`, maintenance);
  return { initial, maintenance };
}
