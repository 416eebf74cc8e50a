import { exposedUnderlyings } from "./exposure.js";
import { quoteFor } from "./market.js";
import { utcDate } from "./time.js";
import type { MarginUnitInput, Market } from "./types.js";

/**
 * A unit's valuation time (DESIGN §7.1), epoch ms: the latest asOf among the underlyings
 * it is exposed to (its positions' underlyings and its non-stable collateral; a quote
 * without its own asOfMs has the market's), or the market's asOfMs when it is exposed to
 * nothing. A desk that back-dates BTC and ETH for a replay while SOL stays current gets
 * the BTC/ETH time for a BTC/ETH book.
 */
export function unitValuationTime(unit: MarginUnitInput, market: Market): number {
  const underlyings = exposedUnderlyings(unit);
  if (underlyings.length === 0) return market.asOfMs;
  let latest = -Infinity;
  for (const underlying of underlyings) latest = Math.max(latest, quoteFor(market, underlying).asOfMs ?? market.asOfMs);
  return latest;
}

/**
 * The UTC date (yyyy-mm-dd) on which the unit's VaR, HISTORICAL_ES and stress windows
 * end: utcDate(unitValuationTime(unit, market)). A caller loading price history for a
 * unit loads it up to this date.
 */
export function unitValuationDate(unit: MarginUnitInput, market: Market): string {
  return utcDate(unitValuationTime(unit, market));
}
