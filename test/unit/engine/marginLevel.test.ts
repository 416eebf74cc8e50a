import { describe, expect, it } from "vitest";
import { EngineInputError, marginRatio, nextLevel, plainLevel, type MarginLevel } from "../../../src/engine/index.js";

describe("marginRatio", () => {
  it("is maintenance / equity, infinite when equity ≤ 0", () => {
    expect(marginRatio(500, 1000)).toBe(0.5);
    expect(marginRatio(0, 1000)).toBe(0);
    expect(marginRatio(500, 0)).toBe(Infinity);
    expect(marginRatio(500, -1)).toBe(Infinity);
  });
});

describe("plainLevel", () => {
  it.each([
    [0, "HEALTHY"],
    [0.6999, "HEALTHY"],
    [0.7, "WARNING"],
    [0.7999, "WARNING"],
    [0.8, "MARGIN_CALL"],
    [0.9999, "MARGIN_CALL"],
    [1, "LIQUIDATION"],
    [5, "LIQUIDATION"],
    [Infinity, "LIQUIDATION"],
  ] as [number, MarginLevel][])("maps ratio %s to %s", (ratio, level) => {
    expect(plainLevel(ratio)).toBe(level);
  });

  it("rejects NaN", () => {
    expect(() => plainLevel(Number.NaN)).toThrow(EngineInputError);
  });
});

describe("nextLevel hysteresis", () => {
  // Rule: plain level ≥ previous → plain level; otherwise the highest ℓ ≤ previous with
  // ρ ≥ threshold(ℓ) − 0.05 (thresholds 0.7, 0.8, 1.0; HEALTHY always qualifies).
  it.each([
    // from HEALTHY: only the plain level matters
    ["HEALTHY", 0.3, "HEALTHY", "stays"],
    ["HEALTHY", 0.69, "HEALTHY", "below 0.7 stays"],
    ["HEALTHY", 0.7, "WARNING", "up one"],
    ["HEALTHY", 0.85, "MARGIN_CALL", "jumps two levels in one step"],
    ["HEALTHY", 1.2, "LIQUIDATION", "jumps three levels in one step"],
    ["HEALTHY", Infinity, "LIQUIDATION", "equity gone"],
    // from WARNING
    ["WARNING", 0.75, "WARNING", "stays"],
    ["WARNING", 0.66, "WARNING", "held within 0.05 below 0.7"],
    ["WARNING", 0.649, "HEALTHY", "released below 0.65"],
    ["WARNING", 0.8, "MARGIN_CALL", "up one"],
    ["WARNING", 1.0, "LIQUIDATION", "jumps two"],
    // from MARGIN_CALL
    ["MARGIN_CALL", 0.9, "MARGIN_CALL", "stays"],
    ["MARGIN_CALL", 0.76, "MARGIN_CALL", "held within 0.05 below 0.8"],
    ["MARGIN_CALL", 0.749, "WARNING", "down one: still ≥ 0.65"],
    ["MARGIN_CALL", 0.651, "WARNING", "down one at the WARNING hysteresis edge"],
    ["MARGIN_CALL", 0.649, "HEALTHY", "down two"],
    ["MARGIN_CALL", 1.05, "LIQUIDATION", "up one"],
    // from LIQUIDATION
    ["LIQUIDATION", 2, "LIQUIDATION", "stays"],
    ["LIQUIDATION", 0.96, "LIQUIDATION", "held within 0.05 below 1"],
    ["LIQUIDATION", 0.949, "MARGIN_CALL", "down one"],
    ["LIQUIDATION", 0.751, "MARGIN_CALL", "down one at the MARGIN_CALL edge"],
    ["LIQUIDATION", 0.749, "WARNING", "down two"],
    ["LIQUIDATION", 0.5, "HEALTHY", "down three"],
    ["LIQUIDATION", 0, "HEALTHY", "all margin gone"],
  ] as [MarginLevel, number, MarginLevel, string][])("%s at ρ=%s → %s (%s)", (previous, ratio, expected) => {
    expect(nextLevel(previous, ratio)).toBe(expected);
  });

  it("never flaps when the ratio oscillates around a threshold", () => {
    let level: MarginLevel = "HEALTHY";
    const seen: MarginLevel[] = [];
    for (const ratio of [0.69, 0.71, 0.69, 0.71, 0.68, 0.72, 0.66, 0.7]) {
      level = nextLevel(level, ratio);
      seen.push(level);
    }
    expect(seen).toEqual(["HEALTHY", "WARNING", "WARNING", "WARNING", "WARNING", "WARNING", "WARNING", "WARNING"]);
  });

  it("rejects an unknown previous level", () => {
    expect(() => nextLevel("FINE" as MarginLevel, 0.5)).toThrow(EngineInputError);
  });
});

describe("level of a unit that owes nothing", () => {
  it("is HEALTHY for an empty account (equity 0, maintenance 0), LIQUIDATION when under water", async () => {
    const { computeMargin } = await import("../../../src/engine/margin.js");
    const { defaultRiskParams } = await import("../../../src/engine/riskParams.js");
    const market = { asOfMs: 0, quotes: new Map() };
    const empty = computeMargin({ mode: "CROSS", collateral: [], positions: [] }, market, defaultRiskParams);
    expect(empty.level).toBe("HEALTHY");
    expect(empty.ratio).toBe(Infinity); // the API shows null: equity ≤ 0
    const owing = computeMargin({ mode: "CROSS", collateral: [{ asset: "USDC", amount: -5, haircut: 0, underlying: null }], positions: [] }, market, defaultRiskParams);
    expect(owing.level).toBe("LIQUIDATION");
  });
});
