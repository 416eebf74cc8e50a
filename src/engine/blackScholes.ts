import { bsPriceGreeksInto, type OptionGreeks } from "./blackScholesKernel.js";
import type { OptionType } from "./types.js";
import { requireFinite, requireNonNegative, requirePositive } from "./validate.js";

export interface BlackScholesInput {
  optionType: OptionType;
  /** USD per underlying unit. */
  spot: number;
  /** USD per underlying unit. */
  strike: number;
  /** Years (ACT/365); 0 means at expiry: intrinsic value. */
  timeToExpiry: number;
  /** Annual volatility, 0.5 = 50 %; the Black–Scholes σ, not σ√T. */
  volatility: number;
  /** Continuously compounded, per year. Default 0. */
  rate?: number;
  /** Continuously compounded, per year. Default 0 (crypto pays none). */
  dividendYield?: number;
}

/**
 * European option price and Greeks (Black–Scholes–Merton) in API units: see
 * OptionGreeks — vega per volatility point, theta per calendar day, rho per 1 % rate.
 * Tiny σ√T falls back to the deterministic-forward limit, so results are always finite.
 */
export function blackScholes(input: BlackScholesInput): OptionGreeks {
  const { optionType, spot, strike, timeToExpiry, volatility, rate = 0, dividendYield = 0 } = input;
  requirePositive("spot", spot);
  requirePositive("strike", strike);
  requireNonNegative("timeToExpiry", timeToExpiry);
  requirePositive("volatility", volatility);
  requireFinite("rate", rate);
  requireFinite("dividendYield", dividendYield);
  const out: OptionGreeks = { price: 0, delta: 0, gamma: 0, vega: 0, theta: 0, rho: 0 };
  bsPriceGreeksInto(out, optionType === "CALL", spot, strike, timeToExpiry, volatility, rate, dividendYield);
  return out;
}
