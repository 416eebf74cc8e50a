import type { MarginLevel, PrismaClient } from "../../generated/prisma/client.js";
import type { MarginCallEvent } from "../../monitor/events.js";

/** A unit's evaluation: its snapshot ratio, and a level change when there is one. */
export interface UnitEvaluation {
  kind: "account" | "portfolio";
  id: string;
  clientId: string;
  /** maintenance / equity under the unit's own model; Infinity when under water. */
  ratio: number;
  equity: number;
  maintenance: number;
  change: { from: MarginLevel; to: MarginLevel; version: number } | null;
}

/** Serialises monitor writes so sequences commit in order: a reader never sees 7 before 6. */
const EVENT_LOCK_ID = 72707370;

interface EventRow {
  sequence: number;
  clientId: string;
  accountId: string | null;
  portfolioId: string | null;
  level: MarginLevel;
  previousLevel: MarginLevel;
  ratio: number | null;
  equity: number;
  maintenance: number;
  asOf: Date;
  createdAt: Date;
}

const toEvent = (row: EventRow): MarginCallEvent => ({ ...row, sequence: Number(row.sequence) });
const floatText = (v: number) => (Number.isFinite(v) ? String(v) : v > 0 ? "Infinity" : "-Infinity");

export interface EventFilter {
  afterSequence?: number | null;
  accountIds?: string[] | null;
  /** Restricts to one client's units (CLIENT keys). */
  clientId?: string | null;
  first: number;
}

/** The append-only margin-call log and the per-unit level/ratio snapshot it goes with. */
export class MarginCallStore {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * In one transaction: every unit's snapshot ratio, and for each level change the
   * unit's new level (only if its version is still the one evaluated — another
   * instance that got there first wins) with its event. Returns the stored events.
   */
  async record(units: UnitEvaluation[], asOf: Date): Promise<MarginCallEvent[]> {
    const changes = units.filter((u) => u.change);
    return this.prisma.$transaction(async (tx) => {
      // One monitor write at a time: sequences commit in order and row locks cannot deadlock.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${EVENT_LOCK_ID})`;
      for (const kind of ["account", "portfolio"] as const) {
        const rows = units.filter((u) => u.kind === kind);
        if (rows.length === 0) continue;
        const table = kind === "account" ? "Account" : "Portfolio";
        await tx.$executeRawUnsafe(
          `UPDATE "${table}" AS t SET "marginRatio" = v.ratio, "riskAsOf" = $3
           FROM unnest($1::uuid[], $2::float8[]) AS v(id, ratio) WHERE t.id = v.id`,
          rows.map((r) => r.id),
          rows.map((r) => floatText(r.ratio)),
          asOf,
        );
      }
      if (changes.length === 0) return [];
      const events: MarginCallEvent[] = [];
      for (const unit of changes) {
        const { from, to, version } = unit.change!;
        const table = unit.kind === "account" ? "Account" : "Portfolio";
        const moved = await tx.$executeRawUnsafe(
          `UPDATE "${table}" SET "marginLevel" = $1::"MarginLevel", "levelVersion" = "levelVersion" + 1
           WHERE id = $2::uuid AND "levelVersion" = $3 AND "marginLevel" = $4::"MarginLevel"`,
          to, unit.id, version, from,
        );
        if (moved === 0) continue;
        const [row] = await tx.$queryRawUnsafe<EventRow[]>(
          `INSERT INTO "MarginCall" ("clientId", "accountId", "portfolioId", "unitVersion", level, "previousLevel", ratio, equity, maintenance, "asOf")
           VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5::"MarginLevel", $6::"MarginLevel", $7::float8, $8, $9, $10)
           RETURNING sequence, "clientId", "accountId", "portfolioId", level, "previousLevel", ratio, equity, maintenance, "asOf", "createdAt"`,
          unit.clientId,
          unit.kind === "account" ? unit.id : null,
          unit.kind === "portfolio" ? unit.id : null,
          version + 1, to, from,
          Number.isFinite(unit.ratio) ? unit.ratio : null,
          unit.equity, unit.maintenance, asOf,
        );
        events.push(toEvent(row));
      }
      return events;
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
    return rows.map((r) => ({ ...r, level: r.level, previousLevel: r.previousLevel }));
  }

  /** Highest stored sequence (0 when none). */
  async lastSequence(): Promise<number> {
    const result = await this.prisma.marginCall.aggregate({ _max: { sequence: true } });
    return result._max.sequence ?? 0;
  }
}
