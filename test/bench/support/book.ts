/**
 * A throw-away PostgreSQL database holding a large book, written with bulk SQL (unnest
 * arrays through `pg`), never through the API. The book is generated in memory first
 * so that collateral can be sized with the risk engine itself: each account gets the
 * USDC (or, for ISOLATED positions, the isolated margin) that puts its margin ratio
 * where the benchmark wants it.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { openDatabase } from "../../../src/db/client.js";
import { migrate } from "../../../src/db/migrate.js";
import { ensureReferenceData } from "../../../src/db/seed/reference.js";
import { RiskStore } from "../../../src/db/stores/risk.store.js";
import { marketContext, type MarketContext } from "../../../src/domain/marginUnit.js";
import {
  computeMargin,
  createScenarioTable,
  instrumentMark,
  portfolioMarginWithTable,
  positionStandardMargin,
  ratioForLevel,
  unitEquity,
  valuePosition,
  type InstrumentSpec,
  type MarginMode,
  type MarginUnitInput,
  type Market,
  type ScenarioTable,
} from "../../../src/engine/index.js";
import { createPostgresDatabase } from "../../support/testDatabase.js";
import { log } from "./report.js";
import { onCleanup } from "./server.js";
import { instrumentUniverse, SPOTS } from "./instruments.js";

export const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export { SPOTS };
export const VOLS: Record<string, number> = { BTC: 0.55, ETH: 0.7, SOL: 0.9 };
export const AS_OF = "2025-01-01T00:00:00.000Z";

export interface BenchDatabase {
  name: string;
  url: string;
  /** Bulk writes and direct reads (not the server's pool). */
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** CREATE DATABASE risk_bench_<random>, migrated and with reference data; dropped by the cleanup registry. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const created = await createPostgresDatabase("risk_bench", ADMIN_URL);
  const { name, url } = created;
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on("error", () => undefined);
  const drop = onCleanup(async () => {
    await pool.end().catch(() => undefined);
    await created.drop();
    log(`dropped database ${name}`);
  });
  const db = await openDatabase({
    databaseUrl: url,
    pgliteDir: "memory://",
    dbPoolMax: 2,
    dbConnectTimeoutMs: 5_000,
    dbStatementTimeoutMs: 600_000,
  });
  try {
    await migrate(db.sql);
    await ensureReferenceData(db.prisma);
  } finally {
    await db.close();
  }
  log(`created database ${name} (migrated, reference data loaded)`);
  return { name, url, pool, drop };
}

// ---------- instruments and market ----------

export interface BenchInstrument {
  id: string;
  spec: InstrumentSpec;
}

/** Per underlying 1 perp and 4 futures, then options over 6 expiries × strikes × call/put: 500 in all (as engine.bench.ts). */
export function makeInstruments(count = 500): BenchInstrument[] {
  return instrumentUniverse(Date.parse(AS_OF), count).map((spec) => ({ id: randomUUID(), spec }));
}

/** Market states (rate 0, fixed asOf) and instruments, then the engine's view of that market read back from the database. */
export async function writeMarketAndInstruments(db: BenchDatabase, instruments: BenchInstrument[]): Promise<MarketContext> {
  const underlyings = Object.keys(SPOTS);
  await db.pool.query(
    `INSERT INTO "MarketState" ("underlyingId", spot, volatility, rate, "asOf", "updatedAt")
     SELECT u, s, v, 0, $4::timestamptz, now() FROM unnest($1::text[], $2::numeric[], $3::numeric[]) AS t(u, s, v)`,
    [underlyings, underlyings.map((u) => SPOTS[u]), underlyings.map((u) => VOLS[u]), AS_OF],
  );
  await db.pool.query(
    `INSERT INTO "Instrument" (id, symbol, kind, "underlyingId", "contractSize", expiry, strike, "optionType")
     SELECT id, symbol, kind::"InstrumentKind", u, 1, expiry, strike, ot::"OptionType"
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::numeric[], $7::text[])
         AS t(id, symbol, kind, u, expiry, strike, ot)`,
    [
      instruments.map((i) => i.id),
      instruments.map((i) => i.spec.symbol),
      instruments.map((i) => i.spec.kind),
      instruments.map((i) => i.spec.underlying),
      instruments.map((i) => (i.spec.expiryMs === null ? null : new Date(i.spec.expiryMs).toISOString())),
      instruments.map((i) => i.spec.strike),
      instruments.map((i) => i.spec.optionType),
    ],
  );
  // The same reference snapshot → engine context conversion the server uses.
  const db2 = await openDatabase({ databaseUrl: db.url, pgliteDir: "memory://", dbPoolMax: 1, dbConnectTimeoutMs: 5_000, dbStatementTimeoutMs: 60_000 });
  try {
    return marketContext(await new RiskStore(db2.prisma).referenceSnapshot());
  } finally {
    await db2.close();
  }
}

