import { Prisma, type PrismaClient } from "../../generated/prisma/client.js";
import type { AccountStatus, Client, Instrument, MarginLevel, MarginMode } from "../../generated/prisma/client.js";

type Db = Prisma.TransactionClient | PrismaClient;

/** An account row as the in-memory book keeps it. */
export interface AccountRow {
  id: string;
  clientId: string;
  name: string;
  marginMode: MarginMode;
  status: AccountStatus;
  portfolioId: string | null;
  marginLevel: MarginLevel;
  levelVersion: number;
  levelBookVersion: number;
  createdAt: Date;
}

export interface PortfolioRow {
  id: string;
  clientId: string;
  name: string;
  marginMode: MarginMode;
  marginLevel: MarginLevel;
  levelVersion: number;
  levelBookVersion: number;
  createdAt: Date;
}

/** Decimals travel as canonical decimal strings (exact, as the API shows them). */
export interface BalanceRow {
  accountId: string;
  asset: string;
  amount: string;
}

export interface PositionRow {
  accountId: string;
  instrumentId: string;
  quantity: string;
  averagePrice: string;
  isolatedMargin: string;
}

export interface BookRows {
  clients: Client[];
  accounts: AccountRow[];
  portfolios: PortfolioRow[];
  balances: BalanceRow[];
  /** Open positions only (quantity ≠ 0). */
  positions: PositionRow[];
  instruments: Instrument[];
}

/** Which rows to read; null reads the whole book. */
export interface BookScope {
  accounts: readonly string[];
  portfolios: readonly string[];
  clients: readonly string[];
  instruments: readonly string[];
}

/** numeric::text keeps the stored scale ("1.500000000000000000"); the API shows "1.5". */
export function canonicalDecimal(text: string): string {
  if (!text.includes(".")) return text;
  const trimmed = text.replace(/0+$/, "").replace(/\.$/, "");
  return trimmed === "-0" ? "0" : trimmed;
}

/** `column` among `ids`; null: every row. */
const among = (column: string, ids: readonly string[] | null) =>
  ids === null ? Prisma.sql`TRUE` : Prisma.sql`${Prisma.raw(column)} = ANY(${[...ids]}::uuid[])`;

type LevelColumns = { levelVersion: number; levelBookVersion: bigint | number };
const levelNumbers = <T extends LevelColumns>(row: T) => ({ ...row, levelBookVersion: Number(row.levelBookVersion) });

/**
 * Accounts whose balances and positions one statement reads: ≈ 10 000 position rows at
 * 20 positions an account. Whole-book results are read in pages because the pg pool
 * keeps a result reachable after the load, through the closures its idle connection's
 * listeners hold: the whole book's 200 000 position rows held that way were ≈ 43 MiB of
 * the server's heap for as long as it ran; a page held that way is ≈ 3 MiB.
 */
export const HOLDINGS_PAGE = 500;

/** Balances and positions of `accountIds`, a page of accounts per statement, in the order of the ids' pages. */
async function readHoldings(db: Db, accountIds: readonly string[]): Promise<{ balances: BalanceRow[]; positions: PositionRow[] }> {
  const balances: BalanceRow[] = [];
  const positions: PositionRow[] = [];
  for (let at = 0; at < accountIds.length; at += HOLDINGS_PAGE) {
    const page = accountIds.slice(at, at + HOLDINGS_PAGE);
    const [b, p] = await Promise.all([
      db.$queryRaw<BalanceRow[]>`
        SELECT "accountId", asset, amount::text AS amount FROM "Balance" WHERE ${among(`"accountId"`, page)} ORDER BY asset`,
      db.$queryRaw<PositionRow[]>`
        SELECT "accountId", "instrumentId", quantity::text AS quantity, "averagePrice"::text AS "averagePrice",
               "isolatedMargin"::text AS "isolatedMargin"
        FROM "Position" WHERE quantity <> 0 AND ${among(`"accountId"`, page)} ORDER BY "instrumentId"`,
    ]);
    for (const row of b) balances.push({ accountId: row.accountId, asset: row.asset, amount: canonicalDecimal(row.amount) });
    for (const row of p) {
      positions.push({
        accountId: row.accountId,
        instrumentId: row.instrumentId,
        quantity: canonicalDecimal(row.quantity),
        averagePrice: canonicalDecimal(row.averagePrice),
        isolatedMargin: canonicalDecimal(row.isolatedMargin),
      });
    }
  }
  return { balances, positions };
}

/**
 * The one way holdings are read: the whole book at start, the rows a change touched
 * when an instance catches up, and the locked rows a withdrawal checks inside its
 * transaction (read through `db`). Decimals are read as text, exactly, and without
 * parsing them into Decimal objects: the book converts them once.
 */
export async function readBookRows(db: Db, scope: BookScope | null): Promise<BookRows> {
  const accountIds = scope?.accounts ?? null;
  const accounts = (await db.$queryRaw<(Omit<AccountRow, "levelBookVersion"> & LevelColumns)[]>`
    SELECT id, "clientId", name, "marginMode", status, "portfolioId", "marginLevel", "levelVersion", "levelBookVersion", "createdAt"
    FROM "Account" WHERE ${among("id", accountIds)}`).map(levelNumbers);
  const { balances, positions } = await readHoldings(db, accounts.map((a) => a.id));
  const portfolioIds = scope === null ? null : [...new Set([...scope.portfolios, ...accounts.flatMap((a) => (a.portfolioId ? [a.portfolioId] : []))])];
  const clientIds = scope === null ? null : [...new Set([...scope.clients, ...accounts.map((a) => a.clientId)])];
  const instrumentIds = scope === null ? null : [...new Set([...scope.instruments, ...positions.map((p) => p.instrumentId)])];
  const none = <T>(ids: readonly string[] | null, read: () => Promise<T[]>) => (ids !== null && ids.length === 0 ? Promise.resolve([]) : read());
  const [portfolios, clients, instruments] = await Promise.all([
    none(portfolioIds, async () => (await db.$queryRaw<(Omit<PortfolioRow, "levelBookVersion"> & LevelColumns)[]>`
      SELECT id, "clientId", name, "marginMode", "marginLevel", "levelVersion", "levelBookVersion", "createdAt"
      FROM "Portfolio" WHERE ${among("id", portfolioIds)}`).map(levelNumbers)),
    none(clientIds, () => db.client.findMany({ where: clientIds ? { id: { in: clientIds } } : undefined })),
    none(instrumentIds, () => db.instrument.findMany({ where: instrumentIds ? { id: { in: instrumentIds } } : undefined })),
  ]);
  return { clients, accounts, portfolios, balances, positions, instruments };
}
