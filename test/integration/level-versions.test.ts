import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BookChangeStore } from "../../src/db/stores/bookChange.store.js";
import type { UnitFigures } from "../../src/db/stores/marginCall.store.js";
import { nextLevel } from "../../src/engine/index.js";
import { mulberry32 } from "../../src/lib/mulberry32.js";
import { createAccount, createClient } from "../support/books.js";
import { TEST_DB } from "../support/testDatabase.js";
import { startTestServer, type TestServer } from "../support/testServer.js";

/** Ratios on both sides of every threshold and its hysteresis band, and under water. */
const RATIOS = [0.1, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95, 1.05, 1.5, Infinity];

/**
 * The version rule of the level store under random interleavings: changes of one unit's
 * book are committed one after another while several "instances" judge each version's
 * figures at random moments against the stored level. Whatever the order, a level judged
 * on an older book never replaces one judged on a newer, a judgement a later change made
 * stale is not stored, and the stored events are one chain of hysteresis steps.
 */
describe(`margin levels under interleaved judgements on ${TEST_DB}`, () => {
  let api: TestServer;
  let accountId: string;
  let clientId: string;
  beforeAll(async () => {
    api = await startTestServer();
    clientId = await createClient(api, "Interleaved");
  });
  afterAll(async () => api?.close());

  for (const seed of [1, 2, 3, 4, 5]) {
    it(`seed ${seed}: 30 versions × 3 judges each, in random order`, async () => {
      accountId = await createAccount(api, clientId, `unit ${seed}`);
      const { db, stores } = api.server.services;
      const changes = new BookChangeStore(db.prisma, db.sql);
      const random = mulberry32(seed);
      const ratioAt = new Map<number, number>();
      const figures = (ratio: number): UnitFigures => ({ kind: "account", id: accountId, clientId, ratio, equity: 1000, maintenance: Number.isFinite(ratio) ? 1000 * ratio : 1000, asOf: new Date("2025-01-01T00:00:00Z") });
      const judgeAt = (version: number) =>
        stores.marginCalls.judgeAndRecord(
          [figures(ratioAt.get(version)!)],
          version,
          // Every change in this book touches the unit.
          (later) => new Set(later.some((row) => row.accounts.includes(accountId)) ? [accountId] : []),
          (unit, stored) => nextLevel(stored.level, unit.ratio),
        );
      const sleep = (maxMs: number) => new Promise((r) => setTimeout(r, Math.floor(random() * maxMs)));
      const judges: Promise<unknown>[] = [];
      for (let i = 0; i < 30; i++) {
        const version = await changes.write(async () => undefined, () => ({ accounts: [accountId] })).then((w) => w.version);
        ratioAt.set(version, RATIOS[Math.floor(random() * RATIOS.length)]);
        for (let j = 0; j < 3; j++) judges.push(sleep(6).then(() => judgeAt(version)));
        // The next write comes sooner or later than the judgements: some go stale, some store.
        await sleep(12);
      }
      await Promise.all(judges);
      const head = await changes.head();
      await judgeAt(head); // the last write's own judgement, after everything else

      const events = (await stores.marginCalls.list({ accountIds: [accountId], first: 1000 })).filter((e) => e.accountId === accountId);
      let level = "HEALTHY";
      let bookVersion = 0;
      events.forEach((event, i) => {
        expect(event.unitVersion, `event ${i}`).toBe(i + 1);
        expect(event.previousLevel, `event ${i}`).toBe(level);
        expect(event.bookVersion, `event ${i}: never judged on an older book than the one before`).toBeGreaterThanOrEqual(bookVersion);
        expect(event.level, `event ${i}: one hysteresis step on its version's ratio`).toBe(nextLevel(event.previousLevel, ratioAt.get(event.bookVersion)!));
        level = event.level;
        bookVersion = event.bookVersion;
      });
      const [stored] = await db.prisma.account.findMany({ where: { id: accountId }, select: { marginLevel: true, levelVersion: true } });
      expect(stored.marginLevel).toBe(level);
      expect(stored.levelVersion).toBe(events.length);
      // After the last write, the stored level is where the hysteresis rests on the committed ratio.
      expect(nextLevel(stored.marginLevel, ratioAt.get(head)!)).toBe(stored.marginLevel);
    });
  }
});
