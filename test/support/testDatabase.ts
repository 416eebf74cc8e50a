import { randomBytes } from "node:crypto";
import pg from "pg";

/** Which database the integration suite runs on: TEST_DB=pglite (default) or postgres. */
export const TEST_DB = (process.env.TEST_DB ?? "pglite") as "pglite" | "postgres";

/** Maintenance connection used to create and drop one database per test file. */
const ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  /** null → embedded PGlite in memory. */
  databaseUrl: string | null;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (TEST_DB === "pglite") return { databaseUrl: null, drop: async () => undefined };
  const { url, drop } = await createPostgresDatabase("risk_test");
  return { databaseUrl: url, drop };
}

/** A new, empty PostgreSQL database `<prefix>_<random>` and how to drop it. */
export async function createPostgresDatabase(prefix: string, adminUrl = ADMIN_URL): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
