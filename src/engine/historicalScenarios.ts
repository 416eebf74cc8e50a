import { EngineInputError } from "./errors.js";
import { byUnderlying } from "./ordering.js";
import type { PriceHistory, Shock } from "./types.js";

/** A named replay of the price history's move between two dates. */
export interface HistoricalScenario {
  name: string;
  /** yyyy-mm-dd (UTC). */
  from: string;
  /** yyyy-mm-dd (UTC). */
  to: string;
  description: string;
}

export const HISTORICAL_SCENARIOS: readonly HistoricalScenario[] = [
  { name: "COVID_2020", from: "2020-03-12", to: "2020-03-13", description: "Black Thursday: the March 2020 COVID crash" },
  { name: "LUNA_2022", from: "2022-05-07", to: "2022-05-12", description: "Collapse of Terra/LUNA and the UST peg, May 2022" },
  { name: "FTX_2022", from: "2022-11-08", to: "2022-11-10", description: "FTX insolvency and exchange run, November 2022" },
];

export function historicalScenario(name: string): HistoricalScenario {
  const scenario = HISTORICAL_SCENARIOS.find((candidate) => candidate.name === name);
  if (!scenario) {
    const known = HISTORICAL_SCENARIOS.map((candidate) => candidate.name).join(", ");
    throw new EngineInputError(`stress scenario "${name}" is unknown (known: ${known})`);
  }
  return scenario;
}

/**
 * Shocks replaying the history between two dates: spotMove_u = close(to)/close(from) − 1,
 * volMove 0, for every underlying with a close on both dates (sorted by underlying).
 */
export function shocksBetween(history: PriceHistory, from: string, to: string): Shock[] {
  const fromIndex = history.dates.indexOf(from);
  const toIndex = history.dates.indexOf(to);
  if (fromIndex < 0) throw new EngineInputError(`price history has no row for ${from}`);
  if (toIndex < 0) throw new EngineInputError(`price history has no row for ${to}`);
  const shocks: Shock[] = [];
  for (const [underlying, closes] of history.closes) {
    const start = closes[fromIndex];
    const end = closes[toIndex];
    if (start !== null && end !== null && start > 0 && end > 0) {
      shocks.push({ underlying, spotMove: end / start - 1, volMove: 0 });
    }
  }
  return shocks.sort(byUnderlying);
}

/** Shocks of a named scenario (COVID_2020, LUNA_2022, FTX_2022) from the history. */
export function namedScenarioShocks(name: string, history: PriceHistory): Shock[] {
  const { from, to } = historicalScenario(name);
  return shocksBetween(history, from, to);
}
