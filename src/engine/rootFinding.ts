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

/** A point of a curve: x, f(x) and f′(x) (the slope's units are f's per unit of x). */
export interface CurveSample {
  x: number;
  value: number;
  slope: number;
}

/**
 * Outward scan in log(x): the first probe 0.5 % from `start`, each next step 1.5× wider,
 * so a bound at 10× is reached in 14 probes and one at 1e-9× in 19 (a step at log
 * distance d is about d/2 + 0.005 wide; the former scan's 0.25 % growing 5 % took 80 and
 * 125 probes).
 *
 * A step is trusted only if f at both ends is larger than the step's nonlinearity, i.e.
 * than how far each end lies from the tangent at the other end; otherwise it is halved
 * (down to MIN_LOG_WIDTH) and each half judged the same way. For f = c + k(x − m)² the
 * departure is k·h² over a step of width h, and if the minimum c ≤ 0 lies inside, one end
 * is within h/2 of it, so f there is ≤ k·h²/4: a step across a dip is never trusted. The
 * same holds with a factor 2 to spare for a V-shaped kink. So the scan stays coarse where
 * f is far from 0 or nearly linear, and refines where f is small compared to how much it
 * wiggles (PORTFOLIO f has a kink wherever the worst grid scenario changes). A dip
 * narrower than MIN_LOG_WIDTH, or hiding in a step where f looks linear at both ends, can
 * still be missed. Where f jumps (the caller lists those x) the scan probes both sides of
 * the jump, so every step lies on a continuous piece.
 */
const FIRST_LOG_STEP = 0.005;
const STEP_GROWTH = 1.5;
/** Probes this far (relative) on either side of a jump; well inside Brent's tolerance. */
const JUMP_GAP = 1e-11;
/** Steps are not halved below this width in log(x) (0.05 %, a fifth of the former scan's finest step). */
const MIN_LOG_WIDTH = 5e-4;

/** Probe positions of the scan: the geometric steps, plus both sides of each jump of f in range. */
function* scanPoints(start: number, end: number, jumps: readonly number[]): Generator<number> {
  const direction = end > start ? 1 : -1;
  const beyond = (x: number) => (x - start) * direction; // distance outward, USD
  const sides = jumps
    .filter((x) => beyond(x) > 0 && (end - x) * direction > 0)
    .flatMap((x) => [x * (1 - direction * JUMP_GAP), x * (1 + direction * JUMP_GAP)])
    .sort((a, b) => beyond(a) - beyond(b));
  const logDistanceToEnd = Math.abs(Math.log(end / start));
  let logDistance = 0;
  let step = FIRST_LOG_STEP;
  let next = 0; // index into sides
  for (;;) {
    logDistance += step;
    step *= STEP_GROWTH;
    const x = logDistance >= logDistanceToEnd ? end : start * Math.exp(direction * logDistance);
    while (next < sides.length && beyond(sides[next]) < beyond(x)) yield sides[next++];
    yield x;
    if (x === end) return;
  }
}

/**
 * The x nearest to `start.x` between it (excluded) and `end` (included) where f crosses
 * from positive to ≤ 0, or null if it stays positive; requires start.value > 0. `jumps`
 * lists the x where f may be discontinuous. Brackets by the outward scan above, then
 * narrows the bracket to a single crossing and refines it with Brent to relativeTolerance.
 */
export function firstCrossingOutward(
  curve: (x: number) => CurveSample,
  start: CurveSample,
  end: number,
  relativeTolerance: number,
  jumps: readonly number[] = [],
): number | null {
  let previous = start;
  for (const x of scanPoints(start.x, end, jumps)) {
    const current = curve(x);
    const bracket = current.value <= 0 ? ([previous, current] as const) : hiddenCrossing(curve, previous, current);
    if (bracket) return nearestRoot(curve, bracket[0], bracket[1], relativeTolerance);
    previous = current;
  }
  return null;
}

/** How far each end of a step lies from the tangent at the other end (units of f). */
function departure(from: CurveSample, to: CurveSample): number {
  const width = to.x - from.x; // signed: scans run both ways
  return Math.max(
    Math.abs(to.value - (from.value + from.slope * width)),
    Math.abs(from.value - (to.value - to.slope * width)),
  );
}

/**
 * A crossing between two samples where f > 0 that the step may hide (see the scan
 * above): null if the step is trusted, else the first bracket [sample with f > 0, sample
 * with f ≤ 0] found by halving it, nearest to `from`, or null if none shows up.
 */
function hiddenCrossing(
  curve: (x: number) => CurveSample,
  from: CurveSample,
  to: CurveSample,
): readonly [CurveSample, CurveSample] | null {
  if (Math.min(from.value, to.value) > departure(from, to)) return null;
  if (Math.abs(Math.log(to.x / from.x)) < MIN_LOG_WIDTH) return null;
  const middle = curve(Math.sqrt(from.x * to.x));
  if (middle.value <= 0) return [from, middle];
  return hiddenCrossing(curve, from, middle) ?? hiddenCrossing(curve, middle, to);
}

/**
 * The crossing nearest to `positive` in a bracket [f > 0, f ≤ 0] (the check on the near
 * side). A wide bracket may hold more than one crossing (down, up, down…), and Brent
 * would return any of them; so it is first narrowed by halving, keeping the near half
 * whenever it holds a crossing (a middle with f ≤ 0, or else one hidden in the near half,
 * judged as in the scan), until f is nearly linear across it: both ends farther from 0
 * than from the other end's tangent, which leaves room for one crossing only. Brent
 * then refines. A bracket ending where f is exactly 0 may end inside a stretch where f
 * stays 0 (equity and margin both gone: option values underflowing far out of the
 * money); the halving then finds where that stretch starts, to the tolerance, where
 * Brent would return the bracket's end itself.
 */
function nearestRoot(
  curve: (x: number) => CurveSample,
  positive: CurveSample,
  nonPositive: CurveSample,
  relativeTolerance: number,
): number {
  for (;;) {
    const linear = Math.min(positive.value, -nonPositive.value) > departure(positive, nonPositive);
    const logWidth = Math.abs(Math.log(nonPositive.x / positive.x));
    if (linear || logWidth < (nonPositive.value === 0 ? relativeTolerance : MIN_LOG_WIDTH)) break;
    const middle = curve(Math.sqrt(positive.x * nonPositive.x));
    if (middle.value <= 0) {
      nonPositive = middle;
      continue;
    }
    const hidden = hiddenCrossing(curve, positive, middle);
    if (hidden) [positive, nonPositive] = hidden;
    else positive = middle;
  }
  const value = (x: number) => curve(x).value;
  return brentRoot(value, positive.x, nonPositive.x, positive.value, nonPositive.value, relativeTolerance);
}
