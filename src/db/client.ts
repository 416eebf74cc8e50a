import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { Config } from "../config.js";
import { PrismaClient } from "../generated/prisma/client.js";
import { lockDirectory } from "./pgliteLock.js";
import { pgliteRunner, poolRunner, type SqlRunner } from "./sql.js";

export type DatabaseKind = "postgres" | "pglite";

/** One database: Prisma for the application, raw SQL for migrations and health. */
export interface Database {
  kind: DatabaseKind;
  prisma: PrismaClient;
  sql: SqlRunner;
  /** SQL statements Prisma has sent since start (for tests, metrics and benchmarks). */
  statementCount(): number;
  /** The application pool's connections (PostgreSQL); null for the embedded database. */
  poolUse(): { total: number; idle: number; waiting: number; max: number } | null;
  close(): Promise<void>;
}

/** A Prisma client that counts the statements it sends. */
function countingClient(adapter: SqlDriverAdapterFactory) {
  const prisma = new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] });
  let count = 0;
  prisma.$on("query", () => {
    count++;
  });
  return { prisma, statementCount: () => count };
}

/** The query timeout defaults to a second past the statement timeout, so a server that answers cancels first. */
type DbConfig = Pick<Config, "databaseUrl" | "pgliteDir" | "dbPoolMax" | "dbConnectTimeoutMs" | "dbStatementTimeoutMs"> &
  Partial<Pick<Config, "dbQueryTimeoutMs" | "dbKeepAliveInitialDelayMs">>;

/** No DATABASE_URL → embedded PGlite in PGLITE_DIR; otherwise PostgreSQL with a bounded pool. */
export async function openDatabase(config: DbConfig): Promise<Database> {
  return config.databaseUrl ? openPostgres(config.databaseUrl, config) : openPglite(config.pgliteDir);
}

async function openPglite(dataDir: string): Promise<Database> {
  // A directory belongs to one process; memory:// and idb:// are private to it anyway.
  const lock = /^[a-z]+:\/\//.test(dataDir) ? null : lockDirectory(dataDir);
  const pglite = new PGlite(dataDir);
  try {
    await pglite.waitReady;
  } catch (error) {
    lock?.release();
    throw error;
  }
  const { prisma, statementCount } = countingClient(new PrismaPGlite(pglite));
  return {
    kind: "pglite",
    prisma,
    statementCount,
    poolUse: () => null,
    sql: pgliteRunner(pglite),
    async close() {
      try {
        await prisma.$disconnect();
        await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
}

function openPostgres(connectionString: string, config: DbConfig): Database {
  // Every wait on the database is bounded on this side too, so a database that accepts
  // connections but never answers fails requests in seconds instead of hanging them:
  // connecting and waiting for a pooled connection (connectionTimeoutMillis), each query
  // (query_timeout; statement_timeout is the server's own and needs a server that answers),
  // and a peer that vanished without closing (TCP keepalive).
  const poolConfig: pg.PoolConfig = {
    connectionString,
    max: config.dbPoolMax,
    connectionTimeoutMillis: config.dbConnectTimeoutMs,
    statement_timeout: config.dbStatementTimeoutMs,
    query_timeout: config.dbQueryTimeoutMs ?? config.dbStatementTimeoutMs + 1000,
    keepAlive: true,
    keepAliveInitialDelayMillis: config.dbKeepAliveInitialDelayMs ?? 10_000,
    idleTimeoutMillis: 30_000,
  };
  // Prisma's queries use the application pool; migrations and health checks a small one of their own.
  const appPool = new pg.Pool(poolConfig);
  const rawPool = new pg.Pool({ ...poolConfig, max: 2 });
  for (const pool of [appPool, rawPool]) pool.on("error", () => undefined);
  const { prisma, statementCount } = countingClient(new PrismaPg(appPool));
  return {
    kind: "postgres",
    prisma,
    statementCount,
    poolUse: () => ({ total: appPool.totalCount, idle: appPool.idleCount, waiting: appPool.waitingCount, max: config.dbPoolMax }),
    sql: poolRunner(rawPool),
    async close() {
      await prisma.$disconnect();
      await appPool.end();
      await rawPool.end();
    },
  };
}
