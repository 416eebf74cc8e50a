import { Prisma, type Account, type Instrument, type PrismaClient } from "../generated/prisma/client.js";
import type { ReferenceStore } from "../db/stores/reference.store.js";
import type { LedgerRisk } from "./ledger.service.js";

type Tx = Prisma.TransactionClient;

export class RiskService implements LedgerRisk {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly reference: ReferenceStore,
  ) {}

  async isolatedMarginPerContract(instrument: Instrument, side: 1 | -1, price: Prisma.Decimal): Promise<Prisma.Decimal> {
    if (instrument.kind === "OPTION") return new Prisma.Decimal(0);
    return instrument.contractSize.times(price).times(instrument.initialMarginRate ?? 0.02);
  }

  async assertWithdrawalAllowed(_tx: Tx, _account: Account): Promise<void> {}
}
