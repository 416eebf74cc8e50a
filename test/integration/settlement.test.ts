import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, createClient, createInstrument, deposit, setMarket, trade } from "../support/books.js";
import { createApiKey } from "../support/apiKeys.js";
import { expectClose as expectNear } from "../unit/engine/helpers.js";
import { TEST_DB } from "../support/testDatabase.js";
import { startTestServer, type TestServer } from "../support/testServer.js";

/**
 * One BTC expiry E = 2025-03-28 08:00 UTC, settled from ticks at irregular times:
 *   2025-03-27 00:00  100 000   (the market the trades are made on)
 *   E − 50 min 07:10  100 600   in force from the window's start 07:30 until 07:42: 12 min
 *   E − 18 min 07:42  101 500   07:42–07:55: 13 min
 *   E −  5 min 07:55  100 810   07:55–08:00:  5 min
 *   E + 30 min 08:30  100 000   after E: not in the average; this update settles
 * D = (12·100 600 + 13·101 500 + 5·100 810) / 30 = (1 207 200 + 1 319 500 + 504 050) / 30
 *   = 3 030 750 / 30 = 101 025 exactly.
 */
const E = "2025-03-28T08:00:00Z";
const D = 101_025;
const FUT = "BTC-28MAR25";
const CALL = "BTC-28MAR25-100000-C";
const PUT_ITM = "BTC-28MAR25-102000-P";
const PUT_OTM = "BTC-28MAR25-98000-P";
const TICKS: [string, number][] = [
  ["2025-03-28T07:10:00Z", 100_600],
  ["2025-03-28T07:42:00Z", 101_500],
  ["2025-03-28T07:55:00Z", 100_810],
];
const AFTER_EXPIRY = "2025-03-28T08:30:00Z";

const ACCOUNT = `query($id: ID!) { account(id: $id) { balances { asset amount } positions { instrument { symbol } quantity }
  equity margin { maintenance level } } }`;
const SETTLEMENTS = `query($id: ID, $first: Int) { settlements(accountId: $id, first: $first) { accountId instrument quantity deliveryPrice amount settledAt } }`;
const SETTLE = `mutation($u: String!, $p: Float) { settleExpired(underlying: $u, deliveryPrice: $p) { accountId instrument quantity deliveryPrice amount } }`;
const TRADE = `mutation($input: RecordTradeInput!) { recordTrade(input: $input) { tradeId } }`;

type Settlement = { accountId: string; instrument: string; quantity: string; deliveryPrice: number; amount: string; settledAt?: string };


const usdc = (account: { balances: { asset: string; amount: string }[] }) => Number(account.balances.find((b) => b.asset === "USDC")?.amount ?? 0);

