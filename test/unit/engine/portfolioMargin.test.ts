import { mulberry32 } from "../../../src/lib/mulberry32.js";
import { describe, expect, it } from "vitest";
import {
  EngineInputError,
  computeMargin,
  createScenarioTable,
  defaultRiskParams,
  portfolioMargin,
  portfolioMarginWithTable,
  spotMoves,
  volScenarios,
  type InstrumentSpec,
  type MarginUnitInput,
  type PositionInput,
} from "../../../src/engine/index.js";
import { coin, expectClose, future, market, option, perp, position, unit, usdc } from "./helpers.js";
import { referenceBlackScholesPrice, referenceNormCdf } from "./referenceBlackScholes.js";

const params = defaultRiskParams;

describe("PORTFOLIO grid", () => {
  it("has 13 spot moves from −R to +R in steps of R/6", () => {
    const moves = [...spotMoves(0.15)];
    expect(moves).toHaveLength(13);
    for (let i = 0; i < 13; i++) expectClose(moves[i], -0.15 + i * 0.025, 1e-15, `move ${i}`);
  });

  it("uses the default ranges BTC 15 %, ETH 20 %, others 25 %", () => {
    expect(params("BTC").portfolioRange).toBe(0.15);
    expect(params("ETH").portfolioRange).toBe(0.2);
    expect(params("SOL").portfolioRange).toBe(0.25);
    expect(params("SOL")).toMatchObject({ initialMarginRate: 0.02, maintenanceMarginRate: 0.01 });
  });

  it.each([
    // [σ, DTE, up, down] with s = (30/max(DTE,7))^p, p = 0.30 (DTE ≤ 30) or 0.13; up σ(1+0.45s), down σ(1−0.30s)
    [0.5, 30, 0.5 * 1.45, 0.5 * 0.7], // s = 1
    [0.5, 90, 0.695054850705107, 0.369963432863262], // s = (1/3)^0.13 = 0.86691
    [0.5, 3, 0.848168504872433, 0.26788766341837805], // DTE floored at 7: s = (30/7)^0.3 = 1.54742
    [0.012, 3, 0.012 * (1 + 0.45 * 1.5474155772108131), 0.01], // down 0.00643 floored at 1 %
  ])("scales σ=%s at DTE %s to up %s / down %s", (sigma, dte, up, down) => {
    const [u, base, d] = volScenarios(sigma, dte / 365);
    expectClose(u, up, 1e-14, "up");
    expect(base).toBe(sigma);
    expectClose(d, down, 1e-14, "down");
  });
});

