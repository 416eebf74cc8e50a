import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { PrismaClient } from "../generated/prisma/client.js";
import {
  computeMargin,
  createScenarioTable,
  defaultModel,
  marginRatio,
  nextLevel,
  portfolioMarginWithTable,
  ratioForLevel,
  unitEquity,
  type MarginUnitInput,
  type ScenarioTable,
} from "../engine/index.js";
import type { MarginCallStore, UnitEvaluation, UnitKind } from "../db/stores/marginCall.store.js";
import { poolUnits, type MarketContext } from "../domain/marginUnit.js";
import type { RiskService } from "../domain/risk.service.js";
import { BookCache, type CachedAccount, type LevelState } from "./bookCache.js";
import type { EventBus } from "./eventBus.js";
import { Topic, type MarginCallEvent } from "./events.js";

/** A margin unit to evaluate: its book, its stored level, and whether it emits events. */
interface Unit extends LevelState {
  kind: UnitKind;
  id: string;
  clientId: string;
  input: MarginUnitInput;
  /** Standalone accounts and portfolios emit; portfolio members keep only their ratio. */
  emits: boolean;
}

/** Ratio and equity of a unit under its own model; the PORTFOLIO model reuses one scenario table for all units. */
function ownMargin(unit: MarginUnitInput, ctx: MarketContext, table: ScenarioTable) {
  if (defaultModel(unit.mode) === "PORTFOLIO") {
    const equity = unitEquity(unit, ctx.market);
    const { maintenance } = portfolioMarginWithTable(unit, table);
    return { equity, maintenance, ratio: marginRatio(maintenance, equity) };
  }
  const { equity, maintenance, ratio } = computeMargin(unit, ctx.market, ctx.params);
  return { equity, maintenance, ratio };
}

/**
 * The margin monitor: re-evaluates margin units after market moves and ledger writes,
 * applies the level hysteresis, stores every level change as an event in the same
 * transaction as the unit's new level, and publishes events only after that commit.
 * Margin units are standalone accounts and portfolios; portfolio members keep their
 * own ratio snapshot (for the riskiest-first listing) without events of their own.
 *
 * Books come from an in-memory cache (BookCache) kept current by invalidations, so a
 * tick costs engine time. Levels follow the events of every instance; a change whose
 * level moved on meanwhile (another instance stored it first) is a conflict: the unit's
 * level is re-read and the unit evaluated once more.
 */
export class MarginMonitor {
  private readonly cache: BookCache;
  /** Tells this instance's own BookChanged notices from other instances'. */
  private readonly instanceId = randomUUID();
  private readonly unsubscribe: (() => void)[];
  /** One evaluation at a time per instance: cache refreshes and level reads stay consistent. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly pendingRatios = new Map<string, UnitEvaluation>();
  private pendingAsOf = new Date(0);
  /** The background ratio writer while it runs. */
  private ratioWriter: Promise<void> | null = null;

  constructor(
    prisma: PrismaClient,
    private readonly risk: RiskService,
    private readonly store: MarginCallStore,
    private readonly bus: EventBus,
    private readonly logger: Logger,
  ) {
    this.cache = new BookCache(prisma);
    this.unsubscribe = [
      bus.subscribe(Topic.MarginCalls, (event) => this.applyEvent(event)),
      bus.subscribe(Topic.BookChanged, (notice) => {
        if (notice.origin !== this.instanceId) this.cache.invalidate(notice.accountIds);
      }),
    ];
  }

