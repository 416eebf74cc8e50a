import type { DailyClose } from "../db/priceHistoryFile.js";

export interface ReplayStep {
  time: Date;
  /** USD, interpolated. */
  prices: Map<string, number>;
  /** Price relative to the first step's (1 at the start). */
  relative: Map<string, number>;
}

const DAY_MS = 86_400_000;

/**
 * Intraday path between daily closes: each close stands at 00:00 UTC of its date and
 * prices between two closes follow the geometric path C₀·(C₁/C₀)^f, f the elapsed
 * fraction of the day. Underlyings without closes over the whole window are left out.
 */
export function replayPath(rows: DailyClose[], underlyings: string[], from: string, to: string, stepMinutes: number): ReplayStep[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (!(end > start)) throw new RangeError(`--to (${to}) must be after --from (${from})`);
  const closes = new Map<string, Map<number, number>>();
  for (const row of rows) {
    const t = Date.parse(`${row.date}T00:00:00Z`);
    if (t < start || t > end || !underlyings.includes(row.underlying)) continue;
    if (!closes.has(row.underlying)) closes.set(row.underlying, new Map());
    closes.get(row.underlying)!.set(t, Number(row.close));
  }
  const days = Math.round((end - start) / DAY_MS);
  const complete = [...closes].filter(([, byDay]) => byDay.size === days + 1);
  const steps: ReplayStep[] = [];
  for (let t = start; t <= end; t += stepMinutes * 60_000) {
    const day = start + Math.floor((t - start) / DAY_MS) * DAY_MS;
    const f = (t - day) / DAY_MS;
    const prices = new Map<string, number>();
    const relative = new Map<string, number>();
    for (const [underlying, byDay] of complete) {
      const c0 = byDay.get(day)!;
      const c1 = byDay.get(Math.min(day + DAY_MS, end))!;
      const price = c0 * (c1 / c0) ** f;
      prices.set(underlying, price);
      relative.set(underlying, price / byDay.get(start)!);
    }
    steps.push({ time: new Date(t), prices, relative });
  }
  return steps;
}

/**
 * The same path in today's clock: the first step at `startMs` (usually now) and every
 * later one as far after it as it was after the first historical step, so a relative
 * replay moves the current market forward in time instead of back to the crash's dates.
 */
export function inClockFrom(steps: readonly ReplayStep[], startMs: number): ReplayStep[] {
  if (steps.length === 0) return [];
  const offset = startMs - steps[0].time.getTime();
  return steps.map((step) => ({ ...step, time: new Date(step.time.getTime() + offset) }));
}
