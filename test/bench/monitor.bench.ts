/**
 * Margin-monitor latency benchmark: `npx tsx test/bench/monitor.bench.ts`.
 *
 * With 10 000 accounts × 20 positions, every one exposed to BTC: the time from an
 * `updateMarket` response to the receipt of every event it caused at a graphql-ws
 * subscriber (goal p99 < 100 ms), and the monitor's recompute time per tick.
 *
 * 1. Database risk_bench_<random> (support/flippers.ts), bulk-inserted with SQL. Every
 *    account's first position is on BTC. Collateral is sized with the engine so that a
 *    BTC move 100 000 → 96 000 → 100 000 … flips a few hundred accounts' levels on every
 *    tick (HEALTHY ↔ MARGIN_CALL for linear-heavy books, MARGIN_CALL ↔ LIQUIDATION where
 *    PORTFOLIO margin needs more leverage), and keeps everyone else healthy at both spots.
 *    The same engine predicts the events of each tick, to compare with what arrives.
 * 2. Starts the real server (`node --import tsx src/main.ts`, NODE_ENV=production,
 *    LOG_LEVEL=debug so any timing the monitor logs is collected), runs one
 *    `updateMarkets` at unchanged spots (the first full evaluation), and subscribes
 *    `subscription { marginCalls { sequence accountId level previousLevel } }` (live only).
 * 3. Ticks: `updateMarket` of BTC alternating between the two spots, one at a time. Per
 *    tick: the request's duration, then the arrival of every event of the tick (the
 *    count comes from the MarginCall table, read directly), relative to the response
 *    and to the request's start.
 * 4. The same again with REDIS_URL set (events fan out through Redis), on a private
 *    redis-server started for the run on a free port, so no other process's pub/sub
 *    traffic mixes in (and none of ours leaks out).
 *
 * Prints a markdown report on stdout (progress on stderr); drops the database, stops the
 * servers and redis-server on exit, also on failure or Ctrl-C.
 *
 * Environment (defaults): BENCH_ACCOUNTS (10000), BENCH_POSITIONS (20), BENCH_FLIPPERS
 * (300), BENCH_TICKS (30 measured per run), BENCH_WARMUP_TICKS (2), BENCH_REDIS (1; 0
 * skips the Redis run), BENCH_PG_ADMIN_URL (postgresql://postgres@127.0.0.1:5432/postgres).
 */
import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { AS_OF, SPOTS, VOLS } from "./support/book.js";
import { writeFlipperBook } from "./support/flippers.js";
import { startRedis } from "./support/redis.js";
import { envInt, gitState, literal, log, machineLine, ms, percentile, stat } from "./support/report.js";
import { GraphQLHttpClient, main, onCleanup, serverErrors, startServerProcess } from "./support/server.js";
import { lastSequence, monitorLines, runTicks, subscribe, timingsOf, waitForEvent, type Tick } from "./support/ticks.js";

const ACCOUNTS = envInt("BENCH_ACCOUNTS", 10_000);
const POSITIONS = envInt("BENCH_POSITIONS", 20);
const FLIPPERS = envInt("BENCH_FLIPPERS", 300);
const TICKS = envInt("BENCH_TICKS", 30);
const WARMUP_TICKS = envInt("BENCH_WARMUP_TICKS", 2);
const REDIS = process.env.BENCH_REDIS !== "0";
const SEED = 11;
const HIGH = 100_000;
const LOW = 96_000;
const GOAL_P99_MS = 100;

interface RunResult {
  name: string;
  ticks: Tick[];
  fullMs: number;
  fullEvents: number;
  fullTimings: Record<string, number>;
  failures: [string, number][];
}