// ---------- accounts ----------

export interface BenchPosition {
  instrument: BenchInstrument;
  quantity: number;
  averagePrice: number;
  isolatedMargin: number;
}

export interface BenchAccount {
  id: string;
  clientId: string;
  name: string;
  mode: MarginMode;
  positions: BenchPosition[];
  /** USDC balance. */
  usdc: number;
}

export interface BookOptions {
  accounts: number;
  positionsPerAccount: number;
  clients: number;
  /** Shares of CROSS, PORTFOLIO, ISOLATED. */
  modes: [number, number, number];
  /** Every account's first position is on this underlying (the rest are drawn from all instruments). */
  firstUnderlying?: string;
  random: () => number;
  market: Market;
}

/** Values as stored (Decimal strings) and as the server reads them back (toNumber). */
export const fixed = (x: number, digits: number) => Number(x.toFixed(digits));

export function makeAccounts(instruments: BenchInstrument[], options: BookOptions): { clients: { id: string; name: string }[]; accounts: BenchAccount[] } {
  const { random, market } = options;
  const clients = Array.from({ length: options.clients }, (_, i) => ({ id: randomUUID(), name: `bench client ${i + 1}` }));
  const marks = new Map(instruments.map((i) => [i.id, instrumentMark(i.spec, market)]));
  const first = options.firstUnderlying ? instruments.filter((i) => i.spec.underlying === options.firstUnderlying) : [];
  const [cross, portfolio] = options.modes;
  const total = options.modes.reduce((a, b) => a + b, 0);
  const accounts: BenchAccount[] = [];
  for (let a = 0; a < options.accounts; a++) {
    const u = random() * total;
    const mode: MarginMode = u < cross ? "CROSS" : u < cross + portfolio ? "PORTFOLIO" : "ISOLATED";
    const chosen = new Set<BenchInstrument>();
    if (first.length) chosen.add(first[Math.floor(random() * first.length)]);
    while (chosen.size < options.positionsPerAccount) chosen.add(instruments[Math.floor(random() * instruments.length)]);
    const positions = [...chosen].map((instrument) => {
      const spot = SPOTS[instrument.spec.underlying];
      // Notional 10 k – 500 k USD, long or short.
      const notional = 10 ** (4 + 1.7 * random());
      const quantity = fixed(((random() < 0.5 ? -1 : 1) * notional) / spot, 4) || 0.0001;
      const mark = marks.get(instrument.id)!;
      const spread = instrument.spec.kind === "OPTION" ? 0.4 : mode === "ISOLATED" ? 0.02 : 0.1;
      const averagePrice = Math.max(fixed(mark * (1 + (random() - 0.5) * spread), 6), 0.000001);
      return { instrument, quantity, averagePrice, isolatedMargin: 0 };
    });
    const client = clients[Math.floor(random() * clients.length)];
    accounts.push({ id: randomUUID(), clientId: client.id, name: `${mode.toLowerCase()} ${a + 1}`, mode, positions, usdc: 0 });
  }
  return { clients, accounts };
}

export function engineUnit(account: BenchAccount, usdc = account.usdc): MarginUnitInput {
  return {
    mode: account.mode,
    collateral: [{ asset: "USDC", amount: usdc, haircut: 0, underlying: null }],
    positions: account.positions.map((p) => ({ instrument: p.instrument.spec, quantity: p.quantity, averagePrice: p.averagePrice, isolatedMargin: p.isolatedMargin })),
  };
}

/** A market's scenario table over all instruments (for PORTFOLIO units, as the monitor builds it). */
export function scenarioTable(instruments: BenchInstrument[], market: Market, ctx: MarketContext): ScenarioTable {
  return createScenarioTable(instruments.map((i) => i.spec), market, ctx.params);
}

