import { describe, expect, it } from "vitest";
import { parseDecimal } from "../../../src/graphql/scalars.js";
import { canonicalId } from "../../../src/domain/validate.js";

describe("Decimal scalar", () => {
  it("takes a JSON number of up to 15 significant digits as the decimal it reads as", () => {
    expect(parseDecimal(0.1).toFixed()).toBe("0.1");
    expect(parseDecimal(123456789012345).toFixed()).toBe("123456789012345");
    expect(parseDecimal(1e-7).toFixed()).toBe("0.0000001");
    expect(parseDecimal(12345.6789).toFixed()).toBe("12345.6789");
  });

  it("refuses a JSON number of more than 15 significant digits, pointing to the decimal string", () => {
    // JSON.parse turns 12345678901234567890.123456789012345678 into 12345678901234567000.
    for (const value of [12345678901234567890.123456789012345678, 0.1 + 0.2, 2 ** 53 + 2, 1234567890123456]) {
      expect(() => parseDecimal(value), String(value)).toThrow(/more than 15 significant digits.*decimal string/);
    }
  });

  it("takes the same amounts exactly as decimal strings, within Decimal(38,18)", () => {
    expect(parseDecimal("12345678901234567890.123456789012345678").toFixed()).toBe("12345678901234567890.123456789012345678");
    expect(() => parseDecimal("100000000000000000000")).toThrow(/more than 20 integer digits/);
    expect(() => parseDecimal("0.0000000000000000001")).toThrow(/more than 18 decimals/);
  });
});

describe("canonicalId", () => {
  it("writes a UUID in lower case and leaves anything else as given", () => {
    expect(canonicalId("3F2504E0-4F89-41D3-9A0C-0305E82C3301")).toBe("3f2504e0-4f89-41d3-9a0c-0305e82c3301");
    expect(canonicalId("NOT-A-UUID")).toBe("NOT-A-UUID");
  });
});
