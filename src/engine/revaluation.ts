import { collateralValue } from "./collateral.js";
import type { PricingTerms } from "./instruments.js";
import type { MarginUnitInput, Market, PositionInput } from "./types.js";
import { requireFinite, requireNonNegative, requirePositive } from "./validate.js";
import { marketMemo, pricedInstrument, type MarketMemo } from "./valuationCache.js";

/**
 * The revaluation core: one margin unit valued on one (possibly shocked) market.
 * Equity, margin, stress, VaR and liquidation all go through valueUnit, so the
 * valuation rules live only here. Instrument marks come from the market's memo
 * (valuationCache.ts): many units on one market price each instrument once.
 */

export interface PositionValuation {
  position: PositionInput;
  /** How the mark depends on spot (and vol), for models that re-mark the position. */
  terms: PricingTerms;
  /** USD per underlying unit. */
  mark: number;
  /** USD: q·cs·(mark − averagePrice). */
  pnl: number;
  /**
   * USD, this position's part of the unit's equity: its isolatedMargin plus, for a
   * perp/future, its unrealised P&L q·cs·(mark − averagePrice), for an option its value
   * q·cs·mark (the premium already went through the cash balance).
   */
  equity: number;
}

export interface UnitValuation {
  /** USD: Σ collateral after haircut + Σ position equity. */
  equity: number;
  /** USD, after haircuts. */
  collateralValue: number;
  positions: PositionValuation[];
}

export function valuePosition(position: PositionInput, market: Market): PositionValuation {
  return valueWith(marketMemo(market), position, market);
}

/** Marks come from the market's memo: each instrument is priced once per market, whatever the number of positions. */
function valueWith(memo: MarketMemo, position: PositionInput, market: Market): PositionValuation {
  const { instrument, quantity, averagePrice, isolatedMargin } = position;
  requireFinite(`${instrument.symbol} quantity`, quantity);
  requirePositive(`${instrument.symbol} contract size`, instrument.contractSize);
  requireFinite(`${instrument.symbol} average price`, averagePrice);
  requireNonNegative(`${instrument.symbol} isolated margin`, isolatedMargin);
  const { terms, mark } = pricedInstrument(memo, instrument, market);
  const units = quantity * instrument.contractSize; // underlying units held
  const pnl = units * (mark - averagePrice);
  const equity = isolatedMargin + (terms.kind === "OPTION" ? units * mark : pnl);
  return { position, terms, mark, pnl, equity };
}

export function valueUnit(unit: MarginUnitInput, market: Market): UnitValuation {
  const memo = marketMemo(market);
  let collateral = 0;
  for (const holding of unit.collateral) collateral += collateralValue(holding, market);
  let equity = collateral;
  const positions = unit.positions.map((position) => {
    const valuation = valueWith(memo, position, market);
    equity += valuation.equity;
    return valuation;
  });
  return { equity, collateralValue: collateral, positions };
}
