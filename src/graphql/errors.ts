import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { DomainError } from "../domain/errors.js";
import { EngineInputError } from "../engine/errors.js";
import { isConnectionFailure } from "../db/prismaErrors.js";

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
 * Every error leaves the server with a code from a closed set and a message written
 * for clients; anything unexpected becomes INTERNAL_SERVER_ERROR with a generic message
 * (no stack, SQL or file path). `onUnexpected` receives the original for the log.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, onUnexpected: (e: unknown) => void): GraphQLFormattedError {
  const original: unknown = unwrapResolverError(error);
  if (original instanceof DomainError) return coded(formatted, original.code, original.message, original.details);
  if (original instanceof EngineInputError) return coded(formatted, "BAD_USER_INPUT", original.message);
  if (isConnectionFailure(original)) return coded(formatted, "SERVICE_UNAVAILABLE", "the database is unavailable; retry shortly");
  // graphql-js coercion errors for variables carry no code: they are bad input.
  const code = formatted.extensions?.code;
  if (typeof code === "string" && PASS_THROUGH.has(code)) {
    const extra = code === "BAD_USER_INPUT" && original instanceof GraphQLError ? validationDetails(original) : undefined;
    return coded(formatted, code, formatted.message, extra);
  }
  if (original instanceof GraphQLError && original.originalError === undefined && code === undefined) {
    return coded(formatted, "BAD_USER_INPUT", formatted.message);
  }
  onUnexpected(original);
  return coded(formatted, "INTERNAL_SERVER_ERROR", "internal error");
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
