import { Prisma } from "../generated/prisma/client.js";

/** True for a unique-constraint violation (Prisma P2002), e.g. a concurrent duplicate key. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/** Prisma codes for an unreachable or dropped database, a pool timeout, or too many connections. */
const CONNECTION_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2037"]);
/** SQLSTATEs of the same: connection exceptions (class 08), shutdowns and restarts (57P01–57P03), too many connections. */
const CONNECTION_SQLSTATE = /^(08|57P0[123]$|53300$)/;
/**
 * Socket errors of node and pg; `pg` reports a dropped connection, a pool timeout and a
 * query that got no answer (query_timeout) with messages only, and Prisma a transaction
 * that could not get a connection in time (P2028, like its other transaction errors).
 */
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH"]);
const DRIVER_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Can't reach database server|Server has closed the connection|Query read timeout|Unable to start a transaction in the given time/i;

/** The SQLSTATE a driver adapter error carries in its cause, when Prisma wrapped one. */
function adapterSqlState(error: Prisma.PrismaClientKnownRequestError): string | undefined {
  const cause = (error.meta?.driverAdapterError as { cause?: { originalCode?: unknown } } | undefined)?.cause;
  return typeof cause?.originalCode === "string" ? cause.originalCode : undefined;
}

/**
 * True when the database could not be reached or the connection broke mid-request,
 * however it surfaces: a Prisma error (known codes, a wrapped SQLSTATE, or an unknown
 * error with pg's message) or a raw pg / socket error from the pool beside Prisma.
 */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientInitializationError) return true;
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    const sqlState = adapterSqlState(error);
    return CONNECTION_CODES.has(error.code) || (sqlState !== undefined && CONNECTION_SQLSTATE.test(sqlState)) || DRIVER_MESSAGE.test(error.message);
  }
  if (error instanceof Prisma.PrismaClientUnknownRequestError) return DRIVER_MESSAGE.test(error.message);
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") return SOCKET_CODES.has(code) || CONNECTION_SQLSTATE.test(code);
  return DRIVER_MESSAGE.test(error.message);
}

/**
 * True for a value the column cannot hold: numeric overflow (SQLSTATE 22003, Prisma P2020),
 * e.g. a balance that a deposit would take past Decimal(38,18).
 */
export function isValueOutOfRange(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError) return error.code === "P2020" || adapterSqlState(error) === "22003";
  return error instanceof Error && (error as { code?: unknown }).code === "22003";
}
