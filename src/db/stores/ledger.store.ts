import { Prisma, type PrismaClient } from "../../generated/prisma/client.js";
import type { Account, Instrument, LedgerKind, Trade } from "../../generated/prisma/client.js";
import { ConflictError, InsufficientMarginError, NotFoundError } from "../../domain/errors.js";
import { applyFill } from "../../domain/positionMath.js";
import { isUniqueViolation } from "../prismaErrors.js";

type Decimal = Prisma.Decimal;
type Tx = Prisma.TransactionClient;
const ZERO = new Prisma.Decimal(0);

/** Cash of every trade and realised P&L settles in USDC. */
export const SETTLEMENT_ASSET = "USDC";

export interface CashMove {
  accountId: string;
  asset: string;
  /** Positive amount; the direction is the operation's. */
  amount: Decimal;
  idempotencyKey: string | null;
}

export interface TradeRequest {
  accountId: string;
  instrument: Instrument;
  /** Signed contracts. */
  quantity: Decimal;
  /** USD per underlying unit. */
  price: Decimal;
  tradeId: string;
  /**
   * ISOLATED accounts: USDC moved into the position per contract the trade opens
   * (its initial margin at this price and market); 0 elsewhere.
   */
  isolatedMarginPerContract: Decimal;
}

/**
 * The ledger: every write is one transaction that first locks the account row, so
 * concurrent writes to one account are serialised and a retried request sees the
 * first one's result.
 */
export class LedgerStore {
  constructor(private readonly prisma: PrismaClient) {}

  /** Locks and returns the account, or throws NOT_FOUND. */
  private async lockAccount(tx: Tx, accountId: string): Promise<Account> {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Account" WHERE id = ${accountId}::uuid FOR UPDATE`;
    if (locked.length === 0) throw new NotFoundError("account", accountId);
    return tx.account.findUniqueOrThrow({ where: { id: accountId } });
  }

  private async addBalance(tx: Tx, accountId: string, asset: string, amount: Decimal): Promise<Decimal> {
    const row = await tx.balance.upsert({
      where: { accountId_asset: { accountId, asset } },
      create: { accountId, asset, amount },
      update: { amount: { increment: amount } },
    });
    return row.amount;
  }

  /** Returns true when the key was already used for exactly this move (a retry). */
  private async replayed(tx: Tx, move: CashMove, kind: LedgerKind): Promise<boolean> {
    if (!move.idempotencyKey) return false;
    const previous = await tx.ledgerEntry.findUnique({ where: { idempotencyKey: move.idempotencyKey } });
    if (!previous) return false;
    const signed = kind === "WITHDRAWAL" ? move.amount.negated() : move.amount;
    if (previous.accountId !== move.accountId || previous.asset !== move.asset || previous.kind !== kind || !previous.amount.equals(signed)) {
      throw new ConflictError(`idempotencyKey ${JSON.stringify(move.idempotencyKey)} was already used for a different request`);
    }
    return true;
  }

