import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { ADMIN_TOKEN } from "./testServer.js";

export interface Collected<T> {
  events: T[];
  errors: unknown[];
  /** Resolves once `count` events have arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<T[]>;
  close(): Promise<void>;
}

/** A real graphql-transport-ws client subscribed to one operation, collecting what it receives. */
export function subscribe<T = Record<string, any>>(
  httpUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token: string | null = ADMIN_TOKEN,
): Collected<T> {
  const client: Client = createClient({
    url: httpUrl.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: false,
  });
  const events: T[] = [];
  const errors: unknown[] = [];
  const waiters: (() => void)[] = [];
  client.subscribe<T>({ query, variables }, {
    next: (value) => {
      if (value.errors) errors.push(value.errors);
      if (value.data) events.push(value.data as T);
      for (const wake of waiters.splice(0)) wake();
    },
    error: (error) => {
      errors.push(error);
      for (const wake of waiters.splice(0)) wake();
    },
    complete: () => undefined,
  });
  return {
    events,
    errors,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length < count) {
        if (errors.length) throw new Error(`subscription failed: ${JSON.stringify(errors)}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out with ${events.length}/${count} events: ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, Math.min(left, 200));
        });
      }
      return events.slice(0, count);
    },
    async close() {
      await client.dispose();
    },
  };
}
