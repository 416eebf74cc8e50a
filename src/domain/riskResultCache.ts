import { createHash } from "node:crypto";

interface Entry {
  value: unknown;
  /** JSON length of the value once known (a promise counts when it resolves). */
  bytes: number;
}

/** Characters of a value's JSON text: its weight in a cache (Maps and Sets count as empty). */
export function jsonWeight(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return 0;
  }
}

/**
 * Engine results by content: the key is a digest of everything the computation reads
 * (the unit's book as engine input, the market and parameters, the model), so an entry
 * can never be stale, only unused. Bounded in entries and in bytes (the JSON length of
 * the results, a proxy for their heap: a stress table or an attribution is kilobytes,
 * a margin figure a few dozen bytes); the least recently used entries go first.
 * Shared by all requests of a process: a risk desk paging the same accounts again, or
 * fifty clients asking for the same page, compute each unit once per market state.
 */
export class RiskResultCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    private readonly capacity = 50_000,
    /** 32 MiB of results' JSON text. */
    private readonly maxBytes = 32 * 2 ** 20,
  ) {}

  static digest(value: unknown): string {
    return createHash("sha1").update(JSON.stringify(value)).digest("base64url");
  }

  get<T>(key: string, compute: () => T): T {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      // Re-insert: Map keeps insertion order, so the oldest entry is the least recently used.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value as T;
    }
    const value = compute();
    const entry: Entry = { value, bytes: 0 };
    this.entries.set(key, entry);
    if (value instanceof Promise) value.then((resolved) => this.weigh(key, entry, jsonWeight(resolved)), () => undefined);
    else this.weigh(key, entry, jsonWeight(value));
    this.evict();
    return value;
  }

  private weigh(key: string, entry: Entry, bytes: number): void {
    // Evicted before its promise resolved: nothing to count.
    if (this.entries.get(key) !== entry) return;
    entry.bytes = bytes;
    this.bytes += bytes;
    this.evict();
  }

  private evict(): void {
    while (this.entries.size > this.capacity || (this.bytes > this.maxBytes && this.entries.size > 1)) {
      const [key, oldest] = this.entries.entries().next().value!;
      this.entries.delete(key);
      this.bytes -= oldest.bytes;
    }
  }
}
