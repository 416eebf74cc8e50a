import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeMargin, liquidationPrices, unitGreeks, defaultModel } from "../../src/engine/index.js";
import { accountKey, portfolioKey } from "../../src/domain/book/book.types.js";
import type { WorkerPool } from "../../src/compute/workerPool.js";
import { mulberry32 } from "../../src/lib/mulberry32.js";
import { createAccount, createClient, createInstrument, deposit, leveragedBtcAccount, setMarket, trade } from "../support/books.js";
import { createApiKey } from "../support/apiKeys.js";
import { TEST_DB } from "../support/testDatabase.js";
import { startTestServer, startTwoInstances, type TestServer } from "../support/testServer.js";

const MARKET = `mutation($input: UpdateMarketInput!) { updateMarket(input: $input) { spot } }`;

describe(`the read model on ${TEST_DB}`, () => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer({ env: { SEED_DEMO: "true" } });
  }, 180_000);
  afterAll(async () => api?.close());

  /** Every unit of the book computed on demand, straight through the engine, against the view's entry. */
  function expectViewEqualsOnDemand() {
    const { readModel } = api.server.services;
    const { book, view } = readModel;
    const { market, params } = book.market;
    let units = 0;
    for (const account of book.allAccounts()) {
      const entry = view.get(accountKey(account.id))!;
      expect(entry.margin).toStrictEqual(computeMargin(account.input, market, params));
      expect(entry.greeks).toStrictEqual(unitGreeks(account.input, market));
      units++;
    }
    for (const portfolio of book.allPortfolios()) {
      const input = book.portfolioInput(portfolio);
      const entry = view.get(portfolioKey(portfolio.id))!;
      expect(entry.margin).toStrictEqual(computeMargin(input, market, params));
      expect(entry.greeks).toStrictEqual(unitGreeks(input, market));
      units++;
    }
    return units;
  }

  it("keeps a view equal, to the bit, to on-demand computation through random ticks and trades", async () => {
    const random = mulberry32(20261201);
    const { book } = api.server.services.readModel;
    expect(expectViewEqualsOnDemand()).toBeGreaterThan(30);
    for (let round = 0; round < 12; round++) {
      const underlying = ["BTC", "ETH", "SOL"][Math.floor(random() * 3)];
      const quote = book.market.market.quotes.get(underlying)!;
      // Relative moves of up to ±8 %, vol ±20 %, a few hours forward: every unit exposed is re-evaluated.
      await api.ok(MARKET, {
        input: {
          underlying,
          spot: Number((quote.spot * (1 + (random() - 0.5) * 0.16)).toFixed(6)),
          volatility: Number((quote.volatility * (1 + (random() - 0.5) * 0.4)).toFixed(6)),
          asOf: new Date(quote.asOfMs! + Math.floor(random() * 6) * 3_600_000).toISOString(),
        },
      });
      if (round % 3 === 2) {
        const accounts = book.allAccounts().filter((a) => a.marginMode !== "ISOLATED");
        const account = accounts[Math.floor(random() * accounts.length)];
        await trade(api, account.id, "BTC-PERP", random() < 0.5 ? "0.1" : "-0.1", Math.round(book.market.market.quotes.get("BTC")!.spot));
      }
      expectViewEqualsOnDemand();
    }
  }, 180_000);

  it("computes liquidation points in a worker identical to the engine in this thread", async () => {
    const { readModel } = api.server.services;
    const { book, view } = readModel;
    const { market, params } = book.market;
    for (const account of book.allAccounts().slice(0, 12)) {
      const entry = view.get(accountKey(account.id))!;
      expect(await readModel.liquidationOf(entry)).toStrictEqual(liquidationPrices(account.input, market, params, defaultModel(account.marginMode)));
    }
  });

  it("answers risk reads from memory, riskiest first, with the view's ratios", async () => {
    const data = await api.ok(`{ accounts(first: 500, orderBy: MARGIN_RATIO_DESC) { edges { node { id margin { ratio maintenance } } } } }`);
    const { view } = api.server.services.readModel;
    const ratios = data.accounts.edges.map((e: { node: { id: string } }) => view.get(accountKey(e.node.id))!.ratio);
    expect(ratios).toStrictEqual([...ratios].sort((a, b) => b - a));
    for (const { node } of data.accounts.edges) expect(node.margin.maintenance).toBe(view.get(accountKey(node.id))!.margin.maintenance);
  });
});

