import { describe, expect, it } from "vitest";
import { Prisma } from "../../../src/generated/prisma/client.js";
import { isConnectionFailure } from "../../../src/db/prismaErrors.js";

const clientVersion = "7.10.0";
const known = (code: string, message = "x", cause?: Record<string, unknown>) =>
  new Prisma.PrismaClientKnownRequestError(message, { code, clientVersion, meta: cause ? { driverAdapterError: { cause } } : undefined });
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

/** What Prisma 7 with @prisma/adapter-pg, and pg beside it, throw when PostgreSQL goes away (seen in test/integration/outage.test.ts and the adapter's source). */
const OUTAGES: [string, unknown][] = [
  ["refused connection (P1001)", known("P1001", "Can't reach database server at 127.0.0.1:5432", { kind: "DatabaseNotReachable" })],
  ["connection closed by the server (P1017)", known("P1017", "Server has closed the connection.", { kind: "ConnectionClosed" })],
  ["socket timeout (P1008)", known("P1008", "Operation has timed out", { kind: "SocketTimeout" })],
  ["too many connections (P2037)", known("P2037", "Too many database connections opened", { kind: "TooManyConnections" })],
  ["server shutting down: 57P01 in a Prisma query", known("P2039", "Database error. Code: `57P01`", { kind: "postgres", originalCode: "57P01" })],
  ["server starting up: 57P03 in a raw query", known("P2010", "Raw query failed. Code: `57P03`", { kind: "postgres", originalCode: "57P03" })],
  ["connection failure class 08 in a raw query", known("P2010", "Raw query failed. Code: `08006`", { kind: "postgres", originalCode: "08006" })],
  ["pg's dropped connection, wrapped by Prisma", new Prisma.PrismaClientUnknownRequestError("Connection terminated unexpectedly", { clientVersion })],
  ["pg pool timeout, wrapped by Prisma", new Prisma.PrismaClientUnknownRequestError("timeout exceeded when trying to connect", { clientVersion })],
  ["the engine could not start", new Prisma.PrismaClientInitializationError("Can't reach database server", clientVersion)],
  ["raw pg: ECONNREFUSED", withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED")],
  ["raw pg: 57P01", withCode("terminating connection due to administrator command", "57P01")],
  ["raw pg: dropped connection", new Error("Connection terminated unexpectedly")],
];

const NOT_OUTAGES: [string, unknown][] = [
  ["unique violation", known("P2002", "Unique constraint failed", { kind: "UniqueConstraintViolation" })],
  ["serialization failure", known("P2034", "Transaction failed due to a write conflict")],
  ["syntax error in a raw query", known("P2010", "Raw query failed. Code: `42601`", { kind: "postgres", originalCode: "42601" })],
  ["statement timeout (57014)", known("P2039", "Database error. Code: `57014`", { kind: "postgres", originalCode: "57014" })],
  ["a plain bug", new TypeError("x is undefined")],
  ["a domain-looking code", withCode("nope", "NOT_FOUND")],
  ["not an error", "ECONNREFUSED"],
];

describe("isConnectionFailure", () => {
  it.each(OUTAGES)("recognises %s", (_name, error) => expect(isConnectionFailure(error)).toBe(true));
  it.each(NOT_OUTAGES)("does not take %s for an outage", (_name, error) => expect(isConnectionFailure(error)).toBe(false));
});
