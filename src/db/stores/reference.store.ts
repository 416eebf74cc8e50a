import type { PrismaClient } from "../../generated/prisma/client.js";
import type { Asset, Instrument, MarketState, Prisma, Underlying } from "../../generated/prisma/client.js";
import type { BookChangeStore } from "./bookChange.store.js";

/** Reference and market data: underlyings, assets, instruments, market states. */
export class ReferenceStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly changes: BookChangeStore,
  ) {}

  underlying(symbol: string): Promise<Underlying | null> {
    return this.prisma.underlying.findUnique({ where: { symbol } });
  }

  underlyings(): Promise<Underlying[]> {
    return this.prisma.underlying.findMany({ orderBy: { symbol: "asc" } });
  }

  asset(symbol: string): Promise<Asset | null> {
    return this.prisma.asset.findUnique({ where: { symbol } });
  }

  assetsBySymbols(symbols: readonly string[]): Promise<Asset[]> {
    return this.prisma.asset.findMany({ where: { symbol: { in: [...symbols] } } });
  }

  instrumentBySymbol(symbol: string): Promise<Instrument | null> {
    return this.prisma.instrument.findUnique({ where: { symbol } });
  }

  instrumentsByIds(ids: readonly string[]): Promise<Instrument[]> {
    return this.prisma.instrument.findMany({ where: { id: { in: [...ids] } } });
  }

  /** True once any position in the instrument has been settled at expiry. */
  async instrumentSettled(instrumentId: string): Promise<boolean> {
    return (await this.prisma.settlement.findFirst({ where: { instrumentId }, select: { id: true } })) !== null;
  }

  instrumentsBySymbols(symbols: readonly string[]): Promise<Instrument[]> {
    return this.prisma.instrument.findMany({ where: { symbol: { in: [...symbols] } } });
  }

  instruments(filter: { underlying?: string; kind?: Instrument["kind"] }): Promise<Instrument[]> {
    return this.prisma.instrument.findMany({
      where: { underlyingId: filter.underlying, kind: filter.kind },
      orderBy: [{ underlyingId: "asc" }, { kind: "asc" }, { expiry: "asc" }, { strike: "asc" }, { symbol: "asc" }],
    });
  }

  async createInstrument(data: Prisma.InstrumentUncheckedCreateInput): Promise<Instrument> {
    const { result } = await this.changes.write((tx) => tx.instrument.create({ data }), (i) => ({ instruments: [i.id] }));
    return result;
  }

  marketStates(underlyings?: readonly string[]): Promise<MarketState[]> {
    return this.prisma.marketState.findMany({
      where: underlyings ? { underlyingId: { in: [...underlyings] } } : undefined,
      orderBy: { underlyingId: "asc" },
    });
  }

  /** Stores several market states in one transaction, each also kept as a MarketTick. */
  async saveMarketStates(states: Omit<MarketState, "updatedAt">[]): Promise<MarketState[]> {
    const { result } = await this.changes.write(
      async (tx) => {
        const saved: MarketState[] = [];
        for (const state of states) {
          const { underlyingId, ...values } = state;
          saved.push(await tx.marketState.upsert({ where: { underlyingId }, create: state, update: values }));
        }
        await tx.marketTick.createMany({ data: states.map(({ underlyingId, spot, volatility, rate, asOf }) => ({ underlyingId, spot, volatility, rate, asOf })) });
        return saved;
      },
      (saved) => ({ underlyings: saved.map((s) => s.underlyingId) }),
    );
    return result;
  }
}
