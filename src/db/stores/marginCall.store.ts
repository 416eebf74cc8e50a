import type { MarginLevel, PrismaClient } from "../../generated/prisma/client.js";
import type { MarginCallEvent } from "../../monitor/events.js";
import type { BookChangeRow } from "./bookChange.store.js";

export type UnitKind = "account" | "portfolio";

/** A change of a unit's level, judged on one book version. */
export interface LevelChange {
  kind: UnitKind;
  id: string;
  clientId: string;
  /** maintenance / equity under the unit's own model (0 when nothing is owed); Infinity when under water. */
  ratio: number;
  equity: number;
  maintenance: number;
  /** The unit's valuation time. */
  asOf: Date;
  from: MarginLevel;
  to: MarginLevel;
  /** Version of the level record the change replaces. */
  version: number;
}

export interface RecordResult {
  events: MarginCallEvent[];
  /** Changes not applied because the unit's level record moved on (another instance stored a change first). */
  conflicts: { kind: UnitKind; id: string }[];
  /** Changes not applied because a write committed after the book version they were judged on touched the unit. */
  stale: { kind: UnitKind; id: string }[];
}

/** Serialises level changes so sequences commit in order: a reader never sees 7 before 6. */
const EVENT_LOCK_ID = 72707370;
const TABLE: Record<UnitKind, string> = { account: "Account", portfolio: "Portfolio" };

/** As returned by the driver: integer columns may come back as bigint. */
type EventRow = Omit<MarginCallEvent, "sequence" | "unitVersion" | "bookVersion"> & {
  sequence: number | bigint;
  unitVersion: number | bigint;
  bookVersion: number | bigint;
};

const toEvent = (row: EventRow): MarginCallEvent => ({
  ...row,
  sequence: Number(row.sequence),
  unitVersion: Number(row.unitVersion),
  bookVersion: Number(row.bookVersion),
});

export interface EventFilter {
  afterSequence?: number | null;
  accountIds?: string[] | null;
  /** Restricts to one client's units (CLIENT keys). */
  clientId?: string | null;
  first: number;
}

/** The append-only margin-call log, the units' levels it goes with, and their ratio snapshot. */
export class MarginCallStore {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * In one transaction, under the event lock (so sequences commit in order): the changes
   * whose unit a later committed write touched are set aside as stale (`staleAmong` reads
   * those writes), then for each remaining change the unit's new level, only if its
   * record is still the one judged and was judged on no newer book, and its event. A
   * handful of statements however many units change.
   */
  async recordChanges(
    changes: LevelChange[],
    bookVersion: number,
    staleAmong: (later: BookChangeRow[]) => ReadonlySet<string>,
  ): Promise<RecordResult> {
    if (changes.length === 0) return { events: [], conflicts: [], stale: [] };
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${EVENT_LOCK_ID})`;
      const later = await tx.$queryRaw<(Omit<BookChangeRow, "version"> & { version: bigint })[]>`
        SELECT version, accounts, portfolios, clients, instruments, underlyings FROM "BookChange" WHERE version > ${bookVersion}`;
      const staleIds = later.length === 0 ? new Set<string>() : staleAmong(later.map((r) => ({ ...r, version: Number(r.version) })));
      const result: RecordResult = { events: [], conflicts: [], stale: [] };
      for (const kind of ["account", "portfolio"] as const) {
        const all = changes.filter((c) => c.kind === kind);
        const rows = all.filter((c) => !staleIds.has(c.id));
        for (const c of all) if (staleIds.has(c.id)) result.stale.push({ kind, id: c.id });
        if (rows.length === 0) continue;
        const moved = await tx.$queryRawUnsafe<{ id: string }[]>(
          `UPDATE "${TABLE[kind]}" AS t SET "marginLevel" = v.level::"MarginLevel", "levelVersion" = t."levelVersion" + 1, "levelBookVersion" = $5
           FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[]) AS v(id, level, version, previous)
           WHERE t.id = v.id AND t."levelVersion" = v.version AND t."marginLevel" = v.previous::"MarginLevel" AND t."levelBookVersion" <= $5
           RETURNING t.id`,
          rows.map((r) => r.id),
          rows.map((r) => r.to),
          rows.map((r) => r.version),
          rows.map((r) => r.from),
          bookVersion,
        );
        const applied = new Set(moved.map((m) => m.id));
        const stored = rows.filter((r) => applied.has(r.id));
        for (const r of rows) if (!applied.has(r.id)) result.conflicts.push({ kind, id: r.id });
        if (stored.length === 0) continue;
        // unnest keeps array order, and so do the sequences it is given.
        const inserted = await tx.$queryRawUnsafe<EventRow[]>(
          `INSERT INTO "MarginCall" ("clientId", "${kind}Id", "unitVersion", level, "previousLevel", ratio, equity, maintenance, "asOf", "bookVersion")
           SELECT v.client, v.id, v.version, v.level::"MarginLevel", v.previous::"MarginLevel", v.ratio, v.equity, v.maintenance, v."asOf", $10
           FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::float8[], $9::timestamptz[])
             WITH ORDINALITY AS v(client, id, version, level, previous, ratio, equity, maintenance, "asOf", n)
           ORDER BY v.n
           RETURNING sequence, "clientId", "accountId", "portfolioId", "unitVersion", "bookVersion", level, "previousLevel", ratio, equity, maintenance, "asOf", "createdAt"`,
          stored.map((r) => r.clientId),
          stored.map((r) => r.id),
          stored.map((r) => r.version + 1),
          stored.map((r) => r.to),
          stored.map((r) => r.from),
          stored.map((r) => (Number.isFinite(r.ratio) ? r.ratio : null)),
          stored.map((r) => r.equity),
          stored.map((r) => r.maintenance),
          stored.map((r) => r.asOf),
          bookVersion,
        );
        result.events.push(...inserted.map(toEvent));
      }
      result.events.sort((a, b) => a.sequence - b.sequence);
      return result;
    }, { timeout: 60_000, maxWait: 10_000 });
  }

  /** Current level record of some units (after a conflict). */
  async levels(kind: UnitKind, ids: string[]): Promise<{ id: string; marginLevel: MarginLevel; levelVersion: number; levelBookVersion: number }[]> {
    const select = { id: true, marginLevel: true, levelVersion: true, levelBookVersion: true } as const;
    const rows = kind === "account"
      ? await this.prisma.account.findMany({ where: { id: { in: ids } }, select })
      : await this.prisma.portfolio.findMany({ where: { id: { in: ids } }, select });
    return rows.map((r) => ({ ...r, levelBookVersion: Number(r.levelBookVersion) }));
  }

  /** Stored events after a sequence, oldest first. */
  async list(filter: EventFilter): Promise<MarginCallEvent[]> {
    const rows = await this.prisma.marginCall.findMany({
      where: {
        sequence: { gt: filter.afterSequence ?? 0 },
        clientId: filter.clientId ?? undefined,
        ...(filter.accountIds && { OR: [{ accountId: { in: filter.accountIds } }, { portfolio: { accounts: { some: { id: { in: filter.accountIds } } } } }] }),
      },
      orderBy: { sequence: "asc" },
      take: filter.first,
    });
    return rows.map(toEvent);
  }

  /** Highest stored sequence (0 when none). */
  async lastSequence(): Promise<number> {
    const result = await this.prisma.marginCall.aggregate({ _max: { sequence: true } });
    return result._max.sequence ?? 0;
  }
}
