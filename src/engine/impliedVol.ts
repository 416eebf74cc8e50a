import { bsPrice, bsPriceGreeksInto, type OptionGreeks } from "./blackScholesKernel.js";
import type { OptionType } from "./types.js";
import { requireFinite, requireNonNegative, requirePositive } from "./validate.js";

export interface ImpliedVolatilityInput {
  optionType: OptionType;
  /** USD per underlying unit. */
  spot: number;
  /** USD per underlying unit. */
  strike: number;
  /** Years (ACT/365). */
  timeToExpiry: number;
  /** Option premium, USD per underlying unit. */
  price: number;
  /** Continuously compounded, per year. Default 0. */
  rate?: number;
  /** Continuously compounded, per year. Default 0. */
  dividendYield?: number;
}

/** Search interval for σ (annual): 0.0001 % to 1000 %. */
const MIN_VOL = 1e-6;
const MAX_VOL = 10;
/** Stop when |BS(σ) − price| ≤ PRICE_TOLERANCE · max(1, price): absolute below 1 USD, relative above. */
const PRICE_TOLERANCE = 1e-10;
const MAX_ITERATIONS = 200;
const VEGA_PER_UNIT_VOL = 100; // the kernel's vega is per point (0.01)

/**
 * The annual Black–Scholes volatility that reproduces `price`, or null when none does:
 * at expiry (T = 0), when the price is not strictly inside the no-arbitrage bounds
 * (call: max(0, S·e^(−qT) − K·e^(−rT)) < C < S·e^(−qT); put: max(0, K·e^(−rT) − S·e^(−qT))
 * < P < K·e^(−rT)), or when the implied σ lies outside [1e-6, 10].
 *
 * Newton's method on vega, safeguarded by bisection: the price is increasing in σ, so
 * every evaluation shrinks a bracket [lo, hi] around the root and any Newton step that
 * leaves the bracket is replaced by its midpoint. Starts from the Manaster–Koehler
 * point σ₀ = √(2·|ln(F/K)|/T), from which plain Newton is monotone for calls.
 */
export function impliedVolatility(input: ImpliedVolatilityInput): number | null {
  const { optionType, spot, strike, timeToExpiry: years, price, rate = 0, dividendYield = 0 } = input;
  requirePositive("spot", spot);
  requirePositive("strike", strike);
  requireNonNegative("timeToExpiry", years);
  requireFinite("price", price);
  requireFinite("rate", rate);
  requireFinite("dividendYield", dividendYield);
  if (years === 0) return null;

  const isCall = optionType === "CALL";
  const forwardValue = spot * Math.exp(-dividendYield * years);
  const strikeValue = strike * Math.exp(-rate * years);
  const lowerBound = Math.max(0, isCall ? forwardValue - strikeValue : strikeValue - forwardValue);
  const upperBound = isCall ? forwardValue : strikeValue;
  if (!(price > lowerBound && price < upperBound)) return null;

  const tolerance = PRICE_TOLERANCE * Math.max(1, price);
  const excess = (vol: number) => bsPrice(isCall, spot, strike, years, vol, rate, dividendYield) - price;
  let lo = MIN_VOL;
  let hi = MAX_VOL;
  const excessAtLo = excess(lo);
  if (Math.abs(excessAtLo) <= tolerance) return lo;
  if (excessAtLo > 0) return null;
  const excessAtHi = excess(hi);
  if (Math.abs(excessAtHi) <= tolerance) return hi;
  if (excessAtHi < 0) return null;

  const forwardMoneyness = Math.log(forwardValue / strikeValue); // ln(F/K)
  const start = Math.sqrt((2 * Math.abs(forwardMoneyness)) / years);
  let vol = start > lo && start < hi ? start : 0.5;
  const greeks: OptionGreeks = { price: 0, delta: 0, gamma: 0, vega: 0, theta: 0, rho: 0 };
  for (let i = 0; i < MAX_ITERATIONS; i++) {
    bsPriceGreeksInto(greeks, isCall, spot, strike, years, vol, rate, dividendYield);
    const diff = greeks.price - price;
    if (Math.abs(diff) <= tolerance) return vol;
    if (diff < 0) lo = vol;
    else hi = vol;
    const newton = vol - diff / (greeks.vega * VEGA_PER_UNIT_VOL);
    const next = newton > lo && newton < hi ? newton : 0.5 * (lo + hi);
    // The bracket has collapsed to adjacent doubles: vol is as close as float64 allows.
    if (next === vol || hi - lo <= 4 * Number.EPSILON * hi) return next;
    vol = next;
  }
  return vol;
}
