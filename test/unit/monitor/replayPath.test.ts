import { describe, expect, it } from "vitest";
import { inClockFrom, replayPath } from "../../../src/monitor/replayPath.js";

const rows = [
  { underlying: "BTC", date: "2022-11-08", close: "100" },
  { underlying: "BTC", date: "2022-11-09", close: "400" },
  { underlying: "ETH", date: "2022-11-08", close: "10" },
  { underlying: "ETH", date: "2022-11-09", close: "5" },
  { underlying: "SOL", date: "2022-11-09", close: "1" }, // no close on the first day: left out
];

describe("replay path", () => {
  it("steps geometrically between daily closes: halfway from 100 to 400 is 200", () => {
    const steps = replayPath(rows, ["BTC", "ETH", "SOL"], "2022-11-08", "2022-11-09", 720);
    expect(steps.map((s) => s.time.toISOString())).toEqual(["2022-11-08T00:00:00.000Z", "2022-11-08T12:00:00.000Z", "2022-11-09T00:00:00.000Z"]);
    expect(steps.map((s) => s.prices.get("BTC"))).toEqual([100, 200, 400]);
    // ETH 10 → 5: halfway 10·(1/2)^½ = 7.0710678…
    expect(Math.abs(steps[1].prices.get("ETH")! - 10 * Math.SQRT1_2)).toBeLessThan(1e-12);
    expect(steps[2].relative.get("ETH")).toBe(0.5);
    expect(steps[0].prices.has("SOL")).toBe(false);
  });

  it("refuses a window that ends before it starts", () => {
    expect(() => replayPath(rows, ["BTC"], "2022-11-09", "2022-11-08", 60)).toThrow(/must be after/);
  });
});

describe("replay path in today's clock", () => {
  it("starts at the given time and keeps the historical spacing and prices", () => {
    const steps = replayPath(rows, ["BTC"], "2022-11-08", "2022-11-09", 720);
    const start = Date.UTC(2026, 11, 1, 9, 30);
    const shifted = inClockFrom(steps, start);
    expect(shifted.map((s) => s.time.toISOString())).toEqual(["2026-12-01T09:30:00.000Z", "2026-12-01T21:30:00.000Z", "2026-12-02T09:30:00.000Z"]);
    expect(shifted.map((s) => s.relative.get("BTC"))).toEqual([1, 2, 4]);
    expect(steps[0].time.toISOString()).toBe("2022-11-08T00:00:00.000Z"); // the input is left as it was
  });
});
