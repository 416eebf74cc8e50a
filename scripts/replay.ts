import { parseArgs } from "node:util";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { loadPriceHistoryFile } from "../src/db/priceHistoryFile.js";
import { replayPath } from "../src/monitor/replayPath.js";

/**
 * Drill: replays the bundled daily closes between two dates into a running server,
 * stepping intraday by geometric interpolation, through `updateMarkets`. By default the
 * historical path is applied relative to each underlying's current spot, so today's
 * book lives through the crash; --absolute sends the historical prices themselves.
 * With --watch it subscribes to margin calls and prints them as they arrive.
 *
 *   npm run replay -- --from 2022-11-06 --to 2022-11-12 --speed 60 --watch
 *
 * --speed N plays N simulated minutes per real second (60: one day in 24 s).
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

const { marketState } = await gql<{ marketState: { underlying: string; spot: number }[] }>(`{ marketState { underlying spot } }`);
const steps = replayPath(await loadPriceHistoryFile(), marketState.map((m) => m.underlying), from, to, stepMinutes);
const base = new Map(marketState.map((m) => [m.underlying, m.spot]));

if (values.watch) {
  const client = createClient({ url: values.url.replace(/^http/, "ws"), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` } });
  client.subscribe<{ marginCalls: Record<string, unknown> }>(
    { query: `subscription { marginCalls { sequence accountId portfolioId previousLevel level ratio equity asOf } }` },
    { next: ({ data }) => data && console.log("margin call", JSON.stringify(data.marginCalls)), error: (e) => console.error("feed error", e), complete: () => undefined },
  );
}

const delayMs = (stepMinutes / speed) * 1000;
console.log(`replaying ${steps.length} steps ${from} → ${to}, one every ${delayMs.toFixed(0)} ms (${values.absolute ? "absolute prices" : "moves applied to current spots"})`);
for (const step of steps) {
  const inputs = [...step.relative].map(([underlying, relative]) => ({
    underlying,
    spot: values.absolute ? step.prices.get(underlying)! : base.get(underlying)! * relative,
    asOf: step.time.toISOString(),
  }));
  const started = Date.now();
  await gql(`mutation($inputs: [UpdateMarketInput!]!) { updateMarkets(inputs: $inputs) { underlying } }`, { inputs });
  console.log(step.time.toISOString(), inputs.map((i) => `${i.underlying} ${i.spot.toFixed(2)}`).join("  "));
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, delayMs - (Date.now() - started))));
}
console.log("replay done");
process.exit(0);
