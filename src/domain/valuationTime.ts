import type { Market, MarginUnitInput } from "../engine/index.js";

/**
 * A unit's valuation time (DESIGN §7.1): the latest asOf among the underlyings it is
 * exposed to (its positions' and its non-stable collateral's), epoch ms; a unit exposed
 * to nothing uses the market's latest.
 */
export function valuationTime(unit: MarginUnitInput, market: Market): number {
  let latest = -Infinity;
  const consider = (underlying: string) => {
    const asOf = market.quotes.get(underlying)?.asOfMs;
    if (asOf !== undefined && asOf > latest) latest = asOf;
  };
  for (const p of unit.positions) consider(p.instrument.underlying);
  for (const c of unit.collateral) if (c.underlying !== null && c.amount !== 0) consider(c.underlying);
  return Number.isFinite(latest) ? latest : market.asOfMs;
}
