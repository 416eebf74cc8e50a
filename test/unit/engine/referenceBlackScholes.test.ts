import { describe, it } from "vitest";
import { expectClose, expectRelClose } from "./helpers.js";
import { referenceBlackScholesPrice, referenceNormCdf } from "./referenceBlackScholes.js";

// The tests' own Black–Scholes must itself be right before it serves as a reference.
describe("test reference Black–Scholes", () => {
  it("has a normal CDF within 1e-13 relative of mpmath", () => {
    const mpmath: [number, number][] = [
      [-1, 0.15865525393145705141],
      [-2.1, 0.017864420562816552877],
      [-3, 0.0013498980316300945267],
      [-8, 6.2209605742717841235e-16],
      [-20, 2.7536241186062336951e-89],
      [1.96, 0.97500210485177956379],
    ];
    for (const [x, phi] of mpmath) expectRelClose(referenceNormCdf(x), phi, 1e-13, `reference Φ(${x})`);
  });

  it("reproduces Hull's prices", () => {
    // Hull Ex. 15.6 and the Greek-letters chapter example; 4 decimals.
    expectClose(referenceBlackScholesPrice("CALL", 42, 40, 0.5, 0.2, 0.1), 4.7594, 5e-5, "Hull call");
    expectClose(referenceBlackScholesPrice("PUT", 42, 40, 0.5, 0.2, 0.1), 0.8086, 5e-5, "Hull put");
    expectClose(referenceBlackScholesPrice("CALL", 49, 50, 20 / 52, 0.2, 0.05), 2.4005, 5e-5, "Hull 20-week call");
  });
});
