import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, createClient, createInstrument, deposit, setMarket, trade } from "../support/books.js";
import { TEST_DB } from "../support/testDatabase.js";
import { startTestServer, type TestServer } from "../support/testServer.js";

const TRADE = `mutation($input: RecordTradeInput!) { recordTrade(input: $input) { tradeId quantity price } }`;
const WITHDRAW = `mutation($input: WithdrawInput!) { withdraw(input: $input) { id } }`;
const BOOK = `query($id: ID!) { account(id: $id) { balances { asset amount } positions { quantity } equity margin { initial } } }`;

/** Concurrency is only real on PostgreSQL (PGlite is one connection and serialises everything). */
describe.runIf(TEST_DB === "postgres")("concurrent writes on PostgreSQL", () => {
  let api: TestServer;
  let clientId: string;

  beforeAll(async () => {
    api = await startTestServer({ env: { DB_POOL_MAX: "10" } });
    await setMarket(api, "BTC", 100_000);
    await createInstrument(api, { symbol: "BTC-PERP", kind: "PERPETUAL", underlying: "BTC" });
    clientId = await createClient(api, "Racer");
  });

  afterAll(async () => {
    await api?.close();
  });

  it("records exactly one trade for 100 concurrent calls with one tradeId, and answers every call with it", async () => {
    const accountId = await createAccount(api, clientId, "trades");
    await deposit(api, accountId, "USDC", 100_000);
    const input = { accountId, instrument: "BTC-PERP", quantity: "0.01", price: "100000", tradeId: "race-1" };
    const results = await Promise.all(Array.from({ length: 100 }, () => api.gql(TRADE, { input })));
    expect(results.filter((r) => r.errors).map((r) => r.errors)).toEqual([]);
    expect(new Set(results.map((r) => JSON.stringify(r.data)))).toEqual(new Set([JSON.stringify({ recordTrade: { tradeId: "race-1", quantity: "0.01", price: "100000" } })]));
    const rows = await api.server.services.db.sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM "Trade" WHERE "tradeId" = 'race-1'`);
    expect(rows[0].n).toBe("1");
    expect((await api.ok(BOOK, { id: accountId })).account.positions).toEqual([{ quantity: "0.01" }]);
  });

  it("lets exactly 10 of 20 concurrent withdrawals of 10 from a balance of 100 through, leaving 0", async () => {
    const accountId = await createAccount(api, clientId, "cash");
    await deposit(api, accountId, "USDC", 100);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => api.gql(WITHDRAW, { input: { accountId, asset: "USDC", amount: "10" } })),
    );
    const codes = results.map((r) => r.errors?.[0].extensions?.code ?? "OK");
    expect(codes.filter((c) => c === "OK")).toHaveLength(10);
    expect(codes.filter((c) => c !== "OK")).toEqual(Array(10).fill("INSUFFICIENT_MARGIN"));
    expect((await api.ok(BOOK, { id: accountId })).account.balances).toEqual([{ asset: "USDC", amount: "0" }]);
  });

  it("never lets concurrent withdrawals take equity below initial margin", async () => {
    // 3 000 USDC, long 1 BTC perp at 100 000: IM = 0.02 · 100 000 = 2 000, so 1 000 is free:
    // of 20 concurrent withdrawals of 100, exactly 10 fit.
    const accountId = await createAccount(api, clientId, "margined");
    await deposit(api, accountId, "USDC", 3000);
    await trade(api, accountId, "BTC-PERP", 1, 100_000);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => api.gql(WITHDRAW, { input: { accountId, asset: "USDC", amount: "100" } })),
    );
    const codes = results.map((r) => r.errors?.[0].extensions?.code ?? "OK");
    expect(codes.filter((c) => c === "OK")).toHaveLength(10);
    expect(codes.filter((c) => c !== "OK")).toEqual(Array(10).fill("INSUFFICIENT_MARGIN"));
    const { account } = await api.ok(BOOK, { id: accountId });
    expect(account.balances).toEqual([{ asset: "USDC", amount: "2000" }]);
    expect(account.equity).toBeGreaterThanOrEqual(account.margin.initial);
  });

  it("keeps every balance equal to the sum of its ledger entries after concurrent mixed writes", async () => {
    const accountId = await createAccount(api, clientId, "mixed");
    await deposit(api, accountId, "USDC", 1000);
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0
          ? api.gql(`mutation($input: DepositInput!) { deposit(input: $input) { id } }`, { input: { accountId, asset: "USDC", amount: "7", idempotencyKey: `mix-${i % 10}` } })
          : api.gql(WITHDRAW, { input: { accountId, asset: "USDC", amount: "60" } }),
      ),
    );
    const rows = await api.server.services.db.sql.query<{ balance: string; ledger: string }>(
      `SELECT b.amount::text AS balance, (SELECT sum(amount) FROM "LedgerEntry" l WHERE l."accountId" = b."accountId" AND l.asset = b.asset)::text AS ledger
       FROM "Balance" b WHERE b."accountId" = $1`,
      [accountId],
    );
    expect(Number(rows[0].balance)).toBe(Number(rows[0].ledger));
    expect(Number(rows[0].balance)).toBeGreaterThanOrEqual(0);
  });
});
