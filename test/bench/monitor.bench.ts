/**
 * Margin-monitor latency benchmark: `npx tsx test/bench/monitor.bench.ts`.
 *
 * With 10 000 accounts × 20 positions, every one exposed to BTC: the time from an
 * `updateMarket` response to the receipt of every event it caused at a graphql-ws
 * subscriber (goal p99 < 100 ms), and the monitor's recompute time per tick.
 *
 * 1. Database risk_bench_<random> as in api.bench.ts, bulk-inserted with SQL. Every
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
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { nextLevel, withSpot, type MarginLevel, type Market } from "../../src/engine/index.js";
import type { MarketContext } from "../../src/domain/marginUnit.js";
import {
  AS_OF,
  SPOTS,
  VOLS,
  createBenchDatabase,
  fixed,
  isolatedParts,
  makeAccounts,
  makeInstruments,
  monitorRatio,
  poolParts,
  scenarioTable,
  writeAccounts,
  writeMarketAndInstruments,
  type BenchAccount,
  type BenchDatabase,
} from "./support/book.js";
import { envInt, gitState, literal, log, machineLine, ms, mulberry32, percentile, summarize } from "./support/report.js";
import { GraphQLHttpClient, main, onCleanup, serverErrors, startServerProcess, type LogEntry, type ServerProcess } from "./support/server.js";

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
/** Longest wait for a tick's events to arrive before the run is declared broken. */
const EVENT_TIMEOUT_MS = 30_000;

// ---------- the book ----------

type Parts = { mm: number; e0: number };

const ratioWith = (p: Parts, usdc: number) => (usdc + p.e0 > 0 ? p.mm / (usdc + p.e0) : Infinity);

/** Levels after the first evaluation at HIGH and ticks LOW, HIGH, LOW: a flipper changes level on each tick, in a cycle. */
function flips(high: number, low: number): boolean {
  const l0 = nextLevel("HEALTHY", high);
  const l1 = nextLevel(l0, low);
  const l2 = nextLevel(l1, high);
  const l3 = nextLevel(l2, low);
  return l1 !== l0 && l2 !== l1 && l2 === l0 && l3 === l1;
}

/**
 * Flippers: USDC that puts the ratio at a target on the worse spot, tried over a few
 * targets until the level cycles. Everyone else: USDC (or isolated margin) for a ratio
 * in [0.02, 0.6] at whichever spot is worse, so they stay HEALTHY throughout.
 */
function sizeCollateral(accounts: BenchAccount[], random: () => number, markets: [Market, Market], ctx: MarketContext, tables: ReturnType<typeof scenarioTable>[]): number {
  let flippers = 0;
  for (const account of accounts) {
    const target = 0.02 + 0.58 * random() ** 2;
    if (account.mode === "ISOLATED") {
      const [high, low] = markets.map((m) => isolatedParts(account, m, ctx));
      account.positions.forEach((position, i) => {
        const mm = Math.max(high[i].mm, low[i].mm);
        if (mm === 0) return;
        const t = target * (0.3 + 0.7 * random());
        position.isolatedMargin = fixed(Math.max(0, high[i].mm / t - high[i].pnl, low[i].mm / t - low[i].pnl), 2);
      });
      account.usdc = fixed(5_000 + 95_000 * random(), 2);
      continue;
    }
    const [high, low] = markets.map((m, i) => poolParts(account, m, ctx, tables[i]));
    if (flippers < FLIPPERS) {
      const candidates = [0.85, 0.9, 0.95, 1.1, 1.25, 1.4].sort(() => random() - 0.5);
      let found = false;
      for (const tb of candidates) {
        for (const bad of [low, high]) {
          const usdc = fixed(bad.mm / tb - bad.e0, 2);
          if (usdc < 0) continue;
          if (flips(ratioWith(high, usdc), ratioWith(low, usdc))) {
            account.usdc = usdc;
            found = true;
            break;
          }
        }
        if (found) break;
      }
      if (found) {
        flippers++;
        continue;
      }
    }
    account.usdc = fixed(Math.max(0, high.mm / target - high.e0, low.mm / target - low.e0), 2);
  }
  return flippers;
}

