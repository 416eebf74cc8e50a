import { describe, expect, it } from "vitest";
import {
  computeMargin,
  crossStandardMargin,
  defaultModel,
  defaultRiskParams,
  isolatedInitialMargin,
  valueUnit,
  type RiskParamsLookup,
} from "../../../src/engine/index.js";
import { expectClose, future, market, option, perp, position, unit, usdc } from "./helpers.js";
import { referenceBlackScholesPrice } from "./referenceBlackScholes.js";

const params: RiskParamsLookup = defaultRiskParams;
const btc = market({ BTC: { spot: 100000, rate: 0.05 }, ETH: { spot: 2200 } });

/** STANDARD IM and MM of a one-position CROSS book. */
function margins(...positions: ReturnType<typeof position>[]) {
  return crossStandardMargin(valueUnit(unit("CROSS", [], positions), btc), params);
}

describe("STANDARD margin per position", () => {
  it("charges perps |q|·cs·mark·rate at the default 2 % / 1 %", () => {
    // 2 BTC × 100 000: IM 4 000, MM 2 000 (also for a short)
    expect(margins(position(perp("BTC"), 2, 100000))).toEqual({ initial: 4000, maintenance: 2000 });
    expect(margins(position(perp("BTC"), -2, 100000))).toEqual({ initial: 4000, maintenance: 2000 });
  });

  it("uses the instrument's own rates on the future's mark", () => {
    // mark 100 000·e^(0.05·0.5) = 102 531.51205; IM 5 %, MM 2.5 % of |−1|·0.5 contracts
    const fut = future("BTC", 182.5, { contractSize: 0.5, initialMarginRate: 0.05, maintenanceMarginRate: 0.025 });
    const m = margins(position(fut, -1, 100000));
    expectClose(m.initial, 0.5 * 102531.5120524429 * 0.05, 1e-8, "future IM");
    expectClose(m.maintenance, 0.5 * 102531.5120524429 * 0.025, 1e-8, "future MM");
  });

  it.each([
    // [type, strike, IM rate]: OTM = max(0, K − S) calls, max(0, S − K) puts; rate max(0.15 − OTM/S, 0.10)
    ["CALL", 110000, 0.1], // OTM 10 %: 0.05 → floor 0.10
    ["CALL", 102000, 0.13], // OTM 2 %
    ["CALL", 90000, 0.15], // ITM: OTM 0
    ["PUT", 90000, 0.1], // OTM 10 %
    ["PUT", 97000, 0.12], // OTM 3 %
    ["PUT", 110000, 0.15], // ITM
  ] as const)("charges a short %s at K=%s an IM rate of %s of S", (type, strike, rate) => {
    // 3 contracts × 0.1 BTC = 0.3 BTC of notional at S = 100 000 → 30 000 USD
    const m = margins(position(option("BTC", type, strike, 30, { contractSize: 0.1 }), -3, 1000));
    expectClose(m.initial, 30000 * rate, 1e-9, "IM");
    expectClose(m.maintenance, 30000 * 0.075, 1e-9, "MM 7.5 %");
  });

  it("charges nothing for long options", () => {
    expect(margins(position(option("BTC", "CALL", 100000, 30), 5, 1000))).toEqual({ initial: 0, maintenance: 0 });
  });

  it("adds up in CROSS", () => {
    const m = margins(position(perp("BTC"), 2, 100000), position(option("BTC", "PUT", 90000, 30), -1, 500));
    expectClose(m.initial, 4000 + 10000, 1e-9, "IM");
    expectClose(m.maintenance, 2000 + 7500, 1e-9, "MM");
  });

  it("gives the ledger an ISOLATED position's IM at the current mark", () => {
    expect(isolatedInitialMargin(position(perp("BTC"), -1.5, 99000), btc, params)).toBe(3000);
    expectClose(isolatedInitialMargin(position(option("BTC", "CALL", 102000, 7), -1, 900), btc, params), 13000, 1e-9, "short call");
  });
});

