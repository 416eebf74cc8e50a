/**
 * Load benchmark: `npx tsx test/bench/load.bench.ts` (or `npm run bench -- load`).
 *
 * Real server processes on PostgreSQL under autocannon load (each autocannon run in a
 * child process of its own), BTC ticking once a second, for each book size and for one
 * and two instances:
 *
 * 1. Per book size a database risk_bench_<random>, the book bulk-inserted with SQL
 *    BEFORE any server starts (the server loads the whole book at start; rows written
 *    behind the ledger's back are not in its change log). Every account's first position
 *    is on BTC, so each tick re-evaluates every account; collateral is sized so a few per
 *    cent of the accounts ("flippers", support/flippers.ts) change level on every move
 *    between BTC 100 000 and 96 000 and everyone else stays healthy.
 * 2. One instance (in-process bus), or two on the same database sharing a private
 *    redis-server (REDIS_URL; reads confirm the book is current, CONFIRM_READS). Two
 *    instances split the connections over two autocannon processes, one per instance:
 *    throughput is summed, the worse percentiles are reported.
 * 3. Per configuration: a short warm-up, a few sequential requests (service time), then
 *    with the ticker on (`updateMarket` BTC alternating 100 000 / 100 200, asOf one
 *    second further each tick, sent to the first instance):
 *    - the desk page at LOAD_CONNECTIONS connections, with a light `{ __typename }`
 *      autocannon (LOAD_LIGHT_CONNECTIONS per instance) at the same time;
 *    - the portal read `account(id)` on 200 random accounts at LOAD_CONNECTIONS.
 *    /metrics is scraped right before and at the end of each run: the end scrape gives
 *    the event-loop delay over the run and the RSS with the book in memory under load.
 * 4. Tick → last event, the ticker stopped: a graphql-ws subscriber (on the second
 *    instance when there are two: the events cross Redis) and LOAD_TICKS ticks of BTC
 *    between 100 000 and 96 000 sent to the first; per tick the time from sending
 *    updateMarket to the arrival of its last event, its events, the response time.
 *
 * Errors (non-2xx, socket errors, timeouts, GraphQL errors in 200 answers) are counted;
 * a run with errors is flagged. Prints a markdown report on stdout (progress on stderr);
 * drops the databases and stops servers, autocannon and redis-server on exit, also on
 * failure or Ctrl-C.
 *
 * Environment (defaults): LOAD_BOOKS ("300x16,10000x20": accounts x positions),
 * LOAD_INSTANCES ("1,2"), LOAD_SECONDS (20 per measured run), LOAD_CONNECTIONS (50),
 * LOAD_LIGHT_CONNECTIONS (2 per instance), LOAD_WARMUP_SECONDS (5 per query),
 * LOAD_TICKS (10), LOAD_FLIPPERS (3 % of the accounts, at least 2),
 * BENCH_PG_ADMIN_URL (postgresql://postgres@127.0.0.1:5432/postgres).
 */
import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { combine, errorsOf, runAutocannon, type LoadResult, type LoadSpec } from "./support/autocannon.js";
import { AS_OF } from "./support/book.js";
import { writeFlipperBook, type FlipperBook } from "./support/flippers.js";
import { startRedis } from "./support/redis.js";
import { envInt, gitState, literal, log, machineLine, ms, mulberry32, percentile, stat } from "./support/report.js";
import { GraphQLHttpClient, main, onCleanup, sample, scrapeMetrics, serverErrors, startServerProcess, type ServerProcess } from "./support/server.js";
import { runTicks, subscribe, type Tick } from "./support/ticks.js";

interface BookSize {
  accounts: number;
  positions: number;
}

function list<T>(name: string, fallback: string, parse: (item: string) => T | null): T[] {
  const raw = process.env[name]?.trim() || fallback;
  return raw.split(",").map((item) => {
    const value = parse(item.trim());
    if (value === null) throw new Error(`${name} (${raw}): cannot read "${item}"`);
    return value;
  });
}

