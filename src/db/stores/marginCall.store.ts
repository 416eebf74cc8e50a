import type { MarginLevel, PrismaClient } from "../../generated/prisma/client.js";
import type { MarginCallEvent } from "../../monitor/events.js";
import type { BookChangeRow } from "./bookChange.store.js";

export type UnitKind = "account" | "portfolio";

/** A unit's figures on one book version, to judge against its stored level. */
export interface UnitFigures {
  kind: UnitKind;
  id: string;
  clientId: string;
  /** maintenance / equity under the unit's own model (0 when nothing is owed); Infinity when under water. */
  ratio: number;
  equity: number;
  maintenance: number;
  /** The unit's valuation time. */
  asOf: Date;
}

/** A unit's level record as stored. */
export interface StoredLevel {
  level: MarginLevel;
  version: number;
  /** Book version it was judged on. */
  bookVersion: number;
}

export interface RecordResult {
  events: MarginCallEvent[];
  /** Units not judged: a write committed after the book version of their figures touched them, or their level was judged on a newer book. */
  stale: { kind: UnitKind; id: string }[];
  /** Every judged unit's level record after the transaction. */
  levels: { kind: UnitKind; id: string; state: StoredLevel }[];
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
   * In one transaction, under the event lock (every level write takes it, so sequences
   * commit in order and nothing changes a level between its read and its write): units
   * a later committed write touched are set aside as stale (`staleAmong` reads those
   * writes); the others are judged against their stored level record (`judge` gives the
   * new level), and each change is stored with its event. Judging against the stored
   * record, not a cached one, means an instance that missed another's event still judges right.
   */
  async judgeAndRecord(
    units: UnitFigures[],
    bookVersion: number,
    staleAmong: (later: BookChangeRow[]) => ReadonlySet<string>,
    judge: (unit: UnitFigures, stored: StoredLevel) => MarginLevel,
  ): Promise<RecordResult> {
    const result: RecordResult = { events: [], stale: [], levels: [] };
    if (units.length === 0) return result;
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${EVENT_LOCK_ID})`;
      const later = await tx.$queryRaw<(Omit<BookChangeRow, "version"> & { version: bigint })[]>`
        SELECT version, accounts, portfolios, clients, instruments, underlyings FROM "BookChange" WHERE version > ${bookVersion}`;
      const staleIds = later.length === 0 ? new Set<string>() : staleAmong(later.map((r) => ({ ...r, version: Number(r.version) })));
      for (const kind of ["account", "portfolio"] as const) {
        const ofKind = units.filter((u) => u.kind === kind);
        if (ofKind.length === 0) continue;
        const stored = await tx.$queryRawUnsafe<{ id: string; marginLevel: MarginLevel; levelVersion: number; levelBookVersion: bigint }[]>(
          `SELECT id, "marginLevel", "levelVersion", "levelBookVersion" FROM "${TABLE[kind]}" WHERE id = ANY($1::uuid[])`,
          ofKind.map((u) => u.id),
        );
        const records = new Map(stored.map((r) => [r.id, { level: r.marginLevel, version: r.levelVersion, bookVersion: Number(r.levelBookVersion) }]));
        const changes: (UnitFigures & { from: StoredLevel; to: MarginLevel })[] = [];
        for (const unit of ofKind) {
          const record = records.get(unit.id);
          if (!record) continue;
          if (staleIds.has(unit.id) || record.bookVersion > bookVersion) {
            result.stale.push({ kind, id: unit.id });
            continue;
          }
          const to = judge(unit, record);
          if (to === record.level) result.levels.push({ kind, id: unit.id, state: record });
          else changes.push({ ...unit, from: record, to });
        }
        if (changes.length === 0) continue;
        await tx.$executeRawUnsafe(
          `UPDATE "${TABLE[kind]}" AS t SET "marginLevel" = v.level::"MarginLevel", "levelVersion" = t."levelVersion" + 1, "levelBookVersion" = $3
           FROM unnest($1::uuid[], $2::text[]) AS v(id, level) WHERE t.id = v.id`,
          changes.map((c) => c.id),
          changes.map((c) => c.to),
          bookVersion,
        );
        // unnest keeps array order, and so do the sequences it is given.
        const inserted = await tx.$queryRawUnsafe<EventRow[]>(
          `INSERT INTO "MarginCall" ("clientId", "${kind}Id", "unitVersion", level, "previousLevel", ratio, equity, maintenance, "asOf", "bookVersion")
           SELECT v.client, v.id, v.version, v.level::"MarginLevel", v.previous::"MarginLevel", v.ratio, v.equity, v.maintenance, v."asOf", $10
           FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::float8[], $9::timestamptz[])
             WITH ORDINALITY AS v(client, id, version, level, previous, ratio, equity, maintenance, "asOf", n)
           ORDER BY v.n
           RETURNING sequence, "clientId", "accountId", "portfolioId", "unitVersion", "bookVersion", level, "previousLevel", ratio, equity, maintenance, "asOf", "createdAt"`,
          changes.map((c) => c.clientId),
          changes.map((c) => c.id),
          changes.map((c) => c.from.version + 1),
          changes.map((c) => c.to),
          changes.map((c) => c.from.level),
          changes.map((c) => (Number.isFinite(c.ratio) ? c.ratio : null)),
          changes.map((c) => c.equity),
          changes.map((c) => c.maintenance),
          changes.map((c) => c.asOf),
          bookVersion,
        );
        result.events.push(...inserted.map(toEvent));
        for (const c of changes) result.levels.push({ kind, id: c.id, state: { level: c.to, version: c.from.version + 1, bookVersion } });
      }
      result.events.sort((a, b) => a.sequence - b.sequence);
      return result;
    }, { timeout: 60_000, maxWait: 10_000 });
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
