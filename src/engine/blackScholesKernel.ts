import { normCdf, normPdf } from "./normal.js";

/**
 * Non-validating Black–Scholes–Merton for hot loops (margin grids, root finding, the
 * benchmark). Callers guarantee spot > 0, strike > 0, volatility > 0, finite inputs;
 * the validated entry point is blackScholes().
 *
 * Units: spot and strike in USD per underlying unit, years in ACT/365 years,
 * volatility annual (0.5 = 50 %), rate and dividendYield continuously compounded per year.
 */

/**
 * Price and Greeks of one option on one underlying unit, in API units: price USD;
 * delta underlying units; gamma per 1 USD spot move; vega USD per volatility point
 * (0.01); theta USD per calendar day (annual / 365); rho USD per 1 % rate (0.01).
 */
export interface OptionGreeks {
  price: number;
  delta: number;
  gamma: number;
  vega: number;
  theta: number;
  rho: number;
}

/**
 * Below this σ√T the distribution of ln(S_T) is a point mass for every representable
 * forward ≠ strike (|d| > 100, so Φ is exactly 0 or 1), and at forward = strike the
 * Greeks would divide by ~0. We switch to the deterministic-forward limit instead.
 */
export const MIN_STD_DEV = 1e-18;
const DAYS_PER_YEAR = 365;
const PER_POINT = 0.01; // vega per vol point, rho per 1 % rate

/** Φ of ω·d in the deterministic limit: 1 if the discounted forward is in the money, 0 if out, ½ at the money. */
function limitProbability(moneyness: number): number {
  return moneyness > 0 ? 1 : moneyness < 0 ? 0 : 0.5;
}

/** d₁ = [ln(S/K) + (r − q)·T] / (σ√T) + σ√T / 2. */
function d1(spot: number, strike: number, years: number, stdDev: number, rate: number, dividendYield: number): number {
  return (Math.log(spot / strike) + (rate - dividendYield) * years) / stdDev + 0.5 * stdDev;
}

/** Option price, USD per underlying unit. years ≤ 0 means expired: intrinsic value. */
export function bsPrice(
  isCall: boolean,
  spot: number,
  strike: number,
  years: number,
  volatility: number,
  rate: number,
  dividendYield: number,
): number {
  const omega = isCall ? 1 : -1;
  if (years <= 0) return Math.max(omega * (spot - strike), 0);
  const forwardValue = spot * Math.exp(-dividendYield * years); // S·e^(−qT)
  const strikeValue = strike * Math.exp(-rate * years); // K·e^(−rT)
  const stdDev = volatility * Math.sqrt(years);
  if (stdDev < MIN_STD_DEV) return Math.max(omega * (forwardValue - strikeValue), 0);
  const dOne = d1(spot, strike, years, stdDev, rate, dividendYield);
  return omega * (forwardValue * normCdf(omega * dOne) - strikeValue * normCdf(omega * (dOne - stdDev)));
}

/**
 * Writes price and Greeks (units on OptionGreeks) into `out`, so hot loops allocate
 * nothing. Expired options (years ≤ 0) get intrinsic value, delta 0 or ±1 (±½ exactly
 * at the strike) and zero for every other Greek.
 */
