import { mulberry32 } from "../../../src/lib/mulberry32.js";
import { describe, expect, it } from "vitest";
import {
  MARGIN_MODELS,
  buildHistoricalEsScenarios,
  computeMargin,
  createHistoricalEsTable,
  defaultRiskParams,
  esTailSize,
  exposedUnderlyings,
  historicalEsMarginWithTable,
  historicalEsPnl,
  instrumentMark,
  marginAttribution,
  modelMargin,
  type InstrumentSpec,
  type MarginMode,
  type MarginModel,
  type MarginUnitInput,
  type PriceHistory,
} from "../../../src/engine/index.js";
import { coin, expectClose, expectRelClose, future, market, option, perp, position, unit, usdc } from "./helpers.js";
import { dailyDates } from "./historyBuilders.js";
import { referenceBlackScholesPrice, referenceNormCdf } from "./referenceBlackScholes.js";

const params = defaultRiskParams;
const MODELS: MarginModel[] = ["STANDARD", "PORTFOLIO", "HISTORICAL_ES", "SENSITIVITY"];
const SPOTS: Record<string, number> = { BTC: 100_000, ETH: 4000, SOL: 200 };
const m = market({
  BTC: { spot: SPOTS.BTC, volatility: 0.55, rate: 0.03 },
  ETH: { spot: SPOTS.ETH, volatility: 0.7, rate: 0.03 },
  SOL: { spot: SPOTS.SOL, volatility: 0.9, rate: 0.03 },
});

/**
 * 800 daily closes to 2025-01-01 (from 2022-10-25, so the 2022-11 crisis window is in the
 * STRESSED set) with correlated normal returns: ETH and SOL load 0.85 and 0.7 on BTC's.
 */
function syntheticHistory(seed: number): PriceHistory {
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const dates = dailyDates("2022-10-25", 800);
  expect(dates[799]).toBe("2025-01-01");
  const closes = { BTC: [30_000], ETH: [1500], SOL: [30] };
  for (let i = 1; i < dates.length; i++) {
    const common = normal();
    const moves = {
      BTC: 0.03 * common,
      ETH: 0.04 * (0.85 * common + Math.sqrt(1 - 0.85 ** 2) * normal()),
      SOL: 0.05 * (0.7 * common + Math.sqrt(1 - 0.7 ** 2) * normal()),
    };
    for (const u of ["BTC", "ETH", "SOL"] as const) closes[u].push(closes[u][i - 1] * (1 + moves[u]));
  }
  return { dates, closes: new Map(Object.entries(closes)) };
}

const history = syntheticHistory(99);

function instrumentPool(): InstrumentSpec[] {
  const pool: InstrumentSpec[] = [];
  for (const u of ["BTC", "ETH", "SOL"]) {
    pool.push(perp(u), future(u, 30), future(u, 120));
    for (const days of [7, 45, 180]) {
      for (const moneyness of [0.8, 1, 1.2]) {
        pool.push(option(u, "CALL", SPOTS[u] * moneyness, days), option(u, "PUT", SPOTS[u] * moneyness, days));
      }
    }
  }
  return pool;
}
const pool = instrumentPool();

function randomBook(random: () => number, mode: MarginMode): MarginUnitInput {
  const chosen = new Set<InstrumentSpec>();
  const count = 1 + Math.floor(random() * 8);
  while (chosen.size < count) chosen.add(pool[Math.floor(random() * pool.length)]);
  const positions = [...chosen].map((instrument) => {
    const notional = 1000 + 200_000 * random();
    const quantity = ((random() < 0.5 ? -1 : 1) * notional) / SPOTS[instrument.underlying];
    const averagePrice = instrumentMark(instrument, m) * (0.9 + 0.2 * random());
    return position(instrument, quantity, averagePrice, mode === "ISOLATED" ? 5000 * random() : 0);
  });
  const collateral = [usdc(100_000 * random())];
  if (mode !== "ISOLATED" && random() < 0.5) collateral.push(coin("BTC", 2 * random() - 0.5));
  if (mode !== "ISOLATED" && random() < 0.3) collateral.push(coin("ETH", 20 * random()));
  return unit(mode, collateral, positions);
}

const random = mulberry32(4242);
const books: MarginUnitInput[] = [];
for (let i = 0; i < 20; i++) for (const mode of ["CROSS", "ISOLATED", "PORTFOLIO"] as const) books.push(randomBook(random, mode));
books.push(unit("CROSS", [usdc(1000)], [])); // exposed to nothing
books.push(unit("CROSS", [coin("BTC", 1)], [position(perp("BTC"), -1, SPOTS.BTC)])); // fully hedged collateral

