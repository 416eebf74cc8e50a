/**
 * Market feed benchmark: `npm run bench -- feed` (or `npx tsx test/bench/feed.bench.ts`).
 *
 * With the 10 000-account book of the monitor benchmark (support/flippers.ts: 20 positions
 * each, every account exposed to BTC, 300 of them changing level on each BTC move
 * 100 000 ↔ 96 000), the real server as a child process with NATS_URL set, on a private
 * nats-server (JetStream) started for the run:
 *
 * 1. Latency: one tick at a time published to market.BTC (alternating the two spots), from
 *    the publish to the arrival of the last margin-call event it caused at a graphql-ws
 *    subscriber (events are the rows the MarginCall table gained; a tick is done when the
 *    consumer's ack floor passed it: the server acknowledges after the events are published).
 * 2. Sustained load: `scripts/feed.ts` (npm run feed) in its own process publishing 1 000
 *    ticks/s over BTC, ETH and SOL (random walk, 0.02 % steps, no asOf: the book keeps its
 *    valuation date, so nothing expires) for BENCH_FEED_SECONDS;
 *    every 250 ms: the server's risk_feed_lag_seconds and pending counts, and the age of the
 *    oldest unacknowledged tick as the stream tells it; then how long the backlog takes to drain.
 *
 * Prints a markdown report on stdout (progress on stderr); drops the database and stops the
 * server, the publisher and nats-server on exit, also on failure or Ctrl-C.
 *
 * Environment (defaults): BENCH_ACCOUNTS (10000), BENCH_POSITIONS (20), BENCH_FLIPPERS (300),
 * BENCH_TICKS (30 measured), BENCH_WARMUP_TICKS (2), BENCH_FEED_RATE (1000 ticks/s),
 * BENCH_FEED_SECONDS (20), BENCH_PG_ADMIN_URL.
 */
import "reflect-metadata";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { CONSUMER, STREAM } from "../../src/feed/natsFeed.js";
import { AS_OF, SPOTS, VOLS } from "./support/book.js";
import { writeFlipperBook } from "./support/flippers.js";
import { startNats } from "./support/nats.js";
import { envInt, gitState, literal, log, machineLine, ms, percentile, stat } from "./support/report.js";
import { GraphQLHttpClient, getText, main, onCleanup, ROOT, scrapeMetrics, serverErrors, startServerProcess } from "./support/server.js";
import { lastSequence, subscribe, waitForEvent } from "./support/ticks.js";

const ACCOUNTS = envInt("BENCH_ACCOUNTS", 10_000);
const POSITIONS = envInt("BENCH_POSITIONS", 20);
const FLIPPERS = envInt("BENCH_FLIPPERS", 300);
const TICKS = envInt("BENCH_TICKS", 30);
const WARMUP_TICKS = envInt("BENCH_WARMUP_TICKS", 2);
const RATE = envInt("BENCH_FEED_RATE", 1000);
const SECONDS = envInt("BENCH_FEED_SECONDS", 20);
const SEED = 11;
const HIGH = 100_000;
const LOW = 96_000;
/** Sampling period of lag and pending during the sustained load, ms. */
const SAMPLE_MS = 250;

interface LatencyTick {
  events: number;
  /** Publish start → the consumer's ack floor passed the tick (applied, evaluated, events published), ms. */
  appliedMs: number;
  /** Publish start → last event at the subscriber, ms (null without events). */
  lastEventMs: number | null;
}

/** The consumer's unacknowledged count (not delivered + delivered, not acknowledged) and ack floor. */
async function consumerState(jsm: JetStreamManager): Promise<{ unacked: number; pending: number; ackPending: number; ackFloor: number }> {
  const info = await jsm.consumers.info(STREAM, CONSUMER);
  return { unacked: info.num_pending + info.num_ack_pending, pending: info.num_pending, ackPending: info.num_ack_pending, ackFloor: info.ack_floor.stream_seq };
}

