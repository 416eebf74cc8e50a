import { quoteFor } from "./market.js";
import { byUnderlying } from "./ordering.js";
import type { MarginUnitInput, Market } from "./types.js";
import { marketMemo, pricedGreeks } from "./valuationCache.js";

/** A unit's Greeks on one underlying, API units (see OptionGreeks). */
export interface UnderlyingGreeks {
  underlying: string;
  /** Underlying units: Σ q·cs·delta + collateral holdings of the underlying (full amount). */
  delta: number;
  /** USD: delta·S. */
  deltaUsd: number;
  /** Per 1 USD spot move. */
  gamma: number;
  /** USD per volatility point. */
  vega: number;
  /** USD per calendar day. */
  theta: number;
}

/** Σ q·cs·greek per underlying (positions), plus collateral in delta; sorted by underlying. */
export function unitGreeks(unit: MarginUnitInput, market: Market): UnderlyingGreeks[] {
  const totals = new Map<string, UnderlyingGreeks>();
  const totalFor = (underlying: string): UnderlyingGreeks => {
    let total = totals.get(underlying);
    if (!total) {
      total = { underlying, delta: 0, deltaUsd: 0, gamma: 0, vega: 0, theta: 0 };
      totals.set(underlying, total);
    }
    return total;
  };
  const memo = marketMemo(market); // each instrument's Greeks computed once per market
  for (const { instrument, quantity } of unit.positions) {
    const greeks = pricedGreeks(memo, instrument, market);
    const units = quantity * instrument.contractSize;
    const total = totalFor(instrument.underlying);
    total.delta += units * greeks.delta;
    total.gamma += units * greeks.gamma;
    total.vega += units * greeks.vega;
    total.theta += units * greeks.theta;
  }
  for (const { underlying, amount } of unit.collateral) {
    if (underlying !== null) totalFor(underlying).delta += amount;
  }
  const result = [...totals.values()].sort(byUnderlying);
  for (const total of result) total.deltaUsd = total.delta * quoteFor(market, total.underlying).spot;
  return result;
}
