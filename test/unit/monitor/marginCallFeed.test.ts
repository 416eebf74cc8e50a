import { describe, expect, it } from "vitest";
import type { MarginCallStore } from "../../../src/db/stores/marginCall.store.js";
import { InProcessEventBus, type EventBus } from "../../../src/monitor/eventBus.js";
import { Topic, type MarginCallEvent } from "../../../src/monitor/events.js";
import { marginCallFeed, type FeedFilter } from "../../../src/monitor/marginCallFeed.js";

const everything: FeedFilter = { accountIds: null, portfolioIds: [], clientId: null };
const event = (sequence: number): MarginCallEvent => ({
  sequence, clientId: "c", accountId: `a${sequence}`, portfolioId: null, unitVersion: 1, bookVersion: 1, level: "WARNING", previousLevel: "HEALTHY",
  ratio: 0.7, equity: 1, maintenance: 0.7, asOf: new Date(0), createdAt: new Date(0),
});

/** An in-process bus that counts its live subscriptions. */
function countingBus(): EventBus & { subscribers: () => number } {
  const bus = new InProcessEventBus();
  let open = 0;
  return {
    publish: (topic, payload) => bus.publish(topic, payload),
    subscribe(topic, handler) {
      open++;
      const off = bus.subscribe(topic, handler);
      return () => {
        open--;
        off();
      };
    },
    close: () => bus.close(),
    subscribers: () => open,
  };
}

/** The stored log: `rows` in sequence order. */
const storeOf = (rows: MarginCallEvent[]) =>
  ({
    lastSequence: async () => rows.at(-1)?.sequence ?? 0,
    list: async ({ afterSequence, first }: { afterSequence?: number | null; first: number }) => rows.filter((r) => r.sequence > (afterSequence ?? 0)).slice(0, first),
  }) as unknown as MarginCallStore;

describe("margin-call feed", () => {
  it("drops its live subscription as soon as it is closed, while it waits for an event", async () => {
    const bus = countingBus();
    const feed = marginCallFeed(storeOf([]), bus, everything, null);
    const pending = feed.next();
    await new Promise((r) => setTimeout(r, 10));
    expect(bus.subscribers()).toBe(1);
    await feed.return(undefined);
    expect(bus.subscribers()).toBe(0);
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  it("replays the stored events, then live ones, filling a gap from the store, each once and in order", async () => {
    const rows = [event(1), event(2)];
    const bus = countingBus();
    const feed = marginCallFeed(storeOf(rows), bus, everything, 0);
    const got: number[] = [];
    got.push((await feed.next()).value.sequence, (await feed.next()).value.sequence);
    const third = feed.next();
    rows.push(event(3), event(4)); // 3 committed by another instance, its notice not (yet) here
    await bus.publish(Topic.MarginCalls, event(2)); // a replayed one arriving live: dropped
    await bus.publish(Topic.MarginCalls, event(4));
    got.push((await third).value.sequence, (await feed.next()).value.sequence);
    expect(got).toEqual([1, 2, 3, 4]);
    await feed.return(undefined);
    expect(bus.subscribers()).toBe(0);
  });
});
