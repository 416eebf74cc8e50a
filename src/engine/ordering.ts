/** Sort comparator for per-underlying results (code-point order of the underlying name). */
export function byUnderlying(a: { underlying: string }, b: { underlying: string }): number {
  return a.underlying < b.underlying ? -1 : a.underlying > b.underlying ? 1 : 0;
}
