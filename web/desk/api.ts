import { createClient, type Client } from "graphql-ws";

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** POST /graphql with the tab's key; throws the first GraphQL error with its code. */
export async function gql<T>(key: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length) throw new ApiError(body.errors[0].message, body.errors[0].extensions?.code);
  return body.data as T;
}

export interface MarginCallEvent {
  sequence: number;
  accountId: string | null;
  portfolioId: string | null;
  previousLevel: string;
  level: string;
  ratio: number | null;
  createdAt: string;
}

const FEED = `subscription($after: Int) { marginCalls(afterSequence: $after) {
  sequence accountId portfolioId previousLevel level ratio createdAt } }`;

/**
 * The margin-call feed over graphql-transport-ws on /graphql. When the socket drops it
 * reconnects with afterSequence = the last sequence seen, so nothing is lost or shown
 * twice; before any event it listens live only.
 */
export function followMarginCalls(
  key: string,
  onEvent: (event: MarginCallEvent) => void,
  onStatus: (status: "live" | "reconnecting" | "refused") => void,
): () => void {
  const url = new URL("/graphql", location.href).toString().replace(/^http/, "ws");
  let last: number | null = null;
  let stopped = false;
  let client: Client | null = null;
  let retry: number | undefined;
  let failures = 0;

  const connect = () => {
    if (stopped) return;
    const current = createClient({
      url,
      connectionParams: { authorization: `Bearer ${key}` },
      retryAttempts: 0,
      lazy: true, // connects for the subscription; errors reach its error handler, not the console
      on: {
        connected: () => {
          failures = 0;
          onStatus("live");
        },
      },
    });
    client = current;
    current.subscribe<{ marginCalls: MarginCallEvent }>(
      { query: FEED, variables: { after: last } },
      {
        next: ({ data }) => {
          const event = data?.marginCalls;
          if (!event || (last !== null && event.sequence <= last)) return;
          last = event.sequence;
          onEvent(event);
        },
        error: (error) => {
          const code = (error as { code?: number }).code;
          if (code === 4401 || code === 4403) {
            onStatus("refused");
            return;
          }
          reconnect(current);
        },
        complete: () => reconnect(current),
      },
    );
  };
  const reconnect = (from: Client) => {
    if (stopped || from !== client) return;
    void from.dispose();
    client = null;
    onStatus("reconnecting");
    failures++;
    retry = window.setTimeout(connect, Math.min(10_000, 250 * 2 ** Math.min(failures, 6)));
  };
  connect();
  return () => {
    stopped = true;
    window.clearTimeout(retry);
    void client?.dispose();
  };
}
