import { HeaderMap } from "@apollo/server";
import type { ErrorRequestHandler } from "express";
import { GraphQLError } from "graphql";
import { isConnectionFailure } from "../../db/prismaErrors.js";
import { DomainError, RateLimitedError, ServiceUnavailableError, type ErrorCode } from "../../domain/errors.js";

const STATUS: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
};

/**
 * An error raised before execution (authentication, rate limit, a key lookup while the
 * database is down) as a GraphQLError carrying its HTTP status; formatError gives it its
 * code. Anything else is rethrown as is (and masked).
 */
export function beforeExecutionError(error: unknown): GraphQLError {
  const domain = isConnectionFailure(error) ? new ServiceUnavailableError() : error;
  if (!(domain instanceof DomainError)) throw error;
  const http = {
    status: STATUS[domain.code] ?? 400,
    ...(domain instanceof RateLimitedError && { headers: new HeaderMap([["retry-after", String(domain.retryAfterSeconds)]]) }),
  };
  return new GraphQLError(domain.message, { originalError: domain, extensions: { code: domain.code, http } });
}

/**
 * Errors express hands on from POST /graphql: body parser failures (malformed JSON, a
 * body over the size limit, an unsupported encoding) and anything unexpected, answered
 * as GraphQL-shaped JSON with a code instead of express's HTML error page.
 */
export function jsonBodyErrors(maxBodyBytes: number, onUnexpected: (error: unknown) => void): ErrorRequestHandler {
  return (error: { status?: unknown; type?: unknown }, _req, res, next) => {
    if (res.headersSent) return next(error);
    const status = typeof error?.status === "number" && error.status >= 400 && error.status < 500 ? error.status : 500;
    const [code, message] =
      status === 413 ? ["BAD_USER_INPUT", `request body exceeds the limit of ${maxBodyBytes} bytes`]
      : error?.type === "entity.parse.failed" ? ["BAD_REQUEST", "request body is not valid JSON"]
      : status < 500 ? ["BAD_REQUEST", "request body could not be read"]
      : ["INTERNAL_SERVER_ERROR", "internal error"];
    if (status === 500) onUnexpected(error);
    res.status(status).json({ errors: [{ message, extensions: { code } }] });
  };
}
