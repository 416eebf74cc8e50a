import { createHash } from "node:crypto";

/**
 * Engine results by content: the key is a digest of everything the computation reads
 * (the unit's book as engine input, the market and parameters, the model), so an entry
 * can never be stale, only unused. Bounded; the least recently used entries go first.
 * Shared by all requests of a process: a risk desk paging the same accounts again, or
 * fifty clients asking for the same page, compute each unit once per market state.
 */
export class RiskResultCache {
  private readonly entries = new Map<string, unknown>();

  constructor(private readonly capacity = 50_000) {}

  static digest(value: unknown): string {
    return createHash("sha1").update(JSON.stringify(value)).digest("base64url");
  }

  get<T>(key: string, compute: () => T): T {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      // Re-insert: Map keeps insertion order, so the oldest entry is the least recently used.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit as T;
    }
    const value = compute();
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}
