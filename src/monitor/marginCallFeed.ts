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

/**
 * Stored events after `afterSequence`, then live ones, each exactly once and in
 * sequence order. Live delivery is subscribed before the history is read, so nothing
 * committed in between is lost; `cursor` is the sequence up to which every matching
 * event has been delivered, so replayed events arriving live are dropped. Events commit
 * in sequence order (one lock), so a live event that skips ahead means earlier ones are
 * in flight from another instance: they are read from the database, the source of truth.
 */
export async function* marginCallFeed(
  store: MarginCallStore,
  bus: EventBus,
  filter: FeedFilter,
  /** null: live events only. */
  afterSequence: number | null,
): AsyncGenerator<MarginCallEvent> {
  const queue: MarginCallEvent[] = [];
  let wake: (() => void) | null = null;
  const unsubscribe = bus.subscribe(Topic.MarginCalls, (event) => {
    queue.push(event);
    wake?.();
  });
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
    for (;;) {
      while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      const event = queue.shift()!;
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
    unsubscribe();
  }
}
