import { Prisma, type MarketState } from "../generated/prisma/client.js";
import type { ReferenceStore } from "../db/stores/reference.store.js";
import { BadInputError } from "./errors.js";
import { requirePositive, requireRange } from "./validate.js";

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
  constructor(private readonly store: ReferenceStore) {}

  async update(input: MarketUpdate): Promise<MarketState> {
    const underlying = await this.store.underlying(input.underlying);
    if (!underlying) throw new BadInputError(`unknown underlying ${JSON.stringify(input.underlying)}`);
    requirePositive("spot", input.spot);
    if (input.volatility != null) requireRange("volatility", input.volatility, 1e-4, 10);
    if (input.rate != null) requireRange("rate", input.rate, -1, 1);
    if (input.asOf != null && Number.isNaN(input.asOf.getTime())) throw new BadInputError("asOf is not a valid time");
    const [previous] = await this.store.marketStates([underlying.symbol]);
    if (input.volatility == null && !previous) {
      throw new BadInputError(`volatility is required for the first market state of ${underlying.symbol}`);
    }
    return this.store.upsertMarketState({
      underlyingId: underlying.symbol,
      spot: new Prisma.Decimal(input.spot),
      volatility: input.volatility != null ? new Prisma.Decimal(input.volatility) : previous!.volatility,
      rate: input.rate != null ? new Prisma.Decimal(input.rate) : (previous?.rate ?? new Prisma.Decimal(0)),
      asOf: input.asOf ?? previous?.asOf ?? new Date(),
    });
  }
}
