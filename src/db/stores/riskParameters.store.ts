import type { Prisma, PrismaClient, RiskParameters } from "../../generated/prisma/client.js";
import type { BookChangeStore } from "./bookChange.store.js";

/** The values of one parameter version (Decimal, as stored). */
export type RiskParameterValues = Pick<RiskParameters, "initialMarginRate" | "maintenanceMarginRate" | "portfolioRange" | "deltaRiskWeight">;

/** Immutable, numbered versions of an underlying's risk parameters; the highest is in force. */
export class RiskParametersStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly changes: BookChangeStore,
  ) {}

  current(underlying: string): Promise<RiskParameters | null> {
    return this.prisma.riskParameters.findFirst({ where: { underlyingId: underlying }, orderBy: { version: "desc" } });
  }

  /** Newest first. */
  history(underlying: string): Promise<RiskParameters[]> {
    return this.prisma.riskParameters.findMany({ where: { underlyingId: underlying }, orderBy: { version: "desc" } });
  }

  /**
   * Appends version `version` in one transaction with a change row naming the underlying,
   * so every unit exposed to it is re-evaluated. A concurrent writer that took the same
   * number first makes this fail with a unique violation.
   */
  async create(data: RiskParameterValues & { underlyingId: string; version: number; changedBy: string | null }): Promise<RiskParameters> {
    const { result } = await this.changes.write(
      (tx: Prisma.TransactionClient) => tx.riskParameters.create({ data }),
      (row) => ({ underlyings: [row.underlyingId] }),
    );
    return result;
  }
}
