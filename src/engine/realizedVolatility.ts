import { EngineInputError } from "./errors.js";

/**
 * Annualised close-to-close realised volatility: sample standard deviation (N − 1)
 * of the last `days` log returns × √365 (crypto trades every calendar day).
 */
export function realizedVolatility(closes: readonly number[], days: number): number {
  if (!Number.isInteger(days) || days < 2) throw new EngineInputError(`days (${days}) must be an integer ≥ 2`);
  if (closes.length < days + 1) throw new EngineInputError(`need ${days + 1} closes, got ${closes.length}`);
  const window = closes.slice(closes.length - days - 1);
  const returns: number[] = [];
  for (let i = 1; i < window.length; i++) returns.push(Math.log(window[i] / window[i - 1]));
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const variance = returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (returns.length - 1);
  return Math.sqrt(variance * 365);
}
