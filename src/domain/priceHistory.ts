import type { PriceHistory } from "../engine/types.js";

/** Long rows (underlying, date, close) into the engine's date-aligned wide history. */
export function toPriceHistory(rows: { underlying: string; date: string; close: number }[]): PriceHistory {
  const dates = [...new Set(rows.map((r) => r.date))].sort();
  const index = new Map(dates.map((date, i) => [date, i]));
  const closes = new Map<string, (number | null)[]>();
  for (const row of rows) {
    let column = closes.get(row.underlying);
    if (!column) {
      column = new Array<number | null>(dates.length).fill(null);
      closes.set(row.underlying, column);
    }
    column[index.get(row.date)!] = row.close;
  }
  return { dates, closes };
}