  private applyEvent(event: MarginCallEvent): void {
    const [kind, id] = event.accountId ? (["account", event.accountId] as const) : (["portfolio", event.portfolioId!] as const);
    this.cache.applyLevel(kind, id, { level: event.level, version: event.unitVersion });
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Deferred ratio snapshots: one writer at a time, and ticks that arrive while it
   * writes are merged (the latest ratio of each unit wins), so a burst of ticks costs
   * one write after the other, never a queue of them, and evaluations never wait for it.
   */
  private queueRatios(evaluations: UnitEvaluation[], asOf: Date): void {
    for (const e of evaluations) this.pendingRatios.set(`${e.kind}:${e.id}`, e);
    this.pendingAsOf = asOf;
    if (this.ratioWriter) return;
    this.ratioWriter = (async () => {
      try {
        while (this.pendingRatios.size > 0) {
          const batch = [...this.pendingRatios.values()];
          this.pendingRatios.clear();
          const begun = performance.now();
          await this.store.saveRatios(batch, this.pendingAsOf);
          this.logger.debug({ units: batch.length, snapshotMs: Math.round(performance.now() - begun) }, "ratio snapshot");
        }
      } catch (error) {
        this.logger.error({ err: error }, "ratio snapshot not written");
      } finally {
        this.ratioWriter = null;
      }
    })();
  }

  /** Loads the book cache ahead of the first tick (in the background at start). */
  warm(): Promise<void> {
    return this.serialized(async () => this.cache.refresh(await this.risk.marketContext()));
  }

  /** After a market update: every unit exposed to the underlyings that moved. */
  onMarketChanged(underlyings: string[]): Promise<MarginCallEvent[]> {
    return this.serialized(async () => {
      const ctx = await this.risk.marketContext();
      await this.cache.refresh(ctx);
      return this.evaluate(ctx, this.cache.exposedTo(underlyings), { deferSnapshot: true });
    });
  }

  /** After a ledger or membership write: reloads the accounts (here and on every instance) and evaluates them. */
  evaluateAccounts(accountIds: string[]): Promise<MarginCallEvent[]> {
    return this.serialized(async () => {
      this.cache.invalidate(accountIds);
      await this.bus.publish(Topic.BookChanged, { accountIds, origin: this.instanceId });
      const ctx = await this.risk.marketContext();
      await this.cache.refresh(ctx, accountIds);
      const accounts = accountIds.map((id) => this.cache.account(id)).filter((a): a is CachedAccount => a !== undefined);
      return this.evaluate(ctx, accounts);
    });
  }

  /** Every unit, reloaded from the database: the periodic pass (time decay, catch-up). */
  evaluateAll(): Promise<MarginCallEvent[]> {
    return this.serialized(async () => {
      this.cache.reset();
      const ctx = await this.risk.marketContext();
      await this.cache.refresh(ctx);
      return this.evaluate(ctx, this.cache.allAccounts());
    });
  }

  /**
   * A full pass every `intervalMs` (0: never), skipped while the previous one runs:
   * option books decay as asOf advances, and a pass that failed catches up. Returns stop().
   */
  startPeriodic(intervalMs: number): () => void {
    if (intervalMs <= 0) return () => undefined;
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.evaluateAll()
        .catch((error: unknown) => this.logger.error({ err: error }, "periodic margin evaluation failed"))
        .finally(() => (running = false));
    }, intervalMs).unref();
    return () => clearInterval(timer);
  }

  /** Stops listening and lets a background ratio write finish. */
  async close(): Promise<void> {
    for (const stop of this.unsubscribe) stop();
    await this.ratioWriter;
  }

  /** The accounts as units, plus every portfolio any of them belongs to (pooled over all its members). */
  private unitsOf(accounts: CachedAccount[]): Unit[] {
    const units: Unit[] = accounts.map((a) => ({ kind: "account", ...a, emits: a.portfolioId === null }));
    const portfolioIds = new Set(accounts.map((a) => a.portfolioId).filter((id): id is string => id !== null));
    for (const id of portfolioIds) {
      const portfolio = this.cache.portfolio(id);
      if (!portfolio) continue;
      const input = poolUnits(portfolio.mode, this.cache.membersOf(id).map((m) => m.input));
      units.push({ kind: "portfolio", ...portfolio, input, emits: true });
    }
    return units;
  }

  /**
   * `deferSnapshot`: write the ratio snapshot in the background (queueRatios), so a
   * market tick answers once its events are stored and published; the riskiest-first
   * listing then trails the tick by that write.
   */
  private async evaluate(
    ctx: MarketContext,
    accounts: CachedAccount[],
    options: { deferSnapshot?: boolean; retry?: boolean } = {},
  ): Promise<MarginCallEvent[]> {
    const started = performance.now();
    const units = this.unitsOf(accounts);
    const instruments = new Map(units.flatMap((u) => u.input.positions.map((p) => [p.instrument.symbol, p.instrument] as const)));
    const table = createScenarioTable(
      [...instruments.values()].filter((i) => ctx.market.quotes.has(i.underlying)),
      ctx.market,
      ctx.params,
    );
    const evaluations: UnitEvaluation[] = [];
    for (const unit of units) {
      try {
        const margin = ownMargin(unit.input, ctx, table);
        const ratio = ratioForLevel(margin.maintenance, margin.equity, margin.ratio);
        const level = nextLevel(unit.level, ratio);
        evaluations.push({
          kind: unit.kind,
          id: unit.id,
          clientId: unit.clientId,
          ratio,
          equity: margin.equity,
          maintenance: margin.maintenance,
          change: unit.emits && level !== unit.level ? { from: unit.level, to: level, version: unit.version } : null,
        });
      } catch (error) {
        // One unit the engine cannot value (e.g. no market for its underlying) must not stop the others.
        this.logger.warn({ err: error, unit: unit.id }, "margin unit not evaluated");
      }
    }
    const computed = performance.now();
    const asOf = new Date(ctx.market.asOfMs);
    const { events, conflicts } = await this.store.recordChanges(evaluations.filter((e) => e.change), asOf);
    const recorded = performance.now();
    // Our own events reach us through the bus too, but maybe later (Redis): apply them now.
    for (const event of events) this.applyEvent(event);
    // Sent together (Redis pipelines them in order); subscribers reorder by sequence anyway.
    await Promise.all(events.map((event) => this.bus.publish(Topic.MarginCalls, event)));
    const published = performance.now();
    const timings = {
      units: evaluations.length,
      events: events.length,
      conflicts: conflicts.length,
      computeMs: Math.round(computed - started),
      recordMs: Math.round(recorded - computed),
      publishMs: Math.round(published - recorded),
    };
    if (options.deferSnapshot) {
      this.queueRatios(evaluations, asOf);
      this.logger.debug(timings, "margin evaluation");
    } else {
      const begun = performance.now();
      await this.store.saveRatios(evaluations, asOf);
      this.logger.debug({ ...timings, snapshotMs: Math.round(performance.now() - begun) }, "margin evaluation");
    }
    if (conflicts.length === 0 || options.retry === false) return events;
    // Another instance stored a change first: take its level and judge once more.
    for (const kind of ["account", "portfolio"] as const) {
      const ids = conflicts.filter((c) => c.kind === kind).map((c) => c.id);
      if (ids.length === 0) continue;
      for (const row of await this.store.levels(kind, ids)) {
        this.cache.applyLevel(kind, row.id, { level: row.marginLevel, version: row.levelVersion });
      }
    }
    const again = accounts.filter((a) => conflicts.some((c) => c.id === a.id || c.id === a.portfolioId));
    return [...events, ...(await this.evaluate(ctx, again, { ...options, retry: false }))];
  }
}
