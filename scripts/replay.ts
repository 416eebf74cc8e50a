import { parseArgs } from "node:util";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { loadPriceHistoryFile } from "../src/db/priceHistoryFile.js";
import { tickSubject } from "../src/feed/tickMessage.js";
import { inClockFrom, replayPath } from "../src/monitor/replayPath.js";

/**
 * Drill: replays the bundled daily closes between two dates into a running server,
 * stepping intraday by geometric interpolation, through `updateMarkets`, and prints the
 * margin calls it causes with the accounts' names.
 *
 * By default the historical path is applied relative to each underlying's current spot
 * and in today's clock (asOf advancing from now), so today's book lives through the
 * crash; when the replay ends or is interrupted (Ctrl-C, SIGINT or SIGTERM) the market
 * it started from is restored (spot, volatility, rate and asOf), unless --keep.
 * --absolute sends the historical prices and dates themselves.
 *
 *   npm run replay -- --from 2022-11-06 --to 2022-11-12 --speed 60
 *
 * --speed N plays N simulated minutes per real second (60: one day in 24 s).
 *
 * --nats publishes the steps (and the restore) as ticks to NATS JetStream instead
 * (market.<UNDERLYING> on stream MARKET, at --nats-url, default NATS_URL or
 * nats://127.0.0.1:4222) for a server that consumes the feed; the market is still read and
 * the margin calls still followed through the API.
 */
const { values } = parseArgs({
  options: {
    from: { type: "string" },
    to: { type: "string" },
    speed: { type: "string", default: "60" },
    "step-minutes": { type: "string", default: "60" },
    url: { type: "string", default: process.env.RISK_API_URL ?? "http://127.0.0.1:4000/graphql" },
    token: { type: "string", default: process.env.RISK_ADMIN_TOKEN },
    absolute: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    nats: { type: "boolean", default: false },
    "nats-url": { type: "string", default: process.env.NATS_URL ?? "nats://127.0.0.1:4222" },
    // Margin calls are always printed; kept so older command lines still run.
    watch: { type: "boolean", default: false },
  },
});
const fail = (message: string): never => {
  console.error(message);
  process.exit(2);
};
const from = values.from ?? fail("--from yyyy-mm-dd is required");
const to = values.to ?? fail("--to yyyy-mm-dd is required");
const speed = Number(values.speed);
const stepMinutes = Number(values["step-minutes"]);
if (!(speed > 0) || !(stepMinutes > 0)) fail("--speed and --step-minutes must be positive numbers");
const token = values.token ?? fail("--token or RISK_ADMIN_TOKEN is required");

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(values.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
  return body.data as T;
}

interface MarketRow {
  underlying: string;
  spot: number;
  volatility: number;
  rate: number;
  asOf: string;
}
const UPDATE = `mutation($inputs: [UpdateMarketInput!]!) { updateMarkets(inputs: $inputs) { underlying } }`;

type Update = Partial<MarketRow> & { underlying: string; spot: number };
/**
 * Applies one step: through updateMarkets, or with --nats as one confirmed tick per
 * underlying (the restore too, so it is applied after every step, in stream order).
 */
let send: (inputs: Update[]) => Promise<unknown> = (inputs) => gql(UPDATE, { inputs });
let closeNats = async () => undefined as unknown;
if (values.nats) {
  const nc = await connect({ servers: values["nats-url"].split(","), name: "risk-api replay" });
  const js = jetstream(nc);
  send = (inputs) => Promise.all(inputs.map(({ underlying, ...tick }) => js.publish(tickSubject(underlying), JSON.stringify(tick))));
  closeNats = () => nc.drain();
}

const { marketState } = await gql<{ marketState: MarketRow[] }>(`{ marketState { underlying spot volatility rate asOf } }`);
const historical = replayPath(await loadPriceHistoryFile(), marketState.map((m) => m.underlying), from, to, stepMinutes);
const moved = [...(historical[0]?.relative.keys() ?? [])];
if (moved.length === 0) fail(`no underlying of the market has a close on every day from ${from} to ${to}`);
const steps = values.absolute ? historical : inClockFrom(historical, Date.now());
const startedFrom = marketState.filter((m) => moved.includes(m.underlying));
const base = new Map(startedFrom.map((m) => [m.underlying, m.spot]));

