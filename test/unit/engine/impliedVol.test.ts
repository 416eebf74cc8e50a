import { describe, expect, it } from "vitest";
import { EngineInputError, blackScholes, impliedVolatility, type ImpliedVolatilityInput } from "../../../src/engine/index.js";
import { expectClose } from "./helpers.js";
import { referenceBlackScholesPrice } from "./referenceBlackScholes.js";

describe("impliedVolatility", () => {
  it("recovers Hull's 20 % from the 20-week call price", () => {
    // Hull: S=49, K=50, r=5 %, T=20/52, σ=20 % → c = 2.4005; the exact price (mpmath) is 2.40052732327.
    const vol = impliedVolatility({ optionType: "CALL", spot: 49, strike: 50, timeToExpiry: 20 / 52, price: 2.40052732327, rate: 0.05 });
    expectClose(vol ?? NaN, 0.2, 1e-10, "Hull implied vol");
  });

  it("round-trips the volatility over moneyness 0.5..2, T 0.01..3, σ 0.05..3", () => {
    let checked = 0;
    for (const optionType of ["CALL", "PUT"] as const)
      for (const moneyness of [0.5, 0.8, 0.95, 1, 1.05, 1.25, 2])
        for (const timeToExpiry of [0.01, 0.1, 0.5, 1, 3])
          for (const volatility of [0.05, 0.2, 0.5, 1, 2, 3])
            for (const [rate, dividendYield] of [[0, 0], [0.05, 0.02]]) {
              const spot = 100;
              const strike = spot * moneyness;
              // The price comes from the independent reference implementation.
              const price = referenceBlackScholesPrice(optionType, spot, strike, timeToExpiry, volatility, rate, dividendYield);
              const intrinsic = Math.max(
                0,
                (optionType === "CALL" ? 1 : -1) * (spot * Math.exp(-dividendYield * timeToExpiry) - strike * Math.exp(-rate * timeToExpiry)),
              );
              const label = `${optionType} K/S=${moneyness} T=${timeToExpiry} σ=${volatility} r=${rate} q=${dividendYield}`;
              const input: ImpliedVolatilityInput = { optionType, spot, strike, timeToExpiry, price, rate, dividendYield };
              const vol = impliedVolatility(input);
              // Time value below 1e-9·S: the price no longer pins σ down (vega ≈ 0), skip it.
              if (price - intrinsic < 1e-9 * spot) continue;
              expect(vol, label).not.toBeNull();
              const repriced = blackScholes({ ...input, volatility: vol as number }).price;
              expectClose(repriced, price, 1e-9 * Math.max(1, price), `reprice ${label}`);
              // Vol accuracy where the price is sensitive to it: price error / vega (per unit vol).
              const vegaPerUnit = blackScholes({ ...input, volatility }).vega * 100;
              if (vegaPerUnit > 1e-3) expectClose(vol as number, volatility, Math.max(1e-9, (2e-9 * Math.max(1, price)) / vegaPerUnit), `σ ${label}`);
              checked++;
            }
    expect(checked).toBeGreaterThan(700);
  });

  it("returns null outside the no-arbitrage bounds and at expiry", () => {
    const base = { spot: 100, strike: 90, timeToExpiry: 1, rate: 0.05, dividendYield: 0 };
    const callLower = 100 - 90 * Math.exp(-0.05); // S − K·e^(−rT) = 14.389...
    expect(impliedVolatility({ ...base, optionType: "CALL", price: callLower - 0.01 })).toBeNull();
    expect(impliedVolatility({ ...base, optionType: "CALL", price: callLower })).toBeNull();
    expect(impliedVolatility({ ...base, optionType: "CALL", price: 100 })).toBeNull(); // = S, upper bound
    expect(impliedVolatility({ ...base, optionType: "CALL", price: 150 })).toBeNull();
    expect(impliedVolatility({ ...base, optionType: "PUT", price: 90 * Math.exp(-0.05) })).toBeNull(); // = K·e^(−rT)
    expect(impliedVolatility({ ...base, optionType: "PUT", price: -1 })).toBeNull();
    expect(impliedVolatility({ ...base, optionType: "PUT", price: 0 })).toBeNull(); // OTM put intrinsic lower bound 0
    expect(impliedVolatility({ ...base, optionType: "CALL", price: 20, timeToExpiry: 0 })).toBeNull();
  });

  it("returns null when the implied volatility is above 1000 %", () => {
    // ATM 1-day call priced at 90 % of spot: needs σ far above 10.
    expect(impliedVolatility({ optionType: "CALL", spot: 100, strike: 100, timeToExpiry: 1 / 365, price: 90 })).toBeNull();
  });

  it("rejects malformed inputs", () => {
    const valid: ImpliedVolatilityInput = { optionType: "CALL", spot: 100, strike: 100, timeToExpiry: 1, price: 10 };
    expect(() => impliedVolatility({ ...valid, spot: -1 })).toThrow("spot (-1) must be positive");
    expect(() => impliedVolatility({ ...valid, timeToExpiry: -0.5 })).toThrow(EngineInputError);
    expect(() => impliedVolatility({ ...valid, price: Number.NaN })).toThrow("price (NaN) must be a finite number");
  });
});
