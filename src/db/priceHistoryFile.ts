import { readFile } from "node:fs/promises";
import path from "node:path";

/** The bundled daily closes (data/crypto-daily-close-usd.csv; see data/README.md). */
export const PRICE_HISTORY_FILE = path.resolve(import.meta.dirname, "../../data/crypto-daily-close-usd.csv");

export interface DailyClose {
  underlying: string;
  /** UTC date, yyyy-mm-dd. */
  date: string;
  /** USD. */
  close: string;
}

/** Parses the wide CSV (date,BTC,ETH,...) into one row per underlying and date; empty cells are skipped. */
export function parsePriceHistory(csv: string): DailyClose[] {
  const [header, ...lines] = csv.trim().split(/\r?\n/);
  const columns = header.split(",").map((c) => c.trim());
  if (columns[0] !== "date") throw new Error(`price history header must start with "date", got "${columns[0]}"`);
  const rows: DailyClose[] = [];
  for (const line of lines) {
    const cells = line.split(",");
    const date = cells[0];
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`bad date "${date}" in price history`);
    for (let c = 1; c < columns.length; c++) {
      const cell = cells[c]?.trim();
      if (!cell) continue;
      if (!(Number(cell) > 0)) throw new Error(`bad close "${cell}" for ${columns[c]} on ${date}`);
      rows.push({ underlying: columns[c], date, close: cell });
    }
  }
  return rows;
}

export async function loadPriceHistoryFile(file = PRICE_HISTORY_FILE): Promise<DailyClose[]> {
  return parsePriceHistory(await readFile(file, "utf8"));
}
