import type { Logger } from "pino";
import { exposedUnderlyings, nextLevel, type Market, type MarginUnitInput } from "../engine/index.js";
import type { BookChangeRow } from "../db/stores/bookChange.store.js";
import type { LevelChange, MarginCallStore, UnitKind } from "../db/stores/marginCall.store.js";
import type { Book } from "../domain/book/book.js";
import { parseUnitKey } from "../domain/book/book.types.js";
import type { ViewEntry } from "../domain/risk/riskView.js";
import { valuationTime } from "../domain/valuationTime.js";
import type { EventBus } from "./eventBus.js";
import { Topic, type MarginCallEvent } from "./events.js";

/** What a unit's figures depend on, to tell whether a later write made a judgement stale. */
interface Dependencies {
  accounts: string[];
  portfolioId: string | null;
  underlyings: Set<string>;
}

const touches = (change: BookChangeRow, deps: Dependencies) =>
  change.accounts.some((id) => deps.accounts.includes(id)) ||
  (deps.portfolioId !== null && change.portfolios.includes(deps.portfolioId)) ||
  change.underlyings.some((u) => deps.underlyings.has(u));

/**
 * The margin monitor: judges the level of every unit the read model re-evaluated (the
 * hysteresis of DESIGN §4 on the ratio the view computed), stores each change with its
 * event in one transaction, and publishes the events only after that commit. Units are
 * standalone accounts and portfolios; a portfolio's members keep their standalone
 * figures in the view but raise no events of their own.
 *
 * Every instance judges the changes it sees; the store makes that safe: a change is
 * applied only to the level record it was judged against (levelVersion) and never over
 * one judged on a newer book, so two instances judging the same move store one event,
 * and a judgement that a later committed write made stale is not stored (the sync that
 * applies that write judges the unit again).
 */
export class MarginMonitor {
  private readonly unsubscribe: () => void;

  constructor(
    private readonly book: Book,
    private readonly store: MarginCallStore,
    private readonly bus: EventBus,
    private readonly logger: Logger,
    /** Asks the read model for another sync (after a stale judgement). */
    private readonly resync: () => void,
  ) {
    this.unsubscribe = bus.subscribe(Topic.MarginCalls, (event) => this.applyEvent(event));
  }

  private applyEvent(event: MarginCallEvent): void {
    const [kind, id] = event.accountId ? (["account", event.accountId] as const) : (["portfolio", event.portfolioId!] as const);
    this.book.applyLevel(kind, id, { level: event.level, version: event.unitVersion, bookVersion: event.bookVersion });
  }

  private dependencies(kind: UnitKind, id: string, input: MarginUnitInput): Dependencies {
    const underlyings = new Set(exposedUnderlyings(input));
    if (kind === "account") return { accounts: [id], portfolioId: this.book.account(id)?.portfolioId ?? null, underlyings };
    return { accounts: this.book.membersOf(id).map((m) => m.id), portfolioId: id, underlyings };
  }

  /** The level changes among `entries` (all of one book version), each against the unit's level record. */
  private changesOf(entries: ViewEntry[], market: Market): LevelChange[] {
    const changes: LevelChange[] = [];
    for (const entry of entries) {
      const { kind, id } = parseUnitKey(entry.key);
      const account = kind === "account" ? this.book.account(id) : undefined;
      const unit = account ?? (kind === "portfolio" ? this.book.portfolio(id) : undefined);
      // A portfolio's members raise no events of their own.
      if (!unit || account?.portfolioId) continue;
      const to = nextLevel(unit.level.level, entry.ratio);
      if (to === unit.level.level) continue;
      changes.push({
        kind,
        id,
        clientId: unit.clientId,
        ratio: entry.ratio,
        equity: entry.margin.equity,
        maintenance: entry.margin.maintenance,
        asOf: new Date(valuationTime(entry.input, market)),
        from: unit.level.level,
        to,
        version: unit.level.version,
      });
    }
    return changes;
  }

  /** Judges, stores and publishes; a conflict is judged once more on the level record that won. */
  async judge(entries: ViewEntry[], retry = true): Promise<MarginCallEvent[]> {
    if (entries.length === 0) return [];
    const started = performance.now();
    const version = entries[0].version;
    const market = this.book.market.market;
    const changes = this.changesOf(entries, market);
    if (changes.length === 0) return [];
    const inputs = new Map(entries.map((e) => [parseUnitKey(e.key).id, e.input]));
    const { events, conflicts, stale } = await this.store.recordChanges(changes, version, (later) => {
      const ids = new Set<string>();
      for (const c of changes) {
        const deps = this.dependencies(c.kind, c.id, inputs.get(c.id)!);
        if (later.some((row) => touches(row, deps))) ids.add(c.id);
      }
      return ids;
    });
    const recorded = performance.now();
    // Our own events reach us through the bus too, but maybe later (Redis): apply them now.
    for (const event of events) this.applyEvent(event);
    // Sent together (Redis pipelines them in order); subscribers reorder by sequence anyway.
    await Promise.all(events.map((event) => this.bus.publish(Topic.MarginCalls, event)));
    this.logger.debug(
      { units: entries.length, changes: changes.length, events: events.length, conflicts: conflicts.length, stale: stale.length,
        recordMs: Math.round(recorded - started), publishMs: Math.round(performance.now() - recorded) },
      "margin levels judged",
    );
    if (stale.length > 0) this.resync();
    if (conflicts.length === 0 || !retry) return events;
    for (const kind of ["account", "portfolio"] as const) {
      const ids = conflicts.filter((c) => c.kind === kind).map((c) => c.id);
      if (ids.length === 0) continue;
      for (const row of await this.store.levels(kind, ids)) {
        this.book.applyLevel(kind, row.id, { level: row.marginLevel, version: row.levelVersion, bookVersion: row.levelBookVersion });
      }
    }
    const again = entries.filter((e) => conflicts.some((c) => e.key === `${c.kind}:${c.id}`));
    return [...events, ...(await this.judge(again, false))];
  }

  close(): void {
    this.unsubscribe();
  }
}
