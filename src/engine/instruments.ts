import { bsPrice, bsPriceGreeksInto, type OptionGreeks } from "./blackScholesKernel.js";
import { EngineInputError } from "./errors.js";
import { quoteFor } from "./market.js";
import { yearsBetween } from "./time.js";
import type { InstrumentSpec, Market } from "./types.js";
import { requirePositive } from "./validate.js";

/**
 * How an instrument's mark depends on its underlying's spot, resolved once from the
 * market so scenario grids and root finders can re-mark it at other spots and vols.
 * Marks are USD per underlying unit (one contract = contractSize of them).
 */
export type PricingTerms = LinearTerms | OptionTerms;

export interface LinearTerms {
  kind: "LINEAR";
  /** USD. */
  spot: number;
  /** Mark per unit of spot: 1 for a perpetual, e^(rT) for a future (T floored at 0). */
  forwardFactor: number;
}

export interface OptionTerms {
  kind: "OPTION";
  /** USD. */
  spot: number;
  isCall: boolean;
  /** USD. */
  strike: number;
  /** Years to expiry (ACT/365); ≤ 0 once expired. */
  years: number;
  /** Annual: the instrument's markVolatility, else its underlying's. */
  volatility: number;
  /** Continuously compounded, per year. Options are priced with dividend yield 0. */
  rate: number;
}

/** Years from the market's valuation time to the instrument's expiry. */
export function timeToExpiry(instrument: InstrumentSpec, asOfMs: number): number {
  if (instrument.expiryMs === null) throw new EngineInputError(`${instrument.kind} ${instrument.symbol} has no expiry`);
  return yearsBetween(asOfMs, instrument.expiryMs);
}

export function pricingTerms(instrument: InstrumentSpec, market: Market): PricingTerms {
  const quote = quoteFor(market, instrument.underlying);
  switch (instrument.kind) {
    case "PERPETUAL":
      return { kind: "LINEAR", spot: quote.spot, forwardFactor: 1 };
    case "FUTURE":
      return {
        kind: "LINEAR",
        spot: quote.spot,
        forwardFactor: Math.exp(quote.rate * Math.max(0, timeToExpiry(instrument, quote.asOfMs ?? market.asOfMs))),
      };
    case "OPTION": {
      const { strike, optionType, markVolatility } = instrument;
      if (strike === null || optionType === null) {
        throw new EngineInputError(`option ${instrument.symbol} needs a strike and an option type`);
      }
      requirePositive(`${instrument.symbol} strike`, strike);
      const volatility = markVolatility ?? quote.volatility;
      requirePositive(`${instrument.symbol} volatility`, volatility);
      return {
        kind: "OPTION",
        spot: quote.spot,
        isCall: optionType === "CALL",
        strike,
        years: timeToExpiry(instrument, quote.asOfMs ?? market.asOfMs),
        volatility,
        rate: quote.rate,
      };
    }
    default: {
      const kind: never = instrument.kind;
      throw new EngineInputError(`instrument ${instrument.symbol} has unknown kind "${kind}"`);
    }
  }
}

/**
 * Mark (USD per underlying unit) at another spot and, for options, another volatility;
 * markAt(terms, terms.spot) is the market mark, so scenario P&L is exactly 0 at the base.
 */
export function markAt(terms: PricingTerms, spot: number, volatility?: number): number {
  if (terms.kind === "LINEAR") return spot * terms.forwardFactor;
  return bsPrice(terms.isCall, spot, terms.strike, terms.years, volatility ?? terms.volatility, terms.rate, 0);
}

/** Mark in USD per underlying unit: perp = spot, future = spot·e^(rT), option = Black–Scholes. */
export function instrumentMark(instrument: InstrumentSpec, market: Market): number {
  const terms = pricingTerms(instrument, market);
  return markAt(terms, terms.spot);
}

/** Greeks per underlying unit of the instrument, in API units (see OptionGreeks). */
export interface InstrumentGreeks {
  delta: number;
  gamma: number;
  vega: number;
  theta: number;
}

/**
 * Perp delta 1, future delta e^(rT), option Black–Scholes Greeks. Linear instruments
 * carry no gamma, vega or theta (the methodology gives futures a delta only).
 */
export function greeksAt(terms: PricingTerms): InstrumentGreeks {
  if (terms.kind === "LINEAR") return { delta: terms.forwardFactor, gamma: 0, vega: 0, theta: 0 };
  const out: OptionGreeks = { price: 0, delta: 0, gamma: 0, vega: 0, theta: 0, rho: 0 };
  bsPriceGreeksInto(out, terms.isCall, terms.spot, terms.strike, terms.years, terms.volatility, terms.rate, 0);
  return { delta: out.delta, gamma: out.gamma, vega: out.vega, theta: out.theta };
}

export function instrumentGreeks(instrument: InstrumentSpec, market: Market): InstrumentGreeks {
  return greeksAt(pricingTerms(instrument, market));
}
