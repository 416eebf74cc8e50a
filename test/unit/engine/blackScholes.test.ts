import { describe, expect, it } from "vitest";
import {
  EngineInputError,
  blackScholes,
  bsPrice,
  bsPriceGreeksInto,
  type BlackScholesInput,
  type OptionGreeks,
} from "../../../src/engine/index.js";
import { expectClose, expectRelClose } from "./helpers.js";
import { referenceBlackScholesPrice } from "./referenceBlackScholes.js";

type Greek = keyof OptionGreeks;

interface ReferenceRow {
  source: string;
  input: BlackScholesInput;
  expected: Partial<Record<Greek, { value: number; tol: number }>>;
}

/**
 * Hull, Options, Futures and Other Derivatives: Example 15.6 (S=42, K=40, r=10 %, σ=20 %,
 * T=0.5: c = 4.76, p = 0.81, here to the 4 decimals of the formula) and the running
 * example of the Greek-letters chapter (S=49, K=50, r=5 %, σ=20 %, T=20 weeks: price
 * 2.4005, Δ 0.522, Γ 0.066, vega 12.1 per unit vol, Θ −4.31 per year, ρ 8.91 per unit
 * rate, given more precisely below). Converted to API units: vega and rho per 0.01,
 * theta per calendar day (/365). Tolerance = half a unit in the last digit given.
 * Hull's vega (12.1; 12.106 in our brief) is 12.10548 exactly, so its row allows 1e-3.
 */
const HULL: ReferenceRow[] = [
  {
    source: "Hull Ex. 15.6 call",
    input: { optionType: "CALL", spot: 42, strike: 40, timeToExpiry: 0.5, volatility: 0.2, rate: 0.1 },
    expected: { price: { value: 4.7594, tol: 5e-5 } },
  },
  {
    source: "Hull Ex. 15.6 put",
    input: { optionType: "PUT", spot: 42, strike: 40, timeToExpiry: 0.5, volatility: 0.2, rate: 0.1 },
    expected: { price: { value: 0.8086, tol: 5e-5 } },
  },
  {
    source: "Hull Greek letters chapter, 20-week call",
    input: { optionType: "CALL", spot: 49, strike: 50, timeToExpiry: 20 / 52, volatility: 0.2, rate: 0.05 },
    expected: {
      price: { value: 2.4005, tol: 5e-5 },
      delta: { value: 0.5216, tol: 5e-5 },
      gamma: { value: 0.0655, tol: 5e-5 },
      vega: { value: 12.106 / 100, tol: 1e-3 / 100 },
      theta: { value: -4.305 / 365, tol: 5e-4 / 365 },
      rho: { value: 8.907 / 100, tol: 5e-4 / 100 },
    },
  },
];

/**
 * mpmath 1.3 (mp.dps = 40) evaluating the textbook formulas with ω = ±1:
 * price = ω(S·e^(−qT)·N(ωd₁) − K·e^(−rT)·N(ωd₂)), Δ = ω·e^(−qT)·N(ωd₁),
 * Γ = e^(−qT)·n(d₁)/(Sσ√T), vega = S·e^(−qT)·n(d₁)·√T/100,
 * Θ = (−S·e^(−qT)·n(d₁)·σ/(2√T) − ω·r·K·e^(−rT)·N(ωd₂) + ω·q·S·e^(−qT)·N(ωd₁))/365,
 * ρ = ω·K·T·e^(−rT)·N(ωd₂)/100. Tolerance 1e-12 relative.
 */
function mpmathRow(source: string, input: BlackScholesInput, values: number[]): ReferenceRow {
  const greeks: Greek[] = ["price", "delta", "gamma", "vega", "theta", "rho"];
  return {
    source,
    input,
    expected: Object.fromEntries(greeks.map((g, i) => [g, { value: values[i], tol: 1e-12 * Math.max(1, Math.abs(values[i])) }])),
  };
}

const MPMATH: ReferenceRow[] = [
  mpmathRow(
    "mpmath call with dividend yield",
    { optionType: "CALL", spot: 100, strike: 110, timeToExpiry: 0.75, volatility: 0.35, rate: 0.03, dividendYield: 0.01 },
    [8.7372128686499661, 0.45145788466178423, 0.012979612942563193, 0.3407148397422838, -0.023536472083791847, 0.27306431698146342],
  ),
  mpmathRow(
    "mpmath put with dividend yield",
    { optionType: "PUT", spot: 100, strike: 110, timeToExpiry: 0.75, volatility: 0.35, rate: 0.03, dividendYield: 0.01 },
    [17.037043478003123, -0.5410701701573542, 0.012979612942563193, 0.3407148397422838, -0.017415784336068912, -0.53358045370303908],
  ),
  mpmathRow(
    "mpmath 7-day deep ITM BTC call",
    { optionType: "CALL", spot: 100000, strike: 80000, timeToExpiry: 7 / 365, volatility: 0.8, rate: 0.05 },
    [20155.673808006454, 0.98115448671363519, 4.1550647007983612e-6, 6.3748937875262535, -47.107385714308523, 14.951189699821904],
  ),
  mpmathRow(
    "mpmath 2-year high-vol ETH put",
    { optionType: "PUT", spot: 2500, strike: 3000, timeToExpiry: 2, volatility: 1.2 },
    [1918.0674992748295, -0.22931818432417481, 7.1451622494440691e-5, 10.717743374166103, -0.88091041431502215, -49.82725920170533],
  ),
];

