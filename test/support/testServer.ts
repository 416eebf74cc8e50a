import "reflect-metadata";
import { loadConfig } from "../../src/config.js";
import { startServer, type RunningServer } from "../../src/server.js";
import { createTestDatabase, type TestDatabase } from "./testDatabase.js";

export const ADMIN_TOKEN = "test-admin-token-0123456789";

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown }; path?: (string | number)[] }[];
}

export interface TestServer {
  url: string;
  server: RunningServer;
  /** POSTs one operation; `token` null sends no Authorization header. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<T>>;
  /** Like gql but fails the test on any error, returning data. */
  ok<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<T>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  /** Share a database with another server (close with keepDatabase); default a fresh one. */
  database?: TestDatabase;
  /** PGlite data directory for a restart on the same embedded database; default in memory. */
  pgliteDir?: string;
  /** Leave the database in place on close (a restart test starts a second server on it). */
  keepDatabase?: boolean;
}

/** Starts a real server on a fresh database (PGlite in memory or a new PostgreSQL database). */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer & { database: TestDatabase }> {
  const env = options.env ?? {};
  const database = options.database ?? (await createTestDatabase());
  const config = loadConfig({ NODE_ENV: "test", ...env });
  const server = await startServer({
    ...config,
    databaseUrl: database.databaseUrl,
    pgliteDir: options.pgliteDir ?? "memory://",
    port: 0,
    host: "127.0.0.1",
    adminToken: ADMIN_TOKEN,
    seedDemo: env.SEED_DEMO === "true",
  });
  const gql = async <T>(query: string, variables?: Record<string, unknown>, token: string | null = ADMIN_TOKEN): Promise<GraphQLResponse<T>> => {
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...((await response.json()) as object) };
  };
  return {
    url: server.url,
    server,
    database,
    gql,
    async ok<T>(query: string, variables?: Record<string, unknown>, token?: string | null) {
      const result = await gql<T>(query, variables, token);
      if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
      return result.data as T;
    },
    async close() {
      await server.close();
      if (!options.keepDatabase) await database.drop();
    },
  };
}

/** The Redis the multi-instance tests share (TEST_REDIS_URL overrides). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export interface TwoInstances {
  a: TestServer & { database: TestDatabase };
  b: TestServer;
  /** Stops both and drops their database. */
  close(): Promise<void>;
}

/** Two instances on one fresh database (PostgreSQL), sharing Redis, with `env` on both. */
export async function startTwoInstances(env: Record<string, string> = {}): Promise<TwoInstances> {
  const database = await createTestDatabase();
  const shared = { REDIS_URL: TEST_REDIS_URL, ...env };
  const a = await startTestServer({ env: shared, database, keepDatabase: true });
  const b = await startTestServer({ env: shared, database, keepDatabase: true });
  return {
    a,
    b,
    async close() {
      await b.close();
      await a.close();
      await database.drop();
    },
  };
}
