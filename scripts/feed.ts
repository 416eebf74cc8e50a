import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { loadPriceHistoryFile } from "../src/db/priceHistoryFile.js";
import { STREAM, SUBJECTS } from "../src/feed/natsFeed.js";
import { tickSubject } from "../src/feed/tickMessage.js";

/**
 * Demo publisher of market ticks to NATS JetStream (stream MARKET, subjects market.<UNDERLYING>),
 * the feed a server with NATS_URL consumes (README "Market data feed").
 *
 *   npm run feed                                        # random walk of BTC, ETH, SOL, 5 ticks/s, until Ctrl-C
 *   npm run feed -- --rate 1000 --duration 20 --underlyings BTC,ETH,SOL
 *   npm run feed -- --file ticks.jsonl --rate 50        # one {"underlying": "BTC", "spot": …} per line
 *
 * The walk starts from the last tick on the stream of each underlying, else from the latest
 * bundled daily close, and moves each spot by a normal relative step of --step (0.001 = 0.1 %)
 * per tick; each tick carries asOf = now (--keep-as-of: no asOf, the server keeps each market's
 * valuation time, e.g. a book valued at a fixed date). --rate is ticks per second over all underlyings.
 * Every publish is confirmed by the stream; the stream is created when missing (as the server does).
 */
const { values } = parseArgs({
  options: {
    nats: { type: "string", default: process.env.NATS_URL ?? "nats://127.0.0.1:4222" },
    underlyings: { type: "string", default: "BTC,ETH,SOL" },
    rate: { type: "string", default: "5" },
    step: { type: "string", default: "0.001" },
    duration: { type: "string" },
    count: { type: "string" },
    file: { type: "string" },
    "keep-as-of": { type: "boolean", default: false },
    quiet: { type: "boolean", default: false },
  },
});
const fail = (message: string): never => {
  console.error(message);
  process.exit(2);
};
const rate = Number(values.rate);
const step = Number(values.step);
if (!(rate > 0) || !(step >= 0)) fail("--rate must be positive and --step non-negative");
const durationMs = values.duration === undefined ? Infinity : Number(values.duration) * 1000;
const count = values.count === undefined ? Infinity : Number(values.count);
if (!(durationMs > 0) || !(count > 0)) fail("--duration (seconds) and --count must be positive");

const nc = await connect({ servers: values.nats.split(","), name: "risk-api feed publisher" });
const jsm = await jetstreamManager(nc);
await jsm.streams.info(STREAM).catch(() => jsm.streams.add({ name: STREAM, subjects: [SUBJECTS] }));
const js = jetstream(nc);

type Tick = { underlying: string } & Record<string, unknown>;

/** The next tick, or null when the source is exhausted. */
let next: () => Tick | null;
if (values.file) {
  const lines = (await readFile(values.file, "utf8")).split(/\r?\n/).filter((l) => l.trim() !== "");
  const ticks = lines.map((line, i) => {
    const tick = JSON.parse(line) as Tick;
    if (typeof tick?.underlying !== "string") fail(`${values.file}:${i + 1}: every line needs "underlying"`);
    return tick;
  });
  let i = 0;
  next = () => ticks[i++] ?? null;
} else {
  const underlyings = values.underlyings.split(",").map((u) => u.trim()).filter(Boolean);
  const history = await loadPriceHistoryFile();
  const spots = new Map<string, number>();
  for (const underlying of underlyings) {
    const last = await jsm.streams.getMessage(STREAM, { last_by_subj: tickSubject(underlying) }).catch(() => null);
    const published = last ? Number((last.json() as { spot?: unknown }).spot) : NaN;
    const close = history.filter((r) => r.underlying === underlying).at(-1)?.close;
    const start = Number.isFinite(published) && published > 0 ? published : Number(close);
    if (!(start > 0)) fail(`no start spot for ${underlying}: nothing on the stream and no bundled close`);
    spots.set(underlying, start);
  }
  // Standard normal by Box–Muller.
  const normal = () => Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
  let i = 0;
  next = () => {
    const underlying = underlyings[i++ % underlyings.length];
    const spot = spots.get(underlying)! * Math.exp(step * normal());
    spots.set(underlying, spot);
    return { underlying, spot: Number(spot.toPrecision(10)), ...(values["keep-as-of"] ? {} : { asOf: new Date().toISOString() }) };
  };
}

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => (stopping = true));

// Paced by the clock: every 10 ms, publish what is due since the start (confirmations awaited per slice).
const started = Date.now();
let sent = 0;
let reported = started;
while (!stopping && sent < count && Date.now() - started < durationMs) {
  const due = Math.min(count, Math.floor(((Date.now() - started) / 1000) * rate) + 1);
  const slice: Promise<unknown>[] = [];
  for (; sent < due; sent++) {
    const tick = next();
    if (!tick) {
      stopping = true;
      break;
    }
    const { underlying, ...body } = tick;
    slice.push(js.publish(tickSubject(underlying), JSON.stringify(body)));
    if (!values.quiet && rate <= 20) console.log(`${tickSubject(underlying)} ${JSON.stringify(body)}`);
  }
  await Promise.all(slice);
  if (!values.quiet && Date.now() - reported >= 5000) {
    reported = Date.now();
    console.log(`${sent} ticks published in ${((reported - started) / 1000).toFixed(0)} s`);
  }
  await new Promise((resolve) => setTimeout(resolve, 10));
}
console.log(`${sent} ticks published in ${((Date.now() - started) / 1000).toFixed(1)} s`);
await nc.drain();