describe("PORTFOLIO margin worked by hand", () => {
  /*
   * Book: 20 000 USDC, short 1 BTC call K = 100 000 expiring in 30 days, long 0.5 BTC perp
   * at 100 000 as a delta hedge. Market: S = 100 000, σ = 60 %, r = 0.
   * Grid: R = 0.15 → m ∈ {−15 %, −12.5 %, …, +15 %}; DTE 30 → p = 0.30, s = 1 →
   * σ ∈ {87 %, 60 %, 42 %}. Call at market: 6 853.94 (BS, T = 30/365).
   * Scenario P&L = −[C(S(1+m), σ') − 6 853.94] + 0.5·S·m. Worst: m = +15 %, σ' = 87 %:
   * C = 19 789.84, P&L = −(19 789.84 − 6 853.94) + 0.5·15 000 = −12 935.90 + 7 500
   * = −5 435.90 (mpmath). Net delta = 0.5 − N(d₁) = 0.5 − 0.534270 = −0.034270.
   * MM = 5 435.90 + 0.01·0.034270·100 000 + 0.002·1·100 000 = 5 435.90 + 34.27 + 200
   *    = 5 670.17; IM = 1.25·MM = 7 087.72.
   * STANDARD for comparison: MM = 0.5·100 000·1 % + 100 000·7.5 % = 8 000.
   */
  const S = 100000;
  const sigma = 0.6;
  const years = 30 / 365;
  const call = option("BTC", "CALL", 100000, 30);
  const book = unit("PORTFOLIO", [usdc(20000)], [position(call, -1, 6853.94), position(perp("BTC"), 0.5, 100000)]);
  const m = market({ BTC: { spot: S, volatility: sigma } });

  /** Straightforward loops with the independent reference pricer. */
  function expectedMaintenance(): { worstLoss: number; netDelta: number; maintenance: number } {
    const base = referenceBlackScholesPrice("CALL", S, 100000, years, sigma);
    let worst = 0;
    for (let i = 0; i <= 12; i++) {
      const move = ((i - 6) * 0.15) / 6;
      for (const vol of [sigma * 1.45, sigma, sigma * 0.7]) {
        const pnl = -(referenceBlackScholesPrice("CALL", S * (1 + move), 100000, years, vol) - base) + 0.5 * S * move;
        worst = Math.min(worst, pnl);
      }
    }
    const d1 = (Math.log(S / 100000) + 0.5 * sigma * sigma * years) / (sigma * Math.sqrt(years));
    const netDelta = 0.5 - referenceNormCdf(d1);
    return { worstLoss: -worst, netDelta, maintenance: -worst + 0.01 * Math.abs(netDelta) * S + 0.002 * 1 * S };
  }

  it("matches the straightforward grid computation", () => {
    const expected = expectedMaintenance();
    const result = portfolioMargin(book, m, params);
    expect(result.byUnderlying).toHaveLength(1);
    const [btc] = result.byUnderlying;
    expectClose(btc.worstLoss, expected.worstLoss, 1e-7, "worst loss");
    expectClose(btc.netDelta, expected.netDelta, 1e-12, "net delta");
    expect(btc.shortOptionUnits).toBe(1);
    expectClose(result.maintenance, expected.maintenance, 1e-7, "MM");
    expectClose(result.initial, 1.25 * expected.maintenance, 1e-7, "IM");
  });

  it("matches the hand-rounded numbers", () => {
    const result = portfolioMargin(book, m, params);
    expectClose(result.byUnderlying[0].worstLoss, 5435.90, 0.01, "worst loss");
    expectClose(result.maintenance, 5670.17, 0.01, "MM");
    expectClose(result.initial, 7087.72, 0.01, "IM");
  });

  it("needs less than STANDARD for this hedged short call", () => {
    const standard = computeMargin(book, m, params, "STANDARD");
    expect(standard.maintenance).toBe(8000);
    expect(portfolioMargin(book, m, params).maintenance).toBeLessThan(standard.maintenance);
  });
});

describe("PORTFOLIO margin: collateral and underlyings", () => {
  const m = market({ BTC: { spot: 100000 }, ETH: { spot: 2000 } });

  it("moves collateral of the underlying at its full amount on the grid and in net delta", () => {
    // 2 BTC held (5 % haircut) against short 2 BTC perps: grid P&L 2·S·m − 2·S·m = 0, net delta 0.
    const hedged = unit("PORTFOLIO", [coin("BTC", 2)], [position(perp("BTC"), -2, 100000)]);
    expect(portfolioMargin(hedged, m, params).maintenance).toBe(0);
    // 1 BTC alone: worst loss 15 %·100 000 + 1 %·1·100 000 = 16 000.
    expectClose(portfolioMargin(unit("PORTFOLIO", [coin("BTC", 1)], []), m, params).maintenance, 16000, 1e-9, "1 BTC");
  });

  it("adds underlyings without offsetting them", () => {
    // Long 1 BTC perp: 15 000 + 1 000. Short 10 ETH perp: 20 %·20 000 + 1 %·20 000 = 4 200.
    const book = unit("PORTFOLIO", [usdc(50000)], [position(perp("BTC"), 1, 100000), position(perp("ETH"), -10, 2000)]);
    const result = portfolioMargin(book, m, params);
    expect(result.byUnderlying.map((u) => u.underlying)).toEqual(["BTC", "ETH"]);
    expectClose(result.byUnderlying[0].maintenance, 16000, 1e-9, "BTC");
    expectClose(result.byUnderlying[1].maintenance, 4200, 1e-9, "ETH");
    expectClose(result.maintenance, 20200, 1e-9, "total");
    expectClose(result.initial, 25250, 1e-9, "IM = 1.25·MM");
  });

  it("gives a delta-neutral perp/future calendar spread far less margin than STANDARD", () => {
    // r = 0: future mark = spot, so the grid P&L of +10 perp / −10 future is 0 everywhere.
    const book = unit("PORTFOLIO", [usdc(10000)], [position(perp("BTC"), 10, 100000), position(future("BTC", 90), -10, 100000)]);
    const pm = portfolioMargin(book, m, params).maintenance;
    const standard = computeMargin(book, m, params, "STANDARD").maintenance; // 2 legs × 1 % × 1 000 000
    expect(standard).toBe(20000);
    expect(pm).toBe(0);
  });
});