function runTable(runs: RunResult[]): string {
  const head = `| | ${runs.map((r) => r.name).join(" | ")} |\n|---|${runs.map(() => "---:|").join("")}`;
  const rows: [string, (r: RunResult) => string][] = [
    ["measured ticks (BTC alternating 100 000 / 96 000)", (r) => String(r.ticks.length)],
    ["events per tick: mean (min–max)", (r) => {
      const e = r.ticks.map((t) => t.events);
      return `${(e.reduce((a, b) => a + b, 0) / e.length).toFixed(0)} (${Math.min(...e)}–${Math.max(...e)})`;
    }],
    ["**last event after the updateMarket response, p50 / p99 / max ms**", (r) => {
      const s = stat(r.ticks.map((t) => t.lastAfterResponse));
      return `**${s.p50} / ${s.p99}** / ${s.max}`;
    }],
    ["first event after the response, p50 / min ms", (r) => {
      const s = stat(r.ticks.map((t) => t.firstAfterResponse));
      return `${s.p50} / ${s.min}`;
    }],
    ["updateMarket duration (market write, evaluation, events), p50 / p99 / max ms", (r) => {
      const s = stat(r.ticks.map((t) => t.requestMs));
      return `${s.p50} / ${s.p99} / ${s.max}`;
    }],
    ["request start → last event, p50 / p99 ms", (r) => {
      const s = stat(r.ticks.map((t) => t.lastAfterStart));
      return `${s.p50} / ${s.p99}`;
    }],
  ];
  const keys = [...new Set(runs.flatMap((r) => r.ticks.flatMap((t) => Object.keys(t.serverTimings))))];
  for (const key of keys) {
    rows.push([`server log \`${key}\` per tick, p50 / p99`, (r) => {
      const values = r.ticks.map((t) => t.serverTimings[key]).filter((v): v is number => v !== undefined);
      return values.length ? `${ms(percentile(values, 50), 0)} / ${ms(percentile(values, 99), 0)}` : "—";
    }]);
  }
  rows.push(["first full evaluation (updateMarkets BTC+ETH+SOL at unchanged spots), ms / events", (r) => `${ms(r.fullMs, 0)} / ${r.fullEvents}`]);
  return [head, ...rows.map(([label, f]) => `| ${label} | ${runs.map(f).join(" | ")} |`)].join("\n");
}

