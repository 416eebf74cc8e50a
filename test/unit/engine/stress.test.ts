import { describe, expect, it } from "vitest";
import {
  EngineInputError,
  HISTORICAL_SCENARIOS,
  applyShocks,
  defaultRiskParams,
  historicalScenario,
  namedScenarioShocks,
  shocksBetween,
  stressTest,
  type PriceHistory,
} from "../../../src/engine/index.js";
import { coin, expectClose, market, option, perp, position, unit, usdc } from "./helpers.js";
import { referenceBlackScholesPrice } from "./referenceBlackScholes.js";

const params = defaultRiskParams;

/** Rows copied from data/crypto-daily-close-usd.csv (CoinGecko closes) around the named scenarios. */
const CLOSES: PriceHistory = {
  dates: ["2020-03-12", "2020-03-13", "2022-05-07", "2022-05-12", "2022-11-08", "2022-11-10"],
  closes: new Map<string, (number | null)[]>([
    ["BTC", [7935.52204, 5142.990459, 36116.39429, 28913.48836, 20597.75502, 15742.44434]],
    ["ETH", [194.2179412, 110.5978978, 2699.707247, 2080.910244, 1569.988636, 1095.183977]],
    ["SOL", [null, null, 81.76031251, 50.32055765, 29.5493172, 14.00407006]],
  ]),
};

describe("named historical scenarios", () => {
  it("lists COVID_2020, LUNA_2022 and FTX_2022 with their dates", () => {
    expect(HISTORICAL_SCENARIOS.map(({ name, from, to }) => [name, from, to])).toEqual([
      ["COVID_2020", "2020-03-12", "2020-03-13"],
      ["LUNA_2022", "2022-05-07", "2022-05-12"],
      ["FTX_2022", "2022-11-08", "2022-11-10"],
    ]);
    expect(() => historicalScenario("DOTCOM_2000")).toThrow(EngineInputError);
  });

  it("builds spot moves close(to)/close(from) − 1 for underlyings with both closes", () => {
    const covid = namedScenarioShocks("COVID_2020", CLOSES);
    // SOL has no 2020 closes: no shock.
    expect(covid.map((s) => s.underlying)).toEqual(["BTC", "ETH"]);
    expectClose(covid[0].spotMove, 5142.990459 / 7935.52204 - 1, 1e-15, "BTC −35.2 %");
    expect(covid[0].volMove).toBe(0);
    const ftx = shocksBetween(CLOSES, "2022-11-08", "2022-11-10");
    expectClose(ftx.find((s) => s.underlying === "SOL")?.spotMove ?? NaN, 14.00407006 / 29.5493172 - 1, 1e-15, "SOL −52.6 %");
    expect(() => shocksBetween(CLOSES, "2021-01-01", "2022-11-10")).toThrow("price history has no row for 2021-01-01");
  });
});

