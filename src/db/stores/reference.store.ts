import type { PrismaClient } from "../../generated/prisma/client.js";
import type { Asset, Instrument, MarketState, Prisma, Underlying } from "../../generated/prisma/client.js";
import type { BookChangeStore } from "./bookChange.store.js";

/** MarketTick rows per INSERT: 7 parameters each stay well under PostgreSQL's 65 535. */
const TICK_ROWS_PER_INSERT = 1000;

/** A validated market state, before it is stored. */
export type MarketValues = Pick<MarketState, "underlyingId" | "spot" | "volatility" | "rate" | "asOf">;

/** A validated feed tick: its stream sequence and the market state it carries. */
export interface FeedTickRow {
  sequence: number;
  state: MarketValues;
}

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

  /** Stores several market states in one transaction, each also kept as a MarketTick (the feed's sequence of the state is kept). */
  async saveMarketStates(states: MarketValues[]): Promise<MarketState[]> {
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

  /**
   * One transaction for a batch of feed ticks: every tick whose sequence is not stored yet
   * becomes a MarketTick (a redelivered one is skipped by the unique sequence, also when
   * another instance stores it concurrently); per underlying the latest new tick moves the
   * market state unless the state already comes from a later sequence; a change row lists
   * the moved underlyings (none: no row). Returns the sequences stored and the ticks applied.
   */
  async saveFeedTicks(ticks: readonly FeedTickRow[]): Promise<{ stored: Set<number>; applied: FeedTickRow[] }> {
    // Ascending sequence: concurrent batches take the unique-index locks in the same order.
    const ordered = [...ticks].sort((a, b) => a.sequence - b.sequence);
    return this.prisma.$transaction(async (tx) => {
      const stored = new Set<number>();
      for (let i = 0; i < ordered.length; i += TICK_ROWS_PER_INSERT) {
        const inserted = await tx.marketTick.createManyAndReturn({
          data: ordered.slice(i, i + TICK_ROWS_PER_INSERT).map(({ sequence, state }) => ({ ...state, feedSequence: BigInt(sequence) })),
          skipDuplicates: true,
          select: { feedSequence: true },
        });
        for (const row of inserted) stored.add(Number(row.feedSequence));
      }
      const latest = new Map<string, FeedTickRow>();
      for (const tick of ordered) if (stored.has(tick.sequence)) latest.set(tick.state.underlyingId, tick);
      const applied: FeedTickRow[] = [];
      // Market rows in underlying order: two batches (or a batch and updateMarket) lock them in one order, never in a cycle.
      for (const tick of [...latest.values()].sort((a, b) => (a.state.underlyingId < b.state.underlyingId ? -1 : 1))) {
        const { underlyingId, ...values } = tick.state;
        const feedSequence = BigInt(tick.sequence);
        // Conditional on the row as committed (a concurrent writer's update is waited for and re-checked).
        const { count } = await tx.marketState.updateMany({
          where: { underlyingId, OR: [{ feedSequence: null }, { feedSequence: { lt: feedSequence } }] },
          data: { ...values, feedSequence },
        });
        if (count === 0 && (await tx.marketState.count({ where: { underlyingId } })) > 0) continue;
        if (count === 0) await tx.marketState.create({ data: { ...tick.state, feedSequence } });
        applied.push(tick);
      }
      if (applied.length > 0) await this.changes.append(tx, { underlyings: applied.map((t) => t.state.underlyingId) });
      return { stored, applied };
    }, { timeout: 60_000, maxWait: 10_000 });
  }
}
