import { Prisma, type Account, type Instrument, type PrismaClient } from "../generated/prisma/client.js";
import type { RiskStore, RatioCursor } from "../db/stores/risk.store.js";
import { computeMargin, defaultModel, type MarginResult } from "../engine/margin.js";
import { isolatedInitialMargin } from "../engine/standardMargin.js";
import type { BookStore } from "../db/stores/book.store.js";
import { pageSize, type Page } from "./book.service.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { InsufficientMarginError } from "./errors.js";
import type { LedgerRisk } from "./ledger.service.js";
import { instrumentSpec, marginUnitInput, marketContext, type Holdings, type MarketContext } from "./marginUnit.js";
import { isUuid } from "./validate.js";

type Tx = Prisma.TransactionClient;

interface RatioCursorJson {
  r: number | "inf";
  i: string;
}

const isRatioCursor = (v: unknown): v is RatioCursorJson =>
  typeof v === "object" && v !== null &&
  ((v as RatioCursorJson).r === "inf" || Number.isFinite((v as RatioCursorJson).r)) &&
  isUuid(String((v as RatioCursorJson).i));

/**
 * Risk of stored books: market context, margin checks the ledger asks for, and the
 * riskiest-first account listing served from the monitor's ratio snapshot.
 */
export class RiskService implements LedgerRisk {
  constructor(
    private readonly prisma: PrismaClient,
    readonly store: RiskStore,
    private readonly book: BookStore,
  ) {}

  /** Read through `db` inside a transaction: an embedded database has one connection. */
  async marketContext(db: Tx | PrismaClient = this.prisma): Promise<MarketContext> {
    return marketContext(await this.store.referenceSnapshot(db));
  }

  async isolatedMarginPerContract(instrument: Instrument, side: 1 | -1, price: Prisma.Decimal): Promise<Prisma.Decimal> {
    const ctx = await this.marketContext();
    if (!ctx.market.quotes.has(instrument.underlyingId)) return new Prisma.Decimal(0);
    const im = isolatedInitialMargin(
      { instrument: instrumentSpec(instrument), quantity: side, averagePrice: price.toNumber(), isolatedMargin: 0 },
      ctx.market,
      ctx.params,
    );
    return new Prisma.Decimal(im.toFixed(8));
  }

  /** An account's standalone margin under its own model, read through `db` (a transaction sees its own writes). */
  async accountMargin(db: Tx | PrismaClient, account: Account, ctx?: MarketContext): Promise<MarginResult> {
    const context = ctx ?? (await this.marketContext());
    const holdings = await loadHoldings(db, [account.id]);
    const unit = marginUnitInput(account.marginMode, holdings.holdings, holdings.instruments, context);
    return computeMargin(unit, context.market, context.params, defaultModel(account.marginMode));
  }

  /**
   * After the withdrawal's balance change, inside its transaction: the account's
   * equity must still cover its initial margin, and so must its portfolio's if it
   * belongs to one (the pool is the margin unit the member's cash supports).
   */
  async assertWithdrawalAllowed(tx: Tx, account: Account): Promise<void> {
    const ctx = await this.marketContext(tx);
    const own = await this.accountMargin(tx, account, ctx);
    if (own.equity < own.initial) {
      throw new InsufficientMarginError(
        `equity after the withdrawal (${own.equity.toFixed(2)} USD) would be below initial margin (${own.initial.toFixed(2)} USD)`,
        { equity: own.equity, initial: own.initial },
      );
    }
    if (!account.portfolioId) return;
    const members = await tx.account.findMany({ where: { portfolioId: account.portfolioId } });
    const holdings = await loadHoldings(tx, members.map((m) => m.id));
    const pooled = computeMargin(marginUnitInput(account.marginMode, holdings.holdings, holdings.instruments, ctx), ctx.market, ctx.params);
    if (pooled.equity < pooled.initial) {
      throw new InsufficientMarginError(
        `portfolio equity after the withdrawal (${pooled.equity.toFixed(2)} USD) would be below its initial margin (${pooled.initial.toFixed(2)} USD)`,
        { equity: pooled.equity, initial: pooled.initial },
      );
    }
  }

  /** Riskiest first by the monitor's stored ratio (under water first), keyset-paginated. */
  async accountsByMarginRatio(args: { first?: number | null; after?: string | null; clientId?: string | null }): Promise<Page<Account>> {
    const size = pageSize(args.first);
    const clientId = args.clientId ?? undefined;
    if (clientId !== undefined && !isUuid(clientId)) return { items: [], hasNextPage: false, totalCount: 0 };
    const cursor = args.after ? decodeCursor(args.after, isRatioCursor) : null;
    const after: RatioCursor | null = cursor && { ratio: cursor.r === "inf" ? Infinity : cursor.r, id: cursor.i };
    const [rows, totalCount] = await Promise.all([
      this.store.accountsByRatio(clientId, after, size + 1),
      this.book.countAccounts({ clientId }),
    ]);
    const items = rows.slice(0, size).map((node) => ({
      cursor: encodeCursor({ r: Number.isFinite(node.marginRatio) ? node.marginRatio : "inf", i: node.id }),
      node,
    }));
    return { items, hasNextPage: rows.length > size, totalCount };
  }
}

/** Balances, open positions and their instruments of some accounts, read through `db`. */
export async function loadHoldings(db: Tx | PrismaClient, accountIds: string[]): Promise<{ holdings: Holdings[]; instruments: Map<string, Instrument> }> {
  const [balances, positions] = await Promise.all([
    db.balance.findMany({ where: { accountId: { in: accountIds } } }),
    db.position.findMany({ where: { accountId: { in: accountIds }, NOT: { quantity: 0 } } }),
  ]);
  const ids = [...new Set(positions.map((p) => p.instrumentId))];
  const instruments = ids.length ? await db.instrument.findMany({ where: { id: { in: ids } } }) : [];
  const byAccount = new Map<string, Holdings>(accountIds.map((id) => [id, { balances: [], positions: [] }]));
  for (const b of balances) byAccount.get(b.accountId)?.balances.push(b);
  for (const p of positions) byAccount.get(p.accountId)?.positions.push(p);
  return { holdings: accountIds.map((id) => byAccount.get(id)!), instruments: new Map(instruments.map((i) => [i.id, i])) };
}
