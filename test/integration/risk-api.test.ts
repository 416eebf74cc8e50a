import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../../src/generated/prisma/client.js";
import { createAccount, createClient, createInstrument, deposit, setMarket, trade } from "../support/books.js";
import { TEST_DB } from "../support/testDatabase.js";
import { startTestServer, type TestServer } from "../support/testServer.js";

/** |actual − expected| ≤ tol, with the numbers in the message. */
function near(actual: number | null, expected: number, tol: number, label: string) {
  expect(actual, `${label}: expected ${expected} ± ${tol}, got ${actual}`).not.toBeNull();
  expect(Math.abs(actual! - expected), `${label}: expected ${expected} ± ${tol}, got ${actual}`).toBeLessThanOrEqual(tol);
}

const RISK = `query($id: ID!) { account(id: $id) {
  equity
  margin { model initial maintenance available ratio level }
  greeks { underlying delta deltaUsd gamma vega theta }
  liquidation { underlying spot lowerPrice upperPrice distance } } }`;

describe(`risk through the API on ${TEST_DB}`, () => {
  let api: TestServer;
  let clientId: string;

  /** A CROSS account with 10 000 USDC and one BTC perp position at 100 000. */
  async function perpBook(symbol: string, quantity: number, mode = "CROSS") {
    const id = await createAccount(api, clientId, `${symbol} ${quantity}`, mode);
    await deposit(api, id, "USDC", 10_000);
    await trade(api, id, symbol, quantity, 100_000);
    return id;
  }

  beforeAll(async () => {
    api = await startTestServer();
    await setMarket(api, "BTC", 100_000, { volatility: 0.5, asOf: "2025-01-01T00:00:00Z" });
    await createInstrument(api, { symbol: "BTC-PERP", kind: "PERPETUAL", underlying: "BTC" });
    await createInstrument(api, { symbol: "BTC-PERP-MM04", kind: "PERPETUAL", underlying: "BTC", maintenanceMarginRate: 0.004 });
    await createInstrument(api, { symbol: "BTC-PERP-MM3", kind: "PERPETUAL", underlying: "BTC", initialMarginRate: 0.05, maintenanceMarginRate: 0.03 });
    for (const strike of [100_000, 110_000]) {
      await createInstrument(api, { symbol: `BTC-C-${strike}`, kind: "OPTION", underlying: "BTC", expiry: "2025-04-01T00:00:00Z", strike, optionType: "CALL" });
    }
    clientId = await createClient(api, "Hand-worked");
  });

  afterAll(async () => {
    await api?.close();
  });

  it("gives the worked cross-margin numbers: 10 000 USDC, long 1 BTC perp at 100 000, mmr 0.4 %", async () => {
    const { account } = await api.ok(RISK, { id: await perpBook("BTC-PERP-MM04", 1) });
    // equity = 10 000 + 1·(100 000 − 100 000); IM = 100 000·0.02; MM = 100 000·0.004; ρ = 400/10 000
    near(account.equity, 10_000, 1e-6, "equity");
    expect(account.margin.model).toBe("STANDARD");
    near(account.margin.initial, 2_000, 1e-6, "initial");
    near(account.margin.maintenance, 400, 1e-6, "maintenance");
    near(account.margin.available, 8_000, 1e-6, "available");
    near(account.margin.ratio, 0.04, 1e-12, "ratio");
    expect(account.margin.level).toBe("HEALTHY");
    // 10 000 + (P − 100 000) = 0.004·P → P = 90 000/0.996 = 90 361.445…
    expect(account.liquidation).toHaveLength(1);
    near(account.liquidation[0].lowerPrice, 90_361.45, 0.01, "long liquidation");
    expect(account.liquidation[0].upperPrice).toBeNull();
    near(account.liquidation[0].distance, 90_000 / 0.996 / 100_000 - 1, 1e-9, "distance");
    expect(account.greeks).toEqual([{ underlying: "BTC", delta: 1, deltaUsd: 100_000, gamma: 0, vega: 0, theta: 0 }]);
  });

  it.each([
    ["BTC-PERP-MM04", -1, null, 109_561.75], // 110 000 − P = 0.004·P
    ["BTC-PERP-MM3", 1, 92_783.51, null], // 10 000 + P − 100 000 = 0.03·P
    ["BTC-PERP-MM3", -1, null, 106_796.12], // 110 000 − P = 0.03·P
  ])("liquidates %s × %d at the worked price", async (symbol, quantity, lower, upper) => {
    const { account } = await api.ok(RISK, { id: await perpBook(symbol, quantity) });
    const [point] = account.liquidation;
    if (lower === null) expect(point.lowerPrice).toBeNull();
    else near(point.lowerPrice, lower, 0.01, "lower");
    if (upper === null) expect(point.upperPrice).toBeNull();
    else near(point.upperPrice, upper, 0.01, "upper");
  });

  it("nets a portfolio's offsetting positions: less maintenance than its accounts' sum", async () => {
    const long = await perpBook("BTC-PERP", 1);
    const short = await perpBook("BTC-PERP", -1);
    const { createPortfolio } = await api.ok(
      `mutation($input: CreatePortfolioInput!) { createPortfolio(input: $input) { id accounts { id margin { maintenance } } margin { maintenance } equity } }`,
      { input: { clientId, name: "netted", accountIds: [long, short] } },
    );
    const sum = createPortfolio.accounts.reduce((s: number, a: { margin: { maintenance: number } }) => s + a.margin.maintenance, 0);
    near(sum, 2_000, 1e-6, "sum of standalone MM (2 × 100 000 × 0.01)");
    near(createPortfolio.margin.maintenance, 0, 1e-9, "netted MM (position nets to zero)");
    near(createPortfolio.equity, 20_000, 1e-6, "pooled equity");
  });

  it("needs far less PORTFOLIO than STANDARD margin for a delta-hedged option spread", async () => {
    const id = await createAccount(api, clientId, "spread", "PORTFOLIO");
    await deposit(api, id, "USDC", 100_000);
    await trade(api, id, "BTC-C-100000", 10, 10_000);
    await trade(api, id, "BTC-C-110000", -10, 6_000);
    const { account } = await api.ok(`query($id: ID!) { account(id: $id) { greeks { delta }
      p: margin { model maintenance } s: margin(model: STANDARD) { model maintenance } } }`, { id });
    // Hedge the spread's delta with the perp, rounded to 0.001 BTC.
    await trade(api, id, "BTC-PERP", (-account.greeks[0].delta).toFixed(3), 100_000);
    const hedged = (await api.ok(`query($id: ID!) { account(id: $id) { greeks { delta }
      p: margin { model maintenance } s: margin(model: STANDARD) { maintenance } } }`, { id })).account;
    expect(Math.abs(hedged.greeks[0].delta)).toBeLessThan(0.001);
    expect(hedged.p.model).toBe("PORTFOLIO");
    // STANDARD charges the short calls 10·S·7.5 % = 75 000 however the spread is hedged.
    expect(hedged.s.maintenance).toBeGreaterThan(75_000);
    expect(hedged.p.maintenance).toBeLessThan(0.5 * hedged.s.maintenance);
  });

  it("answers whatIf with the worked numbers and writes nothing", async () => {
    const id = await createAccount(api, clientId, "what-if");
    await deposit(api, id, "USDC", 10_000);
    const prisma = api.server.services.db.prisma;
    const counts = () => Promise.all([prisma.trade.count(), prisma.position.count(), prisma.balance.count(), prisma.ledgerEntry.count(), prisma.marginCall.count()]);
    const before = await counts();
    const balancesBefore = await prisma.balance.findMany({ orderBy: [{ accountId: "asc" }, { asset: "asc" }] });
    const { whatIf } = await api.ok(`query($id: ID!, $trades: [TradeInput!]!) { whatIf(accountId: $id, trades: $trades) {
      equity margin { initial maintenance } liquidation { lowerPrice } } }`, {
      id, trades: [{ instrument: "BTC-PERP-MM04", quantity: "1" }],
    });
    near(whatIf.equity, 10_000, 1e-6, "equity (price defaults to the mark 100 000)");
    near(whatIf.margin.maintenance, 400, 1e-6, "maintenance");
    near(whatIf.liquidation[0].lowerPrice, 90_361.45, 0.01, "liquidation");
    expect(await counts()).toEqual(before);
    expect(await prisma.balance.findMany({ orderBy: [{ accountId: "asc" }, { asset: "asc" }] })).toEqual(balancesBefore);
  });

  it("replays named crash days on a one-position book, worked from the bundled closes", async () => {
    const id = await perpBook("BTC-PERP", 1);
    const STRESS = `query($id: ID!, $s: StressScenarioInput!) { stressTest(accountId: $id, scenario: $s) { pnl equity maintenance ratio level } }`;
    // FTX: BTC 20 597.75502 (2022-11-08) → 15 742.44434 (2022-11-10); P&L = 100 000·(15 742.44434/20 597.75502 − 1)
    const ftxMove = 15_742.44434 / 20_597.75502 - 1;
    const ftx = (await api.ok(STRESS, { id, s: { name: "FTX_2022" } })).stressTest;
    near(ftx.pnl, 100_000 * ftxMove, 1e-6, "FTX P&L");
    near(ftx.equity, 10_000 + 100_000 * ftxMove, 1e-6, "FTX equity");
    near(ftx.maintenance, 0.01 * 100_000 * (1 + ftxMove), 1e-6, "FTX maintenance");
    expect(ftx.ratio).toBeNull(); // equity −13 572 ≤ 0
    expect(ftx.level).toBe("LIQUIDATION");
    // COVID: 7 935.52204 → 5 142.990459
    const covid = (await api.ok(STRESS, { id, s: { name: "COVID_2020" } })).stressTest;
    near(covid.pnl, 100_000 * (5_142.990459 / 7_935.52204 - 1), 1e-6, "COVID P&L");
    // Custom: −5 % → equity 5 000, MM 950, ρ 0.19
    const custom = (await api.ok(STRESS, { id, s: { shocks: [{ underlying: "BTC", spotMove: -0.05 }] } })).stressTest;
    near(custom.pnl, -5_000, 1e-6, "custom P&L");
    near(custom.ratio, 950 / 5_000, 1e-12, "custom ratio");
    expect(custom.level).toBe("HEALTHY");
    const unknown = await api.gql(STRESS, { id, s: { name: "NOPE" } });
    expect(unknown.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("refuses a withdrawal that would leave equity below initial margin", async () => {
    const id = await perpBook("BTC-PERP", 1); // equity 10 000, IM 2 000
    const WITHDRAW = `mutation($input: WithdrawInput!) { withdraw(input: $input) { balances { asset amount } } }`;
    const refused = await api.gql(WITHDRAW, { input: { accountId: id, asset: "USDC", amount: "8000.01" } });
    expect(refused.errors?.[0].extensions?.code).toBe("INSUFFICIENT_MARGIN");
    const { withdraw } = await api.ok(WITHDRAW, { input: { accountId: id, asset: "USDC", amount: "8000" } });
    expect(withdraw.balances).toEqual([{ asset: "USDC", amount: "2000" }]);
  });

  it("lists accounts riskiest first across cursor pages, matching their live margin ratios", async () => {
    // Spread the ratios further: three short perps on 10 000 USDC (ρ 0.3), and an empty account.
    await perpBook("BTC-PERP", -3);
    await createAccount(api, clientId, "empty");
    const PAGE = `query($after: String) { accounts(first: 3, after: $after, orderBy: MARGIN_RATIO_DESC) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { id margin { ratio level } } } } }`;
    const seen: { id: string; ratio: number | null; level: string }[] = [];
    let after: string | null = null;
    let total = 0;
    do {
      const { accounts }: { accounts: any } = await api.ok(PAGE, { after });
      total = accounts.totalCount;
      seen.push(...accounts.edges.map((e: { node: { id: string; margin: { ratio: number | null; level: string } } }) => ({ id: e.node.id, ...e.node.margin })));
      after = accounts.pageInfo.hasNextPage ? accounts.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toHaveLength(total);
    expect(new Set(seen.map((s) => s.id)).size).toBe(total);
    // Under water (null ratio, ∞) first, then descending; an empty account (nothing owed) ranks as 0.
    const rank = (s: { ratio: number | null; level: string }) => s.ratio ?? (s.level === "HEALTHY" ? 0 : Infinity);
    for (let i = 1; i < seen.length; i++) expect(rank(seen[i - 1]) + 1e-12).toBeGreaterThanOrEqual(rank(seen[i]));
  });

  it("reads a page of accounts with positions and risk from memory: no SQL statement however large the page", async () => {
    const prisma = api.server.services.db.prisma;
    const [perp] = await prisma.instrument.findMany({ where: { symbol: "BTC-PERP" } });
    const bulk = await prisma.client.create({ data: { name: "bulk" } });
    const ids = Array.from({ length: 110 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
    await prisma.account.createMany({ data: ids.map((id, i) => ({ id, clientId: bulk.id, name: `bulk ${i}`, marginMode: "CROSS" as const })) });
    await prisma.balance.createMany({ data: ids.map((accountId) => ({ accountId, asset: "USDC", amount: new Prisma.Decimal(50_000) })) });
    await prisma.position.createMany({
      data: ids.map((accountId, i) => ({ accountId, instrumentId: perp.id, quantity: new Prisma.Decimal(i % 2 ? 1 : -1), averagePrice: new Prisma.Decimal(100_000) })),
    });
    // Rows written behind the ledger's back: a full pass reloads the book from the database.
    await api.server.services.readModel.refreshAll();
    const PAGE = `query($n: Int) { accounts(first: $n) { edges { node { positions { instrument { symbol } } margin { maintenance } greeks { delta } liquidation { distance } } } } }`;
    const statements = async (n: number) => {
      const before = api.server.services.db.statementCount();
      const data = await api.ok(PAGE, { n });
      expect(data.accounts.edges).toHaveLength(n);
      return api.server.services.db.statementCount() - before;
    };
    expect(await statements(10)).toBe(0);
    expect(await statements(100)).toBe(0);
  });
});
