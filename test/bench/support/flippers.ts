/**
 * Collateral for a book on which a BTC move between two spots flips a known set of
 * accounts' levels on every tick ("flippers": HEALTHY ↔ MARGIN_CALL for linear-heavy
 * books, MARGIN_CALL ↔ LIQUIDATION where PORTFOLIO margin needs more leverage) while
 * everyone else stays healthy at both spots; and the events the engine predicts.
 */
import { performance } from "node:perf_hooks";
import { nextLevel, withSpot, type MarginLevel, type Market } from "../../../src/engine/index.js";
import type { MarketContext } from "../../../src/domain/marginUnit.js";
import {
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
} from "./book.js";
import { log, mulberry32 } from "./report.js";

type Parts = { mm: number; e0: number };
type Table = ReturnType<typeof scenarioTable>;

const ratioWith = (p: Parts, usdc: number) => (usdc + p.e0 > 0 ? p.mm / (usdc + p.e0) : Infinity);

/** Levels after the first evaluation at `high` and ticks low, high, low: a flipper changes level on each tick, in a cycle. */
function flips(high: number, low: number): boolean {
  const l0 = nextLevel("HEALTHY", high);
  const l1 = nextLevel(l0, low);
  const l2 = nextLevel(l1, high);
  const l3 = nextLevel(l2, low);
  return l1 !== l0 && l2 !== l1 && l2 === l0 && l3 === l1;
}

/**
 * Flippers (up to `flippers` CROSS/PORTFOLIO accounts): USDC that puts the ratio at a
 * target on the worse spot, tried over a few targets until the level cycles. Everyone
 * else: USDC (or isolated margin) for a ratio in [0.02, 0.6] at whichever spot is worse,
 * so they stay HEALTHY throughout. Returns the number of flippers found.
 */
export function sizeFlipperCollateral(
  accounts: BenchAccount[],
  random: () => number,
  markets: [Market, Market],
  ctx: MarketContext,
  tables: Table[],
  flippers: number,
): number {
  let found = 0;
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
    if (found < flippers) {
      const candidates = [0.85, 0.9, 0.95, 1.1, 1.25, 1.4].sort(() => random() - 0.5);
      let sized = false;
      for (const tb of candidates) {
        for (const bad of [low, high]) {
          const usdc = fixed(bad.mm / tb - bad.e0, 2);
          if (usdc < 0) continue;
          if (flips(ratioWith(high, usdc), ratioWith(low, usdc))) {
            account.usdc = usdc;
            sized = true;
            break;
          }
        }
        if (sized) break;
      }
      if (sized) {
        found++;
        continue;
      }
    }
    account.usdc = fixed(Math.max(0, high.mm / target - high.e0, low.mm / target - low.e0), 2);
  }
  return found;
}

/** Events the engine predicts for the first evaluation (at markets[0]) and each of `ticks` ticks (levels chained with hysteresis). */
export function predictEvents(accounts: BenchAccount[], markets: [Market, Market], ctx: MarketContext, tables: Table[], ticks: number): number[] {
  const ratios = accounts.map((a) => markets.map((m, i) => monitorRatio(a, m, ctx, tables[i])));
  const levels: MarginLevel[] = accounts.map(() => "HEALTHY");
  const counts: number[] = [];
  for (let t = 0; t <= ticks; t++) {
    const side = t % 2 === 0 ? 0 : 1;
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

export interface FlipperBook {
  db: BenchDatabase;
  pgVersion: string;
  accounts: BenchAccount[];
  instruments: number;
  flippers: number;
  /** Engine-predicted events: the first evaluation at the high spot, then ticks low, high, low, high. */
  predicted: number[];
  /** Database, migrations and the book in memory; then the bulk insert. */
  generatedMs: number;
  insertMs: number;
}

/**
 * A database risk_bench_<random> with `accounts` × `positions` (every account's first
 * position on BTC, so a BTC tick re-evaluates every account), collateral sized for
 * `flippers` flippers between BTC `high` (the stored spot) and `low`, bulk-inserted.
 */
export async function writeFlipperBook(options: { accounts: number; positions: number; flippers: number; high: number; low: number; seed: number }): Promise<FlipperBook> {
  const random = mulberry32(options.seed);
  const setupStart = performance.now();
  const db = await createBenchDatabase();
  const pgVersion = (await db.pool.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0].v;
  const instruments = makeInstruments();
  const ctx = await writeMarketAndInstruments(db, instruments);
  const markets: [Market, Market] = [withSpot(ctx.market, "BTC", options.high), withSpot(ctx.market, "BTC", options.low)];
  const tables = markets.map((m) => scenarioTable(instruments, m, ctx));
  const { clients, accounts } = makeAccounts(instruments, {
    accounts: options.accounts,
    positionsPerAccount: options.positions,
    clients: 25,
    modes: [0.5, 0.4, 0.1],
    firstUnderlying: "BTC",
    random,
    market: ctx.market,
  });
  const flippers = sizeFlipperCollateral(accounts, random, markets, ctx, tables, options.flippers);
  const predicted = predictEvents(accounts, markets, ctx, tables, 4);
  const generatedMs = performance.now() - setupStart;
  const insertStart = performance.now();
  await writeAccounts(db, clients, accounts);
  const insertMs = performance.now() - insertStart;
  log(`book: ${accounts.length} accounts × ${options.positions} inserted in ${(insertMs / 1000).toFixed(1)} s; ${flippers} flippers; predicted events: first evaluation ${predicted[0]}, then ${predicted.slice(1).join(", ")} per tick`);
  return { db, pgVersion, accounts, instruments: instruments.length, flippers, predicted, generatedMs, insertMs };
}