export function bsPriceGreeksInto(
  out: OptionGreeks,
  isCall: boolean,
  spot: number,
  strike: number,
  years: number,
  volatility: number,
  rate: number,
  dividendYield: number,
): void {
  const omega = isCall ? 1 : -1;
  if (years <= 0) {
    out.price = Math.max(omega * (spot - strike), 0);
    out.delta = omega * limitProbability(omega * (spot - strike));
    out.gamma = 0;
    out.vega = 0;
    out.theta = 0;
    out.rho = 0;
    return;
  }
  const dividendDiscount = Math.exp(-dividendYield * years);
  const forwardValue = spot * dividendDiscount; // S·e^(−qT)
  const strikeValue = strike * Math.exp(-rate * years); // K·e^(−rT)
  const sqrtYears = Math.sqrt(years);
  const stdDev = volatility * sqrtYears;
  let n1: number; // Φ(ω·d₁)
  let n2: number; // Φ(ω·d₂)
  let density: number; // φ(d₁)
  if (stdDev < MIN_STD_DEV) {
    n1 = n2 = limitProbability(omega * (forwardValue - strikeValue));
    density = 0;
  } else {
    const dOne = d1(spot, strike, years, stdDev, rate, dividendYield);
    n1 = normCdf(omega * dOne);
    n2 = normCdf(omega * (dOne - stdDev));
    density = normPdf(dOne);
  }
  out.price = omega * (forwardValue * n1 - strikeValue * n2);
  out.delta = omega * dividendDiscount * n1;
  out.gamma = density === 0 ? 0 : (dividendDiscount * density) / (spot * stdDev);
  out.vega = forwardValue * density * sqrtYears * PER_POINT;
  // Annual theta = −∂V/∂T; the API quotes it per calendar day.
  const annualTheta =
    (-forwardValue * density * volatility) / (2 * sqrtYears) -
    omega * rate * strikeValue * n2 +
    omega * dividendYield * forwardValue * n1;
  out.theta = annualTheta / DAYS_PER_YEAR;
  out.rho = omega * strikeValue * years * n2 * PER_POINT;
}

/**
 * What pricing one option at many spots (and one volatility) can share: a root finder
 * or scenario grid moving the spot re-prices the same option dozens of times, and
 * everything here but the spot is fixed. Dividend yield 0 (the engine prices options
 * without one). Build with bsSpotTerms.
 */
export interface BsSpotTerms {
  /** +1 call, −1 put. */
  omega: number;
  /** USD. */
  strike: number;
  /** years ≤ 0: intrinsic value max(ω(S − K), 0). */
  expired: boolean;
  /** USD: K·e^(−rT). */
  discountedStrike: number;
  /** σ√T; below MIN_STD_DEV the deterministic-forward limit applies. */
  stdDev: number;
  /** d₁ − ln(S/K)/σ√T = rT/σ√T + σ√T/2. */
  drift: number;
}

export function bsSpotTerms(isCall: boolean, strike: number, years: number, volatility: number, rate: number): BsSpotTerms {
  const stdDev = volatility * Math.sqrt(Math.max(years, 0));
  return {
    omega: isCall ? 1 : -1,
    strike,
    expired: years <= 0,
    discountedStrike: strike * Math.exp(-rate * years),
    stdDev,
    drift: stdDev < MIN_STD_DEV ? 0 : (rate * years) / stdDev + 0.5 * stdDev,
  };
}

/** Price and delta (and spot·gamma, on request) written by bsAtSpot. */
export interface BsSpotValue {
  /** USD per underlying unit. */
  price: number;
  /** Underlying units. */
  delta: number;
  /** S·Γ = ∂delta/∂ln S, dimensionless (only when asked for; 0 otherwise). */
  spotGamma: number;
}

/**
 * Price and delta at `spot`, given logMoneyness = ln(spot/K) (callers derive it from a
 * ln(S/K) they computed once, e.g. ln(S/K) + ln(1 + m) on a grid). Same formulas and
 * limits as bsPrice and bsPriceGreeksInto (dividend yield 0), minus their per-call
 * exp, sqrt and log; agreement is to rounding.
 */
export function bsAtSpot(
  out: BsSpotValue,
  terms: BsSpotTerms,
  spot: number,
  logMoneyness: number,
  withGamma: boolean,
): void {
  const { omega, stdDev } = terms;
  out.spotGamma = 0;
  if (terms.expired) {
    out.price = Math.max(omega * (spot - terms.strike), 0);
    out.delta = omega * limitProbability(omega * (spot - terms.strike));
    return;
  }
  if (stdDev < MIN_STD_DEV) {
    out.price = Math.max(omega * (spot - terms.discountedStrike), 0);
    out.delta = omega * limitProbability(omega * (spot - terms.discountedStrike));
    return;
  }
  const dOne = logMoneyness / stdDev + terms.drift;
  const n1 = normCdf(omega * dOne); // Φ(ω·d₁)
  out.price = omega * (spot * n1 - terms.discountedStrike * normCdf(omega * (dOne - stdDev)));
  out.delta = omega * n1;
  if (withGamma) out.spotGamma = normPdf(dOne) / stdDev;
}
