import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../support/apiKeys.js";
import { createAccount, createClient, createInstrument, deposit, setMarket } from "../support/books.js";
import { TEST_DB } from "../support/testDatabase.js";
import { ADMIN_TOKEN, startTestServer, type GraphQLResponse, type TestServer } from "../support/testServer.js";
import { wsRequest } from "../support/wsRequest.js";

const DAY_MS = 86_400_000;
const MARKET = `mutation($input: UpdateMarketInput!) { updateMarket(input: $input) { asOf rate } }`;
const DEPOSIT = `mutation($input: DepositInput!) { deposit(input: $input) { balances { asset amount } } }`;
const codes = (result: { errors?: { extensions?: { code?: string } }[] }) => result.errors?.map((e) => e.extensions?.code);

/** Input at the edge of what the API can hold: market data, decimals, numbers, ids and variables. */
describe(`input at the edges on ${TEST_DB}`, () => {
  let api: TestServer;
  let clientId: string;
  let accountId: string;
  let clientKey: string;

  /** POSTs a body written by hand, so JSON numbers reach the server as typed. */
  async function postRaw(body: string): Promise<GraphQLResponse> {
    const response = await fetch(api.url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` }, body });
    return { status: response.status, ...((await response.json()) as object) };
  }

  const balance = async (asset: string) =>
    (await api.ok(`query($id: ID!) { account(id: $id) { balances { asset amount } } }`, { id: accountId })).account.balances.find((b: { asset: string }) => b.asset === asset)?.amount;

  beforeAll(async () => {
    api = await startTestServer();
    await setMarket(api, "BTC", 100_000);
    await setMarket(api, "ETH", 3_000);
    await createInstrument(api, { symbol: "ETH-27JUN25", kind: "FUTURE", underlying: "ETH", expiry: "2025-06-27T08:00:00Z" });
    clientId = await createClient(api, "Edges");
    accountId = await createAccount(api, clientId, "main");
    clientKey = (await createApiKey(api, "CLIENT", clientId)).secret;
  });

  afterAll(async () => {
    await api?.close();
  });

  describe("market data that keeps the whole book valid", () => {
    const update = (input: Record<string, unknown>) => api.gql(MARKET, { input: { underlying: "ETH", spot: 3_000, ...input } });

    it("refuses an asOf beyond the configured window ahead of now, naming it", async () => {
      const result = await update({ asOf: "2031-06-01T00:00:00Z" });
      expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors?.[0].message).toMatch(/asOf \(2031-06-01T00:00:00\.000Z\)/);
      const soon = new Date(Date.now() + 8 * DAY_MS).toISOString();
      expect(codes(await update({ asOf: soon }))).toEqual(["BAD_USER_INPUT"]);
    });

    it("refuses an asOf of year 1 and a rate of 1 (futures marks would overflow)", async () => {
      const result = await update({ asOf: "0001-01-01T00:00:00Z", rate: 1 });
      expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors?.[0].message).toMatch(/asOf \(0001-01-01T00:00:00\.000Z\)|rate \(1\)/);
      expect(codes(await update({ rate: 1 }))).toEqual(["BAD_USER_INPUT"]);
      expect((await update({ rate: -0.6 })).errors?.[0].message).toMatch(/rate \(-0\.6\) must be between -0\.5 and 0\.5/);
    });

    it("refuses a rate whose carry to the latest expiry is out of bounds", async () => {
      // ETH-27JUN25 expires 8.5 years after 2017-01-01: 0.5 × 8.5 > 2.
      const result = await update({ asOf: "2017-01-01T00:00:00Z", rate: 0.5 });
      expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors?.[0].message).toMatch(/rate \(0\.5\) × 8\.\d+ years to ETH-27JUN25's expiry/);
      // The rate is kept from the state before when omitted: back-dating alone is checked with it.
      await api.ok(MARKET, { input: { underlying: "ETH", spot: 3_000, rate: 0.3, asOf: "2025-01-01T00:00:00Z" } });
      expect(codes(await update({ asOf: "2017-01-01T00:00:00Z" }))).toEqual(["BAD_USER_INPUT"]);
      await api.ok(MARKET, { input: { underlying: "ETH", spot: 3_000, rate: 0, asOf: "2025-01-01T00:00:00Z" } });
    });

    it("accepts replays of the bundled history from its first day, and now", async () => {
      expect((await api.ok(MARKET, { input: { underlying: "BTC", spot: 998, rate: 0.05, asOf: "2017-01-01T00:00:00Z" } })).updateMarket.asOf).toBe("2017-01-01T00:00:00.000Z");
      await api.ok(MARKET, { input: { underlying: "BTC", spot: 100_000, asOf: new Date().toISOString() } });
      await setMarket(api, "BTC", 100_000);
    });
  });

  describe("decimals", () => {
    it("refuses a deposit beyond Decimal(38,18) with BAD_USER_INPUT", async () => {
      for (const amount of ["100000000000000000000", "1e20", "0.0000000000000000001"]) {
        const result = await api.gql(DEPOSIT, { input: { accountId, asset: "USDT", amount } });
        expect(codes(result), amount).toEqual(["BAD_USER_INPUT"]);
      }
      await deposit(api, accountId, "USDT", "99999999999999999999.999999999999999999");
      const overflow = await api.gql(DEPOSIT, { input: { accountId, asset: "USDT", amount: "1" } });
      expect(codes(overflow)).toEqual(["BAD_USER_INPUT"]);
      expect(await balance("USDT")).toBe("99999999999999999999.999999999999999999");
    });

    it("refuses a JSON number a double cannot hold as sent, pointing to the decimal string", async () => {
      const amount = "12345678901234567890.123456789012345678";
      const query = JSON.stringify(DEPOSIT);
      const result = await postRaw(`{"query": ${query}, "variables": {"input": {"accountId": "${accountId}", "asset": "ETH", "amount": ${amount}}}}`);
      expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors?.[0].message).toMatch(/decimal string/);
      expect(await balance("ETH")).toBeUndefined();
      // The same amount as a decimal string is credited exactly; ordinary JSON numbers still pass.
      await deposit(api, accountId, "ETH", amount);
      await postRaw(`{"query": ${query}, "variables": {"input": {"accountId": "${accountId}", "asset": "ETH", "amount": 0.25}}}`);
      expect(await balance("ETH")).toBe("12345678901234567890.373456789012345678");
    });
  });

  describe("ids", () => {
    it("reads the caller's own account by its id in upper case", async () => {
      const upper = accountId.toUpperCase();
      expect((await api.ok(`query($id: ID!) { account(id: $id) { id } }`, { id: upper }, clientKey)).account).toEqual({ id: accountId });
      expect((await api.ok(`query($c: ID) { accounts(clientId: $c) { totalCount } }`, { c: clientId.toUpperCase() })).accounts.totalCount).toBe(1);
      expect((await wsRequest(api.url, `{ whatIf(accountId: "${upper}", trades: []) { equity } }`, clientKey)).errors).toBeUndefined();
      await api.ok(DEPOSIT, { input: { accountId: upper, asset: "USDC", amount: "5" } });
      expect(await balance("USDC")).toBe("5");
    });
  });

  describe("variables over WebSocket", () => {
    it("answers a bad enum and a wrong-typed variable with BAD_USER_INPUT, as HTTP does", async () => {
      const cases: [string, Record<string, unknown>][] = [
        [`query($t: OptionType!) { optionQuote(input: { optionType: $t, spot: 1, strike: 1, timeToExpiry: 1, volatility: 0.2 }) { price } }`, { t: "CAL" }],
        [`query($id: ID!) { account(id: $id) { id } }`, { id: { nested: true } }],
        [`query($first: Int) { accounts(first: $first) { totalCount } }`, { first: "ten" }],
      ];
      for (const [query, variables] of cases) {
        const http = await api.gql(query, variables);
        const ws = await wsRequest(api.url, query, ADMIN_TOKEN, variables);
        expect(codes(http), query).toEqual(["BAD_USER_INPUT"]);
        expect(codes(ws), query).toEqual(codes(http));
      }
    });
  });
});
