import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { nextLevel, plainLevel } from "../../src/engine/index.js";
import { createAccount, createClient, createInstrument, deposit, leveragedBtcAccount, setMarket, trade } from "../support/books.js";
import { createTestDatabase, TEST_DB, type TestDatabase } from "../support/testDatabase.js";
import { startTestServer, startTwoInstances, TEST_REDIS_URL, type TestServer } from "../support/testServer.js";
import { subscribe } from "../support/wsClient.js";

const FEED = `subscription { marginCalls { sequence accountId portfolioId previousLevel level } }`;
type Event = { marginCalls: { sequence: number; accountId: string | null; portfolioId: string | null; previousLevel: string; level: string } };
const WITHDRAW = `mutation($a: ID!, $k: String) { withdraw(input: { accountId: $a, asset: "USDC", amount: "1000", idempotencyKey: $k }) { id } }`;
const EVENTS = `query($id: ID) { marginCalls(accountId: $id, first: 500) { sequence accountId portfolioId previousLevel level } }`;

/** Long 1 BTC perp at 100 000 on `cash` USDC (mmr 0.01): ρ(P) = 0.01·P / (cash + P − 100 000). */
const ratioAt = (cash: number, spot: number) => (0.01 * spot) / (cash + spot - 100_000);

describe(`alert integrity on ${TEST_DB}`, () => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer();
    await setMarket(api, "BTC", 100_000);
    await setMarket(api, "SOL", 200);
    await createInstrument(api, { symbol: "BTC-PERP", kind: "PERPETUAL", underlying: "BTC" });
  }, 120_000);
  afterAll(async () => api?.close());

  it("lets only one of two concurrent withdrawals from portfolio members through when both would breach the pool's initial margin", async () => {
    // Pool: 1 500 + 1 500 USDC and a long 0.98 BTC perp at the mark: equity 3 000, IM 0.02 · 98 000 = 1 960.
    const clientId = await createClient(api, "Pool");
    const [a, b, c] = [await createAccount(api, clientId, "a"), await createAccount(api, clientId, "b"), await createAccount(api, clientId, "c")];
    await deposit(api, a, "USDC", 1500);
    await deposit(api, b, "USDC", 1500);
    await trade(api, c, "BTC-PERP", "0.98", 100_000);
    await api.ok(`mutation($c: ID!, $ids: [ID!]!) { createPortfolio(input: { clientId: $c, name: "pool", accountIds: $ids }) { id } }`, { c: clientId, ids: [a, b, c] });
    for (let round = 0; round < 8; round++) {
      const results = await Promise.all([api.gql(WITHDRAW, { a, k: `wa-${round}` }), api.gql(WITHDRAW, { a: b, k: `wb-${round}` })]);
      const codes = results.map((r) => r.errors?.[0]?.extensions?.code ?? "OK").sort();
      // Either order: the first leaves 2 000 ≥ 1 960, the second would leave 1 000 < 1 960.
      expect(codes).toEqual(["INSUFFICIENT_MARGIN", "OK"]);
      const winner = results[0].errors ? b : a;
      await deposit(api, winner, "USDC", 1000);
    }
  });

  it("keeps the riskiest-first order current after a tick that evaluates nothing, then ticks that reorder", async () => {
    const clientId = await createClient(api, "Order");
    const long = await createAccount(api, clientId, "long");
    const short = await createAccount(api, clientId, "short");
    await deposit(api, long, "USDC", 5000);
    await deposit(api, short, "USDC", 5000);
    await trade(api, long, "BTC-PERP", 1, 100_000);
    await trade(api, short, "BTC-PERP", -1, 100_000);
    await setMarket(api, "SOL", 201); // nobody here holds SOL
    const order = async () =>
      (await api.ok(`query($c: ID) { accounts(clientId: $c, orderBy: MARGIN_RATIO_DESC) { edges { node { id } } } }`, { c: clientId })).accounts.edges.map(
        (e: { node: { id: string } }) => e.node.id,
      );
    for (const [spot, riskiest] of [[97_000, long], [103_000, short], [98_000, long], [102_500, short]] as const) {
      await setMarket(api, "BTC", spot);
      expect((await order())[0]).toBe(riskiest);
    }
    await setMarket(api, "BTC", 100_000);
  });

  it("evaluates a portfolio once its members join, and its members raise no events of their own", async () => {
    const clientId = await createClient(api, "Members");
    const lev = await createAccount(api, clientId, "leveraged");
    const cash = await createAccount(api, clientId, "cash");
    await deposit(api, lev, "USDC", 10_000);
    await deposit(api, cash, "USDC", 10_000);
    await trade(api, lev, "BTC-PERP", 1, 100_000);
    const { createPortfolio } = await api.ok(
      `mutation($c: ID!, $ids: [ID!]!) { createPortfolio(input: { clientId: $c, name: "members", accountIds: $ids }) { id } }`,
      { c: clientId, ids: [lev, cash] },
    );
    // Alone, `leveraged` would be in MARGIN_CALL at 91 100 (ρ 0.828); pooled with 10 000 more it is not (911 / 11 100 = 0.082).
    await setMarket(api, "BTC", 91_100);
    expect((await api.ok(EVENTS, { id: lev })).marginCalls).toEqual([]);
    // At 81 000 the pool has 20 000 − 19 000 = 1 000 left against 810 of margin: ρ 0.81, MARGIN_CALL for the portfolio only.
    await setMarket(api, "BTC", 81_000);
    const events = (await api.ok(EVENTS, { id: lev })).marginCalls;
    expect(events.map((e: Event["marginCalls"]) => [e.accountId, e.portfolioId, e.previousLevel, e.level])).toEqual([
      [null, createPortfolio.id, "HEALTHY", "MARGIN_CALL"],
    ]);
    await setMarket(api, "BTC", 100_000);
  });
});

