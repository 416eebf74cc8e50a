import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.js";
import { leveragedBtcAccount, setMarket } from "../support/books.js";
import { startNatsServer, type NatsServer } from "../support/natsServer.js";
import { httpApi, metric, startServerProcess, type ServerProcess } from "../support/serverProcess.js";
import { createPostgresDatabase, TEST_DB } from "../support/testDatabase.js";
import { ADMIN_TOKEN, startTestServer, startTwoInstances, type TestServer, type TwoInstances } from "../support/testServer.js";
import { until } from "../support/until.js";
import { subscribe } from "../support/wsClient.js";

const FEED = `subscription($ids: [ID!]) { marginCalls(accountIds: $ids) { sequence level previousLevel ratio } }`;
type Event = { marginCalls: { sequence: number; level: string; previousLevel: string; ratio: number | null } };
const BTC = `{ marketState(underlyings: ["BTC"]) { spot volatility rate asOf } }`;

/** |calculated − expected| ≤ tol, with the numbers in the message when it fails. */
function near(calculated: number, expected: number, tol: number): void {
  expect(Math.abs(calculated - expected), `calculated ${calculated}, expected ${expected}, tolerance ${tol}`).toBeLessThanOrEqual(tol);
}

interface Health {
  status: string;
  feed?: { status: "up" | "down"; lagSeconds: number | null; pending: number | null; ackPending: number | null };
}
const health = async (origin: string): Promise<{ code: number; body: Health }> => {
  const response = await fetch(`${origin}/health`);
  return { code: response.status, body: (await response.json()) as Health };
};

/** The consumer has nothing left to deliver and nothing unacknowledged. */
async function drained(nats: NatsServer): Promise<boolean> {
  const info = await (await jetstreamManager(await nats.client())).consumers.info("MARKET", "risk-api");
  return info.num_pending === 0 && info.num_ack_pending === 0;
}

