import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../support/apiKeys.js";
import { createAccount, createClient, deposit, leveragedBtcAccount, setMarket } from "../support/books.js";
import { TEST_DB } from "../support/testDatabase.js";
import { ADMIN_TOKEN, startTestServer, type GraphQLResponse, type TestServer } from "../support/testServer.js";
import { subscribe } from "../support/wsClient.js";

/**
 * Who may do what, one row per path: every query (and nested fields reaching another
 * client's rows) and every mutation, for each role. The data under test belongs to client
 * A; CLIENT_OWN is a key of client A, CLIENT_OTHER a key of client B. "hidden" means the
 * answer is exactly what the same request gets for ids that do not exist (null, an empty
 * list or NOT_FOUND), so a CLIENT key cannot even learn that the rows exist.
 */
type Role = "ADMIN" | "RISK" | "CLIENT_OWN" | "CLIENT_OTHER";
type Outcome = "allowed" | "hidden" | "forbidden";
const ROLES: Role[] = ["ADMIN", "RISK", "CLIENT_OWN", "CLIENT_OTHER"];

interface Ids {
  clientA: string;
  accountA: string;
  memberA: string;
  portfolioA: string;
  clientB: string;
  accountB: string;
}
type Data = Record<string, any>;

interface Case {
  name: string;
  query: string;
  variables?: (ids: Ids) => Record<string, unknown>;
  access: Record<Role, Outcome>;
  /** What an allowed answer must show (role-aware for unfiltered lists). */
  check?: (data: Data, ids: Ids, role: Role) => void;
}

const READ_OWN: Record<Role, Outcome> = { ADMIN: "allowed", RISK: "allowed", CLIENT_OWN: "allowed", CLIENT_OTHER: "hidden" };
const PUBLIC: Record<Role, Outcome> = { ADMIN: "allowed", RISK: "allowed", CLIENT_OWN: "allowed", CLIENT_OTHER: "allowed" };
const ADMIN_ONLY: Record<Role, Outcome> = { ADMIN: "allowed", RISK: "forbidden", CLIENT_OWN: "forbidden", CLIENT_OTHER: "forbidden" };
const MARKET_WRITE: Record<Role, Outcome> = { ADMIN: "allowed", RISK: "allowed", CLIENT_OWN: "forbidden", CLIENT_OTHER: "forbidden" };
const DESK_READ = MARKET_WRITE;

const nodeIds = (data: Data) => data.accounts.edges.map((e: { node: { id: string } }) => e.node.id);
const unique = () => randomUUID().slice(0, 8);

