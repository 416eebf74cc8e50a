import type { MarketUpdate } from "../domain/market.service.js";

/**
 * Parsing of one feed message (DESIGN §7.7): subject `market.<UNDERLYING>`, body JSON
 * `{"spot": n, "volatility": n?, "rate": n?, "asOf": "ISO-8601"?}` with the units of
 * updateMarket (spot USD, volatility annual, rate continuously compounded per year).
 * Pure: shape and types only; bounds and the underlying's existence are the domain's.
 */

export type ParsedTick = { ok: true; update: MarketUpdate } | { ok: false; reason: string };

/** A subject token: what an underlying symbol can be. */
const UNDERLYING = /^[A-Za-z0-9_-]{1,32}$/;
/** ISO-8601 date-time with a zone (Z or ±hh:mm), as updateMarket's DateTimeISO accepts. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const FIELDS = new Set(["spot", "volatility", "rate", "asOf"]);
/** Larger bodies are no tick (a tick is under 200 bytes). */
const MAX_BYTES = 4096;

const fail = (reason: string): ParsedTick => ({ ok: false, reason });

function optionalNumber(body: Record<string, unknown>, field: string): number | null | string {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isFinite(value)) return `${field} must be a finite number (got ${JSON.stringify(value)})`;
  return value;
}

/** The subject a tick of `underlying` is published on. */
export const tickSubject = (underlying: string) => `market.${underlying}`;

export function parseTick(subject: string, data: Uint8Array): ParsedTick {
  const tokens = subject.split(".");
  if (tokens.length !== 2 || tokens[0] !== "market" || !UNDERLYING.test(tokens[1])) return fail(`subject ${JSON.stringify(subject)} is not market.<UNDERLYING>`);
  if (data.byteLength > MAX_BYTES) return fail(`body of ${data.byteLength} bytes exceeds ${MAX_BYTES}`);
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data));
  } catch {
    return fail("body is not JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return fail("body must be a JSON object");
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => !FIELDS.has(k));
  if (unknown.length > 0) return fail(`unknown field(s) ${unknown.join(", ")}`);
  // JSON numbers beyond ±1.8e308 parse as ±Infinity: not finite, refused here.
  if (typeof fields.spot !== "number" || !Number.isFinite(fields.spot)) return fail(`spot must be a finite number (got ${JSON.stringify(fields.spot)})`);
  const volatility = optionalNumber(fields, "volatility");
  if (typeof volatility === "string") return fail(volatility);
  const rate = optionalNumber(fields, "rate");
  if (typeof rate === "string") return fail(rate);
  let asOf: Date | null = null;
  if (fields.asOf !== undefined && fields.asOf !== null) {
    if (typeof fields.asOf !== "string" || !ISO_TIME.test(fields.asOf) || Number.isNaN(Date.parse(fields.asOf))) {
      return fail(`asOf must be an ISO-8601 time (got ${JSON.stringify(fields.asOf)})`);
    }
    asOf = new Date(fields.asOf);
  }
  return { ok: true, update: { underlying: tokens[1], spot: fields.spot, volatility, rate, asOf } };
}