  private async cashMove(
    move: CashMove,
    kind: "DEPOSIT" | "WITHDRAWAL",
    check?: (tx: Tx, account: Account) => Promise<void>,
  ): Promise<Account> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const account = await this.lockAccount(tx, move.accountId);
        if (await this.replayed(tx, move, kind)) return account;
        const signed = kind === "WITHDRAWAL" ? move.amount.negated() : move.amount;
        const balance = await this.addBalance(tx, move.accountId, move.asset, signed);
        if (balance.isNegative()) {
          throw new InsufficientMarginError(
            `withdrawal of ${move.amount.toFixed()} ${move.asset} exceeds the balance of ${balance.plus(move.amount).toFixed()}`,
          );
        }
        await tx.ledgerEntry.create({
          data: { accountId: move.accountId, asset: move.asset, amount: signed, kind, idempotencyKey: move.idempotencyKey },
        });
        if (check) await check(tx, account);
        return account;
      });
    } catch (error) {
      // Two first attempts with one key raced on different accounts: the loser conflicts.
      if (isUniqueViolation(error)) throw new ConflictError(`idempotencyKey ${JSON.stringify(move.idempotencyKey)} is already in use`);
      throw error;
    }
  }

  deposit(move: CashMove): Promise<Account> {
    return this.cashMove(move, "DEPOSIT");
  }

  /**
   * `check` runs inside the transaction after the balance moved (row lock held) and
   * throws to roll the withdrawal back, e.g. when margin would be breached.
   */
  withdraw(move: CashMove, check: (tx: Tx, account: Account) => Promise<void>): Promise<Account> {
    return this.cashMove(move, "WITHDRAWAL", check);
  }

  async recordTrade(request: TradeRequest): Promise<Trade> {
    try {
      return await this.prisma.$transaction((tx) => this.recordTradeIn(tx, request));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // A concurrent first attempt with this tradeId committed first: answer as a retry.
      const existing = await this.prisma.trade.findUnique({ where: { tradeId: request.tradeId } });
      if (!existing) throw error;
      return sameTrade(existing, request);
    }
  }

  private async recordTradeIn(tx: Tx, request: TradeRequest): Promise<Trade> {
    const account = await this.lockAccount(tx, request.accountId);
    const existing = await tx.trade.findUnique({ where: { tradeId: request.tradeId } });
    if (existing) return sameTrade(existing, request);

    const { instrument } = request;
    const key = { accountId_instrumentId: { accountId: account.id, instrumentId: instrument.id } };
    const previous = await tx.position.findUnique({ where: key });
    const change = applyFill(previous ?? { quantity: ZERO, averagePrice: ZERO }, {
      quantity: request.quantity,
      price: request.price,
      contractSize: instrument.contractSize,
    });

    const isOption = instrument.kind === "OPTION";
    // An option pays or receives its premium at once and that is all its cash;
    // a perp/future settles only the P&L its closed part realises.
    const cash = isOption
      ? request.quantity.times(instrument.contractSize).times(request.price).negated()
      : change.realizedPnl;
    const isolatedMargin = account.marginMode === "ISOLATED"
      ? nextIsolatedMargin(previous?.quantity ?? ZERO, previous?.isolatedMargin ?? ZERO, change.position.quantity, request.isolatedMarginPerContract)
      : ZERO;
    const isolatedDelta = isolatedMargin.minus(previous?.isolatedMargin ?? ZERO);

    await tx.position.upsert({
      where: key,
      create: { accountId: account.id, instrumentId: instrument.id, ...change.position, isolatedMargin },
      update: { ...change.position, isolatedMargin },
    });
    const trade = await tx.trade.create({
      data: {
        tradeId: request.tradeId,
        accountId: account.id,
        instrumentId: instrument.id,
        quantity: request.quantity,
        price: request.price,
        realizedPnl: isOption ? ZERO : change.realizedPnl,
      },
    });
    const entries: { kind: LedgerKind; amount: Decimal }[] = [
      { kind: isOption ? "OPTION_PREMIUM" : "REALIZED_PNL", amount: cash },
      { kind: "ISOLATED_MARGIN", amount: isolatedDelta.negated() },
    ];
    for (const entry of entries.filter((e) => !e.amount.isZero())) {
      await this.addBalance(tx, account.id, SETTLEMENT_ASSET, entry.amount);
      await tx.ledgerEntry.create({
        data: { accountId: account.id, asset: SETTLEMENT_ASSET, amount: entry.amount, kind: entry.kind, tradeId: request.tradeId },
      });
    }
    return trade;
  }
}

/**
 * Isolated margin after a trade: the part of the position that remains keeps its
 * pro-rata share, contracts it newly opens bring their own initial margin, and what
 * a reduction frees returns to USDC.
 */
function nextIsolatedMargin(q0: Decimal, margin0: Decimal, q1: Decimal, perContract: Decimal): Decimal {
  if (q1.isZero()) return ZERO;
  const sameSide = !q0.isZero() && q0.isNegative() === q1.isNegative();
  const kept = sameSide ? Prisma.Decimal.min(q0.abs(), q1.abs()) : ZERO;
  const keptMargin = q0.isZero() ? ZERO : margin0.times(kept).dividedBy(q0.abs());
  const opened = q1.abs().minus(kept);
  return keptMargin.plus(opened.times(perContract));
}

function sameTrade(existing: Trade, request: TradeRequest): Trade {
  const same =
    existing.accountId === request.accountId &&
    existing.instrumentId === request.instrument.id &&
    existing.quantity.equals(request.quantity) &&
    existing.price.equals(request.price);
  if (!same) throw new ConflictError(`tradeId ${JSON.stringify(request.tradeId)} was already recorded with different content`);
  return existing;
}