describe("margin attribution adds up (every model, random books)", () => {
  it.each(MODELS)("%s: components sum to maintenance within 1e-9 relative; margin ≥ 0 and IM ≥ MM", (model) => {
    books.forEach((book, i) => {
      const result = modelMargin(book, m, params, model, history);
      const label = `${model} book ${i} (${book.mode}, ${book.positions.length} positions)`;
      const total = result.attribution.components.reduce((sum, c) => sum + c.amount, 0);
      expectRelClose(total, result.maintenance, 1e-9, `${label}: Σ components`, 1e-9);
      expect(result.maintenance, label).toBeGreaterThanOrEqual(0);
      expect(result.initial, label).toBeGreaterThanOrEqual(result.maintenance);
      // The level-facing computeMargin gives the same requirement.
      const margin = computeMargin(book, m, params, model, history);
      expectRelClose(margin.maintenance, result.maintenance, 1e-12, `${label}: computeMargin`, 1e-12);
      expectRelClose(margin.initial, result.initial, 1e-12, `${label}: computeMargin IM`, 1e-12);
      for (const c of result.attribution.components) {
        if (c.kind === "POSITION") expect(c.instrument, label).not.toBeNull();
        if (c.kind === "COLLATERAL") expect(c.asset, label).not.toBeNull();
        if (c.kind !== "POSITION" && c.kind !== "COLLATERAL") expect([c.instrument, c.asset], label).toEqual([null, null]);
      }
    });
  });

  it("registers exactly the four models", () => {
    expect(Object.keys(MARGIN_MODELS).sort()).toEqual([...MODELS].sort());
  });
});

describe("HISTORICAL_ES properties", () => {
  it("ES is never below VaR at 97.5 % on the same scenario set", () => {
    for (const book of books) {
      const underlyings = exposedUnderlyings(book);
      if (underlyings.length === 0) continue;
      const set = buildHistoricalEsScenarios(history, underlyings, "2025-01-01");
      const table = createHistoricalEsTable(book.positions.map((p) => p.instrument), m, set);
      const result = historicalEsMarginWithTable(book, table);
      const { pnl } = historicalEsPnl(book, table);
      const parts = [
        [result.filtered.expectedShortfall, pnl.slice(0, set.filteredCount)],
        [result.stressed.expectedShortfall, pnl.slice(set.filteredCount)],
      ] as const;
      expect(set.count - set.filteredCount).toBe(7); // 2022-11-24 (row 30, the first with a σ) … 11-30
      for (const [es, sample] of parts) {
        const sorted = Float64Array.from(sample).sort();
        const k = esTailSize(sorted.length);
        const valueAtRisk = 0 - sorted[k - 1];
        expect(es).toBeGreaterThanOrEqual(valueAtRisk - 1e-9 * Math.abs(valueAtRisk));
        let tail = 0;
        for (let i = 0; i < k; i++) tail += sorted[i];
        expectRelClose(es, Math.max(0, -tail / k), 1e-12, "ES = −mean of the k lowest", 1e-12);
      }
    }
  });

  it.each(["HISTORICAL_ES", "SENSITIVITY"] as const)(
    "%s: a hedged cross-underlying pair needs less than the sum of its legs",
    (model) => {
      const longBtc = position(perp("BTC"), 1, SPOTS.BTC);
      const shortEth = position(perp("ETH"), -25, SPOTS.ETH);
      const pair = modelMargin(unit("CROSS", [], [longBtc, shortEth]), m, params, model, history).maintenance;
      const legs =
        modelMargin(unit("CROSS", [], [longBtc]), m, params, model, history).maintenance +
        modelMargin(unit("CROSS", [], [shortEth]), m, params, model, history).maintenance;
      expect(pair).toBeGreaterThan(0);
      expect(pair).toBeLessThan(0.8 * legs);
    },
  );

  it("a hedge's Euler component is negative", () => {
    // Long 100 000 USD of BTC against short 40 000 USD of ETH: the tail is BTC's worst days,
    // on which the correlated short ETH leg gains, so its part is negative.
    const book = unit("CROSS", [], [position(perp("BTC"), 1, SPOTS.BTC), position(perp("ETH"), -10, SPOTS.ETH)]);
    const { components } = marginAttribution(book, m, params, "HISTORICAL_ES", history);
    expect(components[0].amount).toBeGreaterThan(0);
    expect(components[1].amount).toBeLessThan(0);
  });
});

