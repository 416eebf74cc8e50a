import WebSocket from "ws";
import { Prisma } from "../../src/generated/prisma/client.js";
import { httpProblems, productionProblems, wsProblems } from "./invariants.js";
import { mutationOperation, queryOperation, type FuzzOperation } from "./operations.js";
import { Prng } from "./prng.js";
import { structureOperation } from "./structures.js";
import { graphqlPost, graphqlWs, junkHttp, junkWs, type FuzzRequest, type HttpRequest, type Tokens, type WsRequest } from "./transport.js";
import { Gen, type FuzzBook } from "./values.js";

export interface FuzzOptions {
  /** http://host:port/graphql */
  url: string;
  seed: number;
  requests: number;
  tokens: Tokens;
  book: FuzzBook;
  maxBodyBytes: number;
  /** The server runs with NODE_ENV=production: no answer may suggest names or answer introspection. */
  production?: boolean;
  /** Requests in flight; 1 (the default) makes a run fully reproducible from its seed. */
  concurrency?: number;
  onProgress?: (done: number) => void;
}

export interface FuzzFailure {
  index: number;
  name: string;
  problem: string;
  request: string;
}

export interface FuzzReport {
  seed: number;
  sent: number;
  durationMs: number;
  statuses: Record<string, number>;
  codes: Record<string, number>;
  /** All problems found; `failures` keeps the first ones. */
  failureCount: number;
  failures: FuzzFailure[];
}

const MAX_KEPT_FAILURES = 50;
const REQUEST_TIMEOUT_MS = 20_000;

/** Request `index` of the run: a function of the seed and the index only. */
function generate(seed: number, index: number, book: FuzzBook, tokens: Tokens, maxBodyBytes: number): FuzzRequest {
  const rng = new Prng(seed ^ Math.imul(index + 1, 0x9e3779b1));
  const g = new Gen(rng, book);
  return rng.weighted<() => FuzzRequest>([
    [40, () => graphqlPost(g, tokens, queryOperation(g))],
    [22, () => graphqlPost(g, tokens, mutationOperation(g))],
    [15, () => graphqlPost(g, tokens, structureOperation(g))],
    [15, () => junkHttp(g, tokens, maxBodyBytes)],
    [8, () => junkWs(g, tokens)],
    [12, () => graphqlWs(g, tokens, rng.weighted<() => FuzzOperation>([[5, () => queryOperation(g)], [3, () => mutationOperation(g)], [3, () => structureOperation(g)]])())],
  ])();
}

/** Σ balance per asset over every account, read through the API as ADMIN. */
async function ledgerTotals(url: string, adminToken: string): Promise<Map<string, Prisma.Decimal>> {
  const totals = new Map<string, Prisma.Decimal>();
  let after: string | null = null;
  for (;;) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({
        query: `query($after: String) { accounts(first: 500, after: $after) { pageInfo { hasNextPage endCursor } edges { node { balances { asset amount } } } } }`,
        variables: { after },
      }),
    });
    const { data } = (await response.json()) as { data: { accounts: { pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: { balances: { asset: string; amount: string }[] } }[] } } };
    for (const { node } of data.accounts.edges) {
      for (const b of node.balances) totals.set(b.asset, (totals.get(b.asset) ?? new Prisma.Decimal(0)).plus(b.amount));
    }
    if (!data.accounts.pageInfo.hasNextPage) return totals;
    after = data.accounts.pageInfo.endCursor;
  }
}

const describe = (request: FuzzRequest) =>
  (request.kind === "ws" ? JSON.stringify(request.frames.map((f) => (typeof f === "string" ? f : `<${f.length} bytes>`))) : `${request.method} ${request.path} ${String(request.body ?? "")}`).slice(0, 600);

async function sendHttp(origin: string, request: HttpRequest): Promise<{ status: number; text: string }> {
  const response = await fetch(origin + request.path, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: response.status, text: await response.text() };
}

/** True for the `complete` or `error` message of subscription "1". */
function endsOperation(text: string): boolean {
  try {
    const message = JSON.parse(text) as { id?: unknown; type?: unknown };
    return message.id === "1" && (message.type === "complete" || message.type === "error");
  } catch {
    return false;
  }
}

/** Plays a hostile WebSocket session; returns what came back and the server's close code (null: still open, or refused at handshake). */
function sendWs(url: string, request: WsRequest): Promise<{ messages: string[]; closeCode: number | null }> {
  return new Promise((resolve) => {
    const messages: string[] = [];
    const socket = request.protocol ? new WebSocket(url, request.protocol) : new WebSocket(url);
    let settled = false;
    const finish = (closeCode: number | null) => {
      if (settled) return;
      settled = true;
      socket.removeAllListeners();
      socket.on("error", () => undefined);
      socket.terminate();
      resolve({ messages, closeCode });
    };
    socket.on("message", (data) => {
      messages.push(String(data));
      // An operation's session is over once its result is: no need to wait for more.
      if (request.operation && endsOperation(String(data))) finish(null);
    });
    socket.on("close", (code) => finish(code));
    socket.on("error", () => finish(null));
    socket.on("open", async () => {
      for (const frame of request.frames) {
        if (socket.readyState !== WebSocket.OPEN) return;
        socket.send(frame);
        await new Promise((r) => setTimeout(r, 5));
      }
      // A query or mutation may take its time (a write it cut short would still count); hostile frames and live subscriptions get 300 ms.
      const awaitsResult = request.operation !== undefined && !/^\s*subscription\b/.test(request.operation.query);
      setTimeout(() => {
        if (awaitsResult && !settled) messages.push(JSON.stringify({ type: "timeout", payload: `no result within ${REQUEST_TIMEOUT_MS} ms` }));
        finish(null);
      }, awaitsResult ? REQUEST_TIMEOUT_MS : 300);
    });
  });
}

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { extensions?: { code?: string } }[];
}

