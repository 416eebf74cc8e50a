import { Prisma, type MarketState } from "../generated/prisma/client.js";
import type { ReferenceStore } from "../db/stores/reference.store.js";
import { BadInputError } from "./errors.js";
import { requireRange, requireStorablePositive } from "./validate.js";

export interface MarketUpdate {
  underlying: string;
  /** USD. */
  spot: number;
  /** Annual; kept from the previous state when omitted. */
  volatility?: number | null;
  /** Continuously compounded, per year; kept (or 0) when omitted. */
  rate?: number | null;
  /** Valuation time; any time, past included. Kept from the previous state (or now) when omitted. */
  asOf?: Date | null;
}

export class MarketService {
  constructor(
    private readonly store: ReferenceStore,
    /** Runs after committed updates with the underlyings that moved, e.g. the margin monitor. */
    private readonly afterUpdate: (underlyings: string[]) => Promise<unknown> = async () => undefined,
  ) {}

  async update(input: MarketUpdate): Promise<MarketState> {
    const [state] = await this.updateMany([input]);
    return state;
  }

  /** Several underlyings at once: all validated first, stored in one transaction, evaluated once. */
  async updateMany(inputs: MarketUpdate[]): Promise<MarketState[]> {
    if (inputs.length === 0) throw new BadInputError("updates must not be empty");
    if (inputs.length > 100) throw new BadInputError(`at most 100 updates at once (got ${inputs.length})`);
    const seen = new Set<string>();
    for (const input of inputs) {
      if (seen.has(input.underlying)) throw new BadInputError(`underlying ${JSON.stringify(input.underlying)} appears twice`);
      seen.add(input.underlying);
    }
    const states = await Promise.all(inputs.map((input) => this.validated(input)));
    const saved = await this.store.saveMarketStates(states);
    await this.afterUpdate(saved.map((s) => s.underlyingId));
    return saved;
  }

  private async validated(input: MarketUpdate): Promise<Omit<MarketState, "updatedAt">> {
    const underlying = await this.store.underlying(input.underlying);
    if (!underlying) throw new BadInputError(`unknown underlying ${JSON.stringify(input.underlying)}`);
    requireStorablePositive("spot", input.spot);
    if (input.volatility != null) requireRange("volatility", input.volatility, 1e-4, 10);
    if (input.rate != null) requireRange("rate", input.rate, -1, 1);
    if (input.asOf != null && Number.isNaN(input.asOf.getTime())) throw new BadInputError("asOf is not a valid time");
    const [previous] = await this.store.marketStates([underlying.symbol]);
    if (input.volatility == null && !previous) {
      throw new BadInputError(`volatility is required for the first market state of ${underlying.symbol}`);
    }
    return {
      underlyingId: underlying.symbol,
      spot: new Prisma.Decimal(input.spot),
      volatility: input.volatility != null ? new Prisma.Decimal(input.volatility) : previous!.volatility,
      rate: input.rate != null ? new Prisma.Decimal(input.rate) : (previous?.rate ?? new Prisma.Decimal(0)),
      asOf: input.asOf ?? previous?.asOf ?? new Date(),
    };
  }
}
