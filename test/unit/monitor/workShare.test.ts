import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PARTITIONS, partitionOf } from "../../../src/monitor/workShare.js";

describe("partitionOf", () => {
  it("is FNV-1a (32-bit) of the id, mod 16, plus one: the published test vectors", () => {
    // FNV-1a 32: "" → 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968 (Fowler–Noll–Vo reference values).
    expect(partitionOf("")).toBe((0x811c9dc5 % 16) + 1);
    expect(partitionOf("a")).toBe((0xe40c292c % 16) + 1);
    expect(partitionOf("foobar")).toBe((0xbf9cf968 % 16) + 1);
  });

  it("spreads unit ids evenly: 16 000 random UUIDs, every partition within ±15 % of 1 000", () => {
    const counts = new Array<number>(PARTITIONS + 1).fill(0);
    for (let i = 0; i < 16_000; i++) counts[partitionOf(randomUUID())]++;
    expect(counts[0]).toBe(0);
    // A binomial(16 000, 1/16) count has σ ≈ 30.6: ±150 is about 5σ.
    for (let n = 1; n <= PARTITIONS; n++) expect(Math.abs(counts[n] - 1000), `partition ${n}`).toBeLessThanOrEqual(150);
  });
});
