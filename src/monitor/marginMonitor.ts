import type { Logger } from "pino";
import { exposedUnderlyings, nextLevel, unitValuationTime, type Market, type MarginUnitInput } from "../engine/index.js";
import type { BookChangeRow } from "../db/stores/bookChange.store.js";
import type { MarginCallStore, UnitFigures, UnitKind } from "../db/stores/marginCall.store.js";
import type { Book } from "../domain/book/book.js";
import { parseUnitKey } from "../domain/book/book.types.js";
import type { ViewEntry } from "../domain/risk/riskView.js";
import type { EventBus } from "./eventBus.js";
import { Topic, type MarginCallEvent } from "./events.js";
import type { WorkShare } from "./workShare.js";

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
 * Each unit is judged by the instance whose work share holds its partition. The store
 * keeps events exactly once even where shares overlap (a handover): units are judged
 * under one lock against their stored level record, never over one judged on a newer
 * book, so two instances judging the same move store one event, and a judgement that a
 * later committed write made stale is not stored (the sync that applies that write
 * judges the unit again, on the committed market and book).
 */
export class MarginMonitor {
  private readonly unsubscribe: () => void;
  /** The judgement in flight (they run one at a time, in the read model's order). */
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly book: Book,
    private readonly store: MarginCallStore,
    private readonly bus: EventBus,
    private readonly share: WorkShare,
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

  /**
   * The units among `entries` this instance judges: standalone accounts and portfolios
   * (members raise no events of their own) in its share, with their figures. Unless
   * `complete`, only those whose level the book's record says moves: that record is the
   * stored one as this instance last judged, loaded or heard of it, and between full
   * judgements nobody else writes the levels of its share.
   */
  private figuresOf(entries: ViewEntry[], market: Market, complete: boolean): UnitFigures[] {
    const figures: UnitFigures[] = [];
    for (const entry of entries) {
      const { kind, id } = parseUnitKey(entry.key);
      const account = kind === "account" ? this.book.account(id) : undefined;
      const unit = account ?? (kind === "portfolio" ? this.book.portfolio(id) : undefined);
      if (!unit || account?.portfolioId || !this.share.owns(id)) continue;
      if (!complete && nextLevel(unit.level.level, entry.ratio) === unit.level.level) continue;
      figures.push({
        kind,
        id,
        clientId: unit.clientId,
        ratio: entry.ratio,
        equity: entry.margin.equity,
        maintenance: entry.margin.maintenance,
        asOf: new Date(unitValuationTime(entry.input, market)),
      });
    }
    return figures;
  }

  /**
   * Judges `entries` (current at book version `version`) against the stored levels,
   * stores the changes, then publishes them; `complete` reads the stored level of every
   * unit of the share among them (full passes, partitions taken over), not only of those
   * whose level the book expects to move.
   */
  judge(entries: ViewEntry[], version: number, complete: boolean): Promise<MarginCallEvent[]> {
    const judged = this.judgeNow(entries, version, complete);
    this.inFlight = judged.then(() => undefined, () => undefined);
    return judged;
  }

  /** Resolves once the judgement in flight (if any) has stored and published what it found. */
  settled(): Promise<void> {
    return this.inFlight;
  }

  private async judgeNow(entries: ViewEntry[], version: number, complete: boolean): Promise<MarginCallEvent[]> {
    const started = performance.now();
    const figures = this.figuresOf(entries, this.book.market.market, complete);
    if (figures.length === 0) return [];
    const inputs = new Map(entries.map((e) => [parseUnitKey(e.key).id, e.input]));
    const { events, stale, levels } = await this.store.judgeAndRecord(
      figures,
      version,
      (later) => {
        const ids = new Set<string>();
        for (const f of figures) {
          const deps = this.dependencies(f.kind, f.id, inputs.get(f.id)!);
          if (later.some((row) => touches(row, deps))) ids.add(f.id);
        }
        return ids;
      },
      (unit, stored) => nextLevel(stored.level, unit.ratio),
    );
    const recorded = performance.now();
    for (const { kind, id, state } of levels) this.book.applyLevel(kind, id, state);
    // Sent together (Redis pipelines them in order); subscribers reorder by sequence anyway.
    await Promise.all(events.map((event) => this.bus.publish(Topic.MarginCalls, event)));
    this.logger.debug(
      { units: figures.length, complete, events: events.length, stale: stale.length, recordMs: Math.round(recorded - started), publishMs: Math.round(performance.now() - recorded) },
      "margin levels judged",
    );
    // The write that made them stale is committed: the sync that applies it judges them again.
    if (stale.length > 0) this.resync();
    return events;
  }

  close(): void {
    this.unsubscribe();
  }
}
