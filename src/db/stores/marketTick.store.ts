import type { MarketTick, PrismaClient } from "../../generated/prisma/client.js";

/** Reads of the stored market updates (they are written with the market state, see ReferenceStore). */
export class MarketTickStore {
  constructor(private readonly prisma: PrismaClient) {}

  /** An underlying's ticks with from ≤ asOf ≤ to, by asOf (then arrival), at most `take`. */
  list(underlying: string, from: Date | null, to: Date | null, take: number): Promise<MarketTick[]> {
    return this.prisma.marketTick.findMany({
      where: { underlyingId: underlying, asOf: { gte: from ?? undefined, lte: to ?? undefined } },
      orderBy: [{ asOf: "asc" }, { id: "asc" }],
      take,
    });
  }

  /**
   * What a delivery price over [start, end] needs: every tick with asOf in (start, end] and
   * the ticks in force at `start` (those with the latest asOf ≤ start), by asOf then arrival.
   */
  async window(underlying: string, start: Date, end: Date): Promise<MarketTick[]> {
    const before = await this.prisma.marketTick.findFirst({
      where: { underlyingId: underlying, asOf: { lte: start } },
      orderBy: [{ asOf: "desc" }, { id: "desc" }],
    });
    const inside = await this.prisma.marketTick.findMany({
      where: { underlyingId: underlying, asOf: { gt: start, lte: end } },
      orderBy: [{ asOf: "asc" }, { id: "asc" }],
    });
    return before ? [before, ...inside] : inside;
  }
}
