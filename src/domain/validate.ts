import { BadInputError } from "./errors.js";

/** Precondition checks shared by services; the bad value is always in the message. */

export function requireText(name: string, value: string, maxLength = 200): string {
  const text = value.trim();
  if (text.length === 0) throw new BadInputError(`${name} must not be empty`);
  if (text.length > maxLength) throw new BadInputError(`${name} must be at most ${maxLength} characters (got ${text.length})`);
  return text;
}

export function requireFinite(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new BadInputError(`${name} (${value}) must be a finite number`);
  }
  return value;
}

export function requirePositive(name: string, value: number): number {
  requireFinite(name, value);
  if (value <= 0) throw new BadInputError(`${name} (${value}) must be positive`);
  return value;
}

export function requireNonNegative(name: string, value: number): number {
  requireFinite(name, value);
  if (value < 0) throw new BadInputError(`${name} (${value}) must not be negative`);
  return value;
}

export function requireRange(name: string, value: number, min: number, max: number): number {
  requireFinite(name, value);
  if (value < min || value > max) throw new BadInputError(`${name} (${value}) must be between ${min} and ${max}`);
  return value;
}

/**
 * Prices, strikes and sizes are stored as Decimal(38,18): under 1e20 with 18 decimals.
 * This range keeps them storable with at least six significant digits.
 */
const STORABLE_MIN = 1e-12;
const STORABLE_MAX = 1e15;

export function requireStorablePositive(name: string, value: number): number {
  return requireRange(name, value, STORABLE_MIN, STORABLE_MAX);
}

/** Continuously compounded rates (per year) beyond ±0.5 describe no market the book can be valued in. */
export const MAX_ABS_RATE = 0.5;
/**
 * |rate × years to an expiry| at most 2: forward factors e^{rT} stay within [0.14, 7.4],
 * so futures marks and discounting stay finite and sane over the whole book.
 */
export const MAX_ABS_CARRY = 2;

export function requireTimeWithin(name: string, value: Date, from: Date, to: Date): Date {
  if (Number.isNaN(value.getTime())) throw new BadInputError(`${name} is not a valid time`);
  if (value < from || value > to) {
    throw new BadInputError(`${name} (${value.toISOString()}) must be between ${from.toISOString()} and ${to.toISOString()}`);
  }
  return value;
}

/** rate × years (to the expiry of `instrument`) within ±MAX_ABS_CARRY. */
export function requireCarry(rate: number, years: number, instrument: string): void {
  if (Math.abs(rate * years) > MAX_ABS_CARRY) {
    throw new BadInputError(
      `rate (${rate}) × ${years.toFixed(2)} years to ${instrument}'s expiry must be within ±${MAX_ABS_CARRY} (e^{rT} would be ${Math.exp(rate * years).toPrecision(3)})`,
    );
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** IDs are UUIDs; anything else cannot name a stored row. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** PostgreSQL text cannot hold NUL, and a lone surrogate is not Unicode: such text cannot be stored as given. */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** The text with NULs and lone surrogates replaced by U+FFFD (for logs and summaries of refused input). */
export function toStorableText(text: string): string {
  return text.replace(new RegExp(UNSTORABLE.source, "g"), "\ufffd");
}

/**
 * The one spelling of an id: UUIDs compare in lower case (PostgreSQL reads either case,
 * the API compares strings). Anything else is returned as given: it names no row.
 */
export function canonicalId(value: string): string {
  return isUuid(value) ? value.toLowerCase() : value;
}
