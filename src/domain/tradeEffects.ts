import { Prisma, type InstrumentKind, type MarginMode } from "../generated/prisma/client.js";
import { applyFill, type PositionState } from "./positionMath.js";

type Decimal = Prisma.Decimal;
const ZERO = new Prisma.Decimal(0);

export interface HeldPosition extends PositionState {
  /** USDC set aside for the position (ISOLATED accounts). */
  isolatedMargin: Decimal;
}

export interface TradeEffects {
  position: HeldPosition;
  /** USD realised by the closed part (perps/futures; 0 for options). */
  realizedPnl: Decimal;
  /** Signed USDC moves of the trade: option premium or realised P&L, and isolated margin set aside (−) or freed (+). */
  cash: { kind: "OPTION_PREMIUM" | "REALIZED_PNL" | "ISOLATED_MARGIN"; amount: Decimal }[];
}

/**
 * What one trade does to an account, the ledger's rules in one place (the ledger
 * writes them, whatIf applies them in memory):
 * - the position follows applyFill (average price, realised P&L);
 * - an option pays or receives its premium q·cs·price at once, and that is all its cash;
 *   a perp/future settles only the P&L its closed part realises;
 * - in an ISOLATED account the contracts a trade opens bring their initial margin from
 *   USDC into the position, the part that remains keeps its pro-rata share, and what a
 *   reduction frees returns to USDC.
 */
export function tradeEffects(
  previous: HeldPosition | null,
  trade: { quantity: Decimal; price: Decimal },
  instrument: { kind: InstrumentKind; contractSize: Decimal },
  mode: MarginMode,
  isolatedMarginPerContract: Decimal,
): TradeEffects {
  const before = previous ?? { quantity: ZERO, averagePrice: ZERO, isolatedMargin: ZERO };
  const change = applyFill(before, { quantity: trade.quantity, price: trade.price, contractSize: instrument.contractSize });
  const isOption = instrument.kind === "OPTION";
  const isolatedMargin = mode === "ISOLATED"
    ? nextIsolatedMargin(before.quantity, before.isolatedMargin, change.position.quantity, isolatedMarginPerContract)
    : ZERO;
  const cash: TradeEffects["cash"] = [
    isOption
      ? { kind: "OPTION_PREMIUM", amount: trade.quantity.times(instrument.contractSize).times(trade.price).negated() }
      : { kind: "REALIZED_PNL", amount: change.realizedPnl },
    { kind: "ISOLATED_MARGIN", amount: before.isolatedMargin.minus(isolatedMargin) },
  ];
  return {
    position: { ...change.position, isolatedMargin },
    realizedPnl: isOption ? ZERO : change.realizedPnl,
    cash: cash.filter((move) => !move.amount.isZero()),
  };
}

function nextIsolatedMargin(q0: Decimal, margin0: Decimal, q1: Decimal, perContract: Decimal): Decimal {
  if (q1.isZero()) return ZERO;
  const sameSide = !q0.isZero() && q0.isNegative() === q1.isNegative();
  const kept = sameSide ? Prisma.Decimal.min(q0.abs(), q1.abs()) : ZERO;
  const keptMargin = q0.isZero() ? ZERO : margin0.times(kept).dividedBy(q0.abs());
  return keptMargin.plus(q1.abs().minus(kept).times(perContract));
}
