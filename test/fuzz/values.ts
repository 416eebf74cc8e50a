import type { Prng } from "./prng.js";

/** The fuzzed book: real ids to aim at, so some requests pass validation and reach deep code. */
export interface FuzzBook {
  clientIds: string[];
  accountIds: string[];
  portfolioIds: string[];
  instruments: string[];
  underlyings: string[];
}

/** A JSON number token written as is (JSON.stringify cannot write 1e999: the server's JSON.parse reads it as Infinity). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON text of a value, RawJson tokens included. */
export function toJson(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

const HUGE_NUMBERS = [1e308, -1e308, 1.7976931348623157e308, 5e-324, 2 ** 53 + 2, 2 ** 31, -(2 ** 31) - 1, 1e21, 123456789012345678901234567890];
const RAW_NUMBERS = ["1e999", "-1e999", "1e-999", "123456789e400", `0.${"0".repeat(400)}1`, "9".repeat(400), "-0"];
/** Strings that look like numbers; most must be refused wherever a number or a Decimal belongs. */
export const NUMBER_STRINGS = [
  "1", "1.5", "-0", "+5", "00001", "1e400", "-1e400", "1e-400", "Infinity", "-Infinity", "NaN", "0x10", "1_000", " 12 ", "12abc",
  "", "١٢٣", "1e", ".", "-", "9".repeat(40), `0.${"1".repeat(30)}`, "1,5", "1e5",
];
/** Decimal inputs no field accepts (the Decimal scalar refuses each). */
export const BAD_DECIMALS: unknown[] = [
  "NaN", "Infinity", "-Infinity", "1e400", "", "abc", "0x10", "1_000", " ", "١٢٣", "1".repeat(25), `0.${"1".repeat(19)}`,
  new RawJson("1e999"), new RawJson("-1e999"), true, [], {}, null,
];
const UNICODE = "aZé漢字🙂\u0000\u0007\u200b\u202e\u00ad\ufeff\n\t\"\\'`${}<>&%_;-—ǅ";
const INJECTIONS = ["' OR 1=1 --", "'; DROP TABLE \"Account\"; --", "$where", "__proto__", "constructor", "../../etc/passwd", "<script>alert(1)</script>", "%00", "{{7*7}}"];

/** Makes argument values: valid ones from the book some of the time, hostile ones otherwise. */
export class Gen {
  constructor(
    readonly rng: Prng,
    readonly book: FuzzBook,
    /** Probability of a valid value for each argument. */
    readonly validRate = 0.5,
  ) {}

  private valid(): boolean {
    return this.rng.chance(this.validRate);
  }

  text(maxLength = 40): string {
    const rng = this.rng;
    return rng.weighted<() => string>([
      [4, () => rng.string(rng.int(0, maxLength), UNICODE)],
      [2, () => rng.pick(INJECTIONS)],
      [1, () => rng.string(rng.int(1000, 20_000), "ab")],
      [1, () => rng.pick(NUMBER_STRINGS)],
      [1, () => `\ud800${rng.string(3, "xyz")}`],
    ])();
  }

  /** Anything at all, of any JSON type, nested a little. */
  any(depth = 0): unknown {
    const rng = this.rng;
    return rng.weighted<() => unknown>([
      [3, () => this.text()],
      [3, () => rng.pick(HUGE_NUMBERS)],
      [2, () => new RawJson(rng.pick(RAW_NUMBERS))],
      [2, () => rng.pick(NUMBER_STRINGS)],
      [1, () => rng.pick([true, false, null])],
      [1, () => (depth < 3 ? Array.from({ length: rng.int(0, 3) }, () => this.any(depth + 1)) : [])],
      [1, () => (depth < 3 ? { [this.text(8)]: this.any(depth + 1) } : {})],
      [1, () => (depth < 3 ? nested(rng.int(50, 400)) : [])],
    ])();
  }

  id(kind: "account" | "client" | "portfolio" = "account"): unknown {
    const pool = kind === "account" ? this.book.accountIds : kind === "client" ? this.book.clientIds : this.book.portfolioIds;
    if (this.valid() && pool.length > 0) return this.rng.pick(pool);
    return this.rng.weighted<() => unknown>([
      [3, () => randomUUIDFrom(this.rng)],
      [2, () => this.text()],
      [1, () => this.rng.pick(pool.length ? pool : ["x"]).toUpperCase()],
      [1, () => this.any()],
    ])();
  }

  float(valid: () => number): unknown {
    return this.valid() ? valid() : this.rng.chance(0.7) ? this.rng.pick([...HUGE_NUMBERS, 0, -1, -0.5]) : this.any();
  }

  int(valid: () => number): unknown {
    return this.valid() ? valid() : this.rng.pick([-1, 0, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 1.5, 1e9, "5", this.any()]);
  }

  decimal(valid: () => string): unknown {
    // Zero and negative numbers are refused by some fields (amounts, prices) and not others (quantities).
    return this.valid() ? valid() : this.rng.chance(0.6) ? this.rng.pick([...BAD_DECIMALS, "0", "-1", 0]) : this.any();
  }

  /** A Decimal that must be refused. */
  badDecimal(): unknown {
    return this.rng.pick(BAD_DECIMALS);
  }

  pick<T>(values: readonly T[]): T | unknown {
    return this.valid() ? this.rng.pick(values) : this.rng.chance(0.5) ? this.text(12) : this.any();
  }

  instrument(): unknown {
    return this.pick(this.book.instruments);
  }

  underlying(): unknown {
    return this.pick(this.book.underlyings);
  }

  date(): unknown {
    return this.valid()
      ? new Date(Date.UTC(2020 + this.rng.int(0, 10), this.rng.int(0, 11), this.rng.int(1, 28))).toISOString()
      : this.rng.pick(["", "2025-13-45T00:00:00Z", "yesterday", "0000-00-00", "+275760-09-13T00:00:00.001Z", "1e999", 1735689600000, this.any()]);
  }
}

/** A UUID from the PRNG (reproducible), version 4 shape. */
function randomUUIDFrom(rng: Prng): string {
  const hex = rng.string(32, "0123456789abcdef");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Arrays nested `depth` deep: [[[…]]]. */
function nested(depth: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}
