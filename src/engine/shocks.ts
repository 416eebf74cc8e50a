import { EngineInputError } from "./errors.js";
import { withQuotes } from "./market.js";
import type { MarginUnitInput, Market, PositionInput, Shock, UnderlyingQuote } from "./types.js";
import { requireFinite } from "./validate.js";

export interface ShockedBook {
  unit: MarginUnitInput;
  market: Market;
}

/**
 * Applies relative shocks: spot → S·(1 + spotMove), volatility → σ·(1 + volMove), and
 * each option's own markVolatility by the same factor as its underlying's; time is
 * unchanged. A shock on an underlying the market does not quote is skipped: no
 * position can be valued without that quote, so it cannot move this book.
 */
export function applyShocks(unit: MarginUnitInput, market: Market, shocks: readonly Shock[]): ShockedBook {
  const volFactors = new Map<string, number>();
  const quotes = new Map<string, UnderlyingQuote>();
  for (const { underlying, spotMove, volMove = 0 } of shocks) {
    requireFinite(`${underlying} spotMove`, spotMove);
    requireFinite(`${underlying} volMove`, volMove);
    if (!(spotMove > -1)) throw new EngineInputError(`${underlying} spotMove (${spotMove}) must be above -1`);
    if (!(volMove > -1)) throw new EngineInputError(`${underlying} volMove (${volMove}) must be above -1 (volatility stays positive)`);
    if (volFactors.has(underlying)) throw new EngineInputError(`underlying "${underlying}" is shocked more than once`);
    volFactors.set(underlying, 1 + volMove);
    const quote = market.quotes.get(underlying);
    if (quote) quotes.set(underlying, { ...quote, spot: quote.spot * (1 + spotMove), volatility: quote.volatility * (1 + volMove) });
  }
  const positions = unit.positions.map((position): PositionInput => {
    const { markVolatility, underlying } = position.instrument;
    const factor = volFactors.get(underlying) ?? 1;
    if (markVolatility === null || factor === 1) return position;
    return { ...position, instrument: { ...position.instrument, markVolatility: markVolatility * factor } };
  });
  return { unit: { ...unit, positions }, market: withQuotes(market, quotes) };
}
