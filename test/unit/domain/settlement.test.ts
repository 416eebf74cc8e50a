import { describe, expect, it } from "vitest";
import { Prisma } from "../../../src/generated/prisma/client.js";
import { accountInput, isExpired, marketContext } from "../../../src/domain/marginUnit.js";
import { settlementAmount } from "../../../src/domain/settlement.service.js";
import type { InstrumentSpec } from "../../../src/engine/index.js";

const d = (v: number | string) => new Prisma.Decimal(v);
const future = { kind: "FUTURE" as const, contractSize: d(1), strike: null, optionType: null };
const option = (optionType: "CALL" | "PUT", strike: number, contractSize = 1) => ({ kind: "OPTION" as const, contractSize: d(contractSize), strike: d(strike), optionType });

describe("settlement amounts at delivery price D", () => {
  it("books a future's P&L against its average price: long gains, short pays", () => {
    // 2·(101 025 − 99 000) = 4 050; −2·(101 025 − 100 000) = −2 050.
    expect(settlementAmount(future, d(2), d(99_000), d(101_025)).toFixed()).toBe("4050");
    expect(settlementAmount(future, d(-2), d(100_000), d(101_025)).toFixed()).toBe("-2050");
  });

  it("pays an option's intrinsic value only, long receiving and short paying, per contract size", () => {
    // Call K 100 000 at D 101 025: 1 025 per unit; ×0.1 cs × 3 contracts = 307.5.
    expect(settlementAmount(option("CALL", 100_000, 0.1), d(3), d(0), d(101_025)).toFixed()).toBe("307.5");
    expect(settlementAmount(option("CALL", 100_000), d(-1), d(2_000), d(101_025)).toFixed()).toBe("-1025");
    // Put K 102 000: 975; put K 98 000 and call K 102 000 are out of the money: 0.
    expect(settlementAmount(option("PUT", 102_000), d(1), d(2_500), d(101_025)).toFixed()).toBe("975");
    expect(settlementAmount(option("PUT", 98_000), d(-1), d(1_500), d(101_025)).isZero()).toBe(true);
    expect(settlementAmount(option("CALL", 102_000), d(4), d(10), d(101_025)).isZero()).toBe(true);
  });
});

describe("expired instruments in the engine input", () => {
  const E = Date.parse("2025-03-28T08:00:00Z");
  const spec = (symbol: string, expiryMs: number | null): InstrumentSpec => ({
    symbol, kind: expiryMs === null ? "PERPETUAL" : "FUTURE", underlying: "BTC", contractSize: 1, expiryMs,
    strike: null, optionType: null, initialMarginRate: null, maintenanceMarginRate: null, markVolatility: null,
  });
  const specs = new Map([["perp", spec("BTC-PERP", null)], ["fut", spec("BTC-28MAR25", E)]]);
  const reference = (asOf: string) => ({
    markets: [{ underlying: "BTC", spot: 100_000, volatility: 0.5, rate: 0, asOf: new Date(asOf) }],
    params: [{ underlying: "BTC", version: 3, initialMarginRate: 0.05, maintenanceMarginRate: 0.03, portfolioRange: 0.1, deltaRiskWeight: 0.4 }],
    assets: [{ symbol: "USDC", haircut: 0, underlying: null }],
  });
  const positions = [
    { instrumentId: "perp", quantity: "1", averagePrice: "100000", isolatedMargin: "0" },
    { instrumentId: "fut", quantity: "2", averagePrice: "99000", isolatedMargin: "0" },
  ];

  it("expires an instrument once its underlying's valuation time reaches the expiry", () => {
    expect(isExpired(specs.get("fut")!, marketContext(reference("2025-03-28T07:59:59.999Z")).market)).toBe(false);
    expect(isExpired(specs.get("fut")!, marketContext(reference("2025-03-28T08:00:00Z")).market)).toBe(true);
    expect(isExpired(specs.get("perp")!, marketContext(reference("2030-01-01T00:00:00Z")).market)).toBe(false);
  });

  it("leaves an expired position out of the engine input, keeping the others", () => {
    const before = marketContext(reference("2025-03-28T07:00:00Z"));
    const after = marketContext(reference("2025-03-28T08:30:00Z"));
    const of = (ctx: typeof before) => accountInput("CROSS", [], positions, (id) => specs.get(id)!, ctx.assets, ctx.market).positions.map((p) => p.instrument.symbol);
    expect(of(before)).toEqual(["BTC-PERP", "BTC-28MAR25"]);
    expect(of(after)).toEqual(["BTC-PERP"]);
  });

  it("reads the stored version's values, its risk weight included, over the methodology's defaults", () => {
    const params = marketContext(reference("2025-03-28T07:00:00Z")).params;
    expect(params("BTC")).toMatchObject({ initialMarginRate: 0.05, maintenanceMarginRate: 0.03, portfolioRange: 0.1, deltaRiskWeight: 0.4, version: 3 });
    expect(params("ETH")).toMatchObject({ initialMarginRate: 0.02, maintenanceMarginRate: 0.01, portfolioRange: 0.2 });
  });
});
