import { collateralValue } from "./collateral.js";
import { markAt, pricingTerms, type PricingTerms } from "./instruments.js";
import type { MarginUnitInput, Market, PositionInput } from "./types.js";
import { requireFinite, requireNonNegative, requirePositive } from "./validate.js";

/**
 * The revaluation core: one margin unit valued on one (possibly shocked) market.
 * Equity, margin, stress, VaR and liquidation all go through valueUnit, so the
 * valuation rules live only here.
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
  const { instrument, quantity, averagePrice, isolatedMargin } = position;
  requireFinite(`${instrument.symbol} quantity`, quantity);
  requirePositive(`${instrument.symbol} contract size`, instrument.contractSize);
  requireFinite(`${instrument.symbol} average price`, averagePrice);
  requireNonNegative(`${instrument.symbol} isolated margin`, isolatedMargin);
  const terms = pricingTerms(instrument, market);
  const mark = markAt(terms, terms.spot);
  const units = quantity * instrument.contractSize; // underlying units held
  const pnl = units * (mark - averagePrice);
  const equity = isolatedMargin + (terms.kind === "OPTION" ? units * mark : pnl);
  return { position, terms, mark, pnl, equity };
}

export function valueUnit(unit: MarginUnitInput, market: Market): UnitValuation {
  let collateral = 0;
  for (const holding of unit.collateral) collateral += collateralValue(holding, market);
  let equity = collateral;
  const positions = unit.positions.map((position) => {
    const valuation = valuePosition(position, market);
    equity += valuation.equity;
    return valuation;
  });
  return { equity, collateralValue: collateral, positions };
}