describe("PORTFOLIO margin properties", () => {
  const m = market({ BTC: { spot: 100000, volatility: 0.6, rate: 0.03 }, ETH: { spot: 3000, volatility: 0.8 } });
  const instruments: InstrumentSpec[] = [
    perp("BTC"),
    future("BTC", 60),
    perp("ETH"),
    ...[80000, 100000, 120000].flatMap((k) => [option("BTC", "CALL", k, 14), option("BTC", "PUT", k, 90)]),
    ...[2500, 3500].flatMap((k) => [option("ETH", "CALL", k, 45), option("ETH", "PUT", k, 5)]),
  ];
  const random = mulberry32(42);
  const randomBook = (): MarginUnitInput => {
    const positions: PositionInput[] = [];
    for (let i = 0; i < 6; i++) {
      const instrument = instruments[Math.floor(random() * instruments.length)];
      positions.push(position(instrument, Math.round((random() - 0.5) * 20) / 2 || 1, 100));
    }
    return unit("PORTFOLIO", [usdc(1e6), coin("BTC", random() * 2)], positions);
  };

  it("is never negative", () => {
    for (let n = 0; n < 200; n++) {
      const result = portfolioMargin(randomBook(), m, params);
      expect(result.maintenance).toBeGreaterThanOrEqual(0);
      for (const u of result.byUnderlying) expect(u.worstLoss).toBeGreaterThanOrEqual(0);
    }
  });

  it("adding a long option raises it by at most that option's own margin (subadditive)", () => {
    for (let n = 0; n < 100; n++) {
      const book = randomBook();
      const longOption = position(instruments[3 + Math.floor(random() * 10)], 1 + Math.floor(random() * 3), 100);
      const before = portfolioMargin(book, m, params).maintenance;
      const after = portfolioMargin({ ...book, positions: [...book.positions, longOption] }, m, params).maintenance;
      const alone = portfolioMargin(unit("PORTFOLIO", [], [longOption]), m, params).maintenance;
      expect(after).toBeLessThanOrEqual(before + alone + 1e-6);
    }
  });

  it("adding a long call against a short call (a call spread) lowers it", () => {
    const shortCall = position(option("BTC", "CALL", 100000, 14), -1, 100);
    const longCall = position(option("BTC", "CALL", 120000, 14), 1, 100);
    const naked = portfolioMargin(unit("PORTFOLIO", [], [shortCall]), m, params).maintenance;
    const spread = portfolioMargin(unit("PORTFOLIO", [], [shortCall, longCall]), m, params).maintenance;
    expect(spread).toBeLessThan(naked);
  });

  it("gives the same answer through a shared table as through the one-unit path", () => {
    const table = createScenarioTable(instruments, m, params);
    for (let n = 0; n < 50; n++) {
      const book = randomBook();
      expect(portfolioMarginWithTable(book, table)).toEqual(portfolioMargin(book, m, params));
    }
  });

  it("rejects a position whose instrument is not in the table", () => {
    const table = createScenarioTable([perp("BTC")], m, params);
    expect(() => portfolioMarginWithTable(unit("PORTFOLIO", [], [position(perp("ETH"), 1, 3000)]), table)).toThrow(
      EngineInputError,
    );
  });
});
