import { EngineInputError } from "./errors.js";
import type { PriceHistory } from "./types.js";

/**
 * The VaR look-back window: simple daily returns r_t = C_t / C_{t−1} − 1 (C_{t−1} is the
 * previous row, so a gap in the dates spans the gap), for the last `lookbackDays` rows
 * whose date is on or before the valuation date (that date's own row included).
 *
 * A row is usable only when every underlying in `underlyings` has a close on it and on
 * the previous row, so all underlyings move jointly on the same days (SOL, listed from
 * 2020-04-11, shortens the window of a book that holds it).
 */
export interface ReturnWindow {
  /** End date of each return, ascending. */
  dates: string[];
  /** Per underlying, index-aligned with `dates`. */
  returns: Map<string, Float64Array>;
}

export function requireSortedDates(dates: readonly string[]): void {
  for (let i = 1; i < dates.length; i++) {
    if (!(dates[i] > dates[i - 1])) {
      throw new EngineInputError(`price history dates must be strictly ascending ("${dates[i - 1]}" then "${dates[i]}")`);
    }
  }
}

export function isClose(value: number | null): value is number {
  return value !== null && Number.isFinite(value) && value > 0;
}

/** The close columns of `underlyings` (validated: dates ascending, one close per date). */
export function historyColumns(history: PriceHistory, underlyings: readonly string[]): (readonly (number | null)[])[] {
  requireSortedDates(history.dates);
  return underlyings.map((underlying) => {
    const closes = history.closes.get(underlying);
    if (!closes) throw new EngineInputError(`no price history for underlying "${underlying}"`);
    if (closes.length !== history.dates.length) {
      throw new EngineInputError(`price history of "${underlying}" has ${closes.length} closes for ${history.dates.length} dates`);
    }
    return closes;
  });
}

export function returnWindow(
  history: PriceHistory,
  underlyings: readonly string[],
  valuationDate: string,
  lookbackDays: number,
): ReturnWindow {
  const columns = historyColumns(history, underlyings);
  const rows: number[] = []; // indices t of usable returns, newest last
  for (let t = 1; t < history.dates.length && history.dates[t] <= valuationDate; t++) {
    if (columns.every((closes) => isClose(closes[t]) && isClose(closes[t - 1]))) rows.push(t);
  }
  if (rows.length < lookbackDays) {
    throw new EngineInputError(
      `insufficient price history: ${lookbackDays} daily returns needed on or before ${valuationDate} ` +
        `for ${underlyings.join(", ")}, ${rows.length} available`,
    );
  }
  const window = rows.slice(rows.length - lookbackDays);
  const returns = new Map<string, Float64Array>();
  underlyings.forEach((underlying, u) => {
    const closes = columns[u];
    returns.set(underlying, Float64Array.from(window, (t) => (closes[t] as number) / (closes[t - 1] as number) - 1));
  });
  return { dates: window.map((t) => history.dates[t]), returns };
}
