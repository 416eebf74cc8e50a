import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { leveragedBtcAccount, setMarket } from "../support/books.js";
import { TEST_DB } from "../support/testDatabase.js";
import { startTestServer, startTwoInstances } from "../support/testServer.js";
import { subscribe } from "../support/wsClient.js";

const FEED = `subscription($ids: [ID!], $after: Int) { marginCalls(accountIds: $ids, afterSequence: $after) { sequence previousLevel level } }`;
type Event = { marginCalls: { sequence: number; previousLevel: string; level: string } };
const transitions = (events: Event[]) => events.map((e) => `${e.marginCalls.previousLevel}→${e.marginCalls.level}`);

describe(`margin calls across restarts on ${TEST_DB}`, () => {
  const dir = mkdtempSync(path.join(tmpdir(), "risk-restart-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("loses nothing across a server restart: a resubscribe replays the stored events", async () => {
    const first = await startTestServer({ pgliteDir: dir, keepDatabase: true });
    const { accountId } = await leveragedBtcAccount(first);
    await setMarket(first, "BTC", 91_100); // HEALTHY → MARGIN_CALL (ρ 0.828)
    await setMarket(first, "BTC", 92_000); // MARGIN_CALL → HEALTHY (ρ 0.460)
    await first.close();

    const second = await startTestServer({ pgliteDir: dir, database: first.database });
    try {
      const feed = subscribe<Event>(second.url, FEED, { ids: [accountId], after: 0 });
      expect(transitions(await feed.waitFor(2))).toEqual(["HEALTHY→MARGIN_CALL", "MARGIN_CALL→HEALTHY"]);
      await feed.close();
    } finally {
      await second.close();
    }
  });
});

describe.runIf(TEST_DB === "postgres")("margin calls across two instances on PostgreSQL and Redis", () => {
  it("delivers an update sent to instance A to a subscriber on instance B exactly once, and concurrent updates emit no duplicates", async () => {
    const instances = await startTwoInstances();
    const { a, b } = instances;
    try {
      const { accountId } = await leveragedBtcAccount(a);
      const feed = subscribe<Event>(b.url, FEED, { ids: [accountId] });
      await new Promise((r) => setTimeout(r, 300));

      await setMarket(a, "BTC", 91_100); // sent to A: HEALTHY → MARGIN_CALL
      expect(transitions(await feed.waitFor(1))).toEqual(["HEALTHY→MARGIN_CALL"]);

      // Both instances see the same move at once: one change, one event.
      await Promise.all([setMarket(a, "BTC", 92_000), setMarket(b, "BTC", 92_000)]);
      await Promise.all([setMarket(a, "BTC", 90_800), setMarket(b, "BTC", 90_800)]);
      const events = await feed.waitFor(3);
      await new Promise((r) => setTimeout(r, 500));
      expect(transitions(feed.events)).toEqual(["HEALTHY→MARGIN_CALL", "MARGIN_CALL→HEALTHY", "HEALTHY→LIQUIDATION"]);
      expect(new Set(events.map((e) => e.marginCalls.sequence)).size).toBe(3);
      const stored = await a.ok(`query($id: ID) { marginCalls(accountId: $id) { sequence } }`, { id: accountId });
      expect(stored.marginCalls).toHaveLength(3);
      await feed.close();
    } finally {
      await instances.close();
    }
  });
});
