import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createAccount, createClient, createInstrument, deposit, setMarket, trade } from "../support/books.js";
import { expectClose as expectNear } from "../unit/engine/helpers.js";
import { TEST_DB, type TestDatabase } from "../support/testDatabase.js";
import { startTestServer, type TestServer } from "../support/testServer.js";

const E = "2025-03-28T08:00:00Z";
const ACCOUNT = `query($id: ID!) { account(id: $id) { balances { asset amount } positions { instrument { symbol } quantity }
  equity margin { maintenance parameters { underlying version } } } }`;
const SETTLEMENTS = `query { settlements { accountId instrument quantity deliveryPrice amount } }`;
const SETTLE = `mutation($u: String!, $p: Float) { settleExpired(underlying: $u, deliveryPrice: $p) { instrument quantity deliveryPrice amount } }`;
const TRADE = `mutation($input: RecordTradeInput!) { recordTrade(input: $input) { tradeId } }`;

const usdc = (account: { balances: { asset: string; amount: string }[] }) => account.balances.find((b) => b.asset === "USDC")?.amount;

/** Runs SQL on the stopped server's database: a database whose ETH ticks predate tick storage. */
async function execute(database: TestDatabase, dir: string, sql: string): Promise<void> {
  if (database.databaseUrl) {
    const client = new pg.Client({ connectionString: database.databaseUrl });
    await client.connect();
    await client.query(sql);
    await client.end();
    return;
  }
  const db = new PGlite(dir);
  await db.exec(sql);
  await db.close();
}

describe(`settlements and parameter versions across a restart on ${TEST_DB}`, () => {
  const dir = mkdtempSync(path.join(tmpdir(), "risk-lifecycle-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps settlements and versions, settles nothing twice, settles at start what a stop left, and waits for an explicit price where no tick exists", async () => {
    const first = await startTestServer({ pgliteDir: dir, keepDatabase: true });
    let accountId: string;
    try {
      await setMarket(first, "BTC", 100_000, { asOf: "2025-03-27T00:00:00Z" });
      await setMarket(first, "ETH", 3_000, { asOf: "2025-03-27T00:00:00Z" });
      await setMarket(first, "SOL", 200, { asOf: "2025-03-27T00:00:00Z" });
      await createInstrument(first, { symbol: "BTC-28MAR25", kind: "FUTURE", underlying: "BTC", expiry: E });
      await createInstrument(first, { symbol: "ETH-28MAR25", kind: "FUTURE", underlying: "ETH", expiry: E });
      await createInstrument(first, { symbol: "SOL-28MAR25", kind: "FUTURE", underlying: "SOL", expiry: E });
      accountId = await createAccount(first, await createClient(first, "Restart"), "main");
      await deposit(first, accountId, "USDC", 20_000);
      await trade(first, accountId, "BTC-28MAR25", 1, 100_000);
      await trade(first, accountId, "ETH-28MAR25", 10, 3_000);
      await trade(first, accountId, "SOL-28MAR25", 5, 190);
      await setMarket(first, "SOL", 206, { asOf: "2025-03-28T07:50:00Z" });
      // 07:30–07:45 at 100 000 (the tick of the 27th), 07:45–08:00 at 100 300: D = 100 150; +1·150.
      await setMarket(first, "BTC", 100_300, { asOf: "2025-03-28T07:45:00Z" });
      await setMarket(first, "BTC", 100_500, { asOf: "2025-03-28T08:10:00Z" });
      await first.ok(`mutation { setRiskParameters(input: { underlying: "ETH", initialMarginRate: 0.04, maintenanceMarginRate: 0.02 }) { version } }`);
      expect((await first.ok(SETTLEMENTS)).settlements).toEqual([
        { accountId, instrument: "BTC-28MAR25", quantity: "1", deliveryPrice: 100_150, amount: "150" },
      ]);
    } finally {
      await first.close();
    }
    await execute(first.database, dir, `DELETE FROM "MarketTick" WHERE "underlyingId" = 'ETH'`);
    // A stop between a committed SOL update past expiry and its settlement: the start settles it.
    await execute(first.database, dir, `
      UPDATE "MarketState" SET spot = 210, "asOf" = '2025-03-28T08:15:00Z' WHERE "underlyingId" = 'SOL';
      INSERT INTO "MarketTick" ("underlyingId", spot, volatility, rate, "asOf") VALUES ('SOL', 210, 0.5, 0, '2025-03-28T08:15:00Z')`);

    const second: TestServer = await startTestServer({ pgliteDir: dir, database: first.database });
    try {
      // SOL: 07:30–07:50 at 200, 07:50–08:00 at 206: D = (20·200 + 10·206)/30 = 202; 5·(202 − 190) = +60.
      expect((await second.ok(SETTLEMENTS)).settlements).toEqual([
        { accountId, instrument: "SOL-28MAR25", quantity: "5", deliveryPrice: 202, amount: "60" },
        { accountId, instrument: "BTC-28MAR25", quantity: "1", deliveryPrice: 100_150, amount: "150" },
      ]);
      const history = (await second.ok(`query { riskParameterHistory(underlying: "ETH") { version maintenanceMarginRate } }`)).riskParameterHistory;
      expect(history).toEqual([{ version: 2, maintenanceMarginRate: 0.02 }, { version: 1, maintenanceMarginRate: 0.01 }]);
      expect((await second.ok(SETTLE, { u: "BTC" })).settleExpired).toEqual([]);
      let { account } = await second.ok(ACCOUNT, { id: accountId });
      expect(usdc(account)).toBe("20210");
      // The ETH future at version 2: MM = 10·3 000·0.02 = 600.
      expectNear(account.margin.maintenance, 600, 1e-9, "ETH future MM at version 2");
      expect(account.margin.parameters).toEqual([{ underlying: "ETH", version: 2 }]);

      // Past expiry with no ETH tick at or before it: no delivery price, nothing settles.
      await setMarket(second, "ETH", 3_100, { asOf: "2025-03-28T08:20:00Z" });
      expect((await second.ok(SETTLEMENTS)).settlements.length).toBe(2);
      ({ account } = await second.ok(ACCOUNT, { id: accountId }));
      // The position stays listed but leaves every risk figure: equity is the cash, no margin.
      expect(account.positions).toEqual([{ instrument: { symbol: "ETH-28MAR25" }, quantity: "10" }]);
      expect(account.margin.maintenance).toBe(0);
      expectNear(account.equity, 20_210, 1e-9, "equity: cash only");
      const refused = await second.gql(TRADE, { input: { accountId, instrument: "ETH-28MAR25", quantity: 1, price: 3_100, tradeId: "late" } });
      expect(refused.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");

      // The operator's price: 10·(3 050 − 3 000) = +500.
      expect((await second.ok(SETTLE, { u: "ETH", p: 3_050 })).settleExpired).toEqual([
        { instrument: "ETH-28MAR25", quantity: "10", deliveryPrice: 3_050, amount: "500" },
      ]);
      expect((await second.ok(SETTLE, { u: "ETH", p: 2_000 })).settleExpired).toEqual([]);
      ({ account } = await second.ok(ACCOUNT, { id: accountId }));
      expect(usdc(account)).toBe("20710");
      expect(account.positions).toEqual([]);
    } finally {
      await second.close();
    }
  }, 180_000);
});
