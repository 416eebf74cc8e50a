import { describe, expect, it } from "vitest";
import { parseTick } from "../../../src/feed/tickMessage.js";

const body = (value: unknown) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));

describe("parseTick", () => {
  it("reads a full tick and a spot-only tick, leaving omitted fields null", () => {
    expect(parseTick("market.BTC", body({ spot: 97_250.5, volatility: 0.55, rate: 0.03, asOf: "2026-12-01T14:00:00Z" }))).toEqual({
      ok: true,
      update: { underlying: "BTC", spot: 97_250.5, volatility: 0.55, rate: 0.03, asOf: new Date("2026-12-01T14:00:00Z") },
    });
    expect(parseTick("market.ETH", body({ spot: 3000, volatility: null }))).toEqual({ ok: true, update: { underlying: "ETH", spot: 3000, volatility: null, rate: null, asOf: null } });
  });

  it.each([
    ["market.BTC", "not json {", /not JSON/],
    ["market.BTC", "[1]", /JSON object/],
    ["market.BTC", "null", /JSON object/],
    ["market.BTC", { spot: "1" }, /spot must be a finite number/],
    ["market.BTC", '{"spot": 1e400}', /spot must be a finite number/],
    ["market.BTC", {}, /spot must be a finite number/],
    ["market.BTC", { spot: 1, rate: "0.1" }, /rate must be a finite number/],
    ["market.BTC", { spot: 1, volatility: true }, /volatility must be a finite number/],
    ["market.BTC", { spot: 1, asOf: "2026-12-01" }, /asOf must be an ISO-8601 time/],
    ["market.BTC", { spot: 1, asOf: 1_700_000_000_000 }, /asOf must be an ISO-8601 time/],
    ["market.BTC", { spot: 1, vol: 0.5 }, /unknown field\(s\) vol/],
    ["market.BTC.spot", { spot: 1 }, /is not market.<UNDERLYING>/],
    ["markets.BTC", { spot: 1 }, /is not market.<UNDERLYING>/],
    ["market.B$C", { spot: 1 }, /is not market.<UNDERLYING>/],
    ["market.BTC", JSON.stringify({ spot: 1, pad: "x".repeat(5000) }), /exceeds 4096/],
  ])("refuses %s %s", (subject, value, reason) => {
    const parsed = parseTick(subject, body(value));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it("refuses a body that is not UTF-8", () => {
    expect(parseTick("market.BTC", new Uint8Array([0x7b, 0xff, 0x7d]))).toEqual({ ok: false, reason: "body is not JSON" });
  });
});