describe("computeMargin", () => {
  it("reports a CROSS pool: equity, IM, MM, available, ratio and level", () => {
    // 10 000 USDC + long 2 BTC perp bought at 95 000: equity 10 000 + 2·5 000 = 20 000;
    // IM 2·100 000·2 % = 4 000; MM 2 000; ratio 0.1; available 16 000.
    const m = computeMargin(unit("CROSS", [usdc(10000)], [position(perp("BTC"), 2, 95000)]), btc, params);
    expect(m).toEqual({
      model: "STANDARD",
      initial: 4000,
      maintenance: 2000,
      equity: 20000,
      available: 16000,
      ratio: 0.1,
      level: "HEALTHY",
    });
  });

  it("gives an infinite ratio and LIQUIDATION when equity is not positive", () => {
    const m = computeMargin(unit("CROSS", [usdc(1000)], [position(perp("BTC"), 1, 101000)]), btc, params);
    expect(m.equity).toBe(0);
    expect(m.ratio).toBe(Infinity);
    expect(m.level).toBe("LIQUIDATION");
  });

  it("shows an ISOLATED account's totals with the ratio of its worst position", () => {
    // A: long 1 BTC perp at 100 000 on 2 000 isolated: equity 2 000, MM 1 000 → ρ 0.5
    // B: short 1 ETH perp at 2 000, spot 2 200, on 225 isolated: equity 225 − 200 = 25, MM 22 → ρ 0.88
    // C: long call bought above its mark, no isolated margin: needs no MM → ρ 0 (never liquidated)
    // Account: Σ IM = 2 000 + 44 = 2 044, Σ MM = 1 000 + 22 = 1 022,
    // equity = 5 000 wallet + (2 000 + 0) + (225 − 200) + call value; ratio = worst = 0.88.
    const call = option("BTC", "CALL", 150000, 7);
    const book = unit(
      "ISOLATED",
      [usdc(5000)],
      [position(perp("BTC"), 1, 100000, 2000), position(perp("ETH"), -1, 2000, 225), position(call, 1, 5000)],
    );
    const m = computeMargin(book, btc, params);
    const callValue = referenceBlackScholesPrice("CALL", 100000, 150000, 7 / 365, 0.5, 0.05);
    expectClose(m.initial, 2044, 1e-9, "Σ IM");
    expectClose(m.maintenance, 1022, 1e-9, "Σ MM");
    expectClose(m.equity, 7025 + callValue, 1e-9, "equity");
    expectClose(m.available, 7025 + callValue - 2044, 1e-9, "available");
    expectClose(m.ratio, 22 / 25, 1e-12, "worst position ratio");
    expect(m.level).toBe("MARGIN_CALL");
  });

  it("puts an ISOLATED account in LIQUIDATION when one position's equity is gone, however rich the wallet", () => {
    const book = unit("ISOLATED", [usdc(1e6)], [position(perp("ETH"), -1, 2000, 150)]); // 150 − 200 < 0
    const m = computeMargin(book, btc, params);
    expect(m.ratio).toBe(Infinity);
    expect(m.level).toBe("LIQUIDATION");
  });

  it("treats an ISOLATED account without positions as an empty pool", () => {
    expect(computeMargin(unit("ISOLATED", [usdc(100)], []), btc, params)).toMatchObject({ maintenance: 0, ratio: 0, level: "HEALTHY" });
  });

  it("defaults to the unit's own model", () => {
    expect(defaultModel("PORTFOLIO")).toBe("PORTFOLIO");
    expect(defaultModel("CROSS")).toBe("STANDARD");
    expect(defaultModel("ISOLATED")).toBe("STANDARD");
    const book = unit("PORTFOLIO", [usdc(10000)], [position(perp("BTC"), 1, 100000)]);
    expect(computeMargin(book, btc, params).model).toBe("PORTFOLIO");
    expect(computeMargin(book, btc, params, "STANDARD").model).toBe("STANDARD");
  });
});
