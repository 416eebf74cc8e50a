import { createHash, randomUUID } from "node:crypto";
import { defaultWorkerCount } from "./compute/workerPool.js";
import { Role } from "./generated/prisma/enums.js";

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
  /**
   * Client side: a query with no answer in this time fails (a database that accepts
   * connections but never answers); by default a second past the statement timeout.
   */
  dbQueryTimeoutMs: number;
  /** TCP keepalive on database connections, first probe after this idle time. */
  dbKeepAliveInitialDelayMs: number;
  /** GET /health answers 503 when the database does not answer its probe in this time. */
  healthTimeoutMs: number;
  redisUrl: string | null;
  /** Prefix of every Redis channel and key; null: derived from the database (see redisNamespaceOf). */
  redisNamespace: string | null;
  /** Engine worker threads (0: the engine runs on the event loop). */
  riskWorkers: number;
  /** V8 heap growth allowed after each full collection, per cent of the live heap (0: V8's own factor, up to 300 %). */
  heapGrowingPercent: number;
  /** Confirm before each read that the in-memory book has every committed write (several instances). */
  confirmReads: boolean;
  /** Liquidation points computed ahead, after each change, for this many riskiest accounts. */
  warmLiquidation: number;
  /** Engine time each key may use for on-demand work: sustained ms per second, and burst (ms). */
  engineBudgetMsPerSecond: number;
  engineBudgetBurstMs: number;
  /** ADMIN bearer token; null means the server generates one at start and prints it once. */
  adminToken: string | null;
  /** Load the demo book when the database holds no client yet. */
  seedDemo: boolean;
  logLevel: string;
  /** Period of the monitor's full re-evaluation (time decay, catch-up); 0 = off (the default in tests). */
  monitorIntervalMs: number;
  /** How often each instance looks at the partition leases of the monitor's work (PostgreSQL). */
  monitorSharePollMs: number;
  /** Introspection and the landing page; on by default outside production. */
  introspection: boolean;
  /** How long a verified API key is trusted before it is read again (revocation delay). */
  apiKeyCacheTtlMs: number;
  /** POST /graphql body and WebSocket message limit (bytes). */
  maxBodyBytes: number;
  /** Per operation: tokens in the query text, selection depth, aliases, estimated cost. */
  maxQueryTokens: number;
  maxQueryDepth: number;
  maxAliases: number;
  maxQueryCost: number;
  /** Estimated cost of the introspection in one operation (`__schema`, `__type`), by the same rule as maxQueryCost. */
  maxIntrospectionCost: number;
  /** Token bucket per API key: sustained operations per second and burst size. */
  rateLimitPerSecond: number;
  rateLimitBurst: number;
  /** Roles the rate limit applies to (trusted back-office roles are exempt by default). */
  rateLimitRoles: Role[];
  /** updateMarket's asOf: at most this many days before now (replays of the bundled 2017– history) … */
  marketAsOfPastDays: number;
  /** … and at most this far after now. */
  marketAsOfFutureMs: number;
  /** A WebSocket must send connection_init within this time. */
  wsConnectionInitTimeoutMs: number;
  /** HS256 secret of portal JWTs (≥ 32 bytes); null: HS256 tokens refused. */
  jwtSecret: string | null;
  /** Path of a JSON Web Key Set whose public keys verify RS256/PS256/ES256/EdDSA tokens. */
  jwtJwksFile: string | null;
  /** Required `iss` and `aud` of JWTs, when set. */
  jwtIssuer: string | null;
  jwtAudience: string | null;
  /** Roles a JWT may carry (CLIENT and RISK by default; ADMIN needs a key or the admin token). */
  jwtRoles: Role[];
  /** GraphiQL on GET /graphql from a browser; on by default outside production. */
  graphiql: boolean;
  /** The risk desk page on GET /desk; on by default outside production. */
  desk: boolean;
  /** Graceful shutdown: in-flight work gets this long before the process exits anyway. */
  shutdownTimeoutMs: number;
  /** NATS servers (comma-separated nats:// or tls:// URLs) of the market feed (DESIGN §7.7); null: no feed. */
  natsUrls: string[] | null;
  /** Feed ticks handled in one transaction and one evaluation at most (also pulled ahead per instance). */
  feedBatchSize: number;
  /** ack_wait of the durable consumer when this server creates it: an unacknowledged tick is redelivered after it. */
  feedAckWaitMs: number;
  /** Between NATS connection or set-up attempts, and before a failed batch is redelivered. */
  feedRetryMs: number;
}

