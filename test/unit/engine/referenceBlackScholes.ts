/**
 * An independent Black–Scholes for expected values in tests: a different normal CDF
 * algorithm from the engine's (Taylor series of erf near 0, Laplace continued fraction
 * of erfc in the tails), written for clarity not speed, and the textbook formula.
 * referenceBlackScholes.test.ts checks it against Hull and mpmath values.
 */

/** erfc(z) for z ≥ 0. */
function erfcNonNegative(z: number): number {
  if (z < 1.5) {
    // erf(z) = 2/√π Σ (−1)ⁿ z^(2n+1) / (n!(2n+1)); terms stay below e^(z²) ≈ 9.5, so little cancellation.
    let term = z;
    let sum = z;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-18; n++) {
      term *= (-z * z) / n;
      sum += term / (2 * n + 1);
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(z) = e^(−z²)/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + …))))), evaluated bottom-up.
  let tail = z;
  for (let k = 2000; k >= 1; k--) tail = z + k / 2 / tail;
  return Math.exp(-z * z) / (Math.sqrt(Math.PI) * tail);
}

export function referenceNormCdf(x: number): number {
  const tail = 0.5 * erfcNonNegative(Math.abs(x) / Math.SQRT2);
  return x < 0 ? tail : 1 - tail;
}

/** Textbook BSM price, USD per underlying unit; T in years, σ annual, r and q continuous. */
export function referenceBlackScholesPrice(
  optionType: "CALL" | "PUT",
  spot: number,
  strike: number,
  years: number,
  volatility: number,
  rate = 0,
  dividendYield = 0,
): number {
  const sd = volatility * Math.sqrt(years);
  const d1 = (Math.log(spot / strike) + (rate - dividendYield + (volatility * volatility) / 2) * years) / sd;
  const d2 = d1 - sd;
  const discountedSpot = spot * Math.exp(-dividendYield * years);
  const discountedStrike = strike * Math.exp(-rate * years);
  return optionType === "CALL"
    ? discountedSpot * referenceNormCdf(d1) - discountedStrike * referenceNormCdf(d2)
    : discountedStrike * referenceNormCdf(-d2) - discountedSpot * referenceNormCdf(-d1);
}
