import type { InstrumentSpec } from "../../../src/engine/index.js";

/** Spot (USD) of each benchmark underlying. */
export const SPOTS: Record<string, number> = { BTC: 100_000, ETH: 3_500, SOL: 180 };
const DAY_MS = 86_400_000;

/**
 * The benchmarks' instrument universe: per underlying 1 perpetual and 4 futures, then
 * options over 6 expiries × strikes (60 %–… of spot in 7.5 % steps) × call/put, `count` in all.
 */
export function instrumentUniverse(asOfMs: number, count = 500): InstrumentSpec[] {
  const base = { contractSize: 1, initialMarginRate: null, maintenanceMarginRate: null, markVolatility: null };
  const specs: InstrumentSpec[] = [];
  const underlyings = Object.keys(SPOTS);
  for (const underlying of underlyings) {
    specs.push({ ...base, symbol: `${underlying}-PERP`, kind: "PERPETUAL", underlying, expiryMs: null, strike: null, optionType: null });
    for (const days of [30, 60, 90, 180]) {
      specs.push({ ...base, symbol: `${underlying}-FUT-${days}D`, kind: "FUTURE", underlying, expiryMs: asOfMs + days * DAY_MS, strike: null, optionType: null });
    }
  }
  const expiries = [7, 14, 30, 60, 90, 180];
  for (let k = 0; specs.length < count; k++) {
    const underlying = underlyings[k % underlyings.length];
    const slot = Math.floor(k / underlyings.length);
    const days = expiries[slot % expiries.length];
    const optionType = Math.floor(slot / expiries.length) % 2 === 0 ? "CALL" : "PUT";
    const strike = Math.round(SPOTS[underlying] * (0.6 + 0.075 * Math.floor(slot / (2 * expiries.length))) * 100) / 100;
    specs.push({
      ...base,
      symbol: `${underlying}-${days}D-${strike}-${optionType[0]}`,
      kind: "OPTION",
      underlying,
      expiryMs: asOfMs + days * DAY_MS,
      strike,
      optionType,
    });
  }
  return specs;
}
