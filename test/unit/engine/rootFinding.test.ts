import { describe, expect, it } from "vitest";
import { brentRoot, firstCrossingOutward, type CurveSample } from "../../../src/engine/rootFinding.js";
import { expectRelClose } from "./helpers.js";

/** A curve from f and f′, counting evaluations. */
function curveOf(f: (x: number) => number, slope: (x: number) => number) {
  const counter = { calls: 0 };
  const curve = (x: number): CurveSample => {
    counter.calls++;
    return { x, value: f(x), slope: slope(x) };
  };
  return { curve, counter };
}

const TOLERANCE = 1e-9;

describe("firstCrossingOutward", () => {
  it("finds a smooth crossing on either side", () => {
    // f = 1 − (ln x)²: crossings at e and 1/e.
    const { curve } = curveOf((x) => 1 - Math.log(x) ** 2, (x) => (-2 * Math.log(x)) / x);
    expectRelClose(firstCrossingOutward(curve, curve(1), 10, TOLERANCE) ?? NaN, Math.E, 1e-9, "up");
    expectRelClose(firstCrossingOutward(curve, curve(1), 1e-9, TOLERANCE) ?? NaN, 1 / Math.E, 1e-9, "down");
  });

  it("returns null when f stays positive, after few evaluations where f is linear", () => {
    const { curve, counter } = curveOf((x) => 1 + x, () => 1);
    expect(firstCrossingOutward(curve, curve(1), 10, TOLERANCE)).toBeNull();
    expect(firstCrossingOutward(curve, curve(1), 1e-9, TOLERANCE)).toBeNull();
    expect(counter.calls).toBeLessThanOrEqual(2 + 14 + 19); // start, 14 steps up to 10×, 19 down to 1e-9×
  });

  it("finds a V-shaped dip narrower than the scan's step (0.81, not the later 0.79 or beyond)", () => {
    // |x − 0.8| − 0.01: negative only on (0.79, 0.81); the scan's step there is ~12 %.
    const { curve } = curveOf((x) => Math.abs(x - 0.8) - 0.01, (x) => Math.sign(x - 0.8));
    expectRelClose(firstCrossingOutward(curve, curve(1), 1e-9, TOLERANCE) ?? NaN, 0.81, 1e-9, "down");
  });

  it("returns the nearest of several crossings inside one bracket", () => {
    // 1000(x − 0.62)(x − 0.61)(x − 0.57): positive above 0.62, then −, +, −. Scanning down
    // from 1, the probes at 0.688 (f > 0) and 0.567 (f < 0) bracket all three crossings,
    // and Brent alone on that bracket converges to the farthest, 0.57.
    const f = (x: number) => 1000 * (x - 0.62) * (x - 0.61) * (x - 0.57);
    const slope = (x: number) => 1000 * ((x - 0.61) * (x - 0.57) + (x - 0.62) * (x - 0.57) + (x - 0.62) * (x - 0.61));
    const { curve } = curveOf(f, slope);
    expectRelClose(firstCrossingOutward(curve, curve(1), 1e-9, TOLERANCE) ?? NaN, 0.62, 1e-9, "nearest");
  });

  it("probes both sides of a listed jump", () => {
    // f = 1 above 0.9, −1 on (0.89, 0.9], 1 below: the step from 0.92 to 0.87 would miss it.
    const f = (x: number) => (x > 0.9 ? 1 : x > 0.89 ? -1 : 1);
    const { curve } = curveOf(f, () => 0);
    expect(firstCrossingOutward(curve, curve(1), 1e-9, TOLERANCE)).toBeNull(); // unlisted: invisible
    expectRelClose(firstCrossingOutward(curve, curve(1), 1e-9, TOLERANCE, [0.9, 0.89]) ?? NaN, 0.9, 1e-9, "jump");
  });

  it("reports where f reaches exactly 0 and stays there, not a point inside that stretch", () => {
    const { curve } = curveOf((x) => Math.max(x - 0.3, 0), (x) => (x > 0.3 ? 1 : 0));
    expectRelClose(firstCrossingOutward(curve, curve(1), 1e-9, TOLERANCE) ?? NaN, 0.3, 1e-9, "plateau start");
  });

  it("finds a crossing exactly at the end, and none beyond it", () => {
    const { curve } = curveOf((x) => 2 - x, () => -1);
    expect(firstCrossingOutward(curve, curve(1), 2, TOLERANCE)).toBe(2);
    expect(firstCrossingOutward(curve, curve(1), 1.999, TOLERANCE)).toBeNull();
  });
});

describe("brentRoot", () => {
  it("solves to the relative tolerance", () => {
    const root = brentRoot((x) => x * x - 2, 1, 2, -1, 2, 1e-12);
    expectRelClose(root, Math.SQRT2, 1e-12, "√2");
  });
});