describe.runIf(TEST_DB === "postgres")("alert integrity across instances on PostgreSQL and Redis", () => {
  it("keeps two deployments on one Redis apart: a feed sees its own deployment's events only, all of them", async () => {
    const [db1, db2] = [await createTestDatabase(), await createTestDatabase()];
    const one = await startTestServer({ env: { REDIS_URL: TEST_REDIS_URL }, database: db1 });
    const two = await startTestServer({ env: { REDIS_URL: TEST_REDIS_URL }, database: db2 });
    try {
      await leveragedBtcAccount(one);
      const { accountId } = await leveragedBtcAccount(two);
      const feed = subscribe<Event>(two.url, FEED);
      await new Promise((r) => setTimeout(r, 300));
      // Deployment one runs far ahead in sequences: 6 events there before deployment two's first.
      for (const spot of [91_100, 92_000, 90_800, 92_000, 91_100, 92_000]) await setMarket(one, "BTC", spot);
      for (const spot of [91_100, 92_000, 90_800]) await setMarket(two, "BTC", spot);
      const events = await feed.waitFor(3);
      await new Promise((r) => setTimeout(r, 500));
      expect(feed.events).toHaveLength(3);
      expect(events.map((e) => [e.marginCalls.accountId, e.marginCalls.previousLevel, e.marginCalls.level])).toEqual([
        [accountId, "HEALTHY", "MARGIN_CALL"],
        [accountId, "MARGIN_CALL", "HEALTHY"],
        [accountId, "HEALTHY", "LIQUIDATION"],
      ]);
      await feed.close();
    } finally {
      await one.close();
      await two.close();
    }
  }, 120_000);

  it("stores, after two instances tick at once, the levels of the committed market, each change with one event", async () => {
    const instances = await startTwoInstances();
    const { a, b } = instances;
    try {
      const { clientId } = await leveragedBtcAccount(a, "Race");
      // At 98 900 every one of these is in LIQUIDATION (ρ ≥ 1.09), at 101 500 HEALTHY (ρ ≤ 0.34).
      const cashes = [1500, 1600, 1700, 1800, 1900, 2000];
      const ids: string[] = [];
      for (const cash of cashes) {
        const id = await createAccount(a, clientId, `race ${cash}`);
        await deposit(a, id, "USDC", cash);
        await trade(a, id, "BTC-PERP", 1, 100_000);
        ids.push(id);
      }
      const check = new pg.Client({ connectionString: a.database.databaseUrl! });
      await check.connect();
      try {
        for (let round = 0; round < 10; round++) {
          await Promise.all([setMarket(a, "BTC", 98_900), setMarket(b, "BTC", 101_500)]);
          await new Promise((r) => setTimeout(r, 300));
          const [{ spot }] = (await check.query(`SELECT spot::float8 AS spot FROM "MarketState" WHERE "underlyingId" = 'BTC'`)).rows;
          const rows = (await check.query(`SELECT id, "marginLevel" FROM "Account" WHERE id = ANY($1::uuid[])`, [ids])).rows;
          const stored = new Map(rows.map((r: { id: string; marginLevel: string }) => [r.id, r.marginLevel]));
          cashes.forEach((cash, i) => expect(stored.get(ids[i]), `round ${round} at ${spot}`).toBe(plainLevel(ratioAt(cash, spot))));
        }
        // Every change of stored level has exactly one event: the event chain of each unit is gapless and ends at its level.
        const events = (await check.query(`SELECT "accountId", "unitVersion", "previousLevel", level FROM "MarginCall" WHERE "accountId" = ANY($1::uuid[]) ORDER BY sequence`, [ids])).rows;
        for (const id of ids) {
          const chain = events.filter((e: { accountId: string }) => e.accountId === id);
          chain.forEach((e: { unitVersion: number; previousLevel: string }, i: number) => {
            expect(e.unitVersion).toBe(i + 1);
            expect(e.previousLevel).toBe(i === 0 ? "HEALTHY" : chain[i - 1].level);
          });
        }
      } finally {
        await check.end();
      }
    } finally {
      await instances.close();
    }
  }, 180_000);

  it("recovers after a crash between the market commit and its evaluation: levels and events of the committed market before it reports ready", async () => {
    const database: TestDatabase = await createTestDatabase();
    const first = await startTestServer({ database, keepDatabase: true });
    const { accountId } = await leveragedBtcAccount(first, "Crash");
    await first.close();
    // What a process killed right after updateMarket's commit leaves: the market and its change row, no evaluation.
    const db = new pg.Client({ connectionString: database.databaseUrl! });
    await db.connect();
    await db.query(`BEGIN`);
    await db.query(`UPDATE "MarketState" SET spot = 90800 WHERE "underlyingId" = 'BTC'`);
    await db.query(`INSERT INTO "BookChange" (version, accounts, portfolios, clients, instruments, underlyings)
                    SELECT COALESCE(MAX(version), 0) + 1, '{}', '{}', '{}', '{}', '{BTC}' FROM "BookChange"`);
    await db.query(`COMMIT`);
    await db.end();
    const second = await startTestServer({ database, keepDatabase: true });
    try {
      // ρ(90 800) = 908 / 800 = 1.135: LIQUIDATION, with its event, as soon as the server answers.
      const { marginCalls } = await second.ok(EVENTS, { id: accountId });
      expect(marginCalls.map((e: Event["marginCalls"]) => [e.previousLevel, e.level])).toEqual([["HEALTHY", "LIQUIDATION"]]);
      expect(nextLevel("LIQUIDATION", ratioAt(10_000, 90_800))).toBe("LIQUIDATION");
      // Back up right after the restart: the excursion's return is an event too.
      await setMarket(second, "BTC", 100_000);
      const after = await second.ok(EVENTS, { id: accountId });
      expect(after.marginCalls.map((e: Event["marginCalls"]) => e.level)).toEqual(["LIQUIDATION", "HEALTHY"]);
    } finally {
      await second.close();
      await database.drop();
    }
  }, 120_000);
});
