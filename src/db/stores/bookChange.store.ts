import { Prisma, type PrismaClient } from "../../generated/prisma/client.js";
import type { SqlConnection } from "../sql.js";

type Tx = Prisma.TransactionClient;

/** What one committed write touched, as recorded in the ledger's change log. */
export interface BookChangeSet {
  accounts?: readonly string[];
  portfolios?: readonly string[];
  clients?: readonly string[];
  instruments?: readonly string[];
  /** Underlyings whose market state changed. */
  underlyings?: readonly string[];
}

export interface BookChangeRow {
  version: number;
  accounts: string[];
  portfolios: string[];
  clients: string[];
  instruments: string[];
  underlyings: string[];
}

/** Serialises the allocation of book versions so they commit in version order. */
const BOOK_LOCK_ID = 72707371;

/** Rows read in one catch-up at most; a reader further behind reloads everything. */
export const CHANGE_PAGE = 2000;

/**
 * The ledger's high-water mark. Every write transaction that changes what risk is
 * computed from appends one row as its last statement: it takes an advisory lock held
 * to commit, so versions are consecutive and commit in order, and a reader that has
 * applied version v and reads every row after v has seen every committed write.
 */
export class BookChangeStore {
  constructor(
    private readonly prisma: PrismaClient,
    /** Raw SQL beside Prisma for the head probe, the one statement a consistent read costs. */
    private readonly sql: SqlConnection,
  ) {}

  /** Inside `tx`, last: records the change and returns its version. */
  async append(tx: Tx, change: BookChangeSet): Promise<number> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${BOOK_LOCK_ID})`;
    const [row] = await tx.$queryRaw<{ version: bigint }[]>`
      INSERT INTO "BookChange" (version, accounts, portfolios, clients, instruments, underlyings)
      SELECT COALESCE(MAX(version), 0) + 1, ${[...(change.accounts ?? [])]}::uuid[], ${[...(change.portfolios ?? [])]}::uuid[],
             ${[...(change.clients ?? [])]}::uuid[], ${[...(change.instruments ?? [])]}::uuid[], ${[...(change.underlyings ?? [])]}::text[]
      FROM "BookChange"
      RETURNING version`;
    return Number(row.version);
  }

  /** A write of its own: `work`'s statements and the change row in one transaction. */
  async write<T>(work: (tx: Tx) => Promise<T>, changeOf: (result: T) => BookChangeSet): Promise<{ result: T; version: number }> {
    return this.prisma.$transaction(async (tx) => {
      const result = await work(tx);
      return { result, version: await this.append(tx, changeOf(result)) };
    });
  }

  /** Highest committed version (0 when none). */
  async head(): Promise<number> {
    const [row] = await this.sql.query<{ version: string | number | null }>(`SELECT MAX(version) AS version FROM "BookChange"`);
    return Number(row?.version ?? 0);
  }

  /** Changes after `version`, oldest first, at most CHANGE_PAGE of them. */
  async since(version: number): Promise<BookChangeRow[]> {
    const rows = await this.prisma.$queryRaw<(Omit<BookChangeRow, "version"> & { version: bigint })[]>`
      SELECT version, accounts, portfolios, clients, instruments, underlyings FROM "BookChange"
      WHERE version > ${version} ORDER BY version LIMIT ${CHANGE_PAGE}`;
    return rows.map((r) => ({ ...r, version: Number(r.version) }));
  }
}
