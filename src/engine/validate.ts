import { EngineInputError } from "./errors.js";

/** Precondition checks that put the bad value in the message, e.g. "volatility (-0.2) must be positive". */

export function requireFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new EngineInputError(`${name} (${value}) must be a finite number`);
}

export function requirePositive(name: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) throw new EngineInputError(`${name} (${value}) must be positive`);
}

export function requireNonNegative(name: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0)) throw new EngineInputError(`${name} (${value}) must be non-negative`);
}
