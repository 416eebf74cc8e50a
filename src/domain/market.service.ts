import { Prisma, type MarketState } from "../generated/prisma/client.js";
import type { ReferenceStore } from "../db/stores/reference.store.js";
import { BadInputError } from "./errors.js";
import { MAX_ABS_RATE, requireCarry, requireRange, requireStorablePositive, requireTimeWithin } from "./validate.js";

export interface MarketUpdate {
  underlying: string;
  /** USD. */
  spot: number;
  /** Annual; kept from the previous state when omitted. */
  volatility?: number | null;
  /** Continuously compounded, per year; kept (or 0) when omitted. */
  rate?: number | null;
  /** Valuation time, past included (replays, backtests) within MarketBounds. Kept from the previous state (or now) when omitted. */
  asOf?: Date | null;
}

/** The window of accepted asOf times around now. */
export interface MarketBounds {
  asOfPastDays: number;
  asOfFutureMs: number;
  now?: () => number;
}

const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;

export class MarketService {
  constructor(
    private readonly store: ReferenceStore,
    /** Runs after committed updates with the underlyings that moved: settlement of what expired, the read model and the monitor catching up. */
    private readonly afterUpdate: (underlyings: string[]) => Promise<unknown> = async () => undefined,
    private readonly bounds: MarketBounds = { asOfPastDays: 5475, asOfFutureMs: 7 * DAY_MS },
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
    if (input.rate != null) requireRange("rate", input.rate, -MAX_ABS_RATE, MAX_ABS_RATE);
    const now = (this.bounds.now ?? Date.now)();
    if (input.asOf != null) {
      requireTimeWithin("asOf", input.asOf, new Date(now - this.bounds.asOfPastDays * DAY_MS), new Date(now + this.bounds.asOfFutureMs));
    }
    const [previous] = await this.store.marketStates([underlying.symbol]);
    if (input.volatility == null && !previous) {
      throw new BadInputError(`volatility is required for the first market state of ${underlying.symbol}`);
    }
    const rate = input.rate != null ? new Prisma.Decimal(input.rate) : (previous?.rate ?? new Prisma.Decimal(0));
    const asOf = input.asOf ?? previous?.asOf ?? new Date(now);
    if (!rate.isZero()) await this.requireSaneCarry(underlying.symbol, rate.toNumber(), asOf);
    return {
      underlyingId: underlying.symbol,
      spot: new Prisma.Decimal(input.spot),
      volatility: input.volatility != null ? new Prisma.Decimal(input.volatility) : previous!.volatility,
      rate,
      asOf,
    };
  }

  /** The rate carried from asOf to the underlying's latest expiry stays within bounds (futures marks S·e^{rT}). */
  private async requireSaneCarry(underlying: string, rate: number, asOf: Date): Promise<void> {
    let latest: { symbol: string; expiry: Date } | null = null;
    for (const { symbol, expiry } of await this.store.instruments({ underlying })) {
      if (expiry && (!latest || expiry > latest.expiry)) latest = { symbol, expiry };
    }
    if (latest && latest.expiry > asOf) requireCarry(rate, (latest.expiry.getTime() - asOf.getTime()) / YEAR_MS, latest.symbol);
  }
}
