import { EngineInputError } from "./errors.js";

/** Length of the averaging window before an expiry: 30 minutes, in milliseconds. */
export const DELIVERY_WINDOW_MS = 30 * 60_000;

/** One observed spot: USD, in force from `asOfMs` (epoch ms) until the next observation. */
export interface SpotTick {
  asOfMs: number;
  spot: number;
}

/**
 * Delivery price at expiry E (DESIGN §7.4): the time-weighted average of spot over
 * [E − window, E], the spot at each instant being the tick with the latest asOf at or
 * before it (on equal asOf, the later one in the list). The tick in force at the window's
 * start counts from the start. With no tick at or before the start, the average runs
 * over the part of the window that has one; with no tick at or before E at all there is
 * no delivery price (null). When the first tick falls exactly on E, that spot is the price.
 * Ticks may come in any order; those after E are ignored.
 */
export function deliveryPrice(ticks: readonly SpotTick[], expiryMs: number, windowMs = DELIVERY_WINDOW_MS): number | null {
  if (!Number.isFinite(expiryMs)) throw new EngineInputError(`expiry (${expiryMs}) must be a finite time`);
  if (!(windowMs > 0)) throw new EngineInputError(`window (${windowMs} ms) must be positive`);
  for (const t of ticks) {
    if (!Number.isFinite(t.asOfMs)) throw new EngineInputError(`tick time (${t.asOfMs}) must be finite`);
    if (!(t.spot > 0) || !Number.isFinite(t.spot)) throw new EngineInputError(`tick spot (${t.spot}) must be positive`);
  }
  // Stable sort: of ticks with equal asOf, the last one given wins.
  const known = ticks
    .map((t, i) => ({ ...t, i }))
    .filter((t) => t.asOfMs <= expiryMs)
    .sort((a, b) => a.asOfMs - b.asOfMs || a.i - b.i);
  if (known.length === 0) return null;
  const start = expiryMs - windowMs;
  let weighted = 0;
  let covered = 0;
  for (let k = 0; k < known.length; k++) {
    const from = Math.max(known[k].asOfMs, start);
    const to = k + 1 < known.length ? Math.max(known[k + 1].asOfMs, start) : expiryMs;
    if (to <= from) continue;
    weighted += known[k].spot * (to - from);
    covered += to - from;
  }
  // Only a tick exactly at E: no time in force inside the window, but it is the spot at E.
  return covered > 0 ? weighted / covered : known.at(-1)!.spot;
}