const QUERIES: Case[] = [
  {
    name: "account(id)",
    query: `query($id: ID!) { account(id: $id) { id clientId name marginMode portfolioId } }`,
    variables: (ids) => ({ id: ids.accountA }),
    access: READ_OWN,
    check: (data, ids) => expect(data.account).toMatchObject({ id: ids.accountA, clientId: ids.clientA }),
  },
  {
    name: "account(id) balances and positions",
    query: `query($id: ID!) { account(id: $id) { balances { asset amount } positions { quantity averagePrice instrument { symbol } } } }`,
    variables: (ids) => ({ id: ids.accountA }),
    access: READ_OWN,
    check: (data) => expect(data.account.positions).toHaveLength(1),
  },
  {
    name: "account(id) risk fields",
    query: `query($id: ID!) { account(id: $id) { equity margin { ratio level } greeks { underlying delta } liquidation { underlying lowerPrice } valueAtRisk(lookbackDays: 30) { value } } }`,
    variables: (ids) => ({ id: ids.accountA }),
    access: READ_OWN,
    check: (data) => expect(data.account.equity).toBeGreaterThan(0),
  },
  {
    name: "account(id) → client, portfolio → accounts",
    query: `query($id: ID!) { account(id: $id) { client { id name } portfolio { id accounts { id clientId } } } }`,
    variables: (ids) => ({ id: ids.memberA }),
    access: READ_OWN,
    check: (data, ids) => {
      expect(data.account.client.id).toBe(ids.clientA);
      expect(data.account.portfolio.accounts.map((a: { clientId: string }) => a.clientId)).toEqual([ids.clientA]);
    },
  },
  {
    name: "accounts(clientId)",
    query: `query($c: ID) { accounts(clientId: $c, first: 50) { totalCount edges { node { id clientId } } pageInfo { hasNextPage } } }`,
    variables: (ids) => ({ c: ids.clientA }),
    access: READ_OWN,
    check: (data, ids) => expect(nodeIds(data)).toEqual(expect.arrayContaining([ids.accountA, ids.memberA])),
  },
  {
    name: "accounts(clientId, orderBy: MARGIN_RATIO_DESC)",
    query: `query($c: ID) { accounts(clientId: $c, orderBy: MARGIN_RATIO_DESC) { totalCount edges { node { id } } } }`,
    variables: (ids) => ({ c: ids.clientA }),
    access: READ_OWN,
    check: (data, ids) => expect(nodeIds(data)).toContain(ids.accountA),
  },
  {
    name: "accounts() unfiltered → nested client and portfolio members",
    query: `{ accounts(first: 500) { totalCount edges { node { id clientId client { id } portfolio { id accounts { id clientId } } } } } }`,
    access: PUBLIC,
    check: (data, ids, role) => {
      const seen = nodeIds(data);
      if (role !== "CLIENT_OTHER") expect(seen).toContain(ids.accountA);
      if (role === "ADMIN" || role === "RISK") expect(seen).toContain(ids.accountB);
      if (role === "CLIENT_OWN") expect(seen).not.toContain(ids.accountB);
      expect(data.accounts.totalCount).toBe(seen.length);
    },
  },
  {
    name: "portfolio(id) → accounts with risk",
    query: `query($id: ID!) { portfolio(id: $id) { id name accounts { id clientId equity } equity margin { level } greeks { underlying } liquidation { underlying } } }`,
    variables: (ids) => ({ id: ids.portfolioA }),
    access: READ_OWN,
    check: (data, ids) => expect(data.portfolio.accounts.map((a: { id: string }) => a.id)).toEqual([ids.memberA]),
  },
  {
    name: "client(id)",
    query: `query($id: ID!) { client(id: $id) { id name } }`,
    variables: (ids) => ({ id: ids.clientA }),
    access: READ_OWN,
    check: (data, ids) => expect(data.client.id).toBe(ids.clientA),
  },
  {
    name: "whatIf(accountId)",
    query: `query($id: ID!) { whatIf(accountId: $id, trades: [{ instrument: "BTC-PERP", quantity: 1 }]) { equity margin { initial } } }`,
    variables: (ids) => ({ id: ids.accountA }),
    access: READ_OWN,
    check: (data) => expect(data.whatIf.margin.initial).toBeGreaterThan(0),
  },
  {
    name: "stressTest(accountId)",
    query: `query($id: ID!) { stressTest(accountId: $id, scenario: { shocks: [{ underlying: "BTC", spotMove: -0.1 }] }) { pnl level } }`,
    variables: (ids) => ({ id: ids.accountA }),
    access: READ_OWN,
    check: (data) => expect(data.stressTest.pnl).toBeLessThan(0),
  },
  {
    name: "marginCalls(accountId)",
    query: `query($id: ID) { marginCalls(accountId: $id) { sequence accountId level } }`,
    variables: (ids) => ({ id: ids.accountA }),
    access: READ_OWN,
    check: (data, ids) => expect(data.marginCalls.map((e: { accountId: string }) => e.accountId)).toContain(ids.accountA),
  },
  {
    name: "marginCalls() unfiltered",
    query: `{ marginCalls { sequence accountId portfolioId level } }`,
    access: PUBLIC,
    check: (data, ids, role) => {
      const accounts = data.marginCalls.map((e: { accountId: string }) => e.accountId);
      if (role === "CLIENT_OTHER") expect(accounts).not.toContain(ids.accountA);
      else expect(accounts).toContain(ids.accountA);
    },
  },
  { name: "optionQuote", query: `{ optionQuote(input: { optionType: PUT, spot: 100, strike: 90, timeToExpiry: 0.5, volatility: 0.6 }) { price } }`, access: PUBLIC },
  { name: "impliedVolatility", query: `{ impliedVolatility(input: { optionType: CALL, spot: 100, strike: 100, timeToExpiry: 1, price: 8 }) }`, access: PUBLIC },
  { name: "marketState", query: `{ marketState { underlying spot } }`, access: PUBLIC },
  { name: "instruments", query: `{ instruments { symbol } instrument(symbol: "BTC-PERP") { symbol } }`, access: PUBLIC },
  { name: "stressScenarios", query: `{ stressScenarios { name } }`, access: PUBLIC },
  {
    name: "settlements(accountId)",
    query: `query($id: ID) { settlements(accountId: $id) { accountId instrument amount } }`,
    variables: (ids) => ({ id: ids.accountA }),
    access: READ_OWN,
    check: (data) => expect(data.settlements).toEqual([]),
  },
  { name: "settlements() unfiltered", query: `{ settlements { accountId instrument amount } }`, access: PUBLIC },
  { name: "marketTicks", query: `{ marketTicks(underlying: "BTC", first: 5) { spot asOf } }`, access: DESK_READ },
  { name: "riskParameters", query: `{ riskParameters(underlying: "BTC") { version } riskParameterHistory(underlying: "BTC") { version } }`, access: PUBLIC },
  { name: "apiKeys", query: `{ apiKeys { id prefix role clientId } }`, access: ADMIN_ONLY },
  { name: "auditLog", query: `{ auditLog(first: 5) { edges { node { operation } } } }`, access: ADMIN_ONLY },
];