/** Events the engine predicts for the first evaluation and each of `ticks` ticks (levels chained with hysteresis). */
function predictEvents(accounts: BenchAccount[], markets: [Market, Market], ctx: MarketContext, tables: ReturnType<typeof scenarioTable>[], ticks: number): number[] {
  const ratios = accounts.map((a) => markets.map((m, i) => monitorRatio(a, m, ctx, tables[i])));
  const levels: MarginLevel[] = accounts.map(() => "HEALTHY");
  const counts: number[] = [];
  for (let t = 0; t <= ticks; t++) {
    const side = t % 2 === 0 ? 0 : 1; // 0: HIGH (first evaluation and even ticks), 1: LOW
    let n = 0;
    ratios.forEach((r, i) => {
      const next = nextLevel(levels[i], r[side]);
      if (next !== levels[i]) n++;
      levels[i] = next;
    });
    counts.push(n);
  }
  return counts;
}

// ---------- redis ----------

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.setTimeout(500);
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** A private redis-server on a free port (no persistence), stopped by the cleanup registry. */
async function startRedis(): Promise<{ url: string; version: string }> {
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  onCleanup(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  });
  for (let i = 0; i < 100; i++) {
    if (await redisPing(port)) {
      const version = await new Promise<string>((resolve) => {
        const p = spawn("redis-server", ["--version"]);
        let out = "";
        p.stdout.on("data", (d: Buffer) => (out += d.toString()));
        p.on("close", () => resolve(/v=(\S+)/.exec(out)?.[1] ?? "unknown"));
      });
      return { url: `redis://127.0.0.1:${port}`, version };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("redis-server did not answer PING");
}

// ---------- subscriber ----------

interface Arrival {
  sequence: number;
  at: number;
}

interface Subscriber {
  arrivals: Arrival[];
  errors: unknown[];
  close(): Promise<void>;
}

async function subscribe(httpUrl: string, token: string): Promise<Subscriber> {
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

// ---------- ticks ----------

interface Tick {
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

async function lastSequence(db: BenchDatabase): Promise<{ max: number; count: number }> {
  const { rows } = await db.pool.query<{ max: number | null; count: string }>(`SELECT max(sequence) AS max, count(*) AS count FROM "MarginCall"`);
  return { max: rows[0].max ?? 0, count: Number(rows[0].count) };
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const monitorLines = (logs: LogEntry[], from: number) => logs.slice(from).filter((e) => /evaluat/i.test(e.msg ?? ""));

function timingsOf(entries: LogEntry[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of entries) {
    for (const [k, v] of Object.entries(e)) {
      if (typeof v === "number" && !["at", "time", "level", "pid"].includes(k)) out[k] = (out[k] ?? 0) + v;
    }
  }
  return out;
}

async function runTicks(server: ServerProcess, client: GraphQLHttpClient, subscriber: Subscriber, db: BenchDatabase, startSpot: number, count: number): Promise<{ ticks: Tick[]; spot: number }> {
  const ticks: Tick[] = [];
  let spot = startSpot;
  for (let t = 0; t < count; t++) {
    spot = spot === HIGH ? LOW : HIGH;
    const before = await lastSequence(db);
    const logMark = server.logs.length;
    const arrivalMark = subscriber.arrivals.length;
    const start = performance.now();
    const response = await client.ok(`mutation { updateMarket(input: ${literal({ underlying: "BTC", spot })}) { spot } }`);
    const answered = start + response.ms;
    // Every event of the tick is committed before it is published; wait until all committed ones arrived and no more come.
    let after = await lastSequence(db);
    for (;;) {
      const target = after.max;
      await waitFor(
        () => subscriber.errors.length > 0 || subscriber.arrivals.some((a) => a.sequence === target) || target === before.max,
        EVENT_TIMEOUT_MS,
        `event ${target} at the subscriber`,
      );
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

function stat(values: (number | null)[]): { p50: string; p99: string; max: string; min: string } {
  const v = values.filter((x): x is number => x !== null);
  const s = summarize(v);
  return { p50: ms(s.p50), p99: ms(s.p99), max: ms(s.max), min: ms(s.min) };
}

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
    ["updateMarket duration (market write, evaluation, events, ratio snapshot), p50 / p99 / max ms", (r) => {
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
  const random = mulberry32(SEED);

  const setupStart = performance.now();
  const db = await createBenchDatabase();
  const pgVersion = (await db.pool.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0].v;
  const instruments = makeInstruments();
  const ctx = await writeMarketAndInstruments(db, instruments);
  const markets: [Market, Market] = [ctx.market, withSpot(ctx.market, "BTC", LOW)];
  const tables = markets.map((m) => scenarioTable(instruments, m, ctx));
  const { clients, accounts } = makeAccounts(instruments, {
    accounts: ACCOUNTS,
    positionsPerAccount: POSITIONS,
    clients: 25,
    modes: [0.5, 0.4, 0.1],
    firstUnderlying: "BTC",
    random,
    market: ctx.market,
  });
  const flippers = sizeCollateral(accounts, random, markets, ctx, tables);
  const predicted = predictEvents(accounts, markets, ctx, tables, 4);
  const generatedMs = performance.now() - setupStart;
  const insertStart = performance.now();
  await writeAccounts(db, clients, accounts);
  const insertMs = performance.now() - insertStart;
  log(`book: ${accounts.length} accounts inserted in ${(insertMs / 1000).toFixed(1)} s; ${flippers} flippers; predicted events: first evaluation ${predicted[0]}, then ${predicted.slice(1).join(", ")} per tick`);

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
    await waitFor(() => subscriber.arrivals.some((a) => a.sequence === afterFull.max) || afterFull.max === before.max, EVENT_TIMEOUT_MS, "the first evaluation's events");
    const fullTimings = timingsOf(monitorLines(server.logs, logMark));
    log(`${mode.name}: full evaluation ${ms(full.ms, 0)} ms, ${afterFull.count - before.count} events`);
    const warm = await runTicks(server, client, subscriber, db, spot, WARMUP_TICKS);
    const measured = await runTicks(server, client, subscriber, db, warm.spot, TICKS);
    spot = measured.spot;
    await subscriber.close();
    client.close();
    await server.stop();
    runs.push({ name: mode.name, ticks: measured.ticks, fullMs: full.ms, fullEvents: afterFull.count - before.count, fullTimings, failures: serverErrors(server.logs) });
  }

  // The ratio snapshot's statement (MarginCallStore.saveRatios), replayed through pg on all accounts with changed ratios.
  const current = (await db.pool.query<{ id: string; marginRatio: number }>(`SELECT id, "marginRatio" FROM "Account"`)).rows;
  const snapshotTimes: number[] = [];
  for (let round = 1; round <= 5; round++) {
    const start = performance.now();
    await db.pool.query(
      `UPDATE "Account" AS t SET "marginRatio" = v.ratio, "riskAsOf" = $3
       FROM unnest($1::uuid[], $2::float8[]) AS v(id, ratio) WHERE t.id = v.id AND t."marginRatio" IS DISTINCT FROM v.ratio`,
      [current.map((r) => r.id), current.map((r) => String(r.marginRatio * (1 + 0.001 * round))), new Date()],
    );
    snapshotTimes.push(performance.now() - start);
  }

  // ---------- report ----------
  const inProcess = runs[0];
  const p99 = percentile(inProcess.ticks.map((t) => t.lastAfterResponse).filter((x): x is number => x !== null), 99);
  const p99Redis = runs[1] ? percentile(runs[1].ticks.map((t) => t.lastAfterResponse).filter((x): x is number => x !== null), 99) : null;
  const verdict = (v: number) => (v < GOAL_P99_MS ? `met (${ms(v)} ms)` : `missed (${ms(v)} ms)`);
  const updateP50 = percentile(inProcess.ticks.map((t) => t.requestMs), 50);
  const fromStart = inProcess.ticks.map((t) => t.lastAfterStart).filter((x): x is number => x !== null);
  const hasSnapshot = runs.some((r) => r.ticks.some((t) => "snapshotMs" in t.serverTimings));
  const early = runs.every((r) => r.ticks.every((t) => t.lastAfterResponse === null || t.lastAfterResponse <= 0));
  const reading = early
    ? ` Every event of every tick arrived *before* the updateMarket response: the server evaluates the exposed units inside the request, commits the level changes, publishes the events, and only then finishes the request${hasSnapshot ? " (in this tree it writes the ratio snapshot of all evaluated accounts after publishing, see \`snapshotMs\`)" : ""}. Negative values are how much earlier the last event came. The goal as worded is therefore met trivially; the latency a subscriber actually sees from a market move is the request start → last event row: p50 ${ms(percentile(fromStart, 50), 0)} ms, p99 ${ms(percentile(fromStart, 99), 0)} ms in-process.`
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
Recompute time per tick: the server evaluates the exposed units inside the updateMarket request, so its duration (p50 ${ms(updateP50, 0)} ms in-process) is the monitor's whole pass as a client sees it; the server's debug log splits it (rows \`computeMs\` … \`snapshotMs\` above, where logged).
The ratio snapshot's statement (\`UPDATE "Account" … FROM unnest(ids, ratios)\` for ${current.length.toLocaleString("en-US")} accounts whose ratio changed), replayed directly through \`pg\` after the runs: median ${ms(percentile(snapshotTimes, 50), 0)} ms, best ${ms(Math.min(...snapshotTimes), 0)} ms of 5.${failures.length ? `\nServer-side errors logged: ${failures.join("; ")}.` : ""}
`);
});
