import { describe, expect, it } from "vitest";
import { bsAtSpot, bsSpotTerms, type BsSpotValue } from "../../../src/engine/blackScholesKernel.js";
import { spotCurve } from "../../../src/engine/spotCurve.js";
import { mulberry32 } from "../../../src/lib/mulberry32.js";
import {
  bsPriceGreeksInto,
  computeMargin,
  defaultRiskParams,
  exposedUnderlyings,
  instrumentMark,
  withSpot,
  type InstrumentSpec,
  type MarginModel,
  type MarginUnitInput,
  type OptionGreeks,
} from "../../../src/engine/index.js";
import { coin, expectRelClose, future, market, option, perp, position, unit, usdc } from "./helpers.js";

/**
 * The liquidation search re-values one underlying's part of a unit (spotCurve) on top of
 * a constant rest. Rest + curve must be the full valuation at the moved spot, and the
 * kernel it prices options with must agree with the validated Black–Scholes.
 */

const params = defaultRiskParams;

describe("bsAtSpot (price and delta at many spots, shared terms)", () => {
  it("agrees with bsPriceGreeksInto on random inputs, expired and near-zero σ√T included", () => {
    const random = mulberry32(99);
    const greeks: OptionGreeks = { price: 0, delta: 0, gamma: 0, vega: 0, theta: 0, rho: 0 };
    const out: BsSpotValue = { price: 0, delta: 0, spotGamma: 0 };
    for (let i = 0; i < 2000; i++) {
      const isCall = random() < 0.5;
      const spot = 100 * (0.3 + 2 * random());
      const strike = 100;
      const years = i % 10 === 0 ? -0.01 : i % 10 === 1 ? 1e-40 : 0.001 + 2 * random();
      const volatility = 0.05 + 1.5 * random();
      const rate = 0.05 * random();
      bsPriceGreeksInto(greeks, isCall, spot, strike, years, volatility, rate, 0);
      bsAtSpot(out, bsSpotTerms(isCall, strike, years, volatility, rate), spot, Math.log(spot / strike), true);
      const label = `${isCall ? "call" : "put"} S=${spot} T=${years} σ=${volatility} r=${rate}`;
      expectRelClose(out.price, greeks.price, 1e-12, `${label} price`, 1e-12 * spot);
      expectRelClose(out.delta, greeks.delta, 1e-12, `${label} delta`, 1e-14);
      expectRelClose(out.spotGamma, spot * greeks.gamma, 1e-11, `${label} S·gamma`, 1e-14);
    }
  });
});

describe("spot curve of one underlying = full revaluation minus the rest", () => {
  const m = market({
    BTC: { spot: 100000, volatility: 0.55, rate: 0.04 },
    ETH: { spot: 3500, volatility: 0.7, rate: 0.03 },
  });
  const instruments: InstrumentSpec[] = [
    perp("BTC", { maintenanceMarginRate: 0.005 }),
    future("BTC", 60),
    option("BTC", "CALL", 110000, 30),
    option("BTC", "PUT", 90000, 7),
    option("BTC", "PUT", 99000, -2), // expired
    option("BTC", "CALL", 100000, 120, { markVolatility: 0.8 }),
    perp("ETH"),
    option("ETH", "CALL", 3800, 14),
  ];

  function randomBook(seed: number, mode: "CROSS" | "PORTFOLIO" | "ISOLATED"): MarginUnitInput {
    const random = mulberry32(seed);
    const positions = Array.from({ length: 7 }, () => {
      const spec = instruments[Math.floor(random() * instruments.length)];
      const isolatedMargin = mode === "ISOLATED" ? 5000 * random() : 0;
      return position(spec, (random() - 0.5) * 6, instrumentMark(spec, m) * (0.9 + 0.2 * random()), isolatedMargin);
    });
    return unit(mode, [usdc(30000), coin("BTC", random()), coin("ETH", 5 * random())], positions);
  }

  const shortfall = (book: MarginUnitInput, underlying: string, price: number, model: MarginModel) => {
    const margin = computeMargin(book, withSpot(m, underlying, price), params, model);
    return margin.equity - margin.maintenance;
  };

  it.each([
    ["PORTFOLIO", "PORTFOLIO", 1],
    ["PORTFOLIO", "PORTFOLIO", 2],
    ["CROSS", "STANDARD", 3],
    ["CROSS", "STANDARD", 4],
    ["ISOLATED", "PORTFOLIO", 5],
  ] as const)("%s book under %s (seed %s)", (mode, model, seed) => {
    const book = randomBook(seed, mode);
    for (const underlying of exposedUnderlyings(book)) {
      const rest = computeMargin(
        {
          mode,
          collateral: book.collateral.filter((c) => c.underlying !== underlying),
          positions: book.positions.filter((p) => p.instrument.underlying !== underlying),
        },
        m,
        params,
        model,
      );
      const curve = spotCurve(book.positions, book.collateral, underlying, m, params, model, "VALUE");
      const spot = m.quotes.get(underlying)!.spot;
      // Gross size of the book on this underlying, for an absolute tolerance.
      const scale = book.positions.reduce((sum, p) => sum + Math.abs(p.quantity) * spot, spot);
      for (const move of [0.2, 0.6, 0.93, 1, 1.07, 1.5, 4]) {
        const price = spot * move;
        const sample = curve.at(price);
        const label = `${underlying} at ${move}·S`;
        expectRelClose(rest.equity - rest.maintenance + sample.value, shortfall(book, underlying, price, model), 0, label, 1e-9 * scale);
        // Slope: one of the one-sided difference quotients (f has kinks).
        const h = 1e-5 * price;
        const at = shortfall(book, underlying, price, model);
        const left = (at - shortfall(book, underlying, price - h, model)) / h;
        const right = (shortfall(book, underlying, price + h, model) - at) / h;
        const near = (q: number) => Math.abs(sample.slope - q) <= 1e-3 * (Math.abs(q) + scale / spot);
        expect(near(left) || near(right), `${label} slope ${sample.slope} vs ${left} / ${right}`).toBe(true);
      }
    }
  });

  it("lists the strikes of expired options as jumps under PORTFOLIO only", () => {
    const book = unit("PORTFOLIO", [], [position(option("BTC", "PUT", 99000, -2), 1, 0), position(option("BTC", "CALL", 110000, 30), 1, 0)]);
    expect(spotCurve(book.positions, [], "BTC", m, params, "PORTFOLIO", "VALUE").breaks).toEqual([99000]);
    expect(spotCurve(book.positions, [], "BTC", m, params, "STANDARD", "VALUE").breaks).toEqual([]);
  });
});