function describeInput(input: BlackScholesInput): string {
  return JSON.stringify(input);
}

/** The grid shared by parity, finite-difference and cross-check tests. */
function* grid(): Generator<BlackScholesInput> {
  for (const optionType of ["CALL", "PUT"] as const)
    for (const strike of [50, 80, 100, 120, 200])
      for (const timeToExpiry of [0.05, 0.5, 2])
        for (const volatility of [0.1, 0.5, 1.2])
          for (const rate of [0, 0.05])
            for (const dividendYield of [0, 0.03]) yield { optionType, spot: 100, strike, timeToExpiry, volatility, rate, dividendYield };
}

describe("blackScholes reference values", () => {
  it.each([...HULL, ...MPMATH])("$source", ({ input, expected }) => {
    const actual = blackScholes(input);
    for (const [greek, { value, tol }] of Object.entries(expected)) {
      expectClose(actual[greek as Greek], value, tol, `${greek} of ${describeInput(input)}`);
    }
  });
});

describe("blackScholes properties", () => {
  it("satisfies put–call parity C − P = S·e^(−qT) − K·e^(−rT) to 1e-12·S", () => {
    for (const input of grid()) {
      if (input.optionType === "PUT") continue;
      const { spot, strike, timeToExpiry: T, rate = 0, dividendYield = 0 } = input;
      const call = blackScholes(input).price;
      const put = blackScholes({ ...input, optionType: "PUT" }).price;
      expectClose(call - put, spot * Math.exp(-dividendYield * T) - strike * Math.exp(-rate * T), 1e-12 * spot, describeInput(input));
    }
  });

  it("agrees with an independent implementation (different normal CDF) to 1e-10·S", () => {
    for (const input of grid()) {
      const { optionType, spot, strike, timeToExpiry, volatility, rate, dividendYield } = input;
      const expected = referenceBlackScholesPrice(optionType, spot, strike, timeToExpiry, volatility, rate, dividendYield);
      expectClose(blackScholes(input).price, expected, 1e-10 * spot, describeInput(input));
    }
  });

  it("matches central finite differences of the price for every Greek", () => {
    const h = 1e-4; // relative bump
    const price = (input: BlackScholesInput) => blackScholes(input).price;
    for (const input of grid()) {
      const g = blackScholes(input);
      const { spot: S, volatility: v, timeToExpiry: T } = input;
      const rate = input.rate ?? 0;
      const dr = h * Math.max(Math.abs(rate), 0.01); // rates may be 0: bump by at least 1e-6
      const up = price({ ...input, spot: S * (1 + h) });
      const down = price({ ...input, spot: S * (1 - h) });
      const fd: Record<Exclude<Greek, "price">, number> = {
        delta: (up - down) / (2 * S * h),
        gamma: (up - 2 * g.price + down) / (S * h) ** 2,
        vega: ((price({ ...input, volatility: v * (1 + h) }) - price({ ...input, volatility: v * (1 - h) })) / (2 * v * h)) * 0.01,
        theta: -((price({ ...input, timeToExpiry: T * (1 + h) }) - price({ ...input, timeToExpiry: T * (1 - h) })) / (2 * T * h)) / 365,
        rho: ((price({ ...input, rate: rate + dr }) - price({ ...input, rate: rate - dr })) / (2 * dr)) * 0.01,
      };
      for (const [greek, expected] of Object.entries(fd)) {
        // 1e-5 relative, plus an absolute floor for Greeks that are ~0 (deep OTM).
        expectRelClose(g[greek as Greek], expected, 1e-5, `${greek} of ${describeInput(input)}`, 1e-8);
      }
    }
  });

  it("never lowers the price when volatility rises", () => {
    for (const input of grid()) {
      let previous = 0;
      for (let volatility = 0.01; volatility <= 3; volatility += 0.05) {
        const p = blackScholes({ ...input, volatility }).price;
        expect(p).toBeGreaterThanOrEqual(previous - 1e-12);
        previous = p;
      }
    }
  });
});

