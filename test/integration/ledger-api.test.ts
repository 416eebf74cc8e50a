import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/testServer.js";
import { TEST_DB } from "../support/testDatabase.js";

const CREATE_CLIENT = `mutation($name: String!) { createClient(input: { name: $name }) { id name } }`;
const CREATE_ACCOUNT = `mutation($clientId: ID!, $name: String!, $mode: MarginMode!) {
  createAccount(input: { clientId: $clientId, name: $name, marginMode: $mode }) { id name clientId marginMode portfolioId } }`;
const DEPOSIT = `mutation($input: DepositInput!) { deposit(input: $input) { id balances { asset amount } } }`;
const WITHDRAW = `mutation($input: WithdrawInput!) { withdraw(input: $input) { id balances { asset amount } } }`;
const CREATE_INSTRUMENT = `mutation($input: CreateInstrumentInput!) { createInstrument(input: $input) { symbol kind underlying expiry strike optionType contractSize } }`;
const TRADE = `mutation($input: RecordTradeInput!) { recordTrade(input: $input) { tradeId quantity price realizedPnl } }`;
const ACCOUNT = `query($id: ID!) { account(id: $id) { id name balances { asset amount } positions { instrument { symbol } quantity averagePrice } } }`;

describe(`ledger over HTTP on ${TEST_DB}`, () => {
  let api: TestServer;
  let accountId: string;

  beforeAll(async () => {
    api = await startTestServer();
    await api.ok(`mutation { updateMarket(input: { underlying: "BTC", spot: 100000, volatility: 0.5, rate: 0, asOf: "2025-01-01T00:00:00Z" }) { spot } }`);
    const { createClient } = await api.ok(CREATE_CLIENT, { name: "Test Client" });
    const { createAccount } = await api.ok(CREATE_ACCOUNT, { clientId: createClient.id, name: "main", mode: "CROSS" });
    accountId = createAccount.id;
    expect(createAccount).toMatchObject({ name: "main", clientId: createClient.id, marginMode: "CROSS", portfolioId: null });
  });

  afterAll(async () => {
    await api?.close();
  });

  it("creates client, account, deposit, instrument and trades, then reads the book back", async () => {
    const { deposit } = await api.ok(DEPOSIT, { input: { accountId, asset: "USDC", amount: "10000", idempotencyKey: "dep-1" } });
    expect(deposit.balances).toEqual([{ asset: "USDC", amount: "10000" }]);
    const { createInstrument } = await api.ok(CREATE_INSTRUMENT, { input: { symbol: "BTC-PERP", kind: "PERPETUAL", underlying: "BTC" } });
    expect(createInstrument).toEqual({ symbol: "BTC-PERP", kind: "PERPETUAL", underlying: "BTC", expiry: null, strike: null, optionType: null, contractSize: 1 });

    // long 2 @ 100 000, add 1 @ 103 000 → avg 101 000; sell 1 @ 104 000 → realised 3 000.
    await api.ok(TRADE, { input: { accountId, instrument: "BTC-PERP", quantity: 2, price: "100000", tradeId: "t-1" } });
    await api.ok(TRADE, { input: { accountId, instrument: "BTC-PERP", quantity: "1", price: 103000, tradeId: "t-2" } });
    const { recordTrade } = await api.ok(TRADE, { input: { accountId, instrument: "BTC-PERP", quantity: "-1", price: "104000", tradeId: "t-3" } });
    expect(recordTrade).toEqual({ tradeId: "t-3", quantity: "-1", price: "104000", realizedPnl: "3000" });

    const { account } = await api.ok(ACCOUNT, { id: accountId });
    expect(account.balances).toEqual([{ asset: "USDC", amount: "13000" }]);
    expect(account.positions).toEqual([{ instrument: { symbol: "BTC-PERP" }, quantity: "2", averagePrice: "101000" }]);
  });

  it("books option premium as cash: buying 2 calls at 1 500 pays 3 000 USDC", async () => {
    await api.ok(CREATE_INSTRUMENT, {
      input: { symbol: "BTC-27JUN25-110000-C", kind: "OPTION", underlying: "BTC", expiry: "2025-06-27T08:00:00Z", strike: 110000, optionType: "CALL" },
    });
    const { createAccount } = await api.ok(CREATE_ACCOUNT, {
      clientId: (await api.ok(CREATE_CLIENT, { name: "Options" })).createClient.id, name: "opt", mode: "CROSS",
    });
    await api.ok(DEPOSIT, { input: { accountId: createAccount.id, asset: "USDC", amount: 5000 } });
    await api.ok(TRADE, { input: { accountId: createAccount.id, instrument: "BTC-27JUN25-110000-C", quantity: 2, price: 1500, tradeId: "o-1" } });
    const { account } = await api.ok(ACCOUNT, { id: createAccount.id });
    expect(account.balances).toEqual([{ asset: "USDC", amount: "2000" }]);
    expect(account.positions).toEqual([{ instrument: { symbol: "BTC-27JUN25-110000-C" }, quantity: "2", averagePrice: "1500" }]);
  });

  it("returns the first trade on a retry with the same tradeId and content", async () => {
    const input = { accountId, instrument: "BTC-PERP", quantity: "0.5", price: "99000", tradeId: "t-retry" };
    const first = await api.ok(TRADE, { input });
    const again = await api.ok(TRADE, { input });
    expect(again).toEqual(first);
    const { account } = await api.ok(ACCOUNT, { id: accountId });
    expect(account.positions[0].quantity).toBe("2.5");
  });

  it("answers CONFLICT when a tradeId is reused with other content", async () => {
    const result = await api.gql(TRADE, { input: { accountId, instrument: "BTC-PERP", quantity: "0.7", price: "99000", tradeId: "t-retry" } });
    expect(result.errors?.[0].extensions?.code).toBe("CONFLICT");
  });

  it("applies a deposit once per idempotency key and refuses the key for another amount", async () => {
    const before = (await api.ok(ACCOUNT, { id: accountId })).account.balances;
    await api.ok(DEPOSIT, { input: { accountId, asset: "USDC", amount: "10000", idempotencyKey: "dep-1" } });
    expect((await api.ok(ACCOUNT, { id: accountId })).account.balances).toEqual(before);
    const conflict = await api.gql(DEPOSIT, { input: { accountId, asset: "USDC", amount: "1", idempotencyKey: "dep-1" } });
    expect(conflict.errors?.[0].extensions?.code).toBe("CONFLICT");
  });

  it("never withdraws below a zero balance", async () => {
    const result = await api.gql(WITHDRAW, { input: { accountId, asset: "BTC", amount: "1" } });
    expect(result.errors?.[0].extensions?.code).toBe("INSUFFICIENT_MARGIN");
    expect((await api.ok(ACCOUNT, { id: accountId })).account.balances.find((b: { asset: string }) => b.asset === "BTC")).toBeUndefined();
  });

  describe("bad inputs get coded errors", () => {
    const cases: [string, string, Record<string, unknown>, string][] = [
      ["unknown instrument", TRADE, { input: { accountId: "", instrument: "NOPE", quantity: 1, price: 1, tradeId: "x" } }, "NOT_FOUND"],
      ["negative amount", DEPOSIT, { input: { accountId: "", asset: "USDC", amount: "-5" } }, "BAD_USER_INPUT"],
      ["NaN amount", DEPOSIT, { input: { accountId: "", asset: "USDC", amount: "NaN" } }, "BAD_USER_INPUT"],
      ["zero amount", DEPOSIT, { input: { accountId: "", asset: "USDC", amount: 0 } }, "BAD_USER_INPUT"],
      ["unknown asset", DEPOSIT, { input: { accountId: "", asset: "FOO", amount: 1 } }, "BAD_USER_INPUT"],
      ["option without strike", CREATE_INSTRUMENT, { input: { symbol: "X-C", kind: "OPTION", underlying: "BTC", expiry: "2026-01-01T00:00:00Z", optionType: "CALL" } }, "BAD_USER_INPUT"],
      ["option without expiry", CREATE_INSTRUMENT, { input: { symbol: "X-C", kind: "OPTION", underlying: "BTC", strike: 1, optionType: "CALL" } }, "BAD_USER_INPUT"],
      ["expiry in the past", CREATE_INSTRUMENT, { input: { symbol: "X-F", kind: "FUTURE", underlying: "BTC", expiry: "2020-01-01T00:00:00Z" } }, "BAD_USER_INPUT"],
      ["unknown underlying", CREATE_INSTRUMENT, { input: { symbol: "X-PERP", kind: "PERPETUAL", underlying: "NOPE" } }, "BAD_USER_INPUT"],
      ["unknown underlying in a market update", `mutation { updateMarket(input: { underlying: "NOPE", spot: 1, volatility: 0.5 }) { spot } }`, {}, "BAD_USER_INPUT"],
      ["non-positive spot", `mutation { updateMarket(input: { underlying: "BTC", spot: -1 }) { spot } }`, {}, "BAD_USER_INPUT"],
      ["a string where a number belongs", DEPOSIT, { input: { accountId: "", asset: "USDC", amount: { x: 1 } } }, "BAD_USER_INPUT"],
      ["unknown account", DEPOSIT, { input: { accountId: "00000000-0000-4000-8000-000000000000", asset: "USDC", amount: 1 } }, "NOT_FOUND"],
      ["zero quantity", TRADE, { input: { accountId: "", instrument: "BTC-PERP", quantity: 0, price: 1, tradeId: "z" } }, "BAD_USER_INPUT"],
      ["too many decimals", DEPOSIT, { input: { accountId: "", asset: "USDC", amount: "0.0000000000000000001" } }, "BAD_USER_INPUT"],
    ];
    it.each(cases)("%s", async (_name, query, variables, code) => {
      const input = variables.input as Record<string, unknown> | undefined;
      if (input && input.accountId === "") input.accountId = accountId;
      const result = await api.gql(query, variables);
      expect(result.errors?.[0].extensions?.code, JSON.stringify(result.errors)).toBe(code);
      expect(JSON.stringify(result)).not.toMatch(/\bat .+\.(ts|js):\d+|prisma|SELECT|stack/i);
    });
  });

  it("refuses requests without a valid key", async () => {
    const none = await api.gql(`{ accounts(first: 1) { totalCount } }`, {}, null);
    expect(none.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    const wrong = await api.gql(`{ accounts(first: 1) { totalCount } }`, {}, "wrong-key");
    expect(wrong.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
  });
});
