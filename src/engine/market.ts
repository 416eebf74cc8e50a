import { EngineInputError } from "./errors.js";
import type { Market, UnderlyingQuote } from "./types.js";
import { requireFinite, requirePositive } from "./validate.js";

/** The validated quote of `underlying`; a missing or malformed quote is an input error. */
export function quoteFor(market: Market, underlying: string): UnderlyingQuote {
  const quote = market.quotes.get(underlying);
  if (!quote) throw new EngineInputError(`no market quote for underlying "${underlying}"`);
  requirePositive(`${underlying} spot`, quote.spot);
  requirePositive(`${underlying} volatility`, quote.volatility);
  requireFinite(`${underlying} rate`, quote.rate);
  return quote;
}

/** A copy of `market` with some quotes replaced (same valuation time). */
export function withQuotes(market: Market, replacements: ReadonlyMap<string, UnderlyingQuote>): Market {
  const quotes = new Map(market.quotes);
  for (const [underlying, quote] of replacements) quotes.set(underlying, quote);
  return { asOfMs: market.asOfMs, quotes };
}

/** A copy of `market` with one underlying's spot moved to `spot` (vol, rate and time unchanged). */
export function withSpot(market: Market, underlying: string, spot: number): Market {
  const quote = quoteFor(market, underlying);
  return withQuotes(market, new Map([[underlying, { ...quote, spot }]]));
}