describe("stressTest", () => {
  it("replays COVID_2020 on a long BTC perp: P&L = 5 142.99 − 7 935.52", () => {
    // Market at the 12 March close, long 1 BTC perp bought there, 3 000 USDC.
    // After: spot 5 142.990459, P&L −2 792.531581, equity 207.468419,
    // MM 1 %·5 142.990459 = 51.42990459, ratio 0.2479 → HEALTHY.
    const m = market({ BTC: { spot: 7935.52204 }, ETH: { spot: 194.2179412 } });
    const book = unit("CROSS", [usdc(3000)], [position(perp("BTC"), 1, 7935.52204)]);
    const result = stressTest(book, m, namedScenarioShocks("COVID_2020", CLOSES), params);
    expectClose(result.pnl, 5142.990459 - 7935.52204, 1e-8, "P&L");
    expectClose(result.equity, 3000 + 5142.990459 - 7935.52204, 1e-8, "equity");
    expectClose(result.maintenance, 51.42990459, 1e-9, "MM");
    expectClose(result.ratio, 51.42990459 / 207.468419, 1e-9, "ratio");
    expect(result.level).toBe("HEALTHY");
  });

  it("applies relative moves at today's spot and can push a book into liquidation", () => {
    // FTX: BTC × 15 742.44434/20 597.75502 on a 100 000 spot; 1 BTC perp long at 100 000, 10 000 USDC:
    // P&L = 100 000·(0.764278… − 1) = −23 572.2…, equity < 0 → ratio ∞ → LIQUIDATION.
    const m = market({ BTC: { spot: 100000 } });
    const book = unit("CROSS", [usdc(10000)], [position(perp("BTC"), 1, 100000)]);
    const result = stressTest(book, m, namedScenarioShocks("FTX_2022", CLOSES), params);
    expectClose(result.pnl, 100000 * (15742.44434 / 20597.75502 - 1), 1e-8, "P&L");
    expect(result.ratio).toBe(Infinity);
    expect(result.level).toBe("LIQUIDATION");
  });

  it("revalues options at the shocked spot and vol, own markVolatility included", () => {
    // Short 2 BTC calls K 110 000, 60 days, markVolatility 70 % (quote 50 %); BTC −20 %, vol +50 %.
    // P&L = −2·[C(80 000, 105 %) − C(100 000, 70 %)], both by the reference pricer; plus 1 BTC collateral
    // (5 % haircut): 0.95·(80 000 − 100 000) = −19 000.
    const m = market({ BTC: { spot: 100000, volatility: 0.5, rate: 0.02 } });
    const call = option("BTC", "CALL", 110000, 60, { markVolatility: 0.7 });
    const book = unit("CROSS", [usdc(50000), coin("BTC", 1)], [position(call, -2, 3000)]);
    const result = stressTest(book, m, [{ underlying: "BTC", spotMove: -0.2, volMove: 0.5 }], params);
    const before = referenceBlackScholesPrice("CALL", 100000, 110000, 60 / 365, 0.7, 0.02);
    const after = referenceBlackScholesPrice("CALL", 80000, 110000, 60 / 365, 1.05, 0.02);
    expectClose(result.pnl, -2 * (after - before) - 19000, 1e-6, "P&L");
  });

  it("uses the unit's own model on the shocked market", () => {
    // PORTFOLIO unit, long 1 BTC perp, BTC +10 %: MM = 15 %·110 000 + 1 %·110 000 = 17 600.
    const m = market({ BTC: { spot: 100000 } });
    const book = unit("PORTFOLIO", [usdc(50000)], [position(perp("BTC"), 1, 100000)]);
    const result = stressTest(book, m, [{ underlying: "BTC", spotMove: 0.1 }], params);
    expectClose(result.maintenance, 17600, 1e-8, "PORTFOLIO MM");
    expectClose(result.equity, 60000, 1e-9, "equity");
    expectClose(stressTest(book, m, [{ underlying: "BTC", spotMove: 0.1 }], params, "STANDARD").maintenance, 1100, 1e-9, "STANDARD MM");
  });

  it("skips shocks on underlyings the market does not quote", () => {
    const m = market({ BTC: { spot: 100000 } });
    const book = unit("CROSS", [usdc(1000)], [position(perp("BTC"), 1, 100000)]);
    expect(stressTest(book, m, [{ underlying: "XRP", spotMove: -0.5 }], params).pnl).toBe(0);
  });

  it("rejects moves that would make spot or volatility non-positive, and duplicates", () => {
    const m = market({ BTC: { spot: 100000 } });
    const book = unit("CROSS", [usdc(1000)], []);
    expect(() => stressTest(book, m, [{ underlying: "BTC", spotMove: -1 }], params)).toThrow("BTC spotMove (-1) must be above -1");
    expect(() => stressTest(book, m, [{ underlying: "BTC", spotMove: 0, volMove: -1.2 }], params)).toThrow(EngineInputError);
    expect(() =>
      stressTest(book, m, [{ underlying: "BTC", spotMove: 0.1 }, { underlying: "BTC", spotMove: 0.2 }], params),
    ).toThrow('underlying "BTC" is shocked more than once');
  });

  it("leaves the input book and market untouched", () => {
    const m = market({ BTC: { spot: 100000 } });
    const call = option("BTC", "CALL", 110000, 60, { markVolatility: 0.7 });
    const book = unit("CROSS", [], [position(call, 1, 0)]);
    const shocked = applyShocks(book, m, [{ underlying: "BTC", spotMove: 0.1, volMove: 0.2 }]);
    expectClose(shocked.unit.positions[0].instrument.markVolatility ?? NaN, 0.84, 1e-15, "0.7 × 1.2");
    expect(book.positions[0].instrument.markVolatility).toBe(0.7);
    expect(m.quotes.get("BTC")?.spot).toBe(100000);
  });
});
