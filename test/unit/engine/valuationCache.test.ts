import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../../src/lib/mulberry32.js";
import {
  EngineInputError,
  computeMargin,
  createScenarioTable,
  defaultRiskParams,
  instrumentGreeks,
  instrumentMark,
  portfolioMargin,
  portfolioMarginWithTable,
  unitGreeks,
  valuePosition,
  valueUnit,
  type InstrumentSpec,
  type MarginUnitInput,
  type Market,
  type RiskParamsLookup,
} from "../../../src/engine/index.js";
import { coin, future, market, option, perp, position, unit, usdc } from "./helpers.js";

/**
 * The per-market pricing memo (src/engine/valuationCache.ts) must be invisible: every
 * number equals what pricing each position afresh gives, to the bit.
 */

const params = defaultRiskParams;

/** The same quotes in a new Market object (and new Map), so nothing memoized on `m` is reused. */
function freshCopy(m: Market): Market {
  return { asOfMs: m.asOfMs, quotes: new Map(m.quotes) };
}

const m = market({
  BTC: { spot: 100000, volatility: 0.55, rate: 0.04 },
  ETH: { spot: 3500, volatility: 0.7, rate: 0.03 },
});

const instruments: InstrumentSpec[] = [
  perp("BTC"),
  perp("ETH"),
  future("BTC", 90),
  option("BTC", "CALL", 110000, 30),
  option("BTC", "PUT", 90000, 7),
  option("BTC", "CALL", 100000, 180, { markVolatility: 0.7 }),
  option("ETH", "PUT", 3000, 14),
  option("ETH", "CALL", 4000, 60),
  option("ETH", "PUT", 3500, -1), // expired: intrinsic value
];

/** Units sharing instruments; each position gets its own copy of the spec, as the domain layer builds them. */
function randomUnits(count: number, seed: number): MarginUnitInput[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const positions = Array.from({ length: 6 }, () => {
      const spec = instruments[Math.floor(random() * instruments.length)];
      return position({ ...spec }, Math.round((random() - 0.5) * 20) / 2 || 1, 1000 * random());
    });
    return unit(i % 2 === 0 ? "CROSS" : "PORTFOLIO", [usdc(50000), coin("BTC", random())], positions);
  });
}

describe("per-market valuation memo", () => {
  const units = randomUnits(40, 5);

  it("values many units on one market exactly as each unit on a market of its own", () => {
    for (const book of units) {
      const own = freshCopy(m);
      expect(valueUnit(book, m)).toEqual(valueUnit(book, own));
      expect(unitGreeks(book, m)).toEqual(unitGreeks(book, own));
      for (const model of ["STANDARD", "PORTFOLIO"] as const) {
        expect(computeMargin(book, m, params, model)).toEqual(computeMargin(book, freshCopy(m), params, model));
      }
    }
  });

  it("gives each position the instrument's directly priced mark and Greeks", () => {
    for (const book of units) {
      for (const p of book.positions) expect(valuePosition(p, m).mark).toBe(instrumentMark(p.instrument, m));
      for (const greeks of unitGreeks(book, m)) {
        let delta = 0;
        let gamma = 0;
        for (const p of book.positions) {
          if (p.instrument.underlying !== greeks.underlying) continue;
          const direct = instrumentGreeks(p.instrument, freshCopy(m));
          delta += p.quantity * p.instrument.contractSize * direct.delta;
          gamma += p.quantity * p.instrument.contractSize * direct.gamma;
        }
        for (const c of book.collateral) if (c.underlying === greeks.underlying) delta += c.amount;
        expect(greeks.delta).toBe(delta);
        expect(greeks.gamma).toBe(gamma);
      }
    }
  });

  it("margins PORTFOLIO units through the shared grid exactly as through a table of their own", () => {
    for (const book of units) {
      const own = createScenarioTable(
        book.positions.map((p) => p.instrument),
        freshCopy(m),
        params,
      );
      expect(portfolioMargin(book, m, params)).toEqual(portfolioMarginWithTable(book, own));
    }
  });

  it("keeps specs that share a symbol apart (e.g. a shocked markVolatility)", () => {
    const plain = option("BTC", "CALL", 105000, 30);
    const shocked = { ...plain, markVolatility: 0.9 };
    const book = (spec: InstrumentSpec) => unit("PORTFOLIO", [], [position(spec, -1, 0)]);
    for (let i = 0; i < 3; i++) {
      for (const spec of [plain, shocked]) {
        expect(valuePosition(position(spec, 1, 0), m).mark).toBe(instrumentMark(spec, freshCopy(m)));
        expect(portfolioMargin(book(spec), m, params)).toEqual(portfolioMargin(book(spec), freshCopy(m), params));
      }
    }
    expect(instrumentMark(shocked, m)).toBeGreaterThan(instrumentMark(plain, m));
  });

  it("follows a market changed in place", () => {
    const moving = market({ BTC: { spot: 100000, volatility: 0.55 } });
    const spec = option("BTC", "PUT", 95000, 30);
    const before = valuePosition(position(spec, 1, 0), moving).mark;
    const quote = moving.quotes.get("BTC")!;
    quote.spot = 90000; // a caller editing the quote object…
    const afterSpot = valuePosition(position(spec, 1, 0), moving).mark;
    expect(afterSpot).toBe(instrumentMark(spec, freshCopy(moving)));
    expect(afterSpot).toBeGreaterThan(before);
    (moving.quotes as Map<string, typeof quote>).set("BTC", { ...quote, volatility: 0.8 }); // …or the map
    expect(valuePosition(position(spec, 1, 0), moving).mark).toBe(instrumentMark(spec, freshCopy(moving)));
    (moving as { asOfMs: number }).asOfMs += 10 * 86_400_000; // …or the valuation time
    expect(valuePosition(position(spec, 1, 0), moving).mark).toBe(instrumentMark(spec, freshCopy(moving)));
  });

  it("keeps grids of different risk parameters apart on one market", () => {
    const wide: RiskParamsLookup = (underlying) => ({ ...defaultRiskParams(underlying), portfolioRange: 0.3 });
    const book = unit("PORTFOLIO", [], [position(option("BTC", "PUT", 95000, 30), -2, 0), position(perp("BTC"), 1, 100000)]);
    const narrowMargin = portfolioMargin(book, m, params);
    const wideMargin = portfolioMargin(book, m, wide);
    expect(wideMargin.maintenance).toBeGreaterThan(narrowMargin.maintenance);
    expect(portfolioMargin(book, m, params)).toEqual(narrowMargin);
    expect(wideMargin).toEqual(portfolioMargin(book, freshCopy(m), wide));
  });

  it("never stores what does not price: bad input throws every time", () => {
    const broken = option("BTC", "CALL", 100000, 30, { strike: null, symbol: "BTC-BROKEN" });
    for (let i = 0; i < 2; i++) expect(() => valuePosition(position(broken, 1, 0), m)).toThrow(EngineInputError);
    const fixed = { ...broken, strike: 100000 };
    expect(valuePosition(position(fixed, 1, 0), m).mark).toBe(instrumentMark(fixed, m));
    const unquoted = perp("SOL");
    for (let i = 0; i < 2; i++) expect(() => valueUnit(unit("CROSS", [], [position(unquoted, 1, 100)]), m)).toThrow(EngineInputError);
  });
});
