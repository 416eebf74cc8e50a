import { RateLimitedError } from "./errors.js";

/** What one caller's on-demand engine work draws on. */
export interface EngineMeter {
  /** Throws RATE_LIMITED while the caller's budget is spent. */
  reserve(): void;
  /** Books engine time used (ms). */
  charge(ms: number): void;
}

interface Bucket {
  /** Engine milliseconds left (negative: overdrawn by the last task). */
  ms: number;
  updatedMs: number;
}

/**
 * A budget of engine time per key: a token bucket in milliseconds of compute, refilled
 * at `perSecondMs` per second up to `burstMs`. On-demand work (VaR, stress, liquidation
 * of a book the view does not hold, another model's margin) reserves before it starts
 * and is charged what it took, so no key, however privileged, can keep the engine busy
 * for the others; lookups in the risk view cost nothing. Per process.
 */
export class EngineBudget {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perSecondMs: number,
    private readonly burstMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private bucket(key: string): Bucket {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { ms: this.burstMs, updatedMs: now };
    bucket.ms = Math.min(this.burstMs, bucket.ms + ((now - bucket.updatedMs) / 1000) * this.perSecondMs);
    bucket.updatedMs = now;
    this.buckets.set(key, bucket);
    return bucket;
  }

  meter(key: string): EngineMeter {
    return {
      reserve: () => {
        const { ms } = this.bucket(key);
        if (ms <= 0) throw new RateLimitedError(Math.max(1, Math.ceil(-ms / this.perSecondMs)), "engine time for this API key is spent");
      },
      charge: (ms) => {
        this.bucket(key).ms -= ms;
      },
    };
  }
}

/** Charges nothing: for work the server does on its own account. */
export const UNMETERED: EngineMeter = { reserve: () => undefined, charge: () => undefined };
