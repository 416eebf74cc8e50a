import { withQuotes } from "./market.js";
import type { ReturnWindow } from "./priceReturns.js";
import { valueUnit } from "./revaluation.js";
import type { MarginUnitInput, Market, UnderlyingQuote } from "./types.js";

/** Loss measures of a P&L distribution, USD; positive = loss. */
export interface TailRisk {
  value: number;
  expectedShortfall: number;
}

/** Guards ⌈N(1 − c)⌉ against N(1 − c) landing a rounding error above an integer. */
const CEILING_SLACK = 1e-9;

/**
 * Empirical VaR and ES of a P&L sample at confidence c: with k = max(1, ⌈N(1 − c) − 1e-9⌉),
 * VaR = −(k-th worst P&L) and ES = −(mean of the k worst).
 */
export function tailRisk(pnl: ArrayLike<number>, confidence: number): TailRisk {
  const sorted = Float64Array.from(pnl).sort(); // ascending: worst first
  const k = Math.max(1, Math.ceil(sorted.length * (1 - confidence) - CEILING_SLACK));
  let tailSum = 0;
  for (let i = 0; i < k; i++) tailSum += sorted[i];
  return { value: 0 - sorted[k - 1], expectedShortfall: 0 - tailSum / k };
}

/**
 * One-day P&L (USD) of full revaluation under each day of the window: every underlying
 * in the window moves jointly to S·(1 + r_t); vols, rates and time stay as they are.
 */
export function historicalPnl(unit: MarginUnitInput, market: Market, window: ReturnWindow): Float64Array {
  const baseEquity = valueUnit(unit, market).equity;
  const pnl = new Float64Array(window.dates.length);
  for (let t = 0; t < pnl.length; t++) {
    const moved = new Map<string, UnderlyingQuote>();
    for (const [underlying, returns] of window.returns) {
      const quote = market.quotes.get(underlying);
      if (quote) moved.set(underlying, { ...quote, spot: quote.spot * (1 + returns[t]) });
    }
    pnl[t] = valueUnit(unit, withQuotes(market, moved)).equity - baseEquity;
  }
  return pnl;
}
