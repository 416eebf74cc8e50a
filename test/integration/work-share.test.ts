import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PartitionLeases } from "../../src/db/stores/partitionLeases.store.js";
import { LeasedShare, PARTITIONS } from "../../src/monitor/workShare.js";
import { createAccount, createClient, createInstrument, deposit, setMarket, trade } from "../support/books.js";
import { metric, startServerProcess, type ServerProcess } from "../support/serverProcess.js";
import { createTestDatabase, TEST_DB, type TestDatabase } from "../support/testDatabase.js";
import { startTestServer, TEST_REDIS_URL, type TestServer } from "../support/testServer.js";
import { until } from "../support/until.js";
import { subscribe } from "../support/wsClient.js";

const POLL_MS = 150;
const logger = pino({ level: "silent" });

const union = (...sets: ReadonlySet<number>[]) => new Set(sets.flatMap((s) => [...s]));

describe.runIf(TEST_DB === "postgres")("the monitor's work shared across instances through PostgreSQL advisory-lock leases", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database?.drop());

  /** `gained` records each call; with `failFirst` the first one fails (its partitions must come again). */
  const share = (gained: number[][] = [], settles = { count: 0 }, failFirst = false) => {
    const timeouts = { connectTimeoutMs: 3000, queryTimeoutMs: 3000 };
    const s = new LeasedShare((onLost) => new PartitionLeases(database.databaseUrl!, timeouts, onLost), POLL_MS, logger);
    const record = async (partitions: number[]) => {
      gained.push(partitions);
      if (failFirst && gained.length === 1) throw new Error("the first judgement of the partitions taken over fails");
    };
    return { share: s, watch: () => s.watch({ gained: record, settle: async () => void settles.count++ }) };
  };

  it("splits 16 partitions between live members, judges taken-over ones until that succeeds, hands a lost session's share back, and gives a closed member's to the other", async () => {
    const gainedByB: number[][] = [];
    const settlesOfA = { count: 0 };
    const a = share([], settlesOfA);
    const b = share(gainedByB, { count: 0 }, true);
    try {
      await a.share.join();
      expect(a.share.owned.size).toBe(PARTITIONS);
      a.watch();
      await b.share.join();
      expect(b.share.owned.size).toBe(0); // all held: it waits for A to release its surplus
      b.watch();
      await until(() => a.share.owned.size === 8 && b.share.owned.size === 8, 5000, "8 and 8");
      expect(union(a.share.owned, b.share.owned).size).toBe(PARTITIONS);
      expect(settlesOfA.count).toBeGreaterThanOrEqual(1); // A let its judgement in flight finish before releasing
      // The failed judgement is tried again at the next poll, with the same partitions.
      await until(() => gainedByB.length >= 2, 5000, "the partitions taken over judged again after a failure");
      expect(new Set(gainedByB.slice(0, 2).flat())).toEqual(new Set(b.share.owned));
      expect(new Set(gainedByB[1])).toEqual(new Set(gainedByB[0]));
      expect(a.share.members).toBe(2);

      // B's lease session is cut by the database: B drops everything, reconnects, and takes its share again.
      const admin = new pg.Client({ connectionString: database.databaseUrl! });
      await admin.connect();
      const [someOfB] = b.share.owned;
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND objsubid = 2 AND granted`,
        [someOfB],
      );
      await admin.end();
      await until(() => b.share.owned.size === 0 || !b.share.owned.has(someOfB) || gainedByB.length > 2, 5000, "B noticed the lost session");
      await until(() => a.share.owned.size === 8 && b.share.owned.size === 8 && union(a.share.owned, b.share.owned).size === PARTITIONS, 5000, "8 and 8 again");

      // B stops: A holds all 16 within a poll or two.
      await b.share.close();
      await until(() => a.share.owned.size === PARTITIONS, 5000, "A holds all");
    } finally {
      await a.share.close();
      await b.share.close();
    }
  });
});

const FEED = `subscription { marginCalls(afterSequence: 0) { sequence accountId level } }`;
type FeedEvent = { marginCalls: { sequence: number; accountId: string; level: string } };
interface StoredEvent {
  sequence: number;
  accountId: string;
  unitVersion: number;
  level: string;
  previousLevel: string;
}

describe.runIf(TEST_DB === "postgres")("an instance killed mid-burst on PostgreSQL and Redis", () => {
  let database: TestDatabase;
  let a: TestServer;
  let b: ServerProcess | null = null;
  let sql: pg.Client;
  const accounts: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = { REDIS_URL: TEST_REDIS_URL, MONITOR_SHARE_POLL_MS: String(POLL_MS) };
    a = await startTestServer({ env, database, keepDatabase: true });
    // 24 accounts of 10 000 USDC, each long 1 BTC perp at 100 000: ρ = 0.01·P / (P − 90 000),
    // 0.1 (HEALTHY) at 100 000 and 1.81 (LIQUIDATION) at 90 500, so every tick moves every level.
    await setMarket(a, "BTC", 100_000);
    await createInstrument(a, { symbol: "BTC-PERP", kind: "PERPETUAL", underlying: "BTC" });
    const clientId = await createClient(a, "Burst");
    for (let i = 0; i < 24; i++) {
      const id = await createAccount(a, clientId, `burst ${i}`);
      await deposit(a, id, "USDC", 10_000);
      await trade(a, id, "BTC-PERP", 1, 100_000);
      accounts.push(id);
    }
    b = await startServerProcess({ DATABASE_URL: database.databaseUrl!, REDIS_URL: TEST_REDIS_URL, MONITOR_SHARE_POLL_MS: String(POLL_MS) });
    sql = new pg.Client({ connectionString: database.databaseUrl! });
    await sql.connect();
  }, 120_000);
  afterAll(async () => {
    b?.child.kill("SIGKILL");
    await sql?.end();
    await a?.close();
    await database?.drop();
  });

  const storedEvents = async () =>
    (await sql.query<StoredEvent>(`SELECT sequence, "accountId", "unitVersion", level, "previousLevel" FROM "MarginCall" ORDER BY sequence`)).rows;
  const storedLevels = async () =>
    new Map((await sql.query<{ id: string; marginLevel: string }>(`SELECT id, "marginLevel" FROM "Account"`)).rows.map((r) => [r.id, r.marginLevel]));

  it("takes over the killed instance's partitions within seconds; every level ends on the committed market, each change with exactly one event", async () => {
    const heldByB = () => metric(b!.origin, 'risk_monitor_partitions{kind="held"}');
    await until(async () => a.server.services.share.owned.size === 8 && (await heldByB()) === 8, 10_000, "the work split 8 and 8");

    const feed = subscribe<FeedEvent>(a.url, FEED, {});
    const spots = Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? 90_500 : 100_000));
    for (const [i, spot] of spots.entries()) {
      await setMarket(a, "BTC", spot);
      if (i === 6) b!.child.kill("SIGKILL"); // after a LIQUIDATION tick, before the next one
    }
    expect(await b!.exited).toBeNull();
    b = null;
    await until(() => a.server.services.share.owned.size === PARTITIONS, 10_000, "A holds all 16 partitions within seconds");

    // A move after the takeover reaches every unit, the killed instance's included.
    await setMarket(a, "BTC", 90_500);
    expect(new Set((await storedLevels()).values())).toEqual(new Set(["LIQUIDATION"]));
    await setMarket(a, "BTC", 100_000);
    const levels = await storedLevels();
    expect(accounts.map((id) => levels.get(id))).toEqual(accounts.map(() => "HEALTHY"));

    // Per unit, the stored events form one chain from HEALTHY: versions 1, 2, 3 … with no
    // repeat, each from the level the previous one went to, ending at the stored level.
    const events = await storedEvents();
    for (const id of accounts) {
      const chain = events.filter((e) => e.accountId === id);
      expect(chain.length, id).toBeGreaterThanOrEqual(2);
      chain.forEach((e, i) => {
        expect(e.unitVersion, `${id} #${i}`).toBe(i + 1);
        expect(e.previousLevel, `${id} #${i}`).toBe(i === 0 ? "HEALTHY" : chain[i - 1].level);
        expect(e.level).not.toBe(e.previousLevel);
      });
      expect(chain.at(-1)!.level).toBe(levels.get(id));
    }
    // A subscriber replaying from 0 receives each stored event exactly once, in order.
    const received = await feed.waitFor(events.length);
    await new Promise((r) => setTimeout(r, 300));
    expect(feed.events.map((e) => e.marginCalls.sequence)).toEqual(events.map((e) => Number(e.sequence)));
    expect(received).toHaveLength(events.length);
    await feed.close();
  }, 120_000);
});
