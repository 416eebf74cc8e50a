import type { MarginLevel, PrismaClient } from "../../generated/prisma/client.js";
import type { MarginCallEvent } from "../../monitor/events.js";

export type UnitKind = "account" | "portfolio";

/** A unit's evaluation: its snapshot ratio, and a level change when there is one. */
export interface UnitEvaluation {
  kind: UnitKind;
  id: string;
  clientId: string;
  /** maintenance / equity under the unit's own model (0 when nothing is owed); Infinity when under water. */
  ratio: number;
  equity: number;
  maintenance: number;
  change: { from: MarginLevel; to: MarginLevel; version: number } | null;
}

export interface RecordResult {
  events: MarginCallEvent[];
  /** Changes not applied: the unit's level moved on since it was read (another instance got there first). */
  conflicts: { kind: UnitKind; id: string }[];
}

/** Serialises level changes so sequences commit in order: a reader never sees 7 before 6. */
const EVENT_LOCK_ID = 72707370;
const TABLE: Record<UnitKind, string> = { account: "Account", portfolio: "Portfolio" };

/** As returned by the driver: integer columns may come back as bigint. */
type EventRow = Omit<MarginCallEvent, "sequence" | "unitVersion"> & { sequence: number | bigint; unitVersion: number | bigint };

const toEvent = (row: EventRow): MarginCallEvent => ({ ...row, sequence: Number(row.sequence), unitVersion: Number(row.unitVersion) });
/** float8 as text, so Infinity (an under-water unit) survives the driver. */
const floatText = (v: number) => (Number.isFinite(v) ? String(v) : v > 0 ? "Infinity" : "-Infinity");

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
   * In one transaction, for each level change: the unit's new level, only if its version
   * is still the one evaluated, and its event. A handful of statements however many
   * units change.
   */
  async recordChanges(changes: UnitEvaluation[], asOf: Date): Promise<RecordResult> {
    if (changes.length === 0) return { events: [], conflicts: [] };
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${EVENT_LOCK_ID})`;
      const events: MarginCallEvent[] = [];
      const conflicts: RecordResult["conflicts"] = [];
      for (const kind of ["account", "portfolio"] as const) {
        const rows = changes.filter((c) => c.kind === kind && c.change);
        if (rows.length === 0) continue;
        const moved = await tx.$queryRawUnsafe<{ id: string }[]>(
          `UPDATE "${TABLE[kind]}" AS t SET "marginLevel" = v.level::"MarginLevel", "levelVersion" = t."levelVersion" + 1
           FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[]) AS v(id, level, version, previous)
           WHERE t.id = v.id AND t."levelVersion" = v.version AND t."marginLevel" = v.previous::"MarginLevel"
           RETURNING t.id`,
          rows.map((r) => r.id),
          rows.map((r) => r.change!.to),
          rows.map((r) => r.change!.version),
          rows.map((r) => r.change!.from),
        );
        const applied = new Set(moved.map((m) => m.id));
        const stored = rows.filter((r) => applied.has(r.id));
        for (const r of rows) if (!applied.has(r.id)) conflicts.push({ kind, id: r.id });
        if (stored.length === 0) continue;
        // unnest keeps array order, and so do the sequences it is given.
        const inserted = await tx.$queryRawUnsafe<EventRow[]>(
          `INSERT INTO "MarginCall" ("clientId", "${kind}Id", "unitVersion", level, "previousLevel", ratio, equity, maintenance, "asOf")
           SELECT v.client, v.id, v.version, v.level::"MarginLevel", v.previous::"MarginLevel", v.ratio, v.equity, v.maintenance, $9
           FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::float8[])
             WITH ORDINALITY AS v(client, id, version, level, previous, ratio, equity, maintenance, n)
           ORDER BY v.n
           RETURNING sequence, "clientId", "accountId", "portfolioId", "unitVersion", level, "previousLevel", ratio, equity, maintenance, "asOf", "createdAt"`,
          stored.map((r) => r.clientId),
          stored.map((r) => r.id),
          stored.map((r) => r.change!.version + 1),
          stored.map((r) => r.change!.to),
          stored.map((r) => r.change!.from),
          stored.map((r) => (Number.isFinite(r.ratio) ? r.ratio : null)),
          stored.map((r) => r.equity),
          stored.map((r) => r.maintenance),
          asOf,
        );
        events.push(...inserted.map(toEvent));
      }
      events.sort((a, b) => a.sequence - b.sequence);
      return { events, conflicts };
    }, { timeout: 60_000, maxWait: 10_000 });
  }

  /** Stores the units' ratios for the riskiest-first listing (one statement per kind). */
  async saveRatios(units: UnitEvaluation[], asOf: Date): Promise<void> {
    for (const kind of ["account", "portfolio"] as const) {
      const rows = units.filter((u) => u.kind === kind);
      if (rows.length === 0) continue;
      await this.prisma.$executeRawUnsafe(
        `UPDATE "${TABLE[kind]}" AS t SET "marginRatio" = v.ratio, "riskAsOf" = $3
         FROM unnest($1::uuid[], $2::float8[]) AS v(id, ratio) WHERE t.id = v.id AND t."marginRatio" IS DISTINCT FROM v.ratio`,
        rows.map((r) => r.id),
        rows.map((r) => floatText(r.ratio)),
        asOf,
      );
    }
  }

  /** Current level and version of some units (after a conflict). */
  async levels(kind: UnitKind, ids: string[]): Promise<{ id: string; marginLevel: MarginLevel; levelVersion: number }[]> {
    const select = { id: true, marginLevel: true, levelVersion: true } as const;
    return kind === "account"
      ? this.prisma.account.findMany({ where: { id: { in: ids } }, select })
      : this.prisma.portfolio.findMany({ where: { id: { in: ids } }, select });
  }

  /** Stored events after a sequence, oldest first. */
  async list(filter: EventFilter): Promise<MarginCallEvent[]> {
    return this.prisma.marginCall.findMany({
      where: {
        sequence: { gt: filter.afterSequence ?? 0 },
        clientId: filter.clientId ?? undefined,
        ...(filter.accountIds && { OR: [{ accountId: { in: filter.accountIds } }, { portfolio: { accounts: { some: { id: { in: filter.accountIds } } } } }] }),
      },
      orderBy: { sequence: "asc" },
      take: filter.first,
    });
  }

  /** Highest stored sequence (0 when none). */
  async lastSequence(): Promise<number> {
    const result = await this.prisma.marginCall.aggregate({ _max: { sequence: true } });
    return result._max.sequence ?? 0;
  }
}
