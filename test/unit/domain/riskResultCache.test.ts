import { describe, expect, it } from "vitest";
import { RiskResultCache } from "../../../src/domain/riskResultCache.js";

describe("RiskResultCache", () => {
  it("drops the least recently used entries beyond its entry bound", () => {
    const cache = new RiskResultCache(2);
    let computed = 0;
    const get = (key: string) => cache.get(key, () => ++computed);
    get("a");
    get("b");
    get("a");
    get("c");
    expect(get("a")).toBe(1);
    expect(get("b")).toBe(4);
  });

  it("drops the oldest entries once their JSON exceeds its byte bound, promises counted when they resolve", async () => {
    const cache = new RiskResultCache(100, 25);
    const big = "x".repeat(10);
    cache.get("a", () => big);
    cache.get("b", () => big);
    await cache.get("c", async () => big);
    await Promise.resolve();
    // 3 × 12 characters of JSON > 25: "a" went first.
    expect(cache.get("a", () => "recomputed")).toBe("recomputed");
    expect(await cache.get("c", async () => "recomputed")).toBe(big);
  });
});
