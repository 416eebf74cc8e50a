import type { Config } from "../../config.js";
import { RateLimitedError } from "../../domain/errors.js";
import type { Principal } from "../context.js";

export type RateLimits = Pick<Config, "rateLimitPerSecond" | "rateLimitBurst" | "rateLimitRoles">;

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * In-memory token bucket per API key, for the configured roles only (CLIENT by default:
 * ADMIN and RISK keys serve trusted back-office tools). Each HTTP request and each
 * WebSocket operation takes one token. Per process: N instances allow N times the rate.
 */
export class RateLimiter {
  /** One entry per key that has been used; keys are only created by ADMIN, so this stays small. */
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limits: RateLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a token for this principal's key, or throws RATE_LIMITED. */
  take(principal: Principal): void {
    if (!this.limits.rateLimitRoles.includes(principal.role)) return;
    const { rateLimitPerSecond: rate, rateLimitBurst: burst } = this.limits;
    const key = principal.keyId ?? principal.subject ?? `env:${principal.role}`;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: burst, updatedMs: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedMs) / 1000) * rate);
    bucket.updatedMs = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) throw new RateLimitedError(Math.ceil((1 - bucket.tokens) / rate));
    bucket.tokens -= 1;
  }
}