const BOOKS = list<BookSize>("LOAD_BOOKS", "300x16,10000x20", (item) => {
  const m = /^(\d+)x(\d+)$/.exec(item);
  return m && Number(m[1]) > 0 && Number(m[2]) > 0 ? { accounts: Number(m[1]), positions: Number(m[2]) } : null;
});
const INSTANCES = list<number>("LOAD_INSTANCES", "1,2", (item) => (item === "1" || item === "2" ? Number(item) : null));
const SECONDS = Math.max(1, envInt("LOAD_SECONDS", 20));
const CONNECTIONS = Math.max(1, envInt("LOAD_CONNECTIONS", 50));
const LIGHT_CONNECTIONS = Math.max(1, envInt("LOAD_LIGHT_CONNECTIONS", 2));
const WARMUP_SECONDS = envInt("LOAD_WARMUP_SECONDS", 5);
const TICKS = Math.max(1, envInt("LOAD_TICKS", 10));
const WARMUP_TICKS = 2;
const SEQUENTIAL = 10;
const PORTAL_ACCOUNTS = 200;
const SEED = 13;
const HIGH = 100_000;
const LOW = 96_000;
/** The load ticker's move: BTC alternates HIGH and HIGH × (1 + TICKER_MOVE). */
const TICKER_MOVE = 0.002;
const GOALS = { deskPerSecond: 400, deskP99: 50, portalPerSecond: 3_000, portalP99: 20, lightP99: 10, rssMiB: 600, rssPer10kMiB: 100 };

const DESK_QUERY =
  "{ accounts(first: 100, orderBy: MARGIN_RATIO_DESC) { edges { node { id margin { ratio level maintenance } greeks { underlying delta } liquidation { underlying lowerPrice upperPrice distance } } } } }";
const portalQuery = (id: string) =>
  `{ account(id: ${JSON.stringify(id)}) { equity margin { ratio level maintenance } greeks { underlying delta } liquidation { underlying lowerPrice upperPrice distance } } }`;
const LIGHT_QUERY = "{ __typename }";
const body = (query: string) => JSON.stringify({ query });

// ---------- ticker ----------

interface TickerStats {
  ticks: number[];
  /** Seconds whose tick was not sent because the previous one was still running. */
  skipped: number;
  errors: number;
}

/** asOf of the ticker's next tick: one second later each time, over the whole benchmark. */
let tickerSecond = 0;

/** updateMarket once a second (BTC alternating HIGH and a small move up, asOf advancing); stop() ends on HIGH. */
function startTicker(client: GraphQLHttpClient): { stop(): Promise<TickerStats> } {
  const stats: TickerStats = { ticks: [], skipped: 0, errors: 0 };
  let inFlight: Promise<void> | null = null;
  let up = false;
  const send = (spot: number) => {
    tickerSecond++;
    const asOf = new Date(Date.parse(AS_OF) + tickerSecond * 1000).toISOString();
    return client
      .request(`mutation { updateMarket(input: ${literal({ underlying: "BTC", spot, asOf })}) { spot } }`)
      .then((r) => {
        stats.ticks.push(r.ms);
        if (r.status !== 200 || r.errors?.length) stats.errors++;
      })
      .catch(() => void stats.errors++);
  };
  const timer = setInterval(() => {
    if (inFlight) {
      stats.skipped++;
      return;
    }
    up = !up;
    inFlight = send(up ? HIGH * (1 + TICKER_MOVE) : HIGH).finally(() => (inFlight = null));
  }, 1000);
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
      if (up) await send(HIGH);
      return stats;
    },
  };
}

// ---------- one configuration ----------

interface RunMeasure {
  load: ReturnType<typeof combine>;
  light: ReturnType<typeof combine> | null;
  /** End scrape, worst instance, ms. */
  loopP99: number;
  loopMax: number;
  /** End scrape, worst instance, MiB. */
  rssMiB: number;
  sqlPerRequest: number;
  ticker: TickerStats;
}

interface ConfigResult {
  book: BookSize;
  instances: number;
  deskSequentialMs: number;
  portalSequentialMs: number;
  desk: RunMeasure;
  portal: RunMeasure;
  /** The same at the goal rates, open loop. */
  deskPaced: RunMeasure;
  portalPaced: RunMeasure;
  ticks: Tick[];
  failures: [string, number][];
}

/** The goal rates (requests per second), for the open-loop runs. */
const DESK_RATE = envInt("LOAD_DESK_RATE", 400);
const PORTAL_RATE = envInt("LOAD_PORTAL_RATE", 3000);

const split = (total: number, parts: number) => Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0)).filter((n) => n > 0);

const LOOP_P99 = 'risk_event_loop_delay_seconds{quantile="0.99"}';
const LOOP_MAX = 'risk_event_loop_delay_seconds{quantile="1"}';
const SQL = "risk_sql_statements_total";
const RSS = "process_resident_memory_bytes";

