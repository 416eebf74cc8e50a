import { describe, expect, it } from "vitest";
import { PackedInput, SpecTable } from "../../../src/compute/packedInput.js";
import { Replica } from "../../../src/compute/riskTasks.js";
import { coin, option, perp, position, unit, usdc } from "../engine/helpers.js";

describe("PackedInput", () => {
  const call = option("BTC", "CALL", 100_000, 30);
  const input = unit("CROSS", [usdc(12_345.678), coin("ETH", 2.5)], [
    position(perp("BTC"), -0.123456789012345, 101_234.5678),
    position(call, 3, 1_500.25, 0.1),
    position(perp("ETH"), 1e-7, 3_000, 0),
  ]);

  it("gives back the same input, in order, number for number", () => {
    const packed = PackedInput.pack(structuredClone(input), new SpecTable());
    expect(packed.unpack()).toEqual(input);
    for (const [i, p] of packed.unpack().positions.entries()) {
      expect(Object.is(p.quantity, input.positions[i].quantity)).toBe(true);
      expect(Object.is(p.averagePrice, input.positions[i].averagePrice)).toBe(true);
      expect(Object.is(p.isolatedMargin, input.positions[i].isolatedMargin)).toBe(true);
    }
  });

  it("shares one spec object per instrument across upserts, and takes a changed definition", () => {
    const specs = new SpecTable();
    const a = PackedInput.pack(structuredClone(input), specs).unpack();
    const b = PackedInput.pack(structuredClone(input), specs).unpack();
    expect(b.positions[1].instrument).toBe(a.positions[1].instrument);
    const changed = { ...call, markVolatility: 0.9 };
    expect(specs.intern(changed)).toBe(changed);
  });

  it("a replica answers the units it was given, portfolios pooled from their members", () => {
    const replica = new Replica();
    replica.upsert([{ id: "a", portfolioId: "p", input }, { id: "b", portfolioId: "p", input }], [{ id: "p", mode: "PORTFOLIO", memberIds: ["a", "b"] }]);
    expect(replica.input("account:a")).toEqual(input);
    expect(replica.input("portfolio:p").positions.map((p) => p.quantity)).toEqual(input.positions.map((p) => 2 * p.quantity));
    expect(() => replica.input("account:c")).toThrow(/not in the evaluator's book/);
  });
});
