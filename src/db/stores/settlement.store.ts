import { Prisma, type Instrument, type PrismaClient, type Settlement } from "../../generated/prisma/client.js";

/** A settlement row with its instrument's symbol. */
export type SettlementRow = Settlement & { instrument: { symbol: string } };

/** Reads for settlement; its writes run in ledger transactions (LedgerTx). */
export class SettlementStore {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Dated instruments of `underlying` expired at `asOf` (expiry ≤ asOf) that still have open
   * positions, by expiry, with the accounts holding them.
   */
  async due(underlying: string, asOf: Date): Promise<{ instrument: Instrument; accountIds: string[] }[]> {
    const instruments = await this.prisma.instrument.findMany({
      where: { underlyingId: underlying, expiry: { lte: asOf }, positions: { some: { quantity: { not: new Prisma.Decimal(0) } } } },
      include: { positions: { where: { quantity: { not: new Prisma.Decimal(0) } }, select: { accountId: true } } },
      orderBy: [{ expiry: "asc" }, { symbol: "asc" }],
    });
    return instruments.map(({ positions, ...instrument }) => ({ instrument, accountIds: positions.map((p) => p.accountId) }));
  }

  /** Newest first; `accountId` and `clientId` narrow the list when given. */
  list(filter: { accountId?: string | null; clientId?: string | null; take: number }): Promise<SettlementRow[]> {
    return this.prisma.settlement.findMany({
      where: {
        accountId: filter.accountId ?? undefined,
        account: filter.clientId ? { clientId: filter.clientId } : undefined,
      },
      include: { instrument: { select: { symbol: true } } },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: filter.take,
    });
  }
}