/** `rate`: open loop at that many requests per second in all (split over the instances); unset: closed loop. */
async function measure(servers: ServerProcess[], token: string, ticker: GraphQLHttpClient, spec: Pick<LoadSpec, "bodies" | "reject">, light: boolean, rate?: number): Promise<RunMeasure> {
  const before = await Promise.all(servers.map((s) => scrapeMetrics(s.origin)));
  const tick = startTicker(ticker);
  const connections = split(CONNECTIONS, servers.length);
  const share = rate === undefined ? undefined : rate / connections.length;
  const [main, lights] = await Promise.all([
    Promise.all(connections.map((n, i) => runAutocannon({ url: servers[i].url, token, connections: n, seconds: SECONDS, rate: share, ...spec }))),
    light ? Promise.all(servers.map((s) => runAutocannon({ url: s.url, token, connections: LIGHT_CONNECTIONS, seconds: SECONDS, bodies: [body(LIGHT_QUERY)] }))) : Promise.resolve([] as LoadResult[]),
  ]);
  const after = await Promise.all(servers.map((s) => scrapeMetrics(s.origin)));
  const tickerStats = await tick.stop();
  const load = combine(main);
  const sql = after.reduce((a, m, i) => a + sample(m, SQL) - sample(before[i], SQL), 0);
  return {
    load,
    light: lights.length ? combine(lights) : null,
    loopP99: Math.max(...after.map((m) => sample(m, LOOP_P99))) * 1000,
    loopMax: Math.max(...after.map((m) => sample(m, LOOP_MAX))) * 1000,
    rssMiB: Math.max(...after.map((m) => sample(m, RSS))) / 2 ** 20,
    sqlPerRequest: sql / Math.max(1, load.requests),
    ticker: tickerStats,
  };
}

async function sequential(client: GraphQLHttpClient, query: string, check: (data: any) => boolean): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const r = await client.ok(query);
    if (!check(r.data)) throw new Error(`unexpected answer to ${query.slice(0, 60)}…: ${JSON.stringify(r.data).slice(0, 300)}`);
    times.push(r.ms);
  }
  return percentile(times, 50);
}

