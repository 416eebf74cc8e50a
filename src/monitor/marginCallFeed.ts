import type { MarginCallStore } from "../db/stores/marginCall.store.js";
import type { EventBus } from "./eventBus.js";
import { Topic, type MarginCallEvent } from "./events.js";

export interface FeedFilter {
  /** Only these accounts' events and their portfolios' (null = every visible unit). */
  accountIds: string[] | null;
  /** Portfolios the subscribed accounts belong to. */
  portfolioIds: string[];
  /** Only this client's units (CLIENT keys); null = all. */
  clientId: string | null;
}

const PAGE = 500;

export function matches(filter: FeedFilter, event: MarginCallEvent): boolean {
  if (filter.clientId !== null && event.clientId !== filter.clientId) return false;
  if (filter.accountIds === null) return true;
  return (event.accountId !== null && filter.accountIds.includes(event.accountId)) ||
    (event.portfolioId !== null && filter.portfolioIds.includes(event.portfolioId));
}

/** Live events as they arrive, subscribed at once; close() unsubscribes and ends a pending take. */
class LiveEvents {
  private readonly queue: MarginCallEvent[] = [];
  private wake: (() => void) | null = null;
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(bus: EventBus) {
    this.unsubscribe = bus.subscribe(Topic.MarginCalls, (event) => {
      this.queue.push(event);
      this.wake?.();
    });
  }

  /** The next live event; null once closed. */
  async take(): Promise<MarginCallEvent | null> {
    while (this.queue.length === 0 && !this.closed) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = null;
    return this.closed ? null : this.queue.shift()!;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.wake?.();
  }
}

/**
 * Stored events after `afterSequence`, then live ones, each exactly once and in
 * sequence order. Live delivery is subscribed before the history is read, so nothing
 * committed in between is lost; `cursor` is the sequence up to which every matching
 * event has been delivered, so replayed events arriving live are dropped. Events commit
 * in sequence order (one lock), so a live event that skips ahead means earlier ones are
 * in flight from another instance: they are read from the database, the source of truth.
 * Closing the feed (`return()`, as a client that unsubscribes or disconnects does) drops
 * its live subscription at once, even while it waits for the next event.
 */
export function marginCallFeed(
  store: MarginCallStore,
  bus: EventBus,
  filter: FeedFilter,
  /** null: live events only. */
  afterSequence: number | null,
): AsyncGenerator<MarginCallEvent> {
  const live = new LiveEvents(bus);
  const events = feed(store, live, filter, afterSequence);
  return {
    next: () => events.next(),
    return(value) {
      live.close();
      return events.return(value);
    },
    throw(error) {
      live.close();
      return events.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

async function* feed(store: MarginCallStore, live: LiveEvents, filter: FeedFilter, afterSequence: number | null): AsyncGenerator<MarginCallEvent> {
  const stored = (after: number, upTo: number) =>
    store.list({ afterSequence: after, accountIds: filter.accountIds, clientId: filter.clientId, first: PAGE }).then((rows) =>
      rows.filter((row) => row.sequence <= upTo && matches(filter, row)),
    );
  try {
    const head = await store.lastSequence();
    let cursor = afterSequence ?? head;
    // Replay in pages up to the head read after subscribing.
    while (cursor < head) {
      const page = await stored(cursor, head);
      for (const event of page) yield event;
      const next = page.at(-1)?.sequence ?? head;
      cursor = page.length === 0 ? head : next;
    }
    cursor = Math.max(cursor, head);
    for (let event = await live.take(); event !== null; event = await live.take()) {
      if (event.sequence <= cursor) continue;
      while (event.sequence > cursor + 1) {
        const gap = await stored(cursor, event.sequence - 1);
        for (const missed of gap) yield missed;
        if (gap.length < PAGE) break;
        cursor = gap.at(-1)!.sequence;
      }
      cursor = event.sequence;
      if (matches(filter, event)) yield event;
    }
  } finally {
    live.close();
  }
}