// ---- margin calls, with names ----
const names = new Map<string, Promise<string>>();
function nameOf(kind: "account" | "portfolio", id: string): Promise<string> {
  const key = `${kind}:${id}`;
  let name = names.get(key);
  if (!name) {
    name = gql<Record<string, { name: string; client?: { name: string } } | null>>(
      kind === "account" ? `query($id: ID!) { account(id: $id) { name client { name } } }` : `query($id: ID!) { portfolio(id: $id) { name } }`,
      { id },
    ).then(
      (data) => {
        const row = data[kind];
        if (!row) return `${kind} ${id}`;
        return row.client ? `${row.name} (${row.client.name})` : `portfolio ${row.name}`;
      },
      () => `${kind} ${id}`,
    );
    names.set(key, name);
  }
  return name;
}

interface MarginCall {
  sequence: number;
  accountId: string | null;
  portfolioId: string | null;
  previousLevel: string;
  level: string;
  ratio: number | null;
  asOf: string;
}
const ws = createClient({ url: values.url.replace(/^http/, "ws"), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` } });
let printing = Promise.resolve();
const connected = new Promise<void>((resolve, reject) => {
  const stop = ws.on("connected", () => {
    stop();
    resolve();
  });
  ws.subscribe<{ marginCalls: MarginCall }>(
    { query: `subscription { marginCalls { sequence accountId portfolioId previousLevel level ratio asOf } }` },
    {
      next: ({ data }) => {
        const call = data?.marginCalls;
        if (!call) return;
        const who = call.accountId ? nameOf("account", call.accountId) : nameOf("portfolio", call.portfolioId!);
        const ratio = call.ratio === null ? "under water" : `ratio ${(call.ratio * 100).toFixed(1)} %`;
        printing = printing.then(async () => console.log(`margin call #${call.sequence}  ${call.asOf}  ${await who}: ${call.previousLevel} → ${call.level}, ${ratio}`));
      },
      error: (error) => {
        console.error("margin-call feed error", error);
        reject(error instanceof Error ? error : new Error("margin-call feed refused"));
      },
      complete: () => undefined,
    },
  );
});
await connected;

// ---- the replay, interruptible ----
let interrupted = false;
let wake: () => void = () => undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130); // a second Ctrl-C: leave at once
    interrupted = true;
    console.log(`${signal}: stopping the replay`);
    wake();
  });
}
const pause = (ms: number) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });

const delayMs = (stepMinutes / speed) * 1000;
console.log(
  `replaying ${steps.length} steps ${from} → ${to}${values.nats ? ` to NATS ${values["nats-url"]}` : ""}, one every ${delayMs.toFixed(0)} ms ` +
    `(${values.absolute ? "historical prices and dates" : "moves applied to current spots, asOf from now"}; ${moved.join(", ")})`,
);
try {
  for (const step of steps) {
    if (interrupted) break;
    const inputs = [...step.relative].map(([underlying, relative]) => ({
      underlying,
      spot: values.absolute ? step.prices.get(underlying)! : base.get(underlying)! * relative,
      asOf: step.time.toISOString(),
    }));
    const started = Date.now();
    await send(inputs);
    console.log(step.time.toISOString(), inputs.map((i) => `${i.underlying} ${i.spot.toFixed(2)}`).join("  "));
    await pause(Math.max(0, delayMs - (Date.now() - started)));
  }
  console.log(interrupted ? "replay interrupted" : "replay done");
} finally {
  if (values.keep) {
    console.log("--keep: the market stays where the replay left it");
  } else {
    await send(startedFrom.map(({ underlying, spot, volatility, rate, asOf }) => ({ underlying, spot, volatility, rate, asOf })));
    console.log(`market restored: ${startedFrom.map((m) => `${m.underlying} ${m.spot.toFixed(2)} at ${m.asOf}`).join("  ")}`);
  }
  await pause(values.nats ? 1500 : 500); // the margin calls the last move or the restore raised (through the feed: once consumed)
  await printing;
  await ws.dispose();
  await closeNats();
}
process.exit(interrupted ? 130 : 0);