describe(`repeated reads on ${TEST_DB}`, () => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer();
  }, 120_000);
  afterAll(async () => api?.close());

  it("answers a repeated read from the same state only: a write moves it on, and another caller's visibility is its own", async () => {
    const { clientId, accountId } = await leveragedBtcAccount(api);
    const otherClient = await createClient(api, "Other");
    const own = await createApiKey(api, "CLIENT", clientId);
    const other = await createApiKey(api, "CLIENT", otherClient);
    const READ = `query($id: ID!) { account(id: $id) { equity balances { amount } } }`;
    const before = await api.ok(READ, { id: accountId });
    expect(await api.ok(READ, { id: accountId })).toStrictEqual(before);
    expect(before.account.equity).toBe(10_000);
    await deposit(api, accountId, "USDC", 250);
    expect((await api.ok(READ, { id: accountId })).account).toStrictEqual({ equity: 10_250, balances: [{ amount: "10250" }] });
    // The same document from a key that may not see the account: absent, however often the admin asked.
    expect((await api.ok(READ, { id: accountId }, other.secret)).account).toBeNull();
    expect((await api.ok(READ, { id: accountId }, own.secret)).account.equity).toBe(10_250);
    await setMarket(api, "BTC", 101_000);
    expect((await api.ok(READ, { id: accountId }, own.secret)).account.equity).toBe(11_250);
  });
});

describe(`engine workers on ${TEST_DB}`, () => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer();
  }, 120_000);
  afterAll(async () => api?.close());

  it("re-evaluates a tick whose worker died mid-evaluation: its margin call is stored and published exactly once", async () => {
    const { accountId } = await leveragedBtcAccount(api);
    const pool = api.server.services.compute as WorkerPool;
    const tick = setMarket(api, "BTC", 91_100); // HEALTHY → MARGIN_CALL (ρ = 911 / 1 100 = 0.828)
    await pool.recycle();
    await tick;
    const { marginCalls } = await api.ok(`query($id: ID) { marginCalls(accountId: $id) { previousLevel level ratio } }`, { id: accountId });
    expect(marginCalls).toHaveLength(1);
    expect(marginCalls[0]).toMatchObject({ previousLevel: "HEALTHY", level: "MARGIN_CALL" });
    expect(Math.abs(marginCalls[0].ratio - 911 / 1100)).toBeLessThan(1e-12);
    // The replacement worker holds the whole book again: the next tick is evaluated there.
    await setMarket(api, "BTC", 92_000);
    const after = await api.ok(`query($id: ID!) { account(id: $id) { margin { ratio level } } }`, { id: accountId });
    expect(Math.abs(after.account.margin.ratio - 920 / 2000)).toBeLessThan(1e-12);
  });

  it("keeps every book valuable: refuses a trade or collateral on an underlying that has no market yet", async () => {
    await createInstrument(api, { symbol: "DOGE-PERP", kind: "PERPETUAL", underlying: "DOGE" }); // DOGE has no market
    const clientId = await createClient(api, "Unvalued");
    const accountId = await createAccount(api, clientId, "no market");
    await deposit(api, accountId, "USDC", 1000);
    const refused = await api.gql(`mutation($a: ID!) { recordTrade(input: { accountId: $a, instrument: "DOGE-PERP", quantity: 100, price: "0.3", tradeId: "doge-1" }) { tradeId } }`, { a: accountId });
    expect(refused.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([["BAD_USER_INPUT", "a trade in DOGE-PERP needs a market for DOGE first (updateMarket)"]]);
    const page = await api.ok(`query($c: ID) { accounts(clientId: $c, orderBy: MARGIN_RATIO_DESC) { edges { node { equity positions { quantity } } } } }`, { c: clientId });
    expect(page.accounts.edges).toEqual([{ node: { equity: 1000, positions: [] } }]);
  });
});

describe.runIf(TEST_DB === "postgres")("two instances on PostgreSQL and Redis", () => {
  it("reads on instance B reflect every write just answered by instance A", async () => {
    const instances = await startTwoInstances();
    const { a, b } = instances;
    try {
      const { accountId } = await leveragedBtcAccount(a);
      const READ = `query($id: ID!) { account(id: $id) { equity balances { amount } margin { maintenance } positions { quantity } } }`;
      for (let i = 1; i <= 20; i++) {
        await deposit(a, accountId, "USDC", 100);
        const read = await b.ok(READ, { id: accountId });
        // 10 000 USDC + 100·i, long 1 BTC perp at the entry price: equity is the cash.
        expect(read.account.balances[0].amount).toBe(String(10_000 + 100 * i));
        expect(read.account.equity).toBe(10_000 + 100 * i);
      }
      await trade(a, accountId, "BTC-PERP", 1, 100_000);
      const read = await b.ok(READ, { id: accountId });
      expect(read.account.positions[0].quantity).toBe("2");
      expect(read.account.margin.maintenance).toBe(2 * 100_000 * 0.01);
    } finally {
      await instances.close();
    }
  }, 120_000);
});
