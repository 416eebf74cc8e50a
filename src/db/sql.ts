import type { PGlite } from "@electric-sql/pglite";
import type { Pool, PoolClient } from "pg";

/**
 * Raw SQL beside Prisma, for what Prisma does not do: applying migration scripts
 * (many statements at once) and their bookkeeping.
 */
export interface SqlConnection {
  /** Runs a script of one or more statements without parameters. */
  exec(script: string): Promise<void>;
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface SqlRunner extends SqlConnection {
  /** Runs `work` inside one transaction on one connection. */
  transaction<T>(work: (tx: SqlConnection) => Promise<T>): Promise<T>;
}

async function inTransaction<T>(conn: SqlConnection, work: (tx: SqlConnection) => Promise<T>): Promise<T> {
  await conn.exec("BEGIN");
  try {
    const result = await work(conn);
    await conn.exec("COMMIT");
    return result;
  } catch (error) {
    await conn.exec("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

export function pgliteRunner(db: PGlite): SqlRunner {
  const conn: SqlConnection = {
    async exec(script) {
      await db.exec(script);
    },
    async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      return (await db.query<T>(sql, params)).rows;
    },
  };
  // PGlite is a single connection: a transaction is BEGIN/COMMIT on it.
  return { ...conn, transaction: (work) => inTransaction(conn, work) };
}

function pgConnection(client: Pool | PoolClient): SqlConnection {
  return {
    async exec(script) {
      await client.query(script);
    },
    async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      return (await client.query(sql, params)).rows as T[];
    },
  };
}

export function poolRunner(pool: Pool): SqlRunner {
  return {
    ...pgConnection(pool),
    async transaction(work) {
      const client = await pool.connect();
      try {
        return await inTransaction(pgConnection(client), work);
      } finally {
        client.release();
      }
    },
  };
}
