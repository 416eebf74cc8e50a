import { EngineInputError } from "./errors.js";

/**
 * Standard normal distribution: density, cumulative (Cody's rational Chebyshev
 * approximations, ~1e-15 relative in both tails) and inverse (Acklam + one Halley step).
 */

const INV_SQRT_2PI = 0.3989422804014327; // 1/√(2π)
const SQRT_2PI = 2.5066282746310002; // √(2π)
const SQRT_32 = 5.656854249492381; // √32, upper end of Cody's middle interval
/** Below this Φ(x) underflows to 0 in float64 (Cody's XLOW). */
const CDF_UNDERFLOW = 37.5193;
/** Upper end of Cody's first interval: Φ⁻¹(3/4) (R's choice; Cody had 0.66291). */
const CENTRAL_LIMIT = 0.67448975;

export function normPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/**
 * Φ(x) by W. J. Cody, "Rational Chebyshev approximations for the error function",
 * Math. Comp. 23 (1969), as implemented in Cody's ANORM (TOMS 715) and R's pnorm.c:
 * three intervals (|x| ≤ 0.674, ≤ √32, beyond), each a ratio of polynomials. The tails
 * are computed directly, never as 1 − Φ, so Φ(−10) keeps full relative precision.
 */
export function normCdf(x: number): number {
  if (x !== x) return x; // NaN in, NaN out (every comparison below would be false)
  const y = Math.abs(x);
  if (y <= CENTRAL_LIMIT) {
    const z = x * x;
    const num = ((((0.065682337918207449113 * z + 2.2352520354606839287) * z + 161.02823106855587881) * z +
      1067.6894854603709582) * z + 18154.981253343561249);
    const den = ((((z + 47.20258190468824187) * z + 976.09855173777669322) * z + 10260.932208618978205) * z +
      45507.789335026729956);
    return 0.5 + (x * num) / den;
  }
  let lowerTail: number; // Φ(−y)
  if (y <= SQRT_32) {
    const num = ((((((((1.0765576773720192317e-8 * y + 0.39894151208813466764) * y + 8.8831497943883759412) * y +
      93.506656132177855979) * y + 597.27027639480026226) * y + 2494.5375852903726711) * y +
      6848.1904505362823326) * y + 11602.651437647350124) * y + 9842.7148383839780218);
    const den = (((((((y + 22.266688044328115691) * y + 235.38790178262499861) * y + 1519.377599407554805) * y +
      6485.558298266760755) * y + 18615.571640885098091) * y + 34900.952721145977266) * y +
      38912.003286093271411) * y + 19685.429676859990727;
    lowerTail = expMinusHalfSquare(y) * (num / den);
  } else if (y < CDF_UNDERFLOW) {
    const z = 1 / (x * x);
    const num = (((((0.02307344176494017303 * z + 0.21589853405795699) * z + 0.1274011611602473639) * z +
      0.022235277870649807) * z + 0.001421619193227893466) * z + 2.9112874951168792e-5);
    const den = ((((z + 1.28426009614491121) * z + 0.468238212480865118) * z + 0.0659881378689285515) * z +
      0.00378239633202758244) * z + 7.29751555083966205e-5;
    lowerTail = expMinusHalfSquare(y) * ((INV_SQRT_2PI - (z * num) / den) / y);
  } else {
    lowerTail = 0;
  }
  return x > 0 ? 1 - lowerTail : lowerTail;
}

/**
 * e^(−y²/2) without the rounding error of y² in the exponent: y is split into a part
 * with 4 fractional bits (whose square is exact) and a small remainder (Cody's trick;
 * exp amplifies an absolute exponent error of ε·y² into a relative error of that size).
 */
function expMinusHalfSquare(y: number): number {
  const head = Math.trunc(y * 16) / 16;
  const del = (y - head) * (y + head);
  return Math.exp(-head * head * 0.5) * Math.exp(-del * 0.5);
}

/**
 * Φ⁻¹(p) for p in [0, 1]: Peter Acklam's rational approximation (relative error
 * 1.15e-9) refined by one Halley step on Φ(x) − p, which brings it to the accuracy of
 * normCdf (~1e-15). Upper-half probabilities are reflected so the refinement always
 * works in the lower tail, where Φ keeps full relative precision; 1 − p is exact there.
 */
export function normInv(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new EngineInputError(`probability (${p}) must be in [0, 1]`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  return p > 0.5 ? -lowerHalfNormInv(1 - p) : lowerHalfNormInv(p);
}

/** Acklam's break point between the central and tail approximations. */
const ACKLAM_TAIL = 0.02425;

function lowerHalfNormInv(p: number): number {
  let x: number;
  if (p < ACKLAM_TAIL) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q - 2.549732539343734) * q +
      4.374664141464968) * q + 2.938163982698783) /
      ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((-3.969683028665376e1 * r + 2.209460984245205e2) * r - 2.759285104469687e2) * r + 1.38357751867269e2) * r -
      3.066479806614716e1) * r + 2.506628277459239) * q) /
      (((((-5.447609879822406e1 * r + 1.615858368580409e2) * r - 1.556989798598866e2) * r + 6.680131188771972e1) * r -
        1.328068155288572e1) * r + 1);
  }
  // Halley: u = (Φ(x) − p)/φ(x); x ← x − u/(1 + x·u/2).
  const u = (normCdf(x) - p) * SQRT_2PI * Math.exp(0.5 * x * x);
  // Near p = 5e-324, Φ(x) underflows and e^(x²/2) overflows: keep Acklam's value there.
  return Number.isFinite(u) ? x - u / (1 + 0.5 * x * u) : x;
}
