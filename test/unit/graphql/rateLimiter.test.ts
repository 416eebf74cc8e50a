import { describe, expect, it } from "vitest";
import { RateLimitedError } from "../../../src/domain/errors.js";
import { RateLimiter } from "../../../src/graphql/limits/rateLimiter.js";
import type { Principal } from "../../../src/graphql/context.js";

const client = (keyId: string): Principal => ({ role: "CLIENT", clientId: "c", keyId });
const risk: Principal = { role: "RISK", clientId: null, keyId: "r" };

function limiter(perSecond = 2, burst = 3) {
  const clock = { now: 0 };
  return { clock, limiter: new RateLimiter({ rateLimitPerSecond: perSecond, rateLimitBurst: burst, rateLimitRoles: ["CLIENT"] }, () => clock.now) };
}

describe("RateLimiter", () => {
  it("allows a burst, then refuses with RATE_LIMITED and the seconds to wait", () => {
    const { limiter: l } = limiter();
    for (let i = 0; i < 3; i++) l.take(client("a"));
    expect(() => l.take(client("a"))).toThrow(expect.objectContaining({ code: "RATE_LIMITED", retryAfterSeconds: 1 }));
  });

  it("refills at the sustained rate, up to the burst", () => {
    const { clock, limiter: l } = limiter();
    for (let i = 0; i < 3; i++) l.take(client("a"));
    clock.now += 500; // 2/s → one token
    l.take(client("a"));
    expect(() => l.take(client("a"))).toThrow(RateLimitedError);
    clock.now += 60_000;
    for (let i = 0; i < 3; i++) l.take(client("a"));
    expect(() => l.take(client("a"))).toThrow(RateLimitedError);
  });

  it("keeps one bucket per key", () => {
    const { limiter: l } = limiter();
    for (let i = 0; i < 3; i++) l.take(client("a"));
    expect(() => l.take(client("b"))).not.toThrow();
  });

  it("does not limit roles outside the configured ones (RISK and ADMIN by default)", () => {
    const { limiter: l } = limiter();
    for (let i = 0; i < 100; i++) l.take(risk);
  });
});