const MUTATIONS: Case[] = [
  { name: "createClient", query: `mutation($n: String!) { createClient(input: { name: $n }) { id } }`, variables: () => ({ n: `c-${unique()}` }), access: ADMIN_ONLY },
  {
    name: "createAccount",
    query: `mutation($c: ID!, $n: String!) { createAccount(input: { clientId: $c, name: $n, marginMode: CROSS }) { id } }`,
    variables: (ids) => ({ c: ids.clientA, n: `a-${unique()}` }),
    access: ADMIN_ONLY,
  },
  {
    name: "createPortfolio",
    query: `mutation($c: ID!, $ids: [ID!]!) { createPortfolio(input: { clientId: $c, name: "p", accountIds: $ids }) { id } }`,
    variables: (ids) => ({ c: ids.clientA, ids: [ids.accountA] }),
    access: ADMIN_ONLY,
  },
  {
    name: "deposit",
    query: `mutation($a: ID!) { deposit(input: { accountId: $a, asset: "USDC", amount: "1" }) { id } }`,
    variables: (ids) => ({ a: ids.memberA }),
    access: ADMIN_ONLY,
  },
  {
    name: "withdraw",
    query: `mutation($a: ID!) { withdraw(input: { accountId: $a, asset: "USDC", amount: "1" }) { id } }`,
    variables: (ids) => ({ a: ids.memberA }),
    access: ADMIN_ONLY,
  },
  {
    name: "createInstrument",
    query: `mutation($s: String!) { createInstrument(input: { symbol: $s, kind: PERPETUAL, underlying: "ETH" }) { symbol } }`,
    variables: () => ({ s: `ETH-${unique().toUpperCase()}` }),
    access: ADMIN_ONLY,
  },
  {
    name: "recordTrade",
    query: `mutation($a: ID!, $t: String!) { recordTrade(input: { accountId: $a, instrument: "BTC-PERP", quantity: "0.001", price: "100000", tradeId: $t }) { tradeId } }`,
    variables: (ids) => ({ a: ids.accountA, t: `iso-${unique()}` }),
    access: ADMIN_ONLY,
  },
  {
    name: "updateMarket",
    query: `mutation { updateMarket(input: { underlying: "ETH", spot: 3000, volatility: 0.6 }) { spot } }`,
    access: MARKET_WRITE,
  },
  {
    name: "updateMarkets",
    query: `mutation { updateMarkets(inputs: [{ underlying: "ETH", spot: 3000 }]) { spot } }`,
    access: MARKET_WRITE,
  },
  { name: "createApiKey", query: `mutation { createApiKey(input: { role: RISK }) { id } }`, access: ADMIN_ONLY },
  { name: "settleExpired", query: `mutation { settleExpired(underlying: "ETH") { accountId } }`, access: ADMIN_ONLY },
  { name: "setRiskParameters", query: `mutation { setRiskParameters(input: { underlying: "ETH", deltaRiskWeight: 0.2 }) { version } }`, access: ADMIN_ONLY },
  {
    name: "revokeApiKey",
    query: `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`,
    variables: () => ({ id: spareKeys.shift()! }),
    access: ADMIN_ONLY,
  },
];
/** Keys for revokeApiKey rows, one per role. */
const spareKeys: string[] = [];

/** Replaces each id of client A with a fresh UUID: the same request about rows that do not exist. */
function ghostOf(variables: Record<string, unknown>, ids: Ids): { variables: Record<string, unknown>; ghosts: Map<string, string> } {
  const ghosts = new Map([ids.clientA, ids.accountA, ids.memberA, ids.portfolioA].map((id) => [id, randomUUID()]));
  let text = JSON.stringify(variables);
  for (const [real, ghost] of ghosts) text = text.replaceAll(real, ghost);
  return { variables: JSON.parse(text), ghosts };
}