async function runConfig(book: FlipperBook, size: BookSize, instances: number, redisUrl: string | null, token: string, tmp: string, portalIds: string[]): Promise<ConfigResult> {
  const label = `${size.accounts}x${size.positions}, ${instances} instance${instances > 1 ? "s" : ""}`;
  const servers: ServerProcess[] = [];
  for (let i = 0; i < instances; i++) {
    const server = await startServerProcess({
      databaseUrl: book.db.url,
      token,
      redisUrl: instances > 1 ? redisUrl : null,
      logFile: path.join(tmp, `server-${size.accounts}x${size.positions}-${instances}-${i}.log`),
      // No periodic full pass inside the measured window (it runs every 60 s by default).
      env: { MONITOR_INTERVAL_MS: "0" },
      // LOAD_PROFILE_DIR: a CPU profile of the first instance, written when it stops.
      cpuProfileDir: i === 0 ? (process.env.LOAD_PROFILE_DIR ?? null) : null,
    });
    log(`${label}: server ${i + 1} pid ${server.pid} at ${server.url}, ready after ${(server.readyAfterMs / 1000).toFixed(1)} s`);
    servers.push(server);
  }
  const client = new GraphQLHttpClient(servers[0].url, token, 4);
  const tickerClient = new GraphQLHttpClient(servers[0].url, token, 2);
  const portal = { bodies: portalIds.map((id) => body(portalQuery(id))), reject: ['"errors"', '"account":null'] };
  const desk = { bodies: [body(DESK_QUERY)] };

  const pageSize = Math.min(100, size.accounts);
  const deskSequentialMs = await sequential(client, DESK_QUERY, (d) => d.accounts.edges.length === pageSize);
  const portalSequentialMs = await sequential(client, portalQuery(portalIds[0]), (d) => d.account !== null);
  if (WARMUP_SECONDS > 0) {
    log(`${label}: warm-up ${WARMUP_SECONDS} s per query`);
    const warm = (spec: Pick<LoadSpec, "bodies" | "reject">) =>
      Promise.all(split(CONNECTIONS, servers.length).map((n, i) => runAutocannon({ url: servers[i].url, token, connections: n, seconds: WARMUP_SECONDS, ...spec })));
    await warm(desk);
    await warm(portal);
  }
  log(`${label}: desk page ${SECONDS} s at ${CONNECTIONS} connections, { __typename } at ${LIGHT_CONNECTIONS} per instance`);
  const deskRun = await measure(servers, token, tickerClient, desk, true);
  log(`${label}: desk ${deskRun.load.okPerSecond.toFixed(0)}/s p99 ${deskRun.load.p99} ms; __typename p99 ${deskRun.light!.p99} ms; loop p99 ${ms(deskRun.loopP99)} ms; RSS ${deskRun.rssMiB.toFixed(0)} MiB`);
  log(`${label}: portal read ${SECONDS} s at ${CONNECTIONS} connections`);
  const portalRun = await measure(servers, token, tickerClient, portal, false);
  log(`${label}: portal ${portalRun.load.okPerSecond.toFixed(0)}/s p99 ${portalRun.load.p99} ms; loop p99 ${ms(portalRun.loopP99)} ms; RSS ${portalRun.rssMiB.toFixed(0)} MiB`);

  log(`${label}: desk page and portal read paced at their goal rates (${DESK_RATE}/s, ${PORTAL_RATE}/s)`);
  const deskPaced = await measure(servers, token, tickerClient, desk, true, DESK_RATE);
  const portalPaced = await measure(servers, token, tickerClient, portal, false, PORTAL_RATE);

  log(`${label}: ${WARMUP_TICKS} + ${TICKS} ticks BTC ${HIGH} ↔ ${LOW}, subscriber on instance ${servers.length}`);
  const subscriber = await subscribe(servers.at(-1)!.url, token);
  const ticking = { server: servers[0], client, subscriber, db: book.db, spots: [HIGH, LOW] as [number, number] };
  const warm = await runTicks({ ...ticking, startSpot: HIGH, count: WARMUP_TICKS });
  const measured = await runTicks({ ...ticking, startSpot: warm.spot, count: TICKS });
  // Back to HIGH for the next configuration.
  if (measured.spot !== HIGH) await runTicks({ ...ticking, startSpot: measured.spot, count: 1 });
  await subscriber.close();
  client.close();
  tickerClient.close();
  for (const server of servers) await server.stop();
  return {
    book: size,
    instances,
    deskSequentialMs,
    portalSequentialMs,
    desk: deskRun,
    portal: portalRun,
    deskPaced,
    portalPaced,
    ticks: measured.ticks,
    failures: servers.flatMap((s) => serverErrors(s.logs)),
  };
}

// ---------- report ----------

const bookName = (b: BookSize) => `${b.accounts.toLocaleString("en-US")} × ${b.positions}`;
const configCells = (r: ConfigResult) => `${bookName(r.book)} | ${r.instances}`;
const goal = (met: boolean, errors = 0) => `${met ? "**met**" : "**missed**"}${errors ? " ⚠ errors" : ""}`;
const int = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "—");

function errorCell(r: LoadResult): string {
  const n = errorsOf(r);
  if (n === 0) return "0";
  const parts = [
    r.non2xx && `${r.non2xx} non-2xx`,
    r.graphqlErrors && `${r.graphqlErrors} GraphQL`,
    r.socketErrors && `${r.socketErrors} socket`,
    r.timeouts && `${r.timeouts} timeouts`,
  ].filter(Boolean);
  return `⚠ ${n} (${parts.join(", ")})`;
}

function loadTable(results: ConfigResult[], which: "desk" | "portal" | "deskPaced" | "portalPaced", perSecond: number, p99: number, unit: string): string {
  const rows = results.map((r) => {
    const m = r[which];
    const l = m.load;
    const sequentialMs = which.startsWith("desk") ? r.deskSequentialMs : r.portalSequentialMs;
    return `| ${configCells(r)} | ${int(l.okPerSecond)} | ${l.p50} | ${l.p90} | ${l.p99} | ${l.max} | ${int(l.requests)} | ${errorCell(l)} | ${ms(sequentialMs)} | ${m.sqlPerRequest.toFixed(2)} | ${goal(l.okPerSecond >= perSecond && l.p99 < p99, errorsOf(l))} |`;
  });
  return [
    `| book | instances | ${unit}/s | p50 ms | p90 ms | p99 ms | max ms | answers | errors | one client, sequential p50 ms | SQL statements per request | goal ≥ ${perSecond.toLocaleString("en-US")}/s, p99 < ${p99} ms |`,
    "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|",
    ...rows,
  ].join("\n");
}

