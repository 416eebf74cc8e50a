/**
 * The closed set of error codes clients see in `extensions.code`. Domain code throws
 * these; anything else reaching the API is masked as INTERNAL_SERVER_ERROR.
 */
export type ErrorCode =
  | "BAD_USER_INPUT"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "INSUFFICIENT_MARGIN"
  | "RATE_LIMITED"
  | "SERVICE_UNAVAILABLE";

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadInputError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super("BAD_USER_INPUT", message, details);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super("NOT_FOUND", `${what} ${JSON.stringify(id)} not found`);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string) {
    super("CONFLICT", message);
  }
}

export class InsufficientMarginError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super("INSUFFICIENT_MARGIN", message, details);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = "a valid API key is required (Authorization: Bearer <key>)") {
    super("UNAUTHENTICATED", message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = "this key's role does not allow this operation") {
    super("FORBIDDEN", message);
  }
}

export class RateLimitedError extends DomainError {
  constructor(
    readonly retryAfterSeconds: number,
    what = "too many requests for this API key",
  ) {
    super("RATE_LIMITED", `${what}; retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
}

export class ServiceUnavailableError extends DomainError {
  constructor(message = "the database is unavailable; retry shortly") {
    super("SERVICE_UNAVAILABLE", message);
  }
}
