import { Prisma, type PrismaClient } from "../../generated/prisma/client.js";
import type { Account, LedgerEntry, LedgerKind, Position, Settlement, Trade } from "../../generated/prisma/client.js";
import type { BookChangeStore } from "./bookChange.store.js";
import { readBookRows, type BookRows } from "./bookRows.js";

type Decimal = Prisma.Decimal;
type Tx = Prisma.TransactionClient;

/** An account's rows as locked for a ledger write. */
export class AccountsLocked extends Error {
  constructor(readonly missing: string[]) {
    super(`accounts not found: ${missing.join(", ")}`);
  }
}

/** Plain reads and writes inside a ledger transaction; the rules are the ledger service's. */
export class LedgerTx {
  constructor(private readonly tx: Tx) {}

  ledgerEntry(idempotencyKey: string): Promise<LedgerEntry | null> {
    return this.tx.ledgerEntry.findUnique({ where: { idempotencyKey } });
  }

  trade(tradeId: string): Promise<Trade | null> {
    return this.tx.trade.findUnique({ where: { tradeId } });
  }

  position(accountId: string, instrumentId: string): Promise<Position | null> {
    return this.tx.position.findUnique({ where: { accountId_instrumentId: { accountId, instrumentId } } });
  }

  async savePosition(accountId: string, instrumentId: string, state: { quantity: Decimal; averagePrice: Decimal; isolatedMargin: Decimal }): Promise<void> {
    await this.tx.position.upsert({
      where: { accountId_instrumentId: { accountId, instrumentId } },
      create: { accountId, instrumentId, ...state },
      update: state,
    });
  }

  createTrade(data: { tradeId: string; accountId: string; instrumentId: string; quantity: Decimal; price: Decimal; realizedPnl: Decimal }): Promise<Trade> {
    return this.tx.trade.create({ data });
  }

  /** Adds a signed amount to a balance and returns the new amount. */
  async addBalance(accountId: string, asset: string, amount: Decimal): Promise<Decimal> {
    const row = await this.tx.balance.upsert({
      where: { accountId_asset: { accountId, asset } },
      create: { accountId, asset, amount },
      update: { amount: { increment: amount } },
    });
    return row.amount;
  }

  async createEntry(data: { accountId: string; asset: string; amount: Decimal; kind: LedgerKind; idempotencyKey?: string | null; tradeId?: string | null }): Promise<void> {
    await this.tx.ledgerEntry.create({ data });
  }

  settlement(instrumentId: string, accountId: string): Promise<Settlement | null> {
    return this.tx.settlement.findUnique({ where: { instrumentId_accountId: { instrumentId, accountId } } });
  }

  createSettlement(data: { instrumentId: string; accountId: string; quantity: Decimal; deliveryPrice: Decimal; amount: Decimal }): Promise<Settlement> {
    return this.tx.settlement.create({ data });
  }

  /** The locked accounts' book rows as this transaction sees them (its own writes included). */
  bookRows(accountIds: readonly string[]): Promise<BookRows> {
    return readBookRows(this.tx, { accounts: accountIds, portfolios: [], clients: [], instruments: [] });
  }
}

/** What a ledger transaction did: the accounts it changed (none for a replay, which writes nothing). */
export interface LedgerOutcome<T> {
  result: T;
  changed: readonly string[];
  /** Instruments the change touched as well (e.g. one that settled), listed in its change row. */
  instruments?: readonly string[];
}

/**
 * The ledger's storage: a transaction that first locks the accounts' rows (in id
 * order, so two writes that lock overlapping sets cannot deadlock) and, when it changed
 * anything, records the change in the book's change log before it commits.
 */
export class LedgerStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly changes: BookChangeStore,
  ) {}

  async write<T>(accountIds: readonly string[], work: (tx: LedgerTx, accounts: Map<string, Account>) => Promise<LedgerOutcome<T>>): Promise<T> {
    const ids = [...new Set(accountIds)].sort();
    return this.prisma.$transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Account" WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`;
      if (locked.length !== ids.length) throw new AccountsLocked(ids.filter((id) => !locked.some((l) => l.id === id)));
      const rows = await tx.account.findMany({ where: { id: { in: ids } } });
      const outcome = await work(new LedgerTx(tx), new Map(rows.map((a) => [a.id, a])));
      if (outcome.changed.length > 0) await this.changes.append(tx, { accounts: outcome.changed, instruments: outcome.instruments });
      return outcome.result;
    });
  }

  account(id: string): Promise<Account | null> {
    return this.prisma.account.findUnique({ where: { id } });
  }

  memberIds(portfolioId: string): Promise<string[]> {
    return this.prisma.account.findMany({ where: { portfolioId }, select: { id: true } }).then((rows) => rows.map((r) => r.id));
  }

  trade(tradeId: string): Promise<Trade | null> {
    return this.prisma.trade.findUnique({ where: { tradeId } });
  }
}