const ROLES = Object.values(Role);

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

function roles(env: NodeJS.ProcessEnv, name: string, fallback: Role[]): Role[] {
  const raw = env[name];
  if (raw === undefined) return fallback;
  const list = raw.split(",").map((r) => r.trim().toUpperCase()).filter(Boolean);
  const unknown = list.filter((r) => !ROLES.includes(r as Role));
  if (unknown.length > 0) throw new ConfigError(`${name} (${raw}) must list roles among ${ROLES.join(", ")}`);
  return list as Role[];
}

function optional(env: NodeJS.ProcessEnv, name: string): string | null {
  const raw = env[name]?.trim();
  return raw ? raw : null;
}

function natsUrls(env: NodeJS.ProcessEnv): string[] | null {
  const raw = optional(env, "NATS_URL");
  if (raw === null) return null;
  const urls = raw.split(",").map((u) => u.trim()).filter(Boolean);
  if (urls.length === 0 || urls.some((u) => !/^(nats|tls):\/\/[^\s/]+$/.test(u))) throw new ConfigError(`NATS_URL (${raw}) must be nats://host:port or tls://host:port, comma-separated`);
  return urls;
}

function namespace(env: NodeJS.ProcessEnv): string | null {
  const raw = optional(env, "REDIS_NAMESPACE");
  if (raw !== null && !/^[A-Za-z0-9_.:-]{1,64}$/.test(raw)) throw new ConfigError(`REDIS_NAMESPACE (${raw}) must be 1–64 of A–Z a–z 0–9 _ . : -`);
  return raw;
}

/**
 * The Redis namespace in force: REDIS_NAMESPACE, or one derived from the database (host,
 * port and name of DATABASE_URL, never its credentials; the PGlite directory), so two
 * deployments on two databases never share channels while instances of one always do.
 */