await main(async () => {
  const benchStart = performance.now();
  const machine = machineLine();
  const tmp = mkdtempSync(path.join(os.tmpdir(), "risk-monitor-bench-"));
  onCleanup(() => rmSync(tmp, { recursive: true, force: true }));
  const { db, pgVersion, accounts, flippers, predicted, generatedMs, insertMs } = await writeFlipperBook({
    accounts: ACCOUNTS,
    positions: POSITIONS,
    flippers: FLIPPERS,
    high: HIGH,
    low: LOW,
    seed: SEED,
  });

  const token = randomBytes(18).toString("base64url");
  const runs: RunResult[] = [];
  let spot = HIGH;
  let redisVersion: string | null = null;
  const modes: { name: string; redisUrl: string | null }[] = [{ name: "in-process bus", redisUrl: null }];
  if (REDIS) {
    const redis = await startRedis();
    redisVersion = redis.version;
    modes.push({ name: "Redis bus (REDIS_URL)", redisUrl: redis.url });
  }
  for (const [i, mode] of modes.entries()) {
    const server = await startServerProcess({
      databaseUrl: db.url,
      token,
      redisUrl: mode.redisUrl,
      logFile: path.join(tmp, `server-${i}.log`),
      // No periodic full pass inside the measured window (it runs every 60 s by default).
      env: { LOG_LEVEL: "debug", MONITOR_INTERVAL_MS: "0" },
    });
    log(`${mode.name}: server pid ${server.pid} at ${server.url}`);
    const client = new GraphQLHttpClient(server.url, token, 2);
    const subscriber = await subscribe(server.url, token);
    // First evaluation (or, for the second run, a full pass of a fresh process) at the current spots.
    const inputs = Object.keys(SPOTS).map((u) => ({ underlying: u, spot: u === "BTC" ? spot : SPOTS[u], volatility: VOLS[u], rate: 0, asOf: AS_OF }));
    const before = await lastSequence(db);
    const logMark = server.logs.length;
    const full = await client.ok(`mutation { updateMarkets(inputs: [${inputs.map(literal).join(", ")}]) { underlying } }`);
    const afterFull = await lastSequence(db);
    await waitForEvent(subscriber, afterFull.max, before.max, "the first evaluation's events");
    const fullTimings = timingsOf(monitorLines(server.logs, logMark));
    log(`${mode.name}: full evaluation ${ms(full.ms, 0)} ms, ${afterFull.count - before.count} events`);
    const ticking = { server, client, subscriber, db, spots: [HIGH, LOW] as [number, number] };
    const warm = await runTicks({ ...ticking, startSpot: spot, count: WARMUP_TICKS });
    const measured = await runTicks({ ...ticking, startSpot: warm.spot, count: TICKS });
    spot = measured.spot;
    await subscriber.close();
    client.close();
    await server.stop();
    runs.push({ name: mode.name, ticks: measured.ticks, fullMs: full.ms, fullEvents: afterFull.count - before.count, fullTimings, failures: serverErrors(server.logs) });
  }

  // ---------- report ----------
  const inProcess = runs[0];
  const p99 = percentile(inProcess.ticks.map((t) => t.lastAfterResponse).filter((x): x is number => x !== null), 99);
  const p99Redis = runs[1] ? percentile(runs[1].ticks.map((t) => t.lastAfterResponse).filter((x): x is number => x !== null), 99) : null;
  const verdict = (v: number) => (v < GOAL_P99_MS ? `met (${ms(v)} ms)` : `missed (${ms(v)} ms)`);
  const updateP50 = percentile(inProcess.ticks.map((t) => t.requestMs), 50);
  const fromStart = inProcess.ticks.map((t) => t.lastAfterStart).filter((x): x is number => x !== null);
  const early = runs.every((r) => r.ticks.every((t) => t.lastAfterResponse === null || t.lastAfterResponse <= 0));
  const reading = early
    ? ` Every event of every tick arrived *before* the updateMarket response: the server evaluates the exposed units inside the request, commits the level changes, publishes the events, and only then finishes the request. Negative values are how much earlier the last event came. The goal as worded is therefore met trivially; the latency a subscriber actually sees from a market move is the request start → last event row: p50 ${ms(percentile(fromStart, 50), 0)} ms, p99 ${ms(percentile(fromStart, 99), 0)} ms in-process.`
    : "";
  const failures = runs.flatMap((r) => r.failures.map(([m, n]) => `${r.name}: ${n} × "${m}"`));
  console.log(`## Monitor latency benchmark

Machine: ${machine}; PostgreSQL ${pgVersion}${redisVersion ? `, Redis ${redisVersion} (private instance started by the benchmark)` : ""} on the same VM.
Code: ${gitState()}.
Command: \`npx tsx test/bench/monitor.bench.ts\` (whole run ${((performance.now() - benchStart) / 1000).toFixed(0)} s).

Book: ${accounts.length.toLocaleString("en-US")} accounts (${accounts.filter((a) => a.mode === "CROSS").length} CROSS, ${accounts.filter((a) => a.mode === "PORTFOLIO").length} PORTFOLIO, ${accounts.filter((a) => a.mode === "ISOLATED").length} ISOLATED) × ${POSITIONS} positions, each with at least one BTC position, so every account is re-evaluated on a BTC tick; ${flippers} of them sized to change level on every tick between BTC ${HIGH.toLocaleString("en-US")} and ${LOW.toLocaleString("en-US")}, the rest healthy at both. Built in ${(generatedMs / 1000).toFixed(1)} s, inserted with bulk SQL in ${(insertMs / 1000).toFixed(1)} s. The engine predicts ${predicted[0]} events for the first evaluation and ${predicted.slice(1).join(", ")} for the following ticks.

Subscriber: graphql-ws (\`ws\`) on \`subscription { marginCalls { sequence accountId level previousLevel } }\`, live only, ADMIN token, in the benchmark process; ticks are \`updateMarket(input: { underlying: "BTC", spot })\`, one at a time (${WARMUP_TICKS} warm-up ticks per run not counted). A tick's events are those the MarginCall table gained; every one of them was received.

${runTable(runs)}

Goal p99 < ${GOAL_P99_MS} ms from the updateMarket response to the last event: in-process bus ${verdict(p99)}${p99Redis !== null ? `; Redis bus ${verdict(p99Redis)}` : ""}.${reading}
Recompute time per tick: the server evaluates the exposed units inside the updateMarket request, so its duration (p50 ${ms(updateP50, 0)} ms in-process) is the monitor's whole pass as a client sees it; the server's debug log splits it (the \`server log\` rows above, where logged).${failures.length ? `\nServer-side errors logged: ${failures.join("; ")}.` : ""}
`);
});
