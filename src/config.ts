/**
 * Environment, validated once at start-up into a typed object. Durations are in
 * milliseconds and say so in their names.
 */
export interface Config {
  nodeEnv: string;
  host: string;
  port: number;
  /** PostgreSQL URL; null selects the embedded PGlite database. */
  databaseUrl: string | null;
  /** PGlite data directory, or "memory://" for a throw-away in-memory database. */
  pgliteDir: string;
  dbPoolMax: number;
  dbConnectTimeoutMs: number;
  dbStatementTimeoutMs: number;
  redisUrl: string | null;
  /** ADMIN bearer token; null means the server generates one at start and prints it once. */
  adminToken: string | null;
  /** Load the demo book when the database holds no client yet. */
  seedDemo: boolean;
  logLevel: string;
  /** Introspection and the landing page; on by default outside production. */
  introspection: boolean;
}

export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} (${raw}) must be an integer in [${min}, ${max}]`);
  }
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} (${raw}) must be true or false`);
}

function optional(env: NodeJS.ProcessEnv, name: string): string | null {
  const raw = env[name]?.trim();
  return raw ? raw : null;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = env.NODE_ENV ?? "development";
  const databaseUrl = optional(env, "DATABASE_URL");
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError("DATABASE_URL must start with postgres:// or postgresql://");
  }
  const adminToken = optional(env, "RISK_ADMIN_TOKEN");
  if (adminToken !== null && adminToken.length < 16) {
    throw new ConfigError("RISK_ADMIN_TOKEN must be at least 16 characters");
  }
  return {
    nodeEnv,
    host: env.HOST ?? "127.0.0.1",
    port: integer(env, "PORT", 4000, 0, 65535),
    databaseUrl,
    pgliteDir: env.PGLITE_DIR ?? "./.data",
    dbPoolMax: integer(env, "DB_POOL_MAX", 10, 1, 200),
    dbConnectTimeoutMs: integer(env, "DB_CONNECT_TIMEOUT_MS", 3000, 100, 60_000),
    dbStatementTimeoutMs: integer(env, "DB_STATEMENT_TIMEOUT_MS", 10_000, 100, 600_000),
    redisUrl: optional(env, "REDIS_URL"),
    adminToken,
    seedDemo: flag(env, "SEED_DEMO", true),
    logLevel: env.LOG_LEVEL ?? (nodeEnv === "test" ? "silent" : "info"),
    introspection: flag(env, "GRAPHQL_INTROSPECTION", nodeEnv !== "production"),
  };
}
