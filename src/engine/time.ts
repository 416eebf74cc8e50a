/** Time conventions: year fractions are ACT/365 Fixed on epoch milliseconds. */

/** Milliseconds in the 365-day year used for every time to expiry. */
export const MS_PER_YEAR = 365 * 86_400_000;

/** Years from `fromMs` to `toMs` (negative when `toMs` is earlier). */
export function yearsBetween(fromMs: number, toMs: number): number {
  return (toMs - fromMs) / MS_PER_YEAR;
}

/** The UTC calendar date (yyyy-mm-dd) containing the epoch-ms instant. */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