describe(`settlement at expiry on ${TEST_DB}`, () => {
  let api: TestServer;
  let cross: string;
  let isolated: string;
  let putHolder: string;
  let shortCall: string;
  let otherClientAccount: string;
  let clientKey: string;

  beforeAll(async () => {
    api = await startTestServer();
    await setMarket(api, "BTC", 100_000, { asOf: "2025-03-27T00:00:00Z" });
    await createInstrument(api, { symbol: "BTC-PERP", kind: "PERPETUAL", underlying: "BTC" });
    await createInstrument(api, { symbol: FUT, kind: "FUTURE", underlying: "BTC", expiry: E });
    await createInstrument(api, { symbol: CALL, kind: "OPTION", underlying: "BTC", expiry: E, strike: 100_000, optionType: "CALL" });
    await createInstrument(api, { symbol: PUT_ITM, kind: "OPTION", underlying: "BTC", expiry: E, strike: 102_000, optionType: "PUT" });
    await createInstrument(api, { symbol: PUT_OTM, kind: "OPTION", underlying: "BTC", expiry: E, strike: 98_000, optionType: "PUT" });
    const desk = await createClient(api, "Desk");
    clientKey = (await createApiKey(api, "CLIENT", desk)).secret;
    // CROSS: long 2 futures at 99 000, long the 100 000 call for 3 000, short the 98 000 put for 1 500.
    cross = await createAccount(api, desk, "cross");
    await deposit(api, cross, "USDC", 50_000);
    await trade(api, cross, FUT, 2, 99_000);
    await trade(api, cross, CALL, 1, 3_000);
    await trade(api, cross, PUT_OTM, -1, 1_500);
    // ISOLATED: short 2 futures at 100 000 (2 × 2 % × 100 000 = 4 000 USDC set aside).
    isolated = await createAccount(api, desk, "isolated", "ISOLATED");
    await deposit(api, isolated, "USDC", 50_000);
    await trade(api, isolated, FUT, -2, 100_000);
    // CROSS: long the 102 000 put for 2 500.
    putHolder = await createAccount(api, desk, "put");
    await deposit(api, putHolder, "USDC", 10_000);
    await trade(api, putHolder, PUT_ITM, 1, 2_500);
    // CROSS, in a margin call before expiry: short the 100 000 call for 2 000 on 7 500 USDC.
    // Its short-option MM is 0.075·S ≈ 7 500–7 600 against equity 9 500 − call value
    // (≈ 1 200 at 32 h, ≈ intrinsic 600–1 500 in the last hour): ρ ≈ 0.85–0.95, MARGIN_CALL.
    shortCall = await createAccount(api, desk, "short call");
    await deposit(api, shortCall, "USDC", 7_500);
    await trade(api, shortCall, CALL, -1, 2_000);
    // Another client's account, for visibility.
    otherClientAccount = await createAccount(api, await createClient(api, "Other"), "other");
    await deposit(api, otherClientAccount, "USDC", 1_000);
    await trade(api, otherClientAccount, FUT, 1, 100_000);
    for (const [asOf, spot] of TICKS) await setMarket(api, "BTC", spot, { asOf });
  });

  afterAll(async () => {
    await api?.close();
  });

  it("keeps every update of the underlying as a tick, in asOf order", async () => {
    const { marketTicks } = await api.ok(`query { marketTicks(underlying: "BTC", from: "2025-03-28T00:00:00Z") { spot asOf } }`);
    expect(marketTicks).toEqual(TICKS.map(([asOf, spot]) => ({ spot, asOf: asOf.replace("Z", ".000Z") })));
    const risk = await createApiKey(api, "RISK");
    expect((await api.gql(`query { marketTicks(underlying: "BTC", first: 1) { spot } }`, {}, risk.secret)).data?.marketTicks).toEqual([{ spot: 100_000 }]);
    expect((await api.gql(`query { marketTicks(underlying: "BTC") { spot } }`, {}, clientKey)).errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect((await api.gql(`query { marketTicks(underlying: "BTC", first: 1001) { spot } }`)).errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("shows the short call in a margin call before expiry", async () => {
    const { account } = await api.ok(ACCOUNT, { id: shortCall });
    expect(account.margin.level).toBe("MARGIN_CALL");
  });

  it("settles every position at the time-weighted delivery price once the market passes expiry", async () => {
    const before = (await api.ok(`query($id: ID) { marginCalls(accountId: $id) { sequence } }`, { id: shortCall })).marginCalls;
    await setMarket(api, "BTC", 100_000, { asOf: AFTER_EXPIRY });
    const { settlements } = await api.ok<{ settlements: Settlement[] }>(SETTLEMENTS, { first: 50 });
    expect(settlements.length).toBe(7);
    for (const s of settlements) expect(s.deliveryPrice).toBe(D);
    const of = (account: string, instrument: string) => settlements.find((s) => s.accountId === account && s.instrument === instrument);
    // Long future: 2·(101 025 − 99 000) = +4 050. Call: 1·(101 025 − 100 000) = +1 025. OTM put: 0.
    expect(of(cross, FUT)).toMatchObject({ quantity: "2", amount: "4050" });
    expect(of(cross, CALL)).toMatchObject({ quantity: "1", amount: "1025" });
    expect(of(cross, PUT_OTM)).toMatchObject({ quantity: "-1", amount: "0" });
    // Short future (ISOLATED): −2·(101 025 − 100 000) = −2 050.
    expect(of(isolated, FUT)).toMatchObject({ quantity: "-2", amount: "-2050" });
    // ITM put: 1·(102 000 − 101 025) = +975. Short call: −1·1 025 = −1 025.
    expect(of(putHolder, PUT_ITM)).toMatchObject({ quantity: "1", amount: "975" });
    expect(of(shortCall, CALL)).toMatchObject({ quantity: "-1", amount: "-1025" });
    // The other client's long future: 1·(101 025 − 100 000) = +1 025.
    expect(of(otherClientAccount, FUT)).toMatchObject({ quantity: "1", amount: "1025" });

    // Cash: CROSS 50 000 − 3 000 + 1 500 + 4 050 + 1 025 = 53 575; ISOLATED 50 000 − 4 000 + 4 000 − 2 050 = 47 950;
    // put 10 000 − 2 500 + 975 = 8 475; short call 7 500 + 2 000 − 1 025 = 8 475. No positions, no margin.
    const expected: [string, number][] = [[cross, 53_575], [isolated, 47_950], [putHolder, 8_475], [shortCall, 8_475]];
    for (const [id, cash] of expected) {
      const { account } = await api.ok(ACCOUNT, { id });
      expectNear(usdc(account), cash, 1e-9, `USDC of ${id}`);
      expect(account.positions).toEqual([]);
      expectNear(account.equity, cash, 1e-6, `equity of ${id}`);
      expect(account.margin.maintenance).toBe(0);
    }
    // The settlement cleared the short call's margin call.
    const { marginCalls } = await api.ok(`query($id: ID, $after: Int) { marginCalls(accountId: $id, afterSequence: $after) { previousLevel level } }`, {
      id: shortCall,
      after: before.at(-1)?.sequence ?? 0,
    });
    expect(marginCalls).toEqual([{ previousLevel: "MARGIN_CALL", level: "HEALTHY" }]);
  });

  it("is idempotent: settling again books nothing", async () => {
    expect((await api.ok(SETTLE, { u: "BTC" })).settleExpired).toEqual([]);
    expect((await api.ok(SETTLE, { u: "BTC", p: 90_000 })).settleExpired).toEqual([]);
    await setMarket(api, "BTC", 100_000, { asOf: "2025-03-28T09:00:00Z" });
    expect((await api.ok<{ settlements: Settlement[] }>(SETTLEMENTS, { first: 50 })).settlements.length).toBe(7);
    const { account } = await api.ok(ACCOUNT, { id: cross });
    expectNear(usdc(account), 53_575, 1e-9, "USDC after a second run");
  });

  it("refuses new trades in an expired instrument, and whatIf trades in it", async () => {
    const refused = await api.gql(TRADE, { input: { accountId: cross, instrument: FUT, quantity: 1, price: 100_000, tradeId: "after-expiry" } });
    expect(refused.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    const whatIf = await api.gql(`query($id: ID!) { whatIf(accountId: $id, trades: [{ instrument: "${CALL}", quantity: 1 }]) { equity } }`, { id: cross });
    expect(whatIf.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("shows a CLIENT key its own client's settlements only", async () => {
    const own = (await api.ok<{ settlements: Settlement[] }>(SETTLEMENTS, {}, clientKey)).settlements;
    expect(own.length).toBe(6);
    expect(own.some((s) => s.accountId === otherClientAccount)).toBe(false);
    expect((await api.ok<{ settlements: Settlement[] }>(SETTLEMENTS, { id: otherClientAccount }, clientKey)).settlements).toEqual([]);
    expect((await api.ok<{ settlements: Settlement[] }>(SETTLEMENTS, { id: isolated }, clientKey)).settlements.map((s) => s.amount)).toEqual(["-2050"]);
  });

  it("lets only ADMIN settle, and records it in the audit log", async () => {
    const risk = await createApiKey(api, "RISK");
    expect((await api.gql(SETTLE, { u: "BTC" }, risk.secret)).errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect((await api.gql(SETTLE, { u: "NOPE" })).errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    expect((await api.gql(SETTLE, { u: "BTC", p: -1 })).errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    const { auditLog } = await api.ok(`query { auditLog(first: 10) { edges { node { operation errorCode input } } } }`);
    const settles = auditLog.edges.map((e: { node: { operation: string } }) => e.node).filter((n: { operation: string }) => n.operation === "settleExpired");
    expect(settles.map((n: { errorCode: string | null }) => n.errorCode)).toEqual(["BAD_USER_INPUT", "BAD_USER_INPUT", "FORBIDDEN", null, null]);
  });
});