/** The result of subscription "1" of a WebSocket session: its last `next` payload, or its `error` list. */
function wsResult(messages: string[]): GraphQLBody {
  let result: GraphQLBody = {};
  for (const text of messages) {
    const message = JSON.parse(text) as { id?: unknown; type?: unknown; payload?: unknown };
    if (message.id !== "1") continue;
    if (message.type === "next") result = message.payload as GraphQLBody;
    if (message.type === "error") result = { errors: message.payload as GraphQLBody["errors"] };
  }
  return result;
}

/** Tracks what successful cash moves should have done to the ledger totals. */
class ExpectedLedger {
  private readonly usedKeys = new Set<string>();

  constructor(readonly totals: Map<string, Prisma.Decimal>) {}

  applied(field: "deposit" | "withdraw", input: Record<string, unknown>): void {
    const key = input.idempotencyKey;
    // A repeated key replays the first move (or conflicts): nothing new moves.
    if (typeof key === "string") {
      if (this.usedKeys.has(key)) return;
      this.usedKeys.add(key);
    }
    const amount = new Prisma.Decimal(typeof input.amount === "number" ? String(input.amount) : String(input.amount).trim());
    const asset = String(input.asset);
    const current = this.totals.get(asset) ?? new Prisma.Decimal(0);
    this.totals.set(asset, field === "deposit" ? current.plus(amount) : current.minus(amount));
  }
}

const sameTotals = (a: Map<string, Prisma.Decimal>, b: Map<string, Prisma.Decimal>) =>
  [...new Set([...a.keys(), ...b.keys()])].every((asset) => (a.get(asset) ?? new Prisma.Decimal(0)).equals(b.get(asset) ?? new Prisma.Decimal(0)));

const printTotals = (totals: Map<string, Prisma.Decimal>) => JSON.stringify(Object.fromEntries([...totals].map(([k, v]) => [k, v.toFixed()])));

/**
 * Sends `requests` generated requests and checks every answer (see invariants.ts), that
 * /health stays up, and that the ledger totals moved only by the cash moves that succeeded.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const { url, seed, tokens, book } = options;
  const origin = new URL(url).origin;
  const wsUrl = url.replace(/^http/, "ws");
  const started = Date.now();
  const report: FuzzReport = { seed, sent: 0, durationMs: 0, statuses: {}, codes: {}, failureCount: 0, failures: [] };
  const fail = (index: number, name: string, problem: string, request: string) => {
    report.failureCount++;
    if (report.failures.length < MAX_KEPT_FAILURES) report.failures.push({ index, name, problem, request });
  };
  const count = (table: Record<string, number>, key: string) => (table[key] = (table[key] ?? 0) + 1);
  const expected = new ExpectedLedger(await ledgerTotals(url, tokens.admin));
  const checkHealth = async (index: number) => {
    const response = await fetch(`${origin}/health`);
    if (response.status !== 200) fail(index, "health", `GET /health answered ${response.status}`, "");
  };

  /** Codes, refused writes that succeeded, and ledger moves of one GraphQL answer (an HTTP body or a WebSocket result). */
  function settle(index: number, request: FuzzRequest, operation: FuzzOperation | undefined, body: GraphQLBody) {
    for (const error of body.errors ?? []) count(report.codes, String(error.extensions?.code));
    const succeeded = body.data != null && Object.values(body.data).some((v) => v !== null) && !body.errors;
    if (operation?.mustFail && succeeded) fail(index, request.name, "a write that must be refused succeeded", describe(request));
    if (operation?.cash && succeeded) expected.applied(operation.cash.field, operation.cash.input);
  }

  async function play(index: number) {
    const request = generate(seed, index, book, tokens, options.maxBodyBytes);
    const query = request.operation?.query;
    try {
      if (request.kind === "ws") {
        const { messages, closeCode } = await sendWs(wsUrl, request);
        count(report.statuses, `ws:${closeCode ?? "open"}`);
        const problems = [...wsProblems(messages, closeCode), ...(options.production ? productionProblems(query, messages) : [])];
        for (const problem of problems) fail(index, request.name, problem, describe(request));
        if (request.operation) settle(index, request, request.operation, wsResult(messages));
        return;
      }
      const { status, text } = await sendHttp(origin, request);
      count(report.statuses, String(status));
      const problems = [...httpProblems(status, text), ...(options.production ? productionProblems(query, [text]) : [])];
      for (const problem of problems) fail(index, request.name, problem, describe(request));
      settle(index, request, request.operation, JSON.parse(text) as GraphQLBody);
    } catch (error) {
      // A problem found above already explains an unparsable body; anything else (a reset, a timeout) is one.
      if (!(error instanceof SyntaxError)) fail(index, request.name, `request failed: ${String(error)}`, describe(request));
    } finally {
      report.sent++;
      options.onProgress?.(report.sent);
    }
  }

  let next = 0;
  const worker = async () => {
    while (next < options.requests) {
      const index = next++;
      await play(index);
      if (index % 100 === 99) await checkHealth(index);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 1 }, worker));
  await checkHealth(options.requests);

  const after = await ledgerTotals(url, tokens.admin);
  if (!sameTotals(after, expected.totals)) {
    fail(options.requests, "ledger", `balances total ${printTotals(after)}, expected ${printTotals(expected.totals)} from the successful cash moves`, "");
  }
  report.durationMs = Date.now() - started;
  return report;
}