function lightTable(results: ConfigResult[]): string {
  const rows = results.map((r) => {
    const l = r.desk.light!;
    return `| ${configCells(r)} | ${LIGHT_CONNECTIONS * r.instances} | ${int(l.okPerSecond)} | ${l.p50} | ${l.p99} | ${l.max} | ${errorCell(l)} | ${goal(l.p99 < GOALS.lightP99, errorsOf(l))} |`;
  });
  return [
    `| book | instances | connections | req/s | p50 ms | p99 ms | max ms | errors | goal p99 < ${GOALS.lightP99} ms |`,
    "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ...rows,
  ].join("\n");
}

function serverTable(results: ConfigResult[]): string {
  const rows = results.map((r) => {
    const rss = Math.max(r.desk.rssMiB, r.portal.rssMiB);
    const atTarget = r.book.accounts === 10_000 && r.book.positions === 20;
    return `| ${configCells(r)} | ${ms(r.desk.loopP99)} / ${ms(r.desk.loopMax)} | ${ms(r.portal.loopP99)} / ${ms(r.portal.loopMax)} | ${rss.toFixed(0)} | ${atTarget ? goal(rss < GOALS.rssMiB) : "—"} |`;
  });
  return [
    `| book | instances | event-loop delay p99 / max ms, desk-page run | same, portal run | RSS MiB (worst instance, under load) | goal RSS < ${GOALS.rssMiB} MiB at 10 000 × 20 |`,
    "|---|---:|---:|---:|---:|---|",
    ...rows,
  ].join("\n");
}

function growthLine(results: ConfigResult[]): string {
  const lines: string[] = [];
  for (const instances of INSTANCES) {
    const rs = results.filter((r) => r.instances === instances).sort((a, b) => a.book.accounts - b.book.accounts);
    if (rs.length < 2 || rs[0].book.accounts === rs.at(-1)!.book.accounts) continue;
    const [small, large] = [rs[0], rs.at(-1)!];
    const rss = (r: ConfigResult) => Math.max(r.desk.rssMiB, r.portal.rssMiB);
    const growth = ((rss(large) - rss(small)) * 10_000) / (large.book.accounts - small.book.accounts);
    lines.push(
      `- ${instances} instance${instances > 1 ? "s" : ""}: (${rss(large).toFixed(0)} − ${rss(small).toFixed(0)}) MiB × 10 000 / ${(large.book.accounts - small.book.accounts).toLocaleString("en-US")} accounts (${bookName(large.book)} vs ${bookName(small.book)}) = **${growth.toFixed(0)} MiB** per 10 000 accounts: goal < ${GOALS.rssPer10kMiB} MiB ${goal(growth < GOALS.rssPer10kMiB)}`,
    );
  }
  return lines.length ? lines.join("\n") : "- needs two book sizes (LOAD_BOOKS) to compute.";
}

function tickerTable(results: ConfigResult[]): string {
  const rows = results.flatMap((r) =>
    (["desk", "portal"] as const).map((which) => {
      const t = r[which].ticker;
      const s = stat(t.ticks);
      return `| ${configCells(r)} | ${which === "desk" ? "desk page" : "portal read"} | ${t.ticks.length} | ${t.skipped} | ${s.p50} / ${s.p99} / ${s.max} | ${t.errors ? `⚠ ${t.errors}` : "0"} |`;
    }),
  );
  return ["| book | instances | during | ticks | skipped (previous still running) | updateMarket p50 / p99 / max ms | errors |", "|---|---:|---|---:|---:|---:|---|", ...rows].join("\n");
}

function tickTable(results: ConfigResult[], predicted: Map<string, number>): string {
  const rows = results.map((r) => {
    const events = r.ticks.map((t) => t.events);
    const last = stat(r.ticks.map((t) => t.lastAfterStart));
    const response = stat(r.ticks.map((t) => t.requestMs));
    const afterResponse = stat(r.ticks.map((t) => t.lastAfterResponse));
    const mean = events.reduce((a, b) => a + b, 0) / events.length;
    return `| ${configCells(r)} | ${r.ticks.length} | ${mean.toFixed(0)} (${Math.min(...events)}–${Math.max(...events)}); predicted ${predicted.get(`${r.book.accounts}x${r.book.positions}`)} | **${last.p50} / ${last.p99}** | ${response.p50} / ${response.p99} | ${afterResponse.p50} / ${afterResponse.p99} |`;
  });
  return [
    "| book | instances | ticks | events per tick: mean (min–max) | updateMarket sent → last event p50 / p99 ms | updateMarket response p50 / p99 ms | last event after the response p50 / p99 ms |",
    "|---|---:|---:|---|---:|---:|---:|",
    ...rows,
  ].join("\n");
}

