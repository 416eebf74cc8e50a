import { assert } from "vitest";
import type {
  CollateralInput,
  InstrumentSpec,
  MarginMode,
  MarginUnitInput,
  Market,
  PositionInput,
  UnderlyingQuote,
} from "../../../src/engine/index.js";

/**
 * |actual − expected| ≤ tol, or fail printing the case, expected, actual, error and
 * tolerance (counting digits like toBeCloseTo hides how far off a number is).
 */
export function expectClose(actual: number, expected: number, tol: number, label: string): void {
  const error = Math.abs(actual - expected);
  if (actual === expected || error <= tol) return; // the first also accepts equal infinities
  assert.fail(
    `${label}\n  expected ${expected}\n  actual   ${actual}\n  error    ${error}\n  tol      ${tol}`,
  );
}

/** Relative version: tolerance relTol·|expected| (plus absTol for expected values near 0). */
export function expectRelClose(actual: number, expected: number, relTol: number, label: string, absTol = 0): void {
  expectClose(actual, expected, relTol * Math.abs(expected) + absTol, label);
}

// ---- builders for engine inputs (plain data, pinned clock) ----

/** 2025-01-01T00:00:00Z: the pinned valuation time of every test market. */
export const AS_OF_MS = Date.UTC(2025, 0, 1);
export const DAY_MS = 86_400_000;

export function market(quotes: Record<string, Partial<UnderlyingQuote> & { spot: number }>, asOfMs = AS_OF_MS): Market {
  return {
    asOfMs,
    quotes: new Map(
      Object.entries(quotes).map(([underlying, q]) => [underlying, { volatility: 0.5, rate: 0, ...q }]),
    ),
  };
}

const NO_OVERRIDES = { initialMarginRate: null, maintenanceMarginRate: null, markVolatility: null };

export function perp(underlying: string, overrides: Partial<InstrumentSpec> = {}): InstrumentSpec {
  return {
    symbol: `${underlying}-PERP`,
    kind: "PERPETUAL",
    underlying,
    contractSize: 1,
    expiryMs: null,
    strike: null,
    optionType: null,
    ...NO_OVERRIDES,
    ...overrides,
  };
}

export function future(underlying: string, daysToExpiry: number, overrides: Partial<InstrumentSpec> = {}): InstrumentSpec {
  return {
    symbol: `${underlying}-FUT-${daysToExpiry}D`,
    kind: "FUTURE",
    underlying,
    contractSize: 1,
    expiryMs: AS_OF_MS + daysToExpiry * DAY_MS,
    strike: null,
    optionType: null,
    ...NO_OVERRIDES,
    ...overrides,
  };
}

export function option(
  underlying: string,
  optionType: "CALL" | "PUT",
  strike: number,
  daysToExpiry: number,
  overrides: Partial<InstrumentSpec> = {},
): InstrumentSpec {
  return {
    symbol: `${underlying}-${daysToExpiry}D-${strike}-${optionType[0]}`,
    kind: "OPTION",
    underlying,
    contractSize: 1,
    expiryMs: AS_OF_MS + daysToExpiry * DAY_MS,
    strike,
    optionType,
    ...NO_OVERRIDES,
    ...overrides,
  };
}

export function position(instrument: InstrumentSpec, quantity: number, averagePrice: number, isolatedMargin = 0): PositionInput {
  return { instrument, quantity, averagePrice, isolatedMargin };
}

export function usdc(amount: number): CollateralInput {
  return { asset: "USDC", amount, haircut: 0, underlying: null };
}

export function coin(underlying: string, amount: number, haircut = 0.05): CollateralInput {
  return { asset: underlying, amount, haircut, underlying };
}

export function unit(mode: MarginMode, collateral: CollateralInput[], positions: PositionInput[]): MarginUnitInput {
  return { mode, collateral, positions };
}
