/** One-dimensional root finding for liquidation prices. */

const MAX_BRENT_ITERATIONS = 200;

/**
 * Brent's method (van Wijngaarden–Dekker–Brent, as in Numerical Recipes' zbrent): a root
 * of f in [a, b] given f(a) and f(b) of opposite signs (or one of them 0). Inverse
 * quadratic interpolation or secant steps, falling back to bisection whenever they
 * would not shrink the bracket fast enough. Stops when the bracket half-width is
 * within relativeTolerance·|x|.
 */
export function brentRoot(
  f: (x: number) => number,
  a: number,
  b: number,
  fa: number,
  fb: number,
  relativeTolerance: number,
): number {
  if (fa === 0) return a;
  if (fb === 0) return b;
  let c = b;
  let fc = fb;
  let d = 0;
  let e = 0;
  for (let i = 0; i < MAX_BRENT_ITERATIONS; i++) {
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      c = a; // keep the root bracketed by [b, c]
      fc = fa;
      d = e = b - a;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b; // b is always the best estimate so far
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tolerance = 2 * Number.EPSILON * Math.abs(b) + 0.5 * relativeTolerance * Math.abs(b);
    const half = 0.5 * (c - b);
    if (Math.abs(half) <= tolerance || fb === 0) return b;
    if (Math.abs(e) >= tolerance && Math.abs(fa) > Math.abs(fb)) {
      const s = fb / fa;
      let p: number;
      let q: number;
      if (a === c) {
        p = 2 * half * s; // secant
        q = 1 - s;
      } else {
        const qa = fa / fc; // inverse quadratic interpolation
        const r = fb / fc;
        p = s * (2 * half * qa * (qa - r) - (b - a) * (r - 1));
        q = (qa - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      p = Math.abs(p);
      if (2 * p < Math.min(3 * half * q - Math.abs(tolerance * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = e = half; // interpolation too slow: bisect
      }
    } else {
      d = e = half;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tolerance ? d : half > 0 ? tolerance : -tolerance;
    fb = f(b);
  }
  return b;
}

/**
 * Outward scan: first step 0.25 % of `start`, each next step 5 % wider, in log-price, so
 * it is fine near `start` and reaches far bounds in ~100 evaluations. Two crossings
 * closer together than one step (a dip below zero and back) can be missed.
 */
const FIRST_LOG_STEP = 0.0025;
const STEP_GROWTH = 1.05;

/**
 * The x nearest to `start` between `start` (excluded) and `end` (included) where f
 * crosses from positive to ≤ 0, or null if it stays positive; requires f(start) > 0.
 * Brackets by scanning outward, then refines with Brent.
 */
export function firstCrossingOutward(
  f: (x: number) => number,
  start: number,
  fStart: number,
  end: number,
  relativeTolerance: number,
): number | null {
  const direction = end > start ? 1 : -1;
  const logDistanceToEnd = Math.abs(Math.log(end / start));
  let previous = start;
  let fPrevious = fStart;
  let logDistance = 0;
  let step = FIRST_LOG_STEP;
  for (;;) {
    logDistance += step;
    step *= STEP_GROWTH;
    const atEnd = logDistance >= logDistanceToEnd;
    const x = atEnd ? end : start * Math.exp(direction * logDistance);
    const fx = f(x);
    if (fx <= 0) return brentRoot(f, previous, x, fPrevious, fx, relativeTolerance);
    if (atEnd) return null;
    previous = x;
    fPrevious = fx;
  }
}
