import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from "graphql";
import { Prisma } from "../generated/prisma/client.js";

/** Decimal(38,18) in the database: at most 20 integer digits and 18 decimals. */
const DECIMAL_PATTERN = /^[+-]?(\d+)(?:\.(\d+))?$/;
const MAX_INTEGER_DIGITS = 20;
const MAX_SCALE = 18;
/** Any decimal of up to 15 significant digits survives a trip through a double (a JSON number) unchanged. */
const MAX_NUMBER_DIGITS = 15;

function invalid(value: unknown, why: string): GraphQLError {
  return new GraphQLError(`Decimal ${JSON.stringify(value)} ${why}`, { extensions: { code: "BAD_USER_INPUT" } });
}

/**
 * Significant digits of a double's shortest round-trip form: 12345678901234567890.12
 * arrives as 12345678901234567000 (17), 0.1 as 0.1 (1).
 */
function significantDigits(value: number): number {
  return value.toExponential().replace(/e.*$/, "").replace(/[-.]/g, "").length;
}

/**
 * Accepts a JSON number or a plain decimal string; returns an exact Prisma.Decimal. A JSON
 * number is a double: one of more than 15 significant digits may not be the decimal the
 * client wrote (the JSON parser already rounded it), so it is refused in favour of the string.
 */
export function parseDecimal(value: unknown): Prisma.Decimal {
  let text: string;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw invalid(value, "must be finite");
    if (significantDigits(value) > MAX_NUMBER_DIGITS) {
      throw invalid(value, `has more than ${MAX_NUMBER_DIGITS} significant digits, more than a JSON number holds exactly; send it as a decimal string`);
    }
    text = String(value);
    // Numbers like 1e-7 print in exponent form; Decimal reads them exactly.
    if (/e/i.test(text)) text = new Prisma.Decimal(text).toFixed();
  } else if (typeof value === "string") {
    text = value.trim();
  } else {
    throw invalid(value, "must be a number or a decimal string");
  }
  const match = DECIMAL_PATTERN.exec(text);
  if (!match) throw invalid(value, "is not a decimal number");
  if (match[1].replace(/^0+(?=\d)/, "").length > MAX_INTEGER_DIGITS) {
    throw invalid(value, `has more than ${MAX_INTEGER_DIGITS} integer digits`);
  }
  if ((match[2]?.length ?? 0) > MAX_SCALE) throw invalid(value, `has more than ${MAX_SCALE} decimals`);
  return new Prisma.Decimal(text);
}

function literal(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.INT:
    case Kind.FLOAT:
      return ast.value;
    case Kind.STRING:
      return ast.value;
    default:
      throw new GraphQLError("Decimal must be a number or a decimal string", {
        extensions: { code: "BAD_USER_INPUT" },
      });
  }
}

export const DecimalScalar = new GraphQLScalarType({
  name: "Decimal",
  description:
    "Exact decimal, Decimal(38,18): |value| < 1e20 with at most 18 decimals. Accepted as a decimal string (exact) or a number; " +
    "a JSON number of more than 15 significant digits is refused (a double cannot hold it as written), send it as a string. Returned as a decimal string.",
  serialize(value) {
    if (value instanceof Prisma.Decimal) return value.toFixed();
    // The in-memory book keeps decimals as canonical strings already.
    if (typeof value === "string" && DECIMAL_PATTERN.test(value)) return value;
    if (typeof value === "string" || typeof value === "number") return new Prisma.Decimal(value).toFixed();
    throw new GraphQLError("Decimal output must be a Decimal");
  },
  parseValue: parseDecimal,
  parseLiteral: (ast) => parseDecimal(literal(ast)),
});
