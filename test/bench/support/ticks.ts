/**
 * A graphql-ws subscriber to `marginCalls` in the benchmark process, and BTC ticks
 * (`updateMarket`) one at a time, each followed until every event it caused (the rows
 * the MarginCall table gained, read directly) has arrived at the subscriber.
 */
import { performance } from "node:perf_hooks";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import type { BenchDatabase } from "./book.js";
import { literal, log, ms } from "./report.js";
import { onCleanup, type GraphQLHttpClient, type LogEntry, type ServerProcess } from "./server.js";

/** Longest wait for a tick's events to arrive before the run is declared broken. */
const EVENT_TIMEOUT_MS = 30_000;

export interface Arrival {
  sequence: number;
  at: number;
}

export interface Subscriber {
  arrivals: Arrival[];
  errors: unknown[];
  close(): Promise<void>;
}

/** `subscription { marginCalls { … } }` (live only), ADMIN token in connectionParams. */
export async function subscribe(httpUrl: string, token: string): Promise<Subscriber> {
  const arrivals: Arrival[] = [];
  const errors: unknown[] = [];
  let connected!: () => void;
  const isConnected = new Promise<void>((resolve) => (connected = resolve));
  const client: Client = createClient({
    url: httpUrl.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: 0,
    on: { connected: () => connected() },
  });
  client.subscribe<{ marginCalls: { sequence: number } }>(
    { query: "subscription { marginCalls { sequence accountId level previousLevel } }" },
    {
      next: (value) => {
        const at = performance.now();
        if (value.errors) errors.push(value.errors);
        if (value.data) arrivals.push({ sequence: value.data.marginCalls.sequence, at });
      },
      error: (error) => errors.push(error),
      complete: () => undefined,
    },
  );
  const close = onCleanup(() => client.dispose());
  await isConnected;
  // The server subscribes to the bus when it starts iterating the feed, just after the ack.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return { arrivals, errors, close };
}

export interface Tick {
  spot: number;
  requestMs: number;
  events: number;
  /** Last (first) event's arrival minus the response's arrival; null without events. */
  lastAfterResponse: number | null;
  firstAfterResponse: number | null;
  /** Last event's arrival minus the request's start. */
  lastAfterStart: number | null;
  /** Numeric fields of the monitor's own log lines during the tick. */
  serverTimings: Record<string, number>;
}

export async function lastSequence(db: BenchDatabase): Promise<{ max: number; count: number }> {
  const { rows } = await db.pool.query<{ max: number | null; count: string }>(`SELECT max(sequence) AS max, count(*) AS count FROM "MarginCall"`);
  return { max: rows[0].max ?? 0, count: Number(rows[0].count) };
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Waits until the subscriber has received the event of sequence `max` (nothing to wait for when max is `unchanged`). */
export function waitForEvent(subscriber: Subscriber, max: number, unchanged: number, what: string): Promise<void> {
  return waitFor(() => subscriber.arrivals.some((a) => a.sequence === max) || max === unchanged, EVENT_TIMEOUT_MS, what);
}

export const monitorLines = (logs: LogEntry[], from: number) => logs.slice(from).filter((e) => /evaluat/i.test(e.msg ?? ""));

export function timingsOf(entries: LogEntry[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of entries) {
    for (const [k, v] of Object.entries(e)) {
      if (typeof v === "number" && !["at", "time", "level", "pid"].includes(k)) out[k] = (out[k] ?? 0) + v;
    }
  }
  return out;
}

export interface TickOptions {
  /** The server the ticks are sent to (its log gives the monitor's timings). */
  server: ServerProcess;
  client: GraphQLHttpClient;
  subscriber: Subscriber;
  db: BenchDatabase;
  /** BTC alternates between these two spots, starting with the one that is not `startSpot`. */
  spots: [number, number];
  startSpot: number;
  count: number;
}

export async function runTicks({ server, client, subscriber, db, spots, startSpot, count }: TickOptions): Promise<{ ticks: Tick[]; spot: number }> {
  const ticks: Tick[] = [];
  let spot = startSpot;
  for (let t = 0; t < count; t++) {
    spot = spot === spots[0] ? spots[1] : spots[0];
    const before = await lastSequence(db);
    const logMark = server.logs.length;
    const arrivalMark = subscriber.arrivals.length;
    const start = performance.now();
    const response = await client.ok(`mutation { updateMarket(input: ${literal({ underlying: "BTC", spot })}) { spot } }`);
    const answered = start + response.ms;
    // Every event of the tick is committed before it is published; wait until all committed ones arrived and no more come.
    let after = await lastSequence(db);
    for (;;) {
      await waitForEvent(subscriber, after.max, before.max, `event ${after.max} at the subscriber`);
      if (subscriber.errors.length) throw new Error(`subscription failed: ${JSON.stringify(subscriber.errors)}`);
      await new Promise((resolve) => setTimeout(resolve, 150));
      const again = await lastSequence(db);
      if (again.max === after.max) break;
      after = again;
    }
    const arrivals = subscriber.arrivals.slice(arrivalMark).filter((a) => a.sequence > before.max && a.sequence <= after.max);
    const events = after.count - before.count;
    if (arrivals.length !== events) throw new Error(`tick ${t + 1}: ${events} events stored, ${arrivals.length} received`);
    const last = arrivals.length ? Math.max(...arrivals.map((a) => a.at)) : null;
    const first = arrivals.length ? Math.min(...arrivals.map((a) => a.at)) : null;
    ticks.push({
      spot,
      requestMs: response.ms,
      events,
      lastAfterResponse: last === null ? null : last - answered,
      firstAfterResponse: first === null ? null : first - answered,
      lastAfterStart: last === null ? null : last - start,
      serverTimings: timingsOf(monitorLines(server.logs, logMark)),
    });
    log(`tick ${t + 1}/${count}: BTC ${spot}, ${ms(response.ms, 0)} ms, ${events} events, last event ${last === null ? "—" : ms(last - answered, 1)} ms after the response`);
  }
  return { ticks, spot };
}
