import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { DomainError } from "../domain/errors.js";
import { EngineInputError } from "../engine/errors.js";
import { isConnectionFailure, isValueOutOfRange } from "../db/prismaErrors.js";

/** Codes that graphql-js, Apollo and type-graphql set themselves and that are safe to pass on. */
const PASS_THROUGH = new Set([
  "BAD_USER_INPUT",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
  "UNAUTHENTICATED",
  "FORBIDDEN",
]);

function coded(formatted: GraphQLFormattedError, code: string, message: string, details?: Record<string, unknown>): GraphQLFormattedError {
  return { message, locations: formatted.locations, path: formatted.path, extensions: { code, ...details } };
}

/**
 * The thrown error behind a reported one: a resolver's, or the domain error a transport
 * wrapped (authentication and rate limits fail before execution).
 */
function unwrap(error: unknown): unknown {
  const original: unknown = unwrapResolverError(error);
  return original instanceof GraphQLError && original.originalError instanceof DomainError ? original.originalError : original;
}

/**
 * The client-facing code of an error (as thrown, or as graphql-js located it). A
 * GraphQLError with no code of its own is graphql-js refusing the request before
 * execution (variable coercion, e.g. its cap of 50 variable errors): bad input. During
 * execution (it has a path) the same is a bug, e.g. a value that cannot be serialized.
 */
export function errorCode(error: unknown): string {
  const original = unwrap(error);
  if (original instanceof DomainError) return original.code;
  if (original instanceof EngineInputError) return "BAD_USER_INPUT";
  if (isConnectionFailure(original)) return "SERVICE_UNAVAILABLE";
  if (isValueOutOfRange(original)) return "BAD_USER_INPUT";
  if (!(original instanceof GraphQLError)) return "INTERNAL_SERVER_ERROR";
  const code = original.extensions?.code;
  if (typeof code === "string") return PASS_THROUGH.has(code) ? code : "INTERNAL_SERVER_ERROR";
  const located = error instanceof GraphQLError && error.path !== undefined;
  return located || original.originalError !== undefined ? "INTERNAL_SERVER_ERROR" : "BAD_USER_INPUT";
}

const OUT_OF_RANGE = "the result is out of the range the book stores: Decimal(38,18), |value| < 1e20 with at most 18 decimals";

/** graphql-js's hints at names the schema has, e.g. ` Did you mean "volatility"?` (the pattern of Apollo's own plugin). */
const SUGGESTION = / ?Did you mean(.+?)\?$/;

export interface FormatOptions {
  /** Production: no "Did you mean" hints in any message (validation, variable coercion), on any transport. */
  hideSuggestions?: boolean;
}

/**
 * Every error leaves the server with a code from a closed set and a message written
 * for clients; anything unexpected becomes INTERNAL_SERVER_ERROR with a generic message
 * (no stack, SQL or file path). `onUnexpected` receives the original for the log.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, onUnexpected: (e: unknown) => void, options: FormatOptions = {}): GraphQLFormattedError {
  const shown = codedError(formatted, error, onUnexpected);
  return options.hideSuggestions ? { ...shown, message: shown.message.replace(SUGGESTION, "") } : shown;
}

function codedError(formatted: GraphQLFormattedError, error: unknown, onUnexpected: (e: unknown) => void): GraphQLFormattedError {
  const original = unwrap(error);
  const code = errorCode(error);
  if (original instanceof DomainError) return coded(formatted, code, original.message, original.details);
  if (original instanceof EngineInputError) return coded(formatted, code, original.message);
  if (isValueOutOfRange(original)) return coded(formatted, code, OUT_OF_RANGE);
  switch (code) {
    case "SERVICE_UNAVAILABLE":
      return coded(formatted, code, "the database is unavailable; retry shortly");
    case "INTERNAL_SERVER_ERROR":
      onUnexpected(original);
      return coded(formatted, code, "internal error");
    case "BAD_USER_INPUT":
      return coded(formatted, code, formatted.message, original instanceof GraphQLError ? validationDetails(original) : undefined);
    default:
      return coded(formatted, code, formatted.message);
  }
}

/** class-validator failures as field → messages, without the offending objects. */
function validationDetails(error: GraphQLError): Record<string, unknown> | undefined {
  const list = error.extensions?.validationErrors;
  if (!Array.isArray(list)) return undefined;
  return {
    validationErrors: list.map((e: { property?: string; constraints?: Record<string, string> }) => ({
      property: e.property,
      constraints: e.constraints,
    })),
  };
}
