import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/client.js";
import { migrate, MigrationError, readMigrations } from "../../src/db/migrate.js";
import { createTestDatabase, TEST_DB, type TestDatabase } from "../support/testDatabase.js";

describe(`migrations on ${TEST_DB}`, () => {
  let testDb: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = await openDatabase({
      databaseUrl: testDb.databaseUrl,
      pgliteDir: "memory://",
      dbPoolMax: 2,
      dbConnectTimeoutMs: 3000,
      dbStatementTimeoutMs: 10_000,
    });
  });

  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it("migrates a fresh database to the schema and records each migration as Prisma does", async () => {
    const files = await readMigrations();
    const result = await migrate(db.sql);
    expect(result.applied).toEqual(files.map((f) => f.name));
    const tables = await db.sql.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(["Account", "ApiKey", "Balance", "Client", "Instrument", "MarginCall", "MarketState", "Position", "PriceHistory", "RiskParameters", "Trade", "_prisma_migrations"]),
    );
    const rows = await db.sql.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((r) => [r.migration_name, r.checksum, r.finished_at !== null, r.applied_steps_count])).toEqual(
      files.map((f) => [f.name, f.checksum, true, 1]),
    );
  });

  it("applies nothing on a second run", async () => {
    const result = await migrate(db.sql);
    expect(result.applied).toEqual([]);
    expect(result.alreadyApplied.length).toBeGreaterThan(0);
  });

  it("reports a migration whose file changed after it was applied", async () => {
    const files = await readMigrations();
    const edited = files.map((f, i) => (i === 0 ? { ...f, checksum: "0".repeat(64) } : f));
    await expect(migrate(db.sql, edited)).rejects.toThrow(MigrationError);
    await expect(migrate(db.sql, edited)).rejects.toThrow(/was modified after it was applied/);
  });
});
