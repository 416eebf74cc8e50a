import type { MarginUnitInput } from "./types.js";

/** Underlyings whose spot moves the unit's equity: those of its positions and of its non-stable collateral, sorted. */
export function exposedUnderlyings(unit: MarginUnitInput): string[] {
  const names = new Set<string>();
  for (const position of unit.positions) names.add(position.instrument.underlying);
  for (const holding of unit.collateral) if (holding.underlying !== null) names.add(holding.underlying);
  return [...names].sort();
}