await main(async () => {
  const benchStart = performance.now();
  const machine = machineLine();
  const tmp = mkdtempSync(path.join(os.tmpdir(), "risk-load-bench-"));
  onCleanup(() => rmSync(tmp, { recursive: true, force: true }));
  const token = randomBytes(18).toString("base64url");
  const redis = INSTANCES.some((n) => n > 1) ? await startRedis() : null;
  const results: ConfigResult[] = [];
  const books: string[] = [];
  const predicted = new Map<string, number>();
  let pgVersion = "unknown";
  for (const size of BOOKS) {
    const flippers = envInt("LOAD_FLIPPERS", Math.max(2, Math.round(size.accounts * 0.03)));
    const book = await writeFlipperBook({ ...size, flippers, high: HIGH, low: LOW, seed: SEED });
    pgVersion = book.pgVersion;
    predicted.set(`${size.accounts}x${size.positions}`, book.predicted[2]);
    const modes = (["CROSS", "PORTFOLIO", "ISOLATED"] as const).map((m) => `${book.accounts.filter((a) => a.mode === m).length} ${m}`).join(", ");
    books.push(
      `- ${bookName(size)}: ${book.accounts.length.toLocaleString("en-US")} accounts (${modes}) × ${size.positions} positions on ${book.instruments} instruments, each with a BTC position; ${book.flippers} flippers; built in ${(book.generatedMs / 1000).toFixed(1)} s, inserted with bulk SQL in ${(book.insertMs / 1000).toFixed(1)} s.`,
    );
    const random = mulberry32(SEED + size.accounts);
    const portalIds = new Set<string>();
    while (portalIds.size < Math.min(PORTAL_ACCOUNTS, book.accounts.length)) portalIds.add(book.accounts[Math.floor(random() * book.accounts.length)].id);
    for (const instances of INSTANCES) results.push(await runConfig(book, size, instances, redis?.url ?? null, token, tmp, [...portalIds]));
    await book.db.drop();
  }

  const flagged = results.flatMap((r) => {
    const out: string[] = [];
    const runs: [string, LoadResult | null][] = [
      ["desk page", r.desk.load],
      ["{ __typename }", r.desk.light],
      ["portal read", r.portal.load],
    ];
    for (const [name, l] of runs) if (l && errorsOf(l)) out.push(`${bookName(r.book)}, ${r.instances} instance(s), ${name}: ${errorCell(l)}${l.samples.length ? `, e.g. \`${l.samples[0].replace(/`/g, "'")}\`` : ""}`);
    for (const which of ["desk", "portal"] as const) if (r[which].ticker.errors) out.push(`${bookName(r.book)}, ${r.instances} instance(s), ticker during ${which}: ${r[which].ticker.errors} errors`);
    for (const [message, n] of r.failures) out.push(`${bookName(r.book)}, ${r.instances} instance(s), server log: ${n} × "${message}"`);
    return out;
  });
  const env = ["LOAD_BOOKS", "LOAD_INSTANCES", "LOAD_SECONDS", "LOAD_CONNECTIONS", "LOAD_LIGHT_CONNECTIONS", "LOAD_WARMUP_SECONDS", "LOAD_TICKS", "LOAD_FLIPPERS"]
    .filter((name) => process.env[name])
    .map((name) => `${name}=${JSON.stringify(process.env[name]).replace(/^"(\S*)"$/, "$1")}`);
  console.log(`## Load benchmark

Machine: ${machine}; PostgreSQL ${pgVersion}${redis ? `, Redis ${redis.version} (private instance started by the benchmark, for two instances)` : ""} on the same VM; the servers, autocannon (one child process per run) and PostgreSQL share the cores.
Code: ${gitState()}.
Command: \`${[...env, "npx tsx test/bench/load.bench.ts"].join(" ")}\` (whole run ${((performance.now() - benchStart) / 1000).toFixed(0)} s).

Servers: \`node --import tsx src/main.ts\`, NODE_ENV=production, MONITOR_INTERVAL_MS=0, on PostgreSQL; one instance with the in-process bus, or two on the same database with REDIS_URL (reads confirm the book is current: CONFIRM_READS). Two instances split the ${CONNECTIONS} connections over two autocannon processes, one per instance; throughput is their sum, latency percentiles the worse of the two. Each measured run lasts ${SECONDS} s after a ${WARMUP_SECONDS} s warm-up per query; throughout, a ticker sends \`updateMarket\` for BTC once a second to the first instance (${HIGH.toLocaleString("en-US")} ↔ ${(HIGH * (1 + TICKER_MOVE)).toLocaleString("en-US")}, asOf one second further each tick), so every account is re-evaluated each second. Latencies are autocannon's (1 ms resolution, 2xx answers). Errors counted: non-2xx, socket errors, timeouts and 200 answers with GraphQL \`errors\` (portal: or a null account).

Books (written into PostgreSQL before the servers start):
${books.join("\n")}

${flagged.length ? `**Runs with errors:**\n${flagged.map((f) => `- ${f}`).join("\n")}` : "No errors in any run."}

### Desk page at ${CONNECTIONS} connections

Query: \`${DESK_QUERY}\`, ADMIN token.

${loadTable(results, "desk", GOALS.deskPerSecond, GOALS.deskP99, "pages")}

### Portal read at ${CONNECTIONS} connections

Query: \`account(id) { equity margin { ratio level maintenance } greeks { underlying delta } liquidation { underlying lowerPrice upperPrice distance } }\` on ${PORTAL_ACCOUNTS} random accounts (fewer when the book is smaller; one drawn per request), ADMIN token.

${loadTable(results, "portal", GOALS.portalPerSecond, GOALS.portalP99, "reads")}

### At the goal rates, open loop

The same two reads sent at a fixed rate (autocannon's overallRate over the same connections, split over the instances) instead of as fast as answers come: what a desk or a portal population asking that often sees. The BTC ticker runs as above; the \`{ __typename }\` column below is from the paced desk-page run.

Desk page at ${DESK_RATE} pages/s:

${loadTable(results, "deskPaced", GOALS.deskPerSecond, GOALS.deskP99, "pages")}

Portal read at ${PORTAL_RATE} reads/s:

${loadTable(results, "portalPaced", GOALS.portalPerSecond, GOALS.portalP99, "reads")}

| book | instances | \`{ __typename }\` p50 / p99 ms during the paced desk run | event-loop delay p99 / max ms, paced desk run | same, paced portal run |
|---|---:|---:|---:|---:|
${results.map((r) => `| ${configCells(r)} | ${r.deskPaced.light!.p50} / ${r.deskPaced.light!.p99} | ${ms(r.deskPaced.loopP99)} / ${ms(r.deskPaced.loopMax)} | ${ms(r.portalPaced.loopP99)} / ${ms(r.portalPaced.loopMax)} |`).join("\n")}

### \`{ __typename }\` during the desk-page load

A second autocannon per instance at the same time as the desk-page run: does anything block the event loop?

${lightTable(results)}

### Server event loop and memory under load

Event-loop delay: \`risk_event_loop_delay_seconds\` of the /metrics scrape at the end of each run (percentiles since the scrape right before it, so covering the run), worst instance. RSS: \`process_resident_memory_bytes\` of the same scrapes, the larger of the two runs, worst instance.

${serverTable(results)}

RSS growth per 10 000 accounts (largest minus smallest book):
${growthLine(results)}

### Ticker during the load runs

${tickerTable(results)}

### Tick → last event

Ticker stopped; a graphql-ws subscriber (\`subscription { marginCalls { sequence … } }\`, ADMIN token in connectionParams) on the ${INSTANCES.includes(2) ? "last instance (with two instances: the second, so the events cross Redis)" : "instance"}; ${TICKS} ticks (after ${WARMUP_TICKS} warm-up ticks) of \`updateMarket\` BTC ${HIGH.toLocaleString("en-US")} ↔ ${LOW.toLocaleString("en-US")}, one at a time, sent to the first instance. A tick's events are the rows the MarginCall table gained; every one was received. "Predicted": the engine's count of flipper level changes per tick.

${tickTable(results, predicted)}
`);
});