describe("attribution worked by hand", () => {
  it("STANDARD: one POSITION component per position, its own MM (ISOLATED alike)", () => {
    // Long 1 BTC perp at 100 000: 1 % → 1 000; short 1 ETH call K 4 000: 7.5 %·4 000 = 300; long put: 0.
    for (const mode of ["CROSS", "ISOLATED"] as const) {
      const book = unit(mode, [usdc(10_000)], [
        position(perp("BTC"), 1, 100_000, mode === "ISOLATED" ? 2000 : 0),
        position(option("ETH", "CALL", 4000, 30), -1, 200, mode === "ISOLATED" ? 400 : 0),
        position(option("ETH", "PUT", 3000, 30), 2, 50),
      ]);
      const { components, scenarios } = marginAttribution(book, m, params, "STANDARD");
      expect(scenarios).toEqual([]);
      expect(components.map((c) => [c.kind, c.underlying, c.instrument, c.asset])).toEqual([
        ["POSITION", "BTC", "BTC-PERP", null],
        ["POSITION", "ETH", "ETH-30D-4000-C", null],
        ["POSITION", "ETH", "ETH-30D-3000-P", null],
      ]);
      expectClose(components[0].amount, 1000, 1e-9, `${mode} perp`);
      expectClose(components[1].amount, 300, 1e-9, `${mode} short call`);
      expect(components[2].amount).toBe(0);
    }
  });

  it("PORTFOLIO: the worst grid point's P&L per position plus the add-ons", () => {
    // DESIGN-style book (portfolioMargin.test.ts): short 1 BTC call K 100 000, 30 days, and long
    // 0.5 BTC perp; S = 100 000, σ = 60 %, r = 0. Worst point m = +15 %, σ' = 87 % (UP):
    // call −(C(115 000, 87 %) − C(100 000, 60 %)) = −12 935.90, perp 0.5·15 000 = 7 500.
    const S = 100_000;
    const years = 30 / 365;
    const bm = market({ BTC: { spot: S, volatility: 0.6 } });
    const call = option("BTC", "CALL", 100_000, 30);
    const book = unit("PORTFOLIO", [usdc(20_000)], [position(call, -1, 6853.94), position(perp("BTC"), 0.5, S)]);
    const callLoss = referenceBlackScholesPrice("CALL", 1.15 * S, S, years, 0.87) - referenceBlackScholesPrice("CALL", S, S, years, 0.6);
    const d1 = (0.5 * 0.36 * years) / (0.6 * Math.sqrt(years));
    const netDelta = 0.5 - referenceNormCdf(d1);
    const { components, scenarios } = marginAttribution(book, bm, params, "PORTFOLIO");
    expect(components.map((c) => c.kind)).toEqual(["POSITION", "POSITION", "DELTA_ADDON", "SHORT_OPTION_ADDON"]);
    expectRelClose(components[0].amount, callLoss, 1e-9, "call");
    expectRelClose(components[1].amount, -7500, 1e-9, "perp");
    expectRelClose(components[2].amount, 0.01 * Math.abs(netDelta) * S, 1e-9, "delta add-on");
    expectRelClose(components[3].amount, 200, 1e-12, "short option add-on");
    expect(scenarios).toHaveLength(1);
    expect(scenarios[0]).toMatchObject({ set: "GRID", underlying: "BTC", date: null, volBranch: "UP" });
    expectClose(scenarios[0].spotMoves[0].spotMove, 0.15, 1e-15, "grid move");
    expectRelClose(scenarios[0].pnl, 7500 - callLoss, 1e-9, "worst P&L");
  });

  it("PORTFOLIO: no position components for an underlying that cannot lose on the grid", () => {
    // Long 1 BTC perp against −1 BTC of collateral: every grid P&L is exactly 0.
    const book = unit("PORTFOLIO", [coin("BTC", -1, 0)], [position(perp("BTC"), 1, 100_000)]);
    const { components, scenarios } = marginAttribution(book, m, params, "PORTFOLIO");
    expect(scenarios).toEqual([]);
    expect(components.map((c) => [c.kind, c.amount])).toEqual([
      ["DELTA_ADDON", 0],
      ["SHORT_OPTION_ADDON", 0],
    ]);
  });
});