describe(`market feed from NATS JetStream on ${TEST_DB}`, () => {
  let nats: NatsServer;
  let api: TestServer;
  let origin: string;
  let accountId: string;
  const ticksOf = (sequences: number[]) => api.server.services.db.prisma.marketTick.findMany({ where: { feedSequence: { in: sequences.map(BigInt) } } });
  const spot = async () => (await api.ok<{ marketState: { spot: number }[] }>(BTC)).marketState[0].spot;

  beforeAll(async () => {
    nats = await startNatsServer();
    api = await startTestServer({ env: { NATS_URL: nats.url, FEED_RETRY_MS: "1000" } });
    origin = new URL(api.url).origin;
    ({ accountId } = await leveragedBtcAccount(api)); // 10 000 USDC, long 1 BTC perp at 100 000: ρ = 0.01·P/(P − 90 000)
    await until(async () => (await health(origin)).body.feed?.status === "up", 20_000, "the feed up");
  });

  afterAll(async () => {
    await api?.close();
    await nats?.close();
  });

  it("applies a tick on market.BTC like updateMarket: a subscriber gets the margin call at the hand-computed ratio", async () => {
    const feed = subscribe<Event>(api.url, FEED, { ids: [accountId] });
    await new Promise((r) => setTimeout(r, 300));
    const [sequence] = await nats.publish([{ subject: "market.BTC", body: { spot: 91_100 } }]);
    const [event] = await feed.waitFor(1);
    // ρ = 0.01 · 91 100 / (91 100 − 90 000) = 911 / 1 100 = 0.828 18…: MARGIN_CALL (≥ 0.8)
    expect([event.marginCalls.previousLevel, event.marginCalls.level]).toEqual(["HEALTHY", "MARGIN_CALL"]);
    near(event.marginCalls.ratio!, 911 / 1100, 1e-9);
    await feed.close();
    // Volatility, rate and asOf omitted: kept from the previous state, as updateMarket keeps them.
    expect((await api.ok<{ marketState: unknown[] }>(BTC)).marketState[0]).toEqual({ spot: 91_100, volatility: 0.5, rate: 0, asOf: "2025-01-01T00:00:00.000Z" });
    const [row] = await ticksOf([sequence]);
    expect(Number(row.spot)).toBe(91_100);
    await until(() => drained(nats), 10_000, "the tick acknowledged");
    const state = await api.server.services.db.prisma.marketState.findUnique({ where: { underlyingId: "BTC" } });
    expect(Number(state!.feedSequence)).toBe(sequence);
  });

  it("stores every tick of a burst of 10 000 but evaluates far fewer times, ending on the last tick", { timeout: 120_000 }, async () => {
    const evaluationsBefore = await metric(origin, "risk_evaluation_duration_seconds_count");
    const batchesBefore = await metric(origin, `risk_feed_batches_total{result="ok"}`);
    // 95 000 … 99 999 and back: healthy all along (ρ ≤ 0.19), the last at 97 000.
    const spots = Array.from({ length: 10_000 }, (_, i) => (i === 9_999 ? 97_000 : 95_000 + (i % 5_000)));
    const sequences = await nats.publish(spots.map((s) => ({ subject: "market.BTC", body: { spot: s } })));
    await until(() => drained(nats), 90_000, "10 000 ticks acknowledged");
    expect(await spot()).toBe(97_000);
    const rows = await ticksOf(sequences);
    expect(rows.length).toBe(10_000);
    expect(new Set(rows.map((r) => Number(r.feedSequence))).size).toBe(10_000);
    const bySequence = new Map(rows.map((r) => [Number(r.feedSequence), Number(r.spot)]));
    expect(sequences.every((s, i) => bySequence.get(s) === spots[i])).toBe(true);
    const evaluations = (await metric(origin, "risk_evaluation_duration_seconds_count")) - evaluationsBefore;
    const batches = (await metric(origin, `risk_feed_batches_total{result="ok"}`)) - batchesBefore;
    expect(batches).toBeGreaterThanOrEqual(10_000 / api.server.services.config.feedBatchSize); // at most FEED_BATCH_SIZE a batch
    expect(evaluations).toBeLessThanOrEqual(batches); // one evaluation per batch at most
    expect(evaluations).toBeLessThan(1_000); // ≪ 10 000
    expect(await metric(origin, `risk_feed_ticks_total{outcome="superseded"}`)).toBeGreaterThanOrEqual(10_000 - batches);
  });

  it("acknowledges, counts and ignores malformed ticks: bad JSON, wrong types, unknown fields or underlying, huge numbers, bad subjects", async () => {
    const malformedBefore = await metric(origin, `risk_feed_ticks_total{outcome="malformed"}`);
    const rejectedBefore = await metric(origin, `risk_feed_ticks_total{outcome="rejected"}`);
    const before = await spot();
    const malformed = [
      { subject: "market.BTC", body: "not json {" },
      { subject: "market.BTC", body: "[95000]" },
      { subject: "market.BTC", body: { spot: "95000" } },
      { subject: "market.BTC", body: { spot: 95_000, volatility: "high" } },
      { subject: "market.BTC", body: { spot: 95_000, asOf: "yesterday" } },
      { subject: "market.BTC", body: { spot: 95_000, vol: 0.3 } },
      { subject: "market.BTC", body: '{"spot": 1e400}' }, // Infinity once parsed
      { subject: "market.BTC.spot", body: { spot: 95_000 } },
      { subject: "market.B$C", body: { spot: 95_000 } },
    ];
    const rejected = [
      { subject: "market.DOGE", body: { spot: 0.1 } }, // no such underlying
      { subject: "market.BTC", body: { spot: 1e300 } }, // finite, not storable
      { subject: "market.BTC", body: { spot: -5 } },
      { subject: "market.BTC", body: { spot: 95_000, volatility: 1e6 } },
      { subject: "market.BTC", body: { spot: 95_000, asOf: "1900-01-01T00:00:00Z" } },
    ];
    const bad = await nats.publish([...malformed, ...rejected]);
    const [good] = await nats.publish([{ subject: "market.BTC", body: { spot: before + 1 } }]);
    await until(async () => (await spot()) === before + 1, 10_000, "the good tick after the bad ones");
    await until(() => drained(nats), 10_000, "every tick acknowledged");
    expect((await metric(origin, `risk_feed_ticks_total{outcome="malformed"}`)) - malformedBefore).toBe(malformed.length);
    expect((await metric(origin, `risk_feed_ticks_total{outcome="rejected"}`)) - rejectedBefore).toBe(rejected.length);
    expect(await ticksOf(bad)).toEqual([]);
    expect((await ticksOf([good])).length).toBe(1);
    expect((await health(origin)).body.feed?.status).toBe("up");
  });

  it("stores an older tick that arrives after a newer one (another instance's) without moving the market back", async () => {
    await setMarket(api, "ETH", 3_000);
    // Sequences far beyond this stream's, as if another instance had applied the newer one.
    const newer = { sequence: 1_000_000_002, update: { underlying: "ETH", spot: 3_100 } };
    const older = { sequence: 1_000_000_001, update: { underlying: "ETH", spot: 2_900 } };
    expect(await api.server.services.market.applyFeedTicks([newer])).toMatchObject({ applied: [newer.sequence] });
    expect(await api.server.services.market.applyFeedTicks([older, newer])).toMatchObject({ applied: [], superseded: [older.sequence], duplicates: [newer.sequence] });
    const { marketState } = await api.ok<{ marketState: { spot: number }[] }>(`{ marketState(underlyings: ["ETH"]) { spot } }`);
    expect(marketState[0].spot).toBe(3_100);
    expect((await ticksOf([older.sequence, newer.sequence])).map((t) => Number(t.spot)).sort()).toEqual([2_900, 3_100]);
  });

  it("keeps serving while NATS is down, reports the feed down, reconnects by itself and consumes the backlog", { timeout: 60_000 }, async () => {
    await nats.stop();
    const down = await until(async () => {
      const h = await health(origin);
      return h.body.feed?.status === "down" && h;
    }, 10_000, "/health to report the feed down");
    expect(down.code).toBe(200);
    expect(down.body.status).toBe("ok");
    await setMarket(api, "BTC", 96_000); // updateMarket still works
    expect(await spot()).toBe(96_000);

    await nats.restart();
    const backlog = await nats.publish([95_500, 95_600, 95_700].map((s) => ({ subject: "market.BTC", body: { spot: s } })));
    await until(async () => (await health(origin)).body.feed?.status === "up", 20_000, "the feed up again");
    await until(async () => (await spot()) === 95_700, 20_000, "the backlog applied");
    expect((await ticksOf(backlog)).length).toBe(3);
    // /health reads the consumer's pending counts every second.
    const after = await until(async () => {
      const h = await health(origin);
      return h.body.feed?.pending === 0 && h.body.feed.ackPending === 0 && h;
    }, 10_000, "/health to report the backlog acknowledged");
    expect(after.body.feed!.status).toBe("up");
    expect(after.body.feed!.lagSeconds).toBeGreaterThanOrEqual(0);
  });

  // The drill's own behaviour is replay.test.ts's; here only its path through the stream. A step
  // every 300 ms: steps sent faster than the server evaluates would coalesce (only the last evaluated).
  it.runIf(TEST_DB === "pglite")("npm run replay -- --nats: the drill goes through the stream, raises the calls, and restores the market", { timeout: 60_000 }, async () => {
    const before = (await api.ok<{ marketState: unknown[] }>(BTC)).marketState[0];
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/replay.ts", "--url", api.url, "--token", ADMIN_TOKEN, "--nats", "--nats-url", nats.url,
      "--from", "2022-11-08", "--to", "2022-11-10", "--step-minutes", "360", "--speed", "1200"], { cwd: process.cwd(), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    expect(await new Promise((resolve) => child.once("exit", resolve)), output).toBe(0);
    expect(output).toContain("to NATS");
    expect(output).toMatch(/margin call #\d+ .* Lev main \(Lev\): \w+ → LIQUIDATION/); // BTC −14 % on 9 November
    expect(output).toContain("market restored");
    await until(() => drained(nats), 10_000, "the drill's ticks acknowledged");
    expect((await api.ok<{ marketState: unknown[] }>(BTC)).marketState[0]).toEqual(before);
  });
});

describe(`market feed with NATS down at start on ${TEST_DB}`, () => {
  let nats: NatsServer;
  let api: TestServer;

  afterAll(async () => {
    await api?.close();
    await nats?.close();
  });

  it("starts and serves without NATS, then connects once NATS is up and applies what was published", { timeout: 60_000 }, async () => {
    nats = await startNatsServer();
    await nats.stop();
    api = await startTestServer({ env: { NATS_URL: nats.url, FEED_RETRY_MS: "200" } });
    const origin = new URL(api.url).origin;
    expect(await health(origin)).toMatchObject({ code: 200, body: { status: "ok", feed: { status: "down" } } });
    await setMarket(api, "BTC", 100_000);
    await nats.restart();
    await until(async () => (await health(origin)).body.feed?.status === "up", 20_000, "the feed up");
    await nats.publish([{ subject: "market.BTC", body: { spot: 101_000 } }]);
    await until(async () => (await api.ok<{ marketState: { spot: number }[] }>(BTC)).marketState[0].spot === 101_000, 10_000, "the tick applied");
  });
});

describe(`market feed across a crash on ${TEST_DB}`, () => {
  let nats: NatsServer;
  const dir = mkdtempSync(join(tmpdir(), "risk-feed-crash-"));
  let postgres: Awaited<ReturnType<typeof createPostgresDatabase>> | null = null;
  const children: ServerProcess[] = [];

  beforeAll(async () => {
    nats = await startNatsServer();
    if (TEST_DB === "postgres") postgres = await createPostgresDatabase("risk_feed_crash");
  });

  afterAll(async () => {
    for (const { child } of children) child.kill("SIGKILL");
    await nats?.close();
    await postgres?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("applies every tick published before and during a SIGKILL exactly once after the restart, events included", { timeout: 240_000 }, async () => {
    const env: Record<string, string> = {
      ...(postgres ? { DATABASE_URL: postgres.url } : { PGLITE_DIR: join(dir, "data") }),
      NATS_URL: nats.url,
      // Small batches: the kill lands between them; a short ack wait: what the dead process held comes back soon.
      FEED_BATCH_SIZE: "50",
      FEED_ACK_WAIT_MS: "2000",
      FEED_RETRY_MS: "200",
    };
    const first = await startServerProcess({ RISK_WORKERS: "0", LOG_LEVEL: "info", ...env });
    children.push(first);
    const { accountId } = await leveragedBtcAccount(httpApi(first.origin));
    await until(async () => (await health(first.origin)).body.feed?.status === "up", 20_000, "the feed up");

    // BTC in runs of 7 at 91 100 (ρ 0.828: MARGIN_CALL) and at 92 000 (ρ 0.46: HEALTHY), ending on 92 000: batches end in either.
    const spots = (n: number) => Array.from({ length: n }, (_, i) => (i < n - 1 && Math.floor(i / 7) % 2 === 0 ? 91_100 : 92_000));
    const inFlight = await nats.publish(spots(4000).map((s) => ({ subject: "market.BTC", body: { spot: s } })));
    const handled = await until(async () => {
      const n = await metric(first.origin, `risk_feed_ticks_total{outcome="superseded"}`);
      return n >= 200 && n;
    }, 60_000, "the first batches applied");
    first.child.kill("SIGKILL");
    await first.exited;
    expect(handled).toBeLessThan(inFlight.length); // killed with ticks in flight

    const whileDown = await nats.publish(spots(400).map((s) => ({ subject: "market.BTC", body: { spot: s } })));
    const second = await startServerProcess({ RISK_WORKERS: "0", LOG_LEVEL: "info", ...env });
    children.push(second);
    await until(async () => {
      const feed = (await health(second.origin)).body.feed;
      return feed?.pending === 0 && feed.ackPending === 0;
    }, 90_000, "every tick acknowledged after the restart");
    second.child.kill("SIGTERM"); // an orderly shutdown with the feed running
    expect(await second.exited, second.output()).toBe(0);
    expect(second.output()).toContain("shutdown complete");

    const db = await openDatabase({ databaseUrl: postgres?.url ?? null, pgliteDir: env.PGLITE_DIR ?? "memory://", dbPoolMax: 2, dbConnectTimeoutMs: 3000, dbStatementTimeoutMs: 10_000 });
    try {
      const published = [...inFlight, ...whileDown];
      const rows = await db.prisma.marketTick.findMany({ where: { feedSequence: { not: null } }, select: { feedSequence: true } });
      const stored = rows.map((r) => Number(r.feedSequence)).sort((a, b) => a - b);
      expect(stored).toEqual(published); // each published tick once, no other
      const state = await db.prisma.marketState.findUnique({ where: { underlyingId: "BTC" } });
      expect([Number(state!.spot), Number(state!.feedSequence)]).toEqual([92_000, published.at(-1)]);
      // Events exactly once: each starts from the level the one before left (a duplicate would repeat a transition), ending HEALTHY.
      const events = await db.prisma.marginCall.findMany({ where: { accountId }, orderBy: { sequence: "asc" } });
      expect(events.length).toBeGreaterThanOrEqual(2);
      events.forEach((e, i) => expect(e.previousLevel).toBe(i === 0 ? "HEALTHY" : events[i - 1].level));
      expect(events.at(-1)!.level).toBe("HEALTHY");
    } finally {
      await db.close();
    }
  });
});

// Two instances need one database they both open: PostgreSQL.
describe.runIf(TEST_DB === "postgres")("market feed shared by two instances", () => {
  let nats: NatsServer;
  let instances: TwoInstances;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    nats = await startNatsServer();
    instances = await startTwoInstances({ NATS_URL: nats.url });
    ({ a, b } = instances);
  });

  afterAll(async () => {
    await instances?.close();
    await nats?.close();
  });

  it("processes each tick on one instance; the other learns of it and its subscribers get the events once", { timeout: 60_000 }, async () => {
    const { accountId } = await leveragedBtcAccount(a);
    for (const api of [a, b]) await until(async () => (await health(new URL(api.url).origin)).body.feed?.status === "up", 20_000, "both feeds up");
    const feed = subscribe<Event>(b.url, FEED, { ids: [accountId] });
    await new Promise((r) => setTimeout(r, 300));
    // 1 999 ticks between 95 000 and 96 998 (healthy), then 91 100 (MARGIN_CALL), then 92 000 (HEALTHY) last.
    const spots = [...Array.from({ length: 1_999 }, (_, i) => 95_000 + i), 91_100];
    await nats.publish(spots.map((s) => ({ subject: "market.BTC", body: { spot: s } })));
    await until(() => drained(nats), 30_000, "every tick acknowledged");
    await nats.publish([{ subject: "market.BTC", body: { spot: 92_000 } }]);
    await until(() => drained(nats), 10_000, "the last tick acknowledged");
    const handled = async (api: TestServer) => {
      const origin = new URL(api.url).origin;
      const counts = await Promise.all(["applied", "superseded", "duplicate"].map((o) => metric(origin, `risk_feed_ticks_total{outcome="${o}"}`)));
      return { total: counts[0] + counts[1] + counts[2], duplicates: counts[2] };
    };
    const [byA, byB] = [await handled(a), await handled(b)];
    expect(byA.total + byB.total).toBe(spots.length + 1); // each tick once, on one of them
    expect(byA.duplicates + byB.duplicates).toBe(0);
    expect((await b.ok<{ marketState: { spot: number }[] }>(BTC)).marketState[0].spot).toBe(92_000);
    // 91 100 was the newest tick until everything was acknowledged: it was applied and evaluated, wherever.
    await feed.waitFor(2);
    await new Promise((r) => setTimeout(r, 500));
    expect(feed.events.map((e) => `${e.marginCalls.previousLevel}→${e.marginCalls.level}`)).toEqual(["HEALTHY→MARGIN_CALL", "MARGIN_CALL→HEALTHY"]);
    await feed.close();
  });
});
