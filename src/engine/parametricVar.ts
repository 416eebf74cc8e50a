import { EngineInputError } from "./errors.js";
import type { TailRisk } from "./historicalVar.js";
import { normInv, normPdf } from "./normal.js";

/** Sample covariance matrix (divisor N − 1) of equally long return series. */
export function sampleCovariance(series: readonly ArrayLike<number>[]): number[][] {
  const n = series.length === 0 ? 0 : series[0].length;
  if (n < 2) throw new EngineInputError(`covariance needs at least 2 observations, got ${n}`);
  const means = series.map((xs) => {
    let sum = 0;
    for (let t = 0; t < n; t++) sum += xs[t];
    return sum / n;
  });
  return series.map((xs, i) =>
    series.map((ys, j) => {
      let sum = 0;
      for (let t = 0; t < n; t++) sum += (xs[t] - means[i]) * (ys[t] - means[j]);
      return sum / (n - 1);
    }),
  );
}

/**
 * Delta-normal VaR and ES, USD (positive = loss), over `horizonDays` (√h scaling):
 * σ_P = √(wᵀΣw) with w the USD deltas and Σ the daily return covariance,
 * VaR = z_c·σ_P·√h, ES = σ_P·φ(z_c)/(1 − c)·√h with z_c = Φ⁻¹(c).
 */
export function parametricVar(
  exposuresUsd: readonly number[],
  covariance: readonly (readonly number[])[],
  confidence: number,
  horizonDays: number,
): TailRisk {
  const n = exposuresUsd.length;
  if (covariance.length !== n || covariance.some((row) => row.length !== n)) {
    throw new EngineInputError(`covariance must be ${n}×${n} to match ${n} exposures`);
  }
  let variance = 0; // USD² per day
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) variance += exposuresUsd[i] * covariance[i][j] * exposuresUsd[j];
  const sigma = Math.sqrt(Math.max(0, variance)) * Math.sqrt(horizonDays);
  const z = normInv(confidence);
  return { value: z * sigma, expectedShortfall: (sigma * normPdf(z)) / (1 - confidence) };
}
