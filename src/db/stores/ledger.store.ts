import { Prisma, type PrismaClient } from "../../generated/prisma/client.js";
import type { Account, Instrument, LedgerKind, Trade } from "../../generated/prisma/client.js";
import { ConflictError, InsufficientMarginError, NotFoundError } from "../../domain/errors.js";
import { tradeEffects } from "../../domain/tradeEffects.js";
import { isUniqueViolation } from "../prismaErrors.js";

type Decimal = Prisma.Decimal;
type Tx = Prisma.TransactionClient;

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
    const effects = tradeEffects(previous, request, instrument, account.marginMode, request.isolatedMarginPerContract);
    await tx.position.upsert({
      where: key,
      create: { accountId: account.id, instrumentId: instrument.id, ...effects.position },
      update: effects.position,
    });
    const trade = await tx.trade.create({
      data: {
        tradeId: request.tradeId,
        accountId: account.id,
        instrumentId: instrument.id,
        quantity: request.quantity,
        price: request.price,
        realizedPnl: effects.realizedPnl,
      },
    });
    for (const move of effects.cash) {
      await this.addBalance(tx, account.id, SETTLEMENT_ASSET, move.amount);
      await tx.ledgerEntry.create({
        data: { accountId: account.id, asset: SETTLEMENT_ASSET, amount: move.amount, kind: move.kind, tradeId: request.tradeId },
      });
    }
    return trade;
  }
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
