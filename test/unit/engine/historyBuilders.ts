import type { PriceHistory } from "../../../src/engine/index.js";

/** `count` consecutive UTC dates (yyyy-mm-dd) from `start`. */
export function dailyDates(start: string, count: number): string[] {
  const first = Date.parse(`${start}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => new Date(first + i * 86_400_000).toISOString().slice(0, 10));
}

/**
 * Closes from one-day returns: C_0 = `firstClose`, C_i = C_{i−1}·(1 + d_i) for the
 * returns d_1 … d_{n−1} (returns[0] is ignored); one column per underlying.
 */
export function historyFromReturns(
  dates: readonly string[],
  returns: Record<string, readonly number[]>,
  firstClose = 100,
): PriceHistory {
  const closes = new Map<string, (number | null)[]>();
  for (const [underlying, column] of Object.entries(returns)) {
    const values: number[] = [firstClose];
    for (let i = 1; i < dates.length; i++) values.push(values[i - 1] * (1 + column[i]));
    closes.set(underlying, values);
  }
  return { dates, closes };
}

/** Alternating one-day returns +a (odd i), −a (even i), i = 0 … n − 1 (index 0 unused). */
export function alternating(n: number, a: number): number[] {
  return Array.from({ length: n }, (_, i) => (i % 2 === 1 ? a : -a));
}