describe(`isolation matrix on ${TEST_DB}`, () => {
  let api: TestServer;
  let ids: Ids;
  const tokens = {} as Record<Role, string>;

  beforeAll(async () => {
    api = await startTestServer();
    await setMarket(api, "ETH", 3000);
    const lev = await leveragedBtcAccount(api, "A");
    const memberA = await createAccount(api, lev.clientId, "A member");
    await deposit(api, memberA, "USDC", 500);
    const portfolioA = (await api.ok(`mutation($c: ID!, $a: [ID!]!) { createPortfolio(input: { clientId: $c, name: "A pool", accountIds: $a }) { id } }`, {
      c: lev.clientId, a: [memberA],
    })).createPortfolio.id;
    const clientB = await createClient(api, "B");
    const accountB = await createAccount(api, clientB, "B main");
    ids = { clientA: lev.clientId, accountA: lev.accountId, memberA, portfolioA, clientB, accountB };
    // A margin call for account A: ρ = 0.01·91 000/1 000 = 0.91.
    await setMarket(api, "BTC", 91_000);
    tokens.ADMIN = ADMIN_TOKEN;
    tokens.RISK = (await createApiKey(api, "RISK")).secret;
    tokens.CLIENT_OWN = (await createApiKey(api, "CLIENT", ids.clientA)).secret;
    tokens.CLIENT_OTHER = (await createApiKey(api, "CLIENT", ids.clientB)).secret;
    for (const _ of ROLES) spareKeys.push((await createApiKey(api, "RISK")).id);
  });

  afterAll(async () => {
    await api?.close();
  });

  const rows = [...QUERIES, ...MUTATIONS].flatMap((c) => ROLES.map((role) => [c.name, role, c.access[role], c] as const));

  it.each(rows)("%s as %s: %s", async (_name, role, outcome, c) => {
    const variables = c.variables?.(ids) ?? {};
    const result = await api.gql(c.query, variables, tokens[role]);
    const context = JSON.stringify(result);
    expect(context).not.toMatch(/stack|\.ts:\d+|prisma|SELECT /i);
    if (outcome === "allowed") {
      expect(result.errors, context).toBeUndefined();
      c.check?.(result.data!, ids, role);
    } else if (outcome === "forbidden") {
      expect(result.errors?.map((e) => e.extensions?.code), context).toEqual(["FORBIDDEN"]);
      expect(Object.values(result.data ?? {}).every((v) => v === null), context).toBe(true);
    } else {
      await expectLikeAbsent(result, c, variables, tokens[role]);
    }
    if (role === "CLIENT_OTHER") {
      // Whatever the path, no id of client A's rows leaves in data.
      const data = JSON.stringify(result.data ?? null);
      for (const id of [ids.clientA, ids.accountA, ids.memberA, ids.portfolioA]) expect(data).not.toContain(id);
    }
  });

  async function expectLikeAbsent(result: GraphQLResponse, c: Case, variables: Record<string, unknown>, token: string) {
    const ghost = ghostOf(variables, ids);
    const absent = await api.gql(c.query, ghost.variables, token);
    let text = JSON.stringify(absent);
    for (const [real, fake] of ghost.ghosts) text = text.replaceAll(fake, real);
    expect(JSON.stringify(result)).toBe(text);
  }

  it("refuses a CLIENT key's subscription to another client's account like an unknown one, and allows its own", async () => {
    const query = `subscription($ids: [ID!]) { marginCalls(accountIds: $ids, afterSequence: 0) { sequence accountId } }`;
    const other = subscribe(api.url, query, { ids: [ids.accountA] }, tokens.CLIENT_OTHER);
    const ghost = subscribe(api.url, query, { ids: [randomUUID()] }, tokens.CLIENT_OTHER);
    const own = subscribe<{ marginCalls: { accountId: string } }>(api.url, query, { ids: [ids.accountA] }, tokens.CLIENT_OWN);
    try {
      await expect(other.waitFor(1, 5000)).rejects.toThrow(/NOT_FOUND/);
      await expect(ghost.waitFor(1, 5000)).rejects.toThrow(/NOT_FOUND/);
      expect((await own.waitFor(1))[0].marginCalls.accountId).toBe(ids.accountA);
    } finally {
      await Promise.all([other.close(), ghost.close(), own.close()]);
    }
  });

  it("left client A's book untouched by every refused write", async () => {
    const book = `query($a: ID!, $m: ID!) { a: account(id: $a) { balances { asset amount } positions { quantity } } m: account(id: $m) { balances { asset amount } } }`;
    const { a, m } = await api.ok(book, { a: ids.accountA, m: ids.memberA });
    // Only ADMIN's rows above wrote: its trade added 0.001; its deposit of 1 and withdrawal of 1 cancel out.
    expect(a).toEqual({ balances: [{ asset: "USDC", amount: "10000" }], positions: [{ quantity: "1.001" }] });
    expect(m.balances).toEqual([{ asset: "USDC", amount: "500" }]);
  });
});
