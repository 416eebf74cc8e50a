import { describe, expect, it } from "vitest";
import { HeldPosition } from "../../../src/domain/book/heldPosition.js";
import { perp } from "../engine/helpers.js";

describe("HeldPosition", () => {
  const spec = perp("BTC");
  const held = (quantity: string, averagePrice: string, isolatedMargin = "0") => new HeldPosition("id-1", spec, { quantity, averagePrice, isolatedMargin });

  it("shows exactly the stored decimals, and its engine input is Number() of them", () => {
    for (const [q, p, m] of [
      ["2", "101000", "0"],
      ["-0.5", "100000.25", "1250.5"],
      ["0.123456789012345678", "99999.999999999999999999", "0"],
      ["0.0000001", "1000000000000000000000", "0.000000000000000001"],
      ["123456789012345678", "1.1", "-3"],
    ]) {
      const position = held(q, p, m);
      expect([position.quantity, position.averagePrice, position.isolatedMargin]).toEqual([q, p, m]);
      expect(position.input).toEqual({ instrument: spec, quantity: Number(q), averagePrice: Number(p), isolatedMargin: Number(m) });
    }
  });

  it("keeps the instrument id and the spec it was given", () => {
    const position = held("1", "2");
    expect(position.instrumentId).toBe("id-1");
    expect(position.input.instrument).toBe(spec);
  });
});
