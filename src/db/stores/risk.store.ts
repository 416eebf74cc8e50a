import type { PrismaClient } from "../../generated/prisma/client.js";
import type { Account } from "../../generated/prisma/client.js";

/** Everything market-wide a risk computation needs, read in one statement. */
export interface ReferenceSnapshot {
  markets: { underlying: string; spot: number; volatility: number; rate: number; asOf: Date }[];
  /** Parameters in force: the highest version per underlying, with that version's number. */
  params: {
    underlying: string;
    version: number;
    initialMarginRate: number;
    maintenanceMarginRate: number;
    portfolioRange: number;
    deltaRiskWeight: number;
  }[];
  assets: { symbol: string; haircut: number; underlying: string | null }[];
}

interface SnapshotRow {
  markets: { underlying: string; spot: number; volatility: number; rate: number; asOf: string }[] | null;
  params: ReferenceSnapshot["params"] | null;
  assets: ReferenceSnapshot["assets"] | null;
}

export interface RatioCursor {
  ratio: number;
  id: string;
}

/** Reads for the risk layer and writes of the per-unit risk snapshot. */
export class RiskStore {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Markets, parameters and assets as one JSON row: these small tables are needed
   * together by every risk field, so one round trip serves them all.
   */
  async referenceSnapshot(db: Pick<PrismaClient, "$queryRaw"> = this.prisma): Promise<ReferenceSnapshot> {
    const [row] = await db.$queryRaw<SnapshotRow[]>`
      SELECT
        (SELECT json_agg(json_build_object('underlying', m."underlyingId", 'spot', m.spot::float8,
                 'volatility', m.volatility::float8, 'rate', m.rate::float8, 'asOf', m."asOf"))
           FROM "MarketState" m) AS markets,
        (SELECT json_agg(json_build_object('underlying', p."underlyingId", 'version', p.version,
                 'initialMarginRate', p."initialMarginRate"::float8,
                 'maintenanceMarginRate', p."maintenanceMarginRate"::float8,
                 'portfolioRange', p."portfolioRange"::float8,
                 'deltaRiskWeight', p."deltaRiskWeight"::float8))
           FROM (SELECT DISTINCT ON ("underlyingId") * FROM "RiskParameters"
                 ORDER BY "underlyingId", version DESC) p) AS params,
        (SELECT json_agg(json_build_object('symbol', a.symbol, 'haircut', a.haircut::float8,
                 'underlying', a."underlyingId"))
           FROM "Asset" a) AS assets`;
    return {
      markets: (row.markets ?? []).map((m) => ({ ...m, asOf: new Date(m.asOf) })),
      params: row.params ?? [],
      assets: row.assets ?? [],
    };
  }

  /**
   * Daily closes (USD) on or before `toDate` (yyyy-mm-dd) of every underlying, covering
   * at least the last `days` calendar days (callers ask for a margin over their window).
   */
  async closes(toDate: string, days: number): Promise<{ underlying: string; date: string; close: number }[]> {
    return this.prisma.$queryRaw<{ underlying: string; date: string; close: number }[]>`
      SELECT h."underlyingId" AS underlying, to_char(h.date, 'YYYY-MM-DD') AS date, h.close::float8 AS close
      FROM "PriceHistory" h
      WHERE h.date <= ${toDate}::date AND h.date > (${toDate}::date - ${days}::int)
      ORDER BY h.date, h."underlyingId"`;
  }

  /** Closes of every underlying on two dates (historical stress windows). */
  async closesOn(dates: readonly string[]): Promise<{ underlying: string; date: string; close: number }[]> {
    return this.prisma.$queryRaw<{ underlying: string; date: string; close: number }[]>`
      SELECT h."underlyingId" AS underlying, to_char(h.date, 'YYYY-MM-DD') AS date, h.close::float8 AS close
      FROM "PriceHistory" h
      WHERE h.date = ANY(${[...dates]}::date[])
      ORDER BY h.date, h."underlyingId"`;
  }

  /** One page of accounts by stored margin ratio, riskiest first (Infinity = under water), ties by id. */
  accountsByRatio(clientId: string | undefined, after: RatioCursor | null, take: number): Promise<Account[]> {
    const ratio = after ? floatParam(after.ratio) : null;
    return this.prisma.$queryRaw<Account[]>`
      SELECT * FROM "Account"
      WHERE (${clientId ?? null}::uuid IS NULL OR "clientId" = ${clientId ?? null}::uuid)
        AND (${ratio}::float8 IS NULL
             OR "marginRatio" < ${ratio}::float8
             OR ("marginRatio" = ${ratio}::float8 AND id > ${after?.id ?? null}::uuid))
      ORDER BY "marginRatio" DESC, id ASC
      LIMIT ${take}`;
  }

  /** Writes many accounts' snapshot ratios in one statement. */
  async saveAccountRatios(rows: { id: string; ratio: number }[], asOf: Date): Promise<void> {
    if (rows.length === 0) return;
    await this.prisma.$executeRaw`
      UPDATE "Account" AS a SET "marginRatio" = v.ratio, "riskAsOf" = ${asOf}
      FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => floatParam(r.ratio))}::float8[]) AS v(id, ratio)
      WHERE a.id = v.id`;
  }
}

/** float8 as text, so Infinity (an under-water unit) survives the driver. */
function floatParam(value: number): string {
  return Number.isFinite(value) ? String(value) : value > 0 ? "Infinity" : "-Infinity";
}