/** CROSS/PORTFOLIO: maintenance margin and equity without any USDC (both independent of USDC). */
export function poolParts(account: BenchAccount, market: Market, ctx: MarketContext, table: ScenarioTable): { mm: number; e0: number } {
  const unit = engineUnit(account, 0);
  const e0 = unitEquity(unit, market);
  const mm = account.mode === "PORTFOLIO" ? portfolioMarginWithTable(unit, table).maintenance : computeMargin(unit, market, ctx.params).maintenance;
  return { mm, e0 };
}

/** ISOLATED: each position's maintenance margin and P&L (its equity is isolatedMargin + P&L). */
export function isolatedParts(account: BenchAccount, market: Market, ctx: MarketContext): { mm: number; pnl: number }[] {
  return account.positions.map((p) => {
    const valuation = valuePosition({ instrument: p.instrument.spec, quantity: p.quantity, averagePrice: p.averagePrice, isolatedMargin: 0 }, market);
    return { mm: positionStandardMargin(valuation, ctx.params).maintenance, pnl: valuation.pnl };
  });
}

/** The ratio the monitor stores and judges levels on (its ownMargin + ratioForLevel). */
export function monitorRatio(account: BenchAccount, market: Market, ctx: MarketContext, table: ScenarioTable): number {
  const unit = engineUnit(account);
  if (account.mode === "PORTFOLIO") {
    const equity = unitEquity(unit, market);
    const { maintenance } = portfolioMarginWithTable(unit, table);
    return ratioForLevel(maintenance, equity, equity > 0 ? maintenance / equity : Infinity);
  }
  const m = computeMargin(unit, market, ctx.params);
  return ratioForLevel(m.maintenance, m.equity, m.ratio);
}

// ---------- bulk write ----------

async function insertChunks<T>(rows: T[], chunk: number, write: (part: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) await write(rows.slice(i, i + chunk));
}

/** Clients, accounts, USDC balances and positions in a few multi-row statements; then ANALYZE. */
export async function writeAccounts(db: BenchDatabase, clients: { id: string; name: string }[], accounts: BenchAccount[]): Promise<void> {
  const { pool } = db;
  await pool.query(`INSERT INTO "Client" (id, name) SELECT * FROM unnest($1::uuid[], $2::text[])`, [clients.map((c) => c.id), clients.map((c) => c.name)]);
  await insertChunks(accounts, 5_000, (part) =>
    pool.query(
      `INSERT INTO "Account" (id, "clientId", name, "marginMode")
       SELECT id, c, n, m::"MarginMode" FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS t(id, c, n, m)`,
      [part.map((a) => a.id), part.map((a) => a.clientId), part.map((a) => a.name), part.map((a) => a.mode)],
    ),
  );
  await insertChunks(accounts, 5_000, (part) =>
    pool.query(
      `INSERT INTO "Balance" ("accountId", asset, amount, "updatedAt")
       SELECT a, 'USDC', x, now() FROM unnest($1::uuid[], $2::numeric[]) AS t(a, x)`,
      [part.map((a) => a.id), part.map((a) => a.usdc.toFixed(2))],
    ),
  );
  const positions = accounts.flatMap((a) => a.positions.map((p) => ({ accountId: a.id, ...p })));
  await insertChunks(positions, 25_000, (part) =>
    pool.query(
      `INSERT INTO "Position" ("accountId", "instrumentId", quantity, "averagePrice", "isolatedMargin", "updatedAt")
       SELECT a, i, q, p, m, now() FROM unnest($1::uuid[], $2::uuid[], $3::numeric[], $4::numeric[], $5::numeric[]) AS t(a, i, q, p, m)`,
      [
        part.map((p) => p.accountId),
        part.map((p) => p.instrument.id),
        part.map((p) => p.quantity.toFixed(4)),
        part.map((p) => p.averagePrice.toFixed(6)),
        part.map((p) => p.isolatedMargin.toFixed(2)),
      ],
    ),
  );
  await pool.query("ANALYZE");
}

/** Count of accounts per plain level of their expected ratio. */
export function levelHistogram(ratios: number[]): Record<string, number> {
  const h = { HEALTHY: 0, WARNING: 0, MARGIN_CALL: 0, LIQUIDATION: 0 };
  for (const r of ratios) {
    if (r >= 1) h.LIQUIDATION++;
    else if (r >= 0.8) h.MARGIN_CALL++;
    else if (r >= 0.7) h.WARNING++;
    else h.HEALTHY++;
  }
  return h;
}