await main(async () => {
  const benchStart = performance.now();
  const machine = machineLine();
  const tmp = mkdtempSync(path.join(os.tmpdir(), "risk-feed-bench-"));
  onCleanup(() => rmSync(tmp, { recursive: true, force: true }));
  const nats = await startNats();
  const { db, pgVersion, accounts, flippers, generatedMs, insertMs } = await writeFlipperBook({ accounts: ACCOUNTS, positions: POSITIONS, flippers: FLIPPERS, high: HIGH, low: LOW, seed: SEED });
  const token = randomBytes(18).toString("base64url");
  const server = await startServerProcess({
    databaseUrl: db.url,
    token,
    logFile: path.join(tmp, "server.log"),
    // No periodic full pass inside the measured window.
    env: { NATS_URL: nats.url, MONITOR_INTERVAL_MS: "0" },
  });
  log(`server pid ${server.pid} at ${server.url}, NATS ${nats.url}`);
  for (let i = 0; !(await getText(`${server.origin}/health`)).includes('"status":"up"'); i++) {
    if (i > 200) throw new Error("the feed did not come up");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const nc = await connect({ servers: nats.url });
  onCleanup(() => nc.close());
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const client = new GraphQLHttpClient(server.url, token, 2);
  onCleanup(() => client.close());
  const subscriber = await subscribe(server.url, token);

  // First full evaluation at the stored spots (through the API, as the monitor benchmark does).
  const inputs = Object.keys(SPOTS).map((u) => ({ underlying: u, spot: u === "BTC" ? HIGH : SPOTS[u], volatility: VOLS[u], rate: 0, asOf: AS_OF }));
  const before = await lastSequence(db);
  await client.ok(`mutation { updateMarkets(inputs: [${inputs.map(literal).join(", ")}]) { underlying } }`);
  const full = await lastSequence(db);
  await waitForEvent(subscriber, full.max, before.max, "the first evaluation's events");

  // ---------- 1. tick → last event ----------
  const ticks: LatencyTick[] = [];
  let spot = HIGH;
  for (let t = 0; t < WARMUP_TICKS + TICKS; t++) {
    spot = spot === HIGH ? LOW : HIGH;
    const start = await lastSequence(db);
    const mark = subscriber.arrivals.length;
    const started = performance.now();
    const { seq } = await js.publish("market.BTC", JSON.stringify({ spot }));
    while ((await consumerState(jsm)).ackFloor < seq) await new Promise((resolve) => setTimeout(resolve, 2));
    const appliedMs = performance.now() - started;
    const end = await lastSequence(db);
    await waitForEvent(subscriber, end.max, start.max, `the events of tick ${t + 1}`);
    if (subscriber.errors.length) throw new Error(`subscription failed: ${JSON.stringify(subscriber.errors)}`);
    const arrivals = subscriber.arrivals.slice(mark).filter((a) => a.sequence > start.max && a.sequence <= end.max);
    const events = end.count - start.count;
    if (arrivals.length !== events) throw new Error(`tick ${t + 1}: ${events} events stored, ${arrivals.length} received`);
    const lastEventMs = arrivals.length ? Math.max(...arrivals.map((a) => a.at)) - started : null;
    if (t >= WARMUP_TICKS) ticks.push({ events, appliedMs, lastEventMs });
    log(`tick ${t + 1}/${WARMUP_TICKS + TICKS}: BTC ${spot}, applied after ${ms(appliedMs, 0)} ms, ${events} events, last at ${lastEventMs === null ? "—" : ms(lastEventMs, 0)} ms`);
  }

  // ---------- 2. sustained load from another process ----------
  // The walk starts from the last tick of each underlying on the stream: the book's spots.
  await Promise.all(Object.keys(SPOTS).map((u) => js.publish(`market.${u}`, JSON.stringify({ spot: u === "BTC" ? spot : SPOTS[u] }))));
  while ((await consumerState(jsm)).unacked > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  const metricsBefore = await scrapeMetrics(server.origin);
  const eventsBefore = await lastSequence(db);
  const publisher = spawn(process.execPath, ["--import", "tsx", "scripts/feed.ts", "--nats", nats.url, "--rate", String(RATE), "--duration", String(SECONDS), "--underlyings", "BTC,ETH,SOL", "--step", "0.0002", "--keep-as-of", "--quiet"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let publisherOut = "";
  publisher.stdout.on("data", (c) => (publisherOut += c));
  const published = new Promise<number | null>((resolve) => publisher.once("exit", resolve));
  onCleanup(() => {
    if (publisher.exitCode === null) publisher.kill("SIGTERM");
  });
  let publishing = true;
  void published.then(() => (publishing = false));
  const samples: { at: number; serverLag: number; pending: number; ackPending: number; oldestAge: number }[] = [];
  const loadStart = performance.now();
  let drainedAt: number | null = null;
  let publisherDoneAt = 0;
  while (drainedAt === null) {
    const [metrics, state] = await Promise.all([scrapeMetrics(server.origin), consumerState(jsm)]);
    let oldestAge = 0;
    if (state.unacked > 0) {
      const oldest = await jsm.streams.getMessage(STREAM, { seq: state.ackFloor + 1 }).catch(() => null);
      if (oldest) oldestAge = (Date.now() - oldest.time.getTime()) / 1000;
    }
    samples.push({
      at: performance.now() - loadStart,
      serverLag: metrics.get("risk_feed_lag_seconds") ?? 0,
      pending: metrics.get('risk_feed_pending_messages{state="pending"}') ?? 0,
      ackPending: metrics.get('risk_feed_pending_messages{state="ack_pending"}') ?? 0,
      oldestAge,
    });
    if (!publishing && publisherDoneAt === 0) publisherDoneAt = performance.now();
    if (!publishing && state.unacked === 0) drainedAt = performance.now();
    else await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
  }
  if ((await published) !== 0) throw new Error(`the publisher failed: ${publisherOut}`);
  const sent = Number(/(\d+) ticks published in ([\d.]+) s\s*$/.exec(publisherOut.trim())?.[1] ?? NaN);
  const sentSeconds = Number(/(\d+) ticks published in ([\d.]+) s\s*$/.exec(publisherOut.trim())?.[2] ?? NaN);
  const metricsAfter = await scrapeMetrics(server.origin);
  const delta = (series: string) => (metricsAfter.get(series) ?? 0) - (metricsBefore.get(series) ?? 0);
  const handled = delta('risk_feed_ticks_total{outcome="applied"}') + delta('risk_feed_ticks_total{outcome="superseded"}');
  const duplicates = delta('risk_feed_ticks_total{outcome="duplicate"}');
  const malformed = delta('risk_feed_ticks_total{outcome="malformed"}') + delta('risk_feed_ticks_total{outcome="rejected"}');
  const batches = delta('risk_feed_batches_total{result="ok"}');
  const evaluations = delta("risk_evaluation_duration_seconds_count");
  const eventsAfter = await lastSequence(db);
  await subscriber.close();
  await server.stop();

  // ---------- report ----------
  const applied = stat(ticks.map((t) => t.appliedMs));
  const last = stat(ticks.map((t) => t.lastEventMs));
  const events = ticks.map((t) => t.events);
  const max = (f: (s: (typeof samples)[number]) => number) => Math.max(...samples.map(f));
  const steady = samples.filter((s) => s.at >= 5000 && s.at <= SECONDS * 1000);
  const failures = serverErrors(server.logs);
  console.log(`## NATS feed benchmark

Machine: ${machine}; PostgreSQL ${pgVersion}, nats-server ${nats.version} (private instance with JetStream, started by the benchmark) on the same VM.
Code: ${gitState()}.
Command: \`npm run bench -- feed\` (whole run ${((performance.now() - benchStart) / 1000).toFixed(0)} s).

Book: ${accounts.length.toLocaleString("en-US")} accounts × ${POSITIONS} positions, every one exposed to BTC, ${flippers} of them sized to change level on every BTC move between ${HIGH.toLocaleString("en-US")} and ${LOW.toLocaleString("en-US")} (the monitor benchmark's book; built in ${(generatedMs / 1000).toFixed(1)} s, inserted in ${(insertMs / 1000).toFixed(1)} s). Server: \`node --import tsx src/main.ts\`, NODE_ENV=production, NATS_URL set, FEED_BATCH_SIZE 2000 (default).

### Tick → margin-call event through NATS

${TICKS} ticks published one at a time to \`market.BTC\` from the benchmark process (JetStream publish, confirmed), alternating the two spots (${WARMUP_TICKS} warm-up ticks not counted); subscriber: graphql-ws on \`subscription { marginCalls { … } }\` in the benchmark process.

| | p50 | p99 | max |
|---|---:|---:|---:|
| **publish → last margin-call event at the subscriber, ms** | **${last.p50}** | **${last.p99}** | ${last.max} |
| publish → tick acknowledged (applied, evaluated, events published), ms | ${applied.p50} | ${applied.p99} | ${applied.max} |

Events per tick: mean ${(events.reduce((a, b) => a + b, 0) / events.length).toFixed(0)} (${Math.min(...events)}–${Math.max(...events)}); every stored event was received.

### Sustained ${RATE.toLocaleString("en-US")} ticks/s over BTC, ETH, SOL

\`scripts/feed.ts\` (npm run feed) in its own process: ${sent.toLocaleString("en-US")} ticks in ${sentSeconds} s (${(sent / sentSeconds).toFixed(0)} ticks/s), random walk with 0.02 % steps, no asOf (the book stays valued at its date); sampled every ${SAMPLE_MS} ms.

| | figure |
|---|---:|
| **max lag: server's risk_feed_lag_seconds (oldest tick of a batch, publish → acknowledgement), s** | **${max((s) => s.serverLag).toFixed(2)}** |
| max age of the oldest unacknowledged tick (from the stream), s | ${max((s) => s.oldestAge).toFixed(2)} |
| same, p50 of the samples from 5 s to the end of publishing, s | ${steady.length ? percentile(steady.map((s) => s.oldestAge), 50).toFixed(2) : "—"} |
| **max pending (not delivered + delivered, unacknowledged), ticks** | **${max((s) => s.pending + s.ackPending).toLocaleString("en-US")}** (${max((s) => s.pending).toLocaleString("en-US")} + ${max((s) => s.ackPending).toLocaleString("en-US")} at most) |
| backlog drained after the publisher stopped, s | ${((drainedAt - publisherDoneAt) / 1000).toFixed(2)} |
| ticks stored / redelivered (duplicates, no effect) / malformed or rejected | ${handled.toLocaleString("en-US")} / ${duplicates} / ${malformed} |
| batches (one transaction + one evaluation each at most) | ${batches.toLocaleString("en-US")} (mean ${(handled / batches).toFixed(0)} ticks) |
| read-model evaluations | ${evaluations.toLocaleString("en-US")} |
| margin-call events | ${(eventsAfter.count - eventsBefore.count).toLocaleString("en-US")} |
${failures.length ? `\nServer-side errors logged: ${failures.map(([m, n]) => `${n} × "${m}"`).join("; ")}.` : ""}
`);
});
