import { describe, expect, it } from "vitest";
import { defaultRiskParams } from "../../../src/engine/index.js";
import { MAX_RATIO_CURVE_POINTS, ratioCurve } from "../../../src/domain/ratioCurve.js";
import { DomainError } from "../../../src/domain/errors.js";
import { expectClose, market, perp, position, unit, usdc } from "../engine/helpers.js";

// 10 000 USDC and 1 BTC perp bought at 100 000, mmr 0.004:
// equity(P) = 10 000 + (P − 100 000) = P − 90 000, MM(P) = 0.004·P.
const book = unit("CROSS", [usdc(10000)], [position(perp("BTC", { maintenanceMarginRate: 0.004 }), 1, 100000)]);
const btc = market({ BTC: { spot: 100000 }, ETH: { spot: 2000 } });
const curve = (from: number, to: number, points: number, underlying = "BTC") =>
  ratioCurve(book, btc, defaultRiskParams, "STANDARD", { underlying, from, to, points });

describe("margin ratio against spot", () => {
  it("follows MM/equity of a linear book at evenly spaced spots, both ends included", () => {
    const points = curve(80000, 120000, 5);
    expect(points.map((p) => p.spot)).toEqual([80000, 90000, 100000, 110000, 120000]);
    expectClose(points[2].equity, 10000, 1e-6, "equity at 100 000");
    expectClose(points[2].maintenance, 400, 1e-9, "MM at 100 000 = 0.004 × 100 000");
    expectClose(points[2].ratio!, 0.04, 1e-12, "ratio at 100 000 = 400 / 10 000");
    expectClose(points[4].ratio!, 480 / 30000, 1e-12, "ratio at 120 000 = 480 / 30 000");
  });

  it("has no ratio where equity is gone", () => {
    const points = curve(80000, 120000, 5);
    expect(points[0].ratio).toBeNull(); // equity −10 000
    expect(points[1].ratio).toBeNull(); // equity 0
  });

  it("leaves the ratio flat along an underlying the book does not hold", () => {
    const points = curve(1000, 3000, 3, "ETH");
    for (const p of points) expectClose(p.ratio!, 0.04, 1e-12, `ratio at ETH ${p.spot}`);
  });

  it.each([
    ["points below 2", () => curve(1, 2, 1)],
    ["points above the bound", () => curve(1, 2, MAX_RATIO_CURVE_POINTS + 1)],
    ["a non-positive from", () => curve(0, 2, 5)],
    ["to not above from", () => curve(5, 5, 5)],
    ["a non-finite to", () => curve(5, Number.POSITIVE_INFINITY, 5)],
    ["an unquoted underlying", () => curve(1, 2, 5, "DOGE")],
  ])("refuses %s as BAD_USER_INPUT", (_label, call) => {
    let error: unknown;
    try {
      call();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("BAD_USER_INPUT");
  });
});
