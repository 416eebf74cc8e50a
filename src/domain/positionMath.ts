import { Prisma } from "../generated/prisma/client.js";

type Decimal = Prisma.Decimal;
const ZERO = new Prisma.Decimal(0);

export interface PositionState {
  /** Signed contracts. */
  quantity: Decimal;
  /** USD per underlying unit. */
  averagePrice: Decimal;
}

export interface TradeFill {
  /** Signed contracts bought (+) or sold (−). */
  quantity: Decimal;
  /** USD per underlying unit. */
  price: Decimal;
  /** Underlying units per contract. */
  contractSize: Decimal;
}

export interface PositionChange {
  position: PositionState;
  /** Contracts of the previous position this trade closed (≥ 0). */
  closedQuantity: Decimal;
  /** USD: closedQty·cs·(price − averagePrice)·sign(previous quantity). */
  realizedPnl: Decimal;
}

/**
 * Applies one fill to a position. The average price is the quantity-weighted average
 * while a position grows, unchanged while it shrinks, and the fill price for what
 * remains after a flip; the closed part realises P&L against the old average.
 */
export function applyFill(previous: PositionState, fill: TradeFill): PositionChange {
  const q0 = previous.quantity;
  const dq = fill.quantity;
  const quantity = q0.plus(dq);
  if (q0.isZero() || q0.isNegative() === dq.isNegative()) {
    const averagePrice = q0.abs().times(previous.averagePrice).plus(dq.abs().times(fill.price)).dividedBy(quantity.abs());
    return { position: { quantity, averagePrice }, closedQuantity: ZERO, realizedPnl: ZERO };
  }
  const closedQuantity = Prisma.Decimal.min(dq.abs(), q0.abs());
  const realizedPnl = closedQuantity
    .times(fill.contractSize)
    .times(fill.price.minus(previous.averagePrice))
    .times(q0.isNegative() ? -1 : 1);
  const flipped = dq.abs().greaterThan(q0.abs());
  const averagePrice = flipped ? fill.price : quantity.isZero() ? ZERO : previous.averagePrice;
  return { position: { quantity, averagePrice }, closedQuantity, realizedPnl };
}