describe("blackScholes limits", () => {
  it("returns intrinsic value and limiting Greeks at expiry (T = 0)", () => {
    const cases: { input: BlackScholesInput; price: number; delta: number }[] = [
      { input: { optionType: "CALL", spot: 110, strike: 100, timeToExpiry: 0, volatility: 0.5 }, price: 10, delta: 1 },
      { input: { optionType: "CALL", spot: 90, strike: 100, timeToExpiry: 0, volatility: 0.5 }, price: 0, delta: 0 },
      { input: { optionType: "PUT", spot: 90, strike: 100, timeToExpiry: 0, volatility: 0.5 }, price: 10, delta: -1 },
      { input: { optionType: "PUT", spot: 110, strike: 100, timeToExpiry: 0, volatility: 0.5 }, price: 0, delta: 0 },
      { input: { optionType: "CALL", spot: 100, strike: 100, timeToExpiry: 0, volatility: 0.5 }, price: 0, delta: 0.5 },
    ];
    for (const { input, price, delta } of cases) {
      const expected: OptionGreeks = { price, delta, gamma: 0, vega: 0, theta: 0, rho: 0 };
      const actual = blackScholes(input);
      for (const greek of Object.keys(expected) as Greek[]) expectClose(actual[greek], expected[greek], 0, `${greek} of ${describeInput(input)}`);
    }
  });

  it("treats negative time (an expired instrument) as expiry in the kernel", () => {
    const out: OptionGreeks = { price: NaN, delta: NaN, gamma: NaN, vega: NaN, theta: NaN, rho: NaN };
    bsPriceGreeksInto(out, false, 80, 100, -0.1, 0.5, 0.05, 0);
    expect(out).toEqual({ price: 20, delta: -1, gamma: 0, vega: 0, theta: 0, rho: 0 });
    expect(bsPrice(true, 120, 100, -1, 0.5, 0, 0)).toBe(20);
  });

  it("stays finite for tiny volatility and tends to the discounted forward payoff", () => {
    const S = 100;
    const K = 95;
    const T = 0.5;
    const r = 0.05;
    const q = 0.01;
    for (const volatility of [1e-8, 1e-12, 1e-20, 1e-300]) {
      for (const optionType of ["CALL", "PUT"] as const) {
        for (const strike of [K, 100 * Math.exp((r - q) * T), 120]) {
          const g = blackScholes({ optionType, spot: S, strike, timeToExpiry: T, volatility, rate: r, dividendYield: q });
          for (const value of Object.values(g)) expect(Number.isFinite(value)).toBe(true);
        }
      }
      // In the money call: C → S·e^(−qT) − K·e^(−rT), Δ → e^(−qT), Γ, vega → 0.
      const call = blackScholes({ optionType: "CALL", spot: S, strike: K, timeToExpiry: T, volatility, rate: r, dividendYield: q });
      expectClose(call.price, S * Math.exp(-q * T) - K * Math.exp(-r * T), 1e-12, `ITM call price at σ=${volatility}`);
      expectClose(call.delta, Math.exp(-q * T), 1e-15, `ITM call delta at σ=${volatility}`);
      expect(call.gamma).toBe(0);
      expect(call.vega).toBe(0);
      // Θ = (q·S·e^(−qT) − r·K·e^(−rT))/365, ρ = K·T·e^(−rT)/100 (derivatives of the forward payoff).
      expectClose(call.theta, (q * S * Math.exp(-q * T) - r * K * Math.exp(-r * T)) / 365, 1e-14, "ITM call theta");
      expectClose(call.rho, (K * T * Math.exp(-r * T)) / 100, 1e-14, "ITM call rho");
    }
  });

  it("stays finite deep in and out of the money", () => {
    for (const strike of [1e-6, 1e-3, 1e6, 1e12]) {
      for (const optionType of ["CALL", "PUT"] as const) {
        const g = blackScholes({ optionType, spot: 100, strike, timeToExpiry: 1, volatility: 0.5, rate: 0.05 });
        for (const value of Object.values(g)) expect(Number.isFinite(value)).toBe(true);
      }
    }
    // Deep ITM call ≈ S − K·e^(−rT); deep OTM ≈ 0.
    expectClose(blackScholes({ optionType: "CALL", spot: 100, strike: 1e-3, timeToExpiry: 1, volatility: 0.5 }).price, 100 - 1e-3, 1e-12, "deep ITM");
    expect(blackScholes({ optionType: "CALL", spot: 100, strike: 1e12, timeToExpiry: 1, volatility: 0.5 }).price).toBe(0);
  });
});

describe("blackScholes input validation", () => {
  const valid: BlackScholesInput = { optionType: "CALL", spot: 100, strike: 100, timeToExpiry: 1, volatility: 0.5 };
  it.each([
    [{ volatility: -0.2 }, "volatility (-0.2) must be positive"],
    [{ volatility: 0 }, "volatility (0) must be positive"],
    [{ spot: 0 }, "spot (0) must be positive"],
    [{ strike: -5 }, "strike (-5) must be positive"],
    [{ timeToExpiry: -1 }, "timeToExpiry (-1) must be non-negative"],
    [{ spot: Number.NaN }, "spot (NaN) must be positive"],
    [{ rate: Infinity }, "rate (Infinity) must be a finite number"],
    [{ dividendYield: Number.NaN }, "dividendYield (NaN) must be a finite number"],
  ] as [Partial<BlackScholesInput>, string][])("rejects %o", (change, message) => {
    expect(() => blackScholes({ ...valid, ...change })).toThrow(EngineInputError);
    expect(() => blackScholes({ ...valid, ...change })).toThrow(message);
  });
});