export function redisNamespaceOf(config: Pick<Config, "redisNamespace" | "databaseUrl" | "pgliteDir">): string {
  if (config.redisNamespace !== null) return config.redisNamespace;
  let database = config.pgliteDir === "memory://" ? `memory://${randomUUID()}` : config.pgliteDir;
  if (config.databaseUrl) {
    const url = new URL(config.databaseUrl);
    database = `${url.hostname}:${url.port || 5432}${url.pathname}`;
  }
  return `risk-${createHash("sha1").update(database).digest("hex").slice(0, 12)}`;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = env.NODE_ENV ?? "development";
  const databaseUrl = optional(env, "DATABASE_URL");
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError("DATABASE_URL must start with postgres:// or postgresql://");
  }
  const adminToken = optional(env, "RISK_ADMIN_TOKEN");
  const jwtSecret = optional(env, "JWT_SECRET");
  if (jwtSecret !== null && Buffer.byteLength(jwtSecret, "utf8") < 32) {
    throw new ConfigError("JWT_SECRET must be at least 32 bytes");
  }
  if (adminToken !== null && adminToken.length < 16) {
    throw new ConfigError("RISK_ADMIN_TOKEN must be at least 16 characters");
  }
  const dbStatementTimeoutMs = integer(env, "DB_STATEMENT_TIMEOUT_MS", 10_000, 100, 600_000);
  return {
    nodeEnv,
    host: env.HOST ?? "127.0.0.1",
    port: integer(env, "PORT", 4000, 0, 65535),
    databaseUrl,
    pgliteDir: env.PGLITE_DIR ?? "./.data",
    dbPoolMax: integer(env, "DB_POOL_MAX", 10, 1, 200),
    dbConnectTimeoutMs: integer(env, "DB_CONNECT_TIMEOUT_MS", 3000, 100, 60_000),
    dbStatementTimeoutMs,
    dbQueryTimeoutMs: integer(env, "DB_QUERY_TIMEOUT_MS", dbStatementTimeoutMs + 1000, 100, 601_000),
    dbKeepAliveInitialDelayMs: integer(env, "DB_KEEPALIVE_INITIAL_DELAY_MS", 10_000, 1000, 600_000),
    healthTimeoutMs: integer(env, "HEALTH_TIMEOUT_MS", 1500, 100, 60_000),
    redisUrl: optional(env, "REDIS_URL"),
    redisNamespace: namespace(env),
    riskWorkers: integer(env, "RISK_WORKERS", defaultWorkerCount(), 0, 64),
    heapGrowingPercent: integer(env, "HEAP_GROWING_PERCENT", 0, 0, 300),
    confirmReads: flag(env, "CONFIRM_READS", optional(env, "REDIS_URL") !== null),
    warmLiquidation: integer(env, "WARM_LIQUIDATION", 200, 0, 100_000),
    engineBudgetMsPerSecond: integer(env, "ENGINE_BUDGET_MS_PER_SECOND", 250, 1, 100_000),
    engineBudgetBurstMs: integer(env, "ENGINE_BUDGET_BURST_MS", 3000, 1, 10_000_000),
    adminToken,
    seedDemo: flag(env, "SEED_DEMO", true),
    logLevel: env.LOG_LEVEL ?? (nodeEnv === "test" ? "silent" : "info"),
    introspection: flag(env, "GRAPHQL_INTROSPECTION", nodeEnv !== "production"),
    monitorIntervalMs: integer(env, "MONITOR_INTERVAL_MS", nodeEnv === "test" ? 0 : 60_000, 0, 86_400_000),
    monitorSharePollMs: integer(env, "MONITOR_SHARE_POLL_MS", 1000, 100, 60_000),
    apiKeyCacheTtlMs: integer(env, "API_KEY_CACHE_TTL_MS", 5000, 0, 300_000),
    maxBodyBytes: integer(env, "MAX_BODY_BYTES", 256 * 1024, 1024, 16 * 1024 * 1024),
    maxQueryTokens: integer(env, "GRAPHQL_MAX_TOKENS", 5000, 100, 1_000_000),
    maxQueryDepth: integer(env, "GRAPHQL_MAX_DEPTH", 10, 2, 100),
    maxAliases: integer(env, "GRAPHQL_MAX_ALIASES", 50, 0, 10_000),
    maxQueryCost: integer(env, "GRAPHQL_MAX_COST", 20_000, 10, 10_000_000),
    maxIntrospectionCost: integer(env, "GRAPHQL_MAX_INTROSPECTION_COST", 60_000, 10, 10_000_000),
    rateLimitPerSecond: integer(env, "RATE_LIMIT_PER_SECOND", 20, 1, 100_000),
    rateLimitBurst: integer(env, "RATE_LIMIT_BURST", 60, 1, 1_000_000),
    rateLimitRoles: roles(env, "RATE_LIMIT_ROLES", ["CLIENT"]),
    wsConnectionInitTimeoutMs: integer(env, "WS_CONNECTION_INIT_TIMEOUT_MS", 3000, 100, 60_000),
    marketAsOfPastDays: integer(env, "MARKET_ASOF_PAST_DAYS", 5475, 1, 36_500),
    marketAsOfFutureMs: integer(env, "MARKET_ASOF_FUTURE_MS", 7 * 86_400_000, 0, 31_536_000_000),
    jwtSecret,
    jwtJwksFile: optional(env, "JWT_JWKS_FILE"),
    jwtIssuer: optional(env, "JWT_ISSUER"),
    jwtAudience: optional(env, "JWT_AUDIENCE"),
    jwtRoles: roles(env, "JWT_ROLES", ["CLIENT", "RISK"]),
    graphiql: flag(env, "GRAPHIQL", nodeEnv !== "production"),
    desk: flag(env, "DESK", nodeEnv !== "production"),
    shutdownTimeoutMs: integer(env, "SHUTDOWN_TIMEOUT_MS", 10_000, 100, 600_000),
    natsUrls: natsUrls(env),
    // Large by default: a batch costs one evaluation whatever its size, so a feed faster than one evaluation per tick keeps up.
    feedBatchSize: integer(env, "FEED_BATCH_SIZE", 2000, 1, 5000),
    feedAckWaitMs: integer(env, "FEED_ACK_WAIT_MS", 30_000, 1000, 3_600_000),
    feedRetryMs: integer(env, "FEED_RETRY_MS", 1000, 100, 60_000),
  };
}
