import { describe, expect, it } from "vitest";
import { EngineInputError, normCdf, normInv, normPdf } from "../../../src/engine/index.js";
import { expectClose, expectRelClose } from "./helpers.js";

// Reference values: mpmath 1.3 `ncdf` at 40 significant digits (mp.dps = 40), rounded to 20.
const CDF_REFERENCES: { x: number; phi: number; source: string }[] = [
  { x: 0, phi: 0.5, source: "exact" },
  { x: -1, phi: 0.15865525393145705141, source: "mpmath" },
  { x: -5, phi: 2.8665157187919391167e-7, source: "mpmath" },
  { x: -10, phi: 7.619853024160526066e-24, source: "mpmath" },
  { x: 1.96, phi: 0.97500210485177956379, source: "mpmath" },
  { x: -0.5, phi: 0.30853753872598689636, source: "mpmath (first interval)" },
  { x: 0.5, phi: 0.69146246127401310364, source: "mpmath (first interval)" },
  { x: -0.67448975, phi: 0.25000000006231018464, source: "mpmath (interval edge)" },
  { x: -0.7, phi: 0.24196365222307302862, source: "mpmath (second interval)" },
  { x: -2, phi: 0.0227501319481792072, source: "mpmath" },
  { x: 2, phi: 0.9772498680518207928, source: "mpmath" },
  { x: -3, phi: 0.0013498980316300945267, source: "mpmath" },
  { x: 3, phi: 0.99865010196836990547, source: "mpmath" },
  { x: -5.6, phi: 1.071759025831092932e-8, source: "mpmath (below √32)" },
  { x: -5.7, phi: 5.9903714010635281878e-9, source: "mpmath (third interval)" },
  { x: 5.7, phi: 0.99999999400962859894, source: "mpmath" },
  { x: -8, phi: 6.2209605742717841235e-16, source: "mpmath" },
  { x: -20, phi: 2.7536241186062336951e-89, source: "mpmath (far tail)" },
  { x: -30, phi: 4.9067139271481870595e-198, source: "mpmath (far tail)" },
  { x: -37, phi: 5.7255712225245768227e-300, source: "mpmath (near underflow)" },
];

// Quantiles: mpmath √2·erfinv(2p − 1) at 40 digits, evaluated at the exact binary value
// of each float64 p (mpf(float)); p = 1e-300 by mpmath findroot on log Φ.
const INV_REFERENCES: { p: number; x: number }[] = [
  { p: 1e-300, x: -37.047096299361199237 },
  { p: 1e-20, x: -9.2623400897984075796 },
  { p: 1e-10, x: -6.3613409024040561991 },
  { p: 0.001, x: -3.0902323061678135354 },
  { p: 0.01, x: -2.3263478740408410931 },
  { p: 0.02425, x: -1.9729610513118848376 },
  { p: 0.025, x: -1.9599639845400542118 },
  { p: 0.1, x: -1.2815515655446004353 },
  { p: 0.3, x: -0.52440051270804081597 },
  { p: 0.7, x: 0.52440051270804065631 },
  { p: 0.9, x: 1.2815515655446005935 },
  { p: 0.975, x: 1.9599639845400538556 },
  { p: 0.99, x: 2.3263478740408407676 },
  { p: 0.999, x: 3.0902323061678132778 },
  { p: 0.9999999, x: 5.1993375822906610937 },
];

describe("normCdf", () => {
  it.each(CDF_REFERENCES)("matches $source at x = $x to 1e-14 relative", ({ x, phi }) => {
    expectRelClose(normCdf(x), phi, 1e-14, `Φ(${x})`);
  });

  it("is symmetric: Φ(x) + Φ(−x) = 1", () => {
    for (let x = -8; x <= 8; x += 0.37) expectClose(normCdf(x) + normCdf(-x), 1, 2e-16, `Φ(${x}) + Φ(${-x})`);
  });

  it("saturates at 0 and 1 far out and passes NaN through", () => {
    expect(normCdf(-40)).toBe(0);
    expect(normCdf(40)).toBe(1);
    expect(normCdf(-Infinity)).toBe(0);
    expect(normCdf(Infinity)).toBe(1);
    expect(normCdf(Number.NaN)).toBeNaN();
  });

  it("is non-decreasing across its interval boundaries", () => {
    for (const edge of [0.67448975, 5.656854249492381, 37.5193]) {
      for (const sign of [-1, 1]) {
        const x = sign * edge;
        expect(normCdf(x + 1e-9)).toBeGreaterThanOrEqual(normCdf(x - 1e-9));
      }
    }
  });
});

describe("normPdf", () => {
  it("is 1/√(2π)·e^(−x²/2)", () => {
    // φ(0) = 0.3989422804014327, φ(1) = 0.24197072451914337 (mpmath npdf)
    expectRelClose(normPdf(0), 0.3989422804014327, 1e-15, "φ(0)");
    expectRelClose(normPdf(1), 0.24197072451914337, 1e-15, "φ(1)");
    expectRelClose(normPdf(-1), 0.24197072451914337, 1e-15, "φ(−1)");
  });
});

describe("normInv", () => {
  it.each(INV_REFERENCES)("matches mpmath at p = $p", ({ p, x }) => {
    expectRelClose(normInv(p), x, 1e-14, `Φ⁻¹(${p})`, 1e-15);
  });

  it("is 0 at ½ and ±∞ at the ends", () => {
    expect(normInv(0.5)).toBe(0);
    expect(normInv(0)).toBe(-Infinity);
    expect(normInv(1)).toBe(Infinity);
  });

  it("round-trips through normCdf", () => {
    // Φ(x) for x > 0 is stored with absolute precision ε/2 near 1, which alone moves
    // Φ⁻¹ by ε/(2φ(x)): that conditioning term is part of the tolerance.
    for (let x = -37; x <= 8; x += 0.25) {
      const tol = 1e-14 * Math.max(1, Math.abs(x)) + (x > 0 ? Number.EPSILON / normPdf(x) : 0);
      expectClose(normInv(normCdf(x)), x, tol, `Φ⁻¹(Φ(${x}))`);
    }
    for (const p of [1e-300, 1e-100, 1e-15, 0.0123, 0.42, 0.5 + 1e-12, 0.77, 1 - 1e-9]) {
      expectRelClose(normCdf(normInv(p)), p, 1e-13, `Φ(Φ⁻¹(${p}))`);
    }
  });

  it("rejects probabilities outside [0, 1]", () => {
    expect(() => normInv(1.5)).toThrow(EngineInputError);
    expect(() => normInv(-0.1)).toThrow("probability (-0.1) must be in [0, 1]");
    expect(() => normInv(Number.NaN)).toThrow(EngineInputError);
  });
});
