import { Prisma, type MarketState, type Underlying } from "../generated/prisma/client.js";
import type { FeedTickRow, MarketValues, ReferenceStore } from "../db/stores/reference.store.js";
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

/** A market update from the feed with its stream sequence (NATS JetStream MARKET), which identifies it. */
export interface FeedTick {
  sequence: number;
  update: MarketUpdate;
}

/** What became of each tick of a feed batch, by stream sequence. */
export interface FeedOutcome {
  /** Stored and moved the market: the latest new tick of its underlying in the batch, newer than the market's. */
  applied: number[];
  /** Stored as a MarketTick only: a later tick of the batch, or of the market, supersedes it. */
  superseded: number[];
  /** Stored before (a redelivery): no effect. */
  duplicates: number[];
  /** Refused by the same validation as updateMarket: no effect. */
  rejected: { sequence: number; reason: string }[];
  /**
   * What failed after the ticks committed (settlement, the read model's catch-up), if
   * anything: the ticks stand (a redelivery would be a duplicate), and the next change or
   * periodic pass catches up with them.
   */
  afterCommitError?: unknown;
}

const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;

/**
 * What validating updates needs from the database, read once per underlying for a whole
 * batch: the underlying, the market state a next update carries omitted fields from, and
 * its latest expiry (for the carry check, read only when a rate is set).
 */
class ValidationContext {
  private readonly underlyings = new Map<string, Promise<Underlying | null>>();
  private readonly previous = new Map<string, Promise<MarketValues | null>>();
  private readonly expiries = new Map<string, Promise<{ symbol: string; expiry: Date } | null>>();

  constructor(private readonly store: ReferenceStore) {}

  underlying(symbol: string): Promise<Underlying | null> {
    return cached(this.underlyings, symbol, () => this.store.underlying(symbol));
  }

  previousOf(symbol: string): Promise<MarketValues | null> {
    return cached(this.previous, symbol, async () => (await this.store.marketStates([symbol]))[0] ?? null);
  }

  /** Within a batch, the next update of the underlying carries from this one. */
  carry(state: MarketValues): void {
    this.previous.set(state.underlyingId, Promise.resolve(state));
  }

  latestExpiry(underlying: string): Promise<{ symbol: string; expiry: Date } | null> {
    return cached(this.expiries, underlying, async () => {
      let latest: { symbol: string; expiry: Date } | null = null;
      for (const { symbol, expiry } of await this.store.instruments({ underlying })) {
        if (expiry && (!latest || expiry > latest.expiry)) latest = { symbol, expiry };
      }
      return latest;
    });
  }
}

function cached<T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let value = map.get(key);
  if (!value) map.set(key, (value = load()));
  return value;
}

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
    const context = new ValidationContext(this.store);
    const states = await Promise.all(inputs.map((input) => this.validated(input, context)));
    const saved = await this.store.saveMarketStates(states);
    await this.afterUpdate(saved.map((s) => s.underlyingId));
    return saved;
  }

  /**
   * A batch of feed ticks: each validated as updateMarket validates it (in stream order, each
   * carrying omitted fields from the one before), every new one stored as a MarketTick, and
   * per underlying only the latest moves the market, unless the market already comes from a
   * later tick (another instance applied it); one transaction, one evaluation. A tick stored
   * before (same sequence: a redelivery) has no effect. Resolves once the effects and the
   * evaluation they cause have committed.
   */
  async applyFeedTicks(ticks: FeedTick[]): Promise<FeedOutcome> {
    const ordered = [...new Map(ticks.map((t) => [t.sequence, t])).values()].sort((a, b) => a.sequence - b.sequence);
    const context = new ValidationContext(this.store);
    const accepted: FeedTickRow[] = [];
    const rejected: FeedOutcome["rejected"] = [];
    for (const { sequence, update } of ordered) {
      try {
        const state = await this.validated(update, context);
        context.carry(state);
        accepted.push({ sequence, state });
      } catch (error) {
        if (!(error instanceof BadInputError)) throw error;
        rejected.push({ sequence, reason: error.message });
      }
    }
    const saved = accepted.length > 0 ? await this.store.saveFeedTicks(accepted) : { stored: new Set<number>(), applied: [] };
    let afterCommitError: unknown;
    if (saved.applied.length > 0) await this.afterUpdate(saved.applied.map((t) => t.state.underlyingId)).catch((error: unknown) => (afterCommitError = error));
    const applied = new Set(saved.applied.map((t) => t.sequence));
    return {
      ...(afterCommitError !== undefined && { afterCommitError }),
      applied: [...applied],
      superseded: accepted.filter((t) => saved.stored.has(t.sequence) && !applied.has(t.sequence)).map((t) => t.sequence),
      duplicates: accepted.filter((t) => !saved.stored.has(t.sequence)).map((t) => t.sequence),
      rejected,
    };
  }

  private async validated(input: MarketUpdate, context: ValidationContext): Promise<MarketValues> {
    const underlying = await context.underlying(input.underlying);
    if (!underlying) throw new BadInputError(`unknown underlying ${JSON.stringify(input.underlying)}`);
    requireStorablePositive("spot", input.spot);
    if (input.volatility != null) requireRange("volatility", input.volatility, 1e-4, 10);
    if (input.rate != null) requireRange("rate", input.rate, -MAX_ABS_RATE, MAX_ABS_RATE);
    const now = (this.bounds.now ?? Date.now)();
    if (input.asOf != null) {
      requireTimeWithin("asOf", input.asOf, new Date(now - this.bounds.asOfPastDays * DAY_MS), new Date(now + this.bounds.asOfFutureMs));
    }
    const previous = await context.previousOf(underlying.symbol);
    if (input.volatility == null && !previous) {
      throw new BadInputError(`volatility is required for the first market state of ${underlying.symbol}`);
    }
    const rate = input.rate != null ? new Prisma.Decimal(input.rate) : (previous?.rate ?? new Prisma.Decimal(0));
    const asOf = input.asOf ?? previous?.asOf ?? new Date(now);
    if (!rate.isZero()) await this.requireSaneCarry(context, underlying.symbol, rate.toNumber(), asOf);
    return {
      underlyingId: underlying.symbol,
      spot: new Prisma.Decimal(input.spot),
      volatility: input.volatility != null ? new Prisma.Decimal(input.volatility) : previous!.volatility,
      rate,
      asOf,
    };
  }

  /** The rate carried from asOf to the underlying's latest expiry stays within bounds (futures marks S·e^{rT}). */
  private async requireSaneCarry(context: ValidationContext, underlying: string, rate: number, asOf: Date): Promise<void> {
    const latest = await context.latestExpiry(underlying);
    if (latest && latest.expiry > asOf) requireCarry(rate, (latest.expiry.getTime() - asOf.getTime()) / YEAR_MS, latest.symbol);
  }
}
