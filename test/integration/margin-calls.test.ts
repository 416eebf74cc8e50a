import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, createClient, deposit, leveragedBtcAccount, setMarket, trade } from "../support/books.js";
import { TEST_DB } from "../support/testDatabase.js";
import { startTestServer, type TestServer } from "../support/testServer.js";
import { subscribe } from "../support/wsClient.js";

const FEED = `subscription($ids: [ID!], $after: Int) { marginCalls(accountIds: $ids, afterSequence: $after) {
  sequence accountId portfolioId level previousLevel ratio equity maintenance } }`;

type Event = { marginCalls: { sequence: number; accountId: string; level: string; previousLevel: string; ratio: number | null } };
const transitions = (events: Event[]) => events.map((e) => `${e.marginCalls.previousLevel}→${e.marginCalls.level}`);

/**
 * Spots for the leveraged account, ρ = 0.01·P/(P − 90 000) worked by hand:
 * 91 250 → 0.730 WARNING; 91 100 → 0.828 MARGIN_CALL; 90 800 → 1.135 LIQUIDATION;
 * 90 950 → 0.957 (≥ 0.95: stays LIQUIDATION); 91 000 → 0.910 MARGIN_CALL;
 * 91 200 → 0.760 (≥ 0.75: stays MARGIN_CALL); 91 400 → 0.653 WARNING (≥ 0.65); 92 000 → 0.460 HEALTHY.
 */
const WALK = [91_250, 91_100, 90_800, 90_950, 91_000, 91_200, 91_400, 92_000];
const EXPECTED = ["HEALTHY→WARNING", "WARNING→MARGIN_CALL", "MARGIN_CALL→LIQUIDATION", "LIQUIDATION→MARGIN_CALL", "MARGIN_CALL→WARNING", "WARNING→HEALTHY"];

describe(`margin calls on ${TEST_DB}`, () => {
  let api: TestServer;
  let accountId: string;
  let otherAccountId: string;

  beforeAll(async () => {
    api = await startTestServer();
    ({ accountId } = await leveragedBtcAccount(api));
    const other = await createClient(api, "Other");
    otherAccountId = await createAccount(api, other, "other");
    await deposit(api, otherAccountId, "USDC", 1_000);
    await trade(api, otherAccountId, "BTC-PERP", -1, 100_000);
  });

  afterAll(async () => {
    await api?.close();
  });

  it("walks a leveraged account through every level and back, with hysteresis, each change once and in order", async () => {
    const feed = subscribe<Event>(api.url, FEED, { ids: [accountId] });
    await new Promise((r) => setTimeout(r, 200));
    for (const spot of WALK) await setMarket(api, "BTC", spot);
    const events = await feed.waitFor(EXPECTED.length);
    expect(transitions(events)).toEqual(EXPECTED);
    const sequences = events.map((e) => e.marginCalls.sequence);
    expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
    expect(new Set(sequences).size).toBe(sequences.length);
    await new Promise((r) => setTimeout(r, 300));
    expect(feed.events.length).toBe(EXPECTED.length);
    await feed.close();
    const { marginCalls } = await api.ok(`query($id: ID) { marginCalls(accountId: $id) { sequence level previousLevel } }`, { id: accountId });
    expect(marginCalls.map((e: { previousLevel: string; level: string }) => `${e.previousLevel}→${e.level}`)).toEqual(EXPECTED);
  });

  it("replays exactly the missed events to a subscriber that reconnects with its last sequence, then live ones", async () => {
    const first = subscribe<Event>(api.url, FEED, { ids: [accountId], after: 0 });
    const seen = await first.waitFor(EXPECTED.length);
    const last = seen.at(-1)!.marginCalls.sequence;
    await first.close();

    await setMarket(api, "BTC", 91_100); // HEALTHY → MARGIN_CALL (ρ 0.828), missed while away
    const again = subscribe<Event>(api.url, FEED, { ids: [accountId], after: last });
    const missed = await again.waitFor(1);
    expect(transitions(missed)).toEqual(["HEALTHY→MARGIN_CALL"]);
    await setMarket(api, "BTC", 92_000); // live: MARGIN_CALL → HEALTHY
    const all = await again.waitFor(2);
    expect(transitions(all)).toEqual(["HEALTHY→MARGIN_CALL", "MARGIN_CALL→HEALTHY"]);
    expect(all[0].marginCalls.sequence).toBeGreaterThan(last);
    await new Promise((r) => setTimeout(r, 300));
    expect(again.events.length).toBe(2);
    await again.close();
  });

  it("sends a subscriber for one account nothing about another client's account", async () => {
    const feed = subscribe<Event>(api.url, FEED, { ids: [otherAccountId] });
    await setMarket(api, "BTC", 91_100); // the leveraged long moves; the other account is short and gains
    await setMarket(api, "BTC", 92_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(feed.events.every((e) => e.marginCalls.accountId === otherAccountId)).toBe(true);
    await feed.close();
  });

  it("answers an unknown account in the feed with NOT_FOUND", async () => {
    const feed = subscribe<Event>(api.url, FEED, { ids: ["00000000-0000-4000-8000-000000000000"] });
    await new Promise((r) => setTimeout(r, 500));
    expect(JSON.stringify(feed.errors)).toMatch(/NOT_FOUND/);
    await feed.close();
  });

  it("lets a deposit resolve a margin call", async () => {
    await setMarket(api, "BTC", 91_100); // → MARGIN_CALL
    const before = await api.ok(`query($id: ID) { marginCalls(accountId: $id) { sequence } }`, { id: accountId });
    await deposit(api, accountId, "USDC", 10_000); // ρ = 911/11 100 = 0.082 → HEALTHY
    const { marginCalls } = await api.ok(`query($id: ID, $after: Int) { marginCalls(accountId: $id, afterSequence: $after) { previousLevel level } }`, {
      id: accountId,
      after: before.marginCalls.at(-1).sequence,
    });
    expect(marginCalls).toEqual([{ previousLevel: "MARGIN_CALL", level: "HEALTHY" }]);
  });
});
