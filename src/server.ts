import "reflect-metadata";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import type { FormattedExecutionResult, GraphQLFormattedError } from "graphql";
import { pino, type Logger } from "pino";
import { Authenticator } from "./auth/authenticate.js";
import { JwtVerifier } from "./auth/jwtVerifier.js";
import { redisNamespaceOf, type Config } from "./config.js";
import { openDatabase, type Database } from "./db/client.js";
import { migrate } from "./db/migrate.js";
import { openBook } from "./bootstrap.js";
import { createContext, type Context } from "./graphql/context.js";
import { formatError } from "./graphql/errors.js";
import { mountPages } from "./http/pages.js";
import { limitsPlugin } from "./graphql/limits/apolloLimits.js";
import { readCachePlugin } from "./graphql/readCache.js";
import { RateLimiter } from "./graphql/limits/rateLimiter.js";
import { beforeExecutionError, jsonBodyErrors } from "./graphql/limits/requestErrors.js";
import { getSchema } from "./graphql/schema.js";
import { attachWebSocket } from "./graphql/wsServer.js";
import { InProcessEventBus, RedisEventBus, type EventBus } from "./monitor/eventBus.js";
import { Metrics } from "./metrics.js";
import { Topic } from "./monitor/events.js";
import { LeasedShare, SoleShare, type WorkShare } from "./monitor/workShare.js";
import { PartitionLeases } from "./db/stores/partitionLeases.store.js";
import { createServices, type Services } from "./services.js";

/**
 * Results as compact JSON (Apollo pretty-prints by default), each data object rendered
 * once: a read answered from the read cache hands over the same object again.
 */
function compactJson(): (result: FormattedExecutionResult) => string {
  const rendered = new WeakMap<object, string>();
  return (result) => {
    if (result.errors || result.extensions || !result.data) return JSON.stringify(result);
    let text = rendered.get(result.data);
    if (text === undefined) {
      text = JSON.stringify(result);
      rendered.set(result.data, text);
    }
    return text;
  };
}

/**
 * A full re-evaluation every `intervalMs` (0: never), skipped while the previous one
 * runs: option books decay as time passes, and a sync that failed catches up. Returns stop().
 */
function startPeriodic(intervalMs: number, pass: () => Promise<void>, logger: Logger): () => void {
  if (intervalMs <= 0) return () => undefined;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    pass()
      .catch((error: unknown) => logger.error({ err: error }, "periodic margin evaluation failed"))
      .finally(() => (running = false));
  }, intervalMs).unref();
  return () => clearInterval(timer);
}

/** PostgreSQL: the monitor's work leased in partitions across live instances; the embedded database has one. */
function workShareOf(db: Database, config: Config, logger: Logger): WorkShare {
  if (db.kind !== "postgres" || !config.databaseUrl) return new SoleShare();
  const timeouts = { connectTimeoutMs: config.dbConnectTimeoutMs, queryTimeoutMs: config.dbQueryTimeoutMs };
  return new LeasedShare((onLost) => new PartitionLeases(config.databaseUrl!, timeouts, onLost), config.monitorSharePollMs, logger);
}

export interface RunningServer {
  url: string;
  port: number;
  services: Services;
  close(): Promise<void>;
}

/**
 * Opens the database (migrating it and loading reference data, plus the demo book
 * when configured), then serves POST /graphql, WebSocket /graphql, GET /health and
 * GET /metrics on one HTTP server.
 */
export async function startServer(config: Config & { adminToken: string }, logger: Logger = pino({ level: config.logLevel })): Promise<RunningServer> {
  const db = await openDatabase(config);
  const migration = await migrate(db.sql);
  if (migration.applied.length > 0) logger.info({ applied: migration.applied }, "migrations applied");
  const bus: EventBus = config.redisUrl ? new RedisEventBus(config.redisUrl, redisNamespaceOf(config), logger) : new InProcessEventBus();
  const metrics = new Metrics(db);
  const share = workShareOf(db, config, logger);
  const services = createServices(db, config, bus, share, logger, randomUUID(), metrics);
  metrics.watch(services.readModel.book, share);
  const feed = services.feed;
  if (feed) metrics.watchFeed(() => feed.status());
  bus.subscribe(Topic.MarginCalls, metrics.countEvent);
  logger.info(await openBook(services, { demo: config.seedDemo }));

  const schema = await getSchema();
  const authenticator = new Authenticator(config.adminToken, services.keyVerifier, JwtVerifier.fromConfig(config));
  const rateLimiter = new RateLimiter(config);
  const app = express();
  app.disable("x-powered-by");
  metrics.mount(app);
  const httpServer: Server = createServer(app);
  const onUnexpected = (error: unknown) => logger.error({ err: error }, "unexpected error");
  const format = (formatted: GraphQLFormattedError, error: unknown) => formatError(formatted, error, onUnexpected, { hideSuggestions: !config.introspection });

  const wsCleanup = attachWebSocket(httpServer, { schema, services, authenticator, rateLimiter, config, format });

  const apollo = new ApolloServer<Context>({
    schema,
    formatError: format,
    includeStacktraceInErrorResponses: false,
    introspection: config.introspection,
    // Shutdown on signals is main.ts's (src/shutdown.ts); Apollo's own would re-raise the signal.
    stopOnTerminationSignals: false,
    hideSchemaDetailsFromClientErrors: !config.introspection,
    parseOptions: { maxTokens: config.maxQueryTokens },
    stringifyResult: compactJson(),
    plugins: [
      // No cache hints are used; the plugin would otherwise wrap every field's resolver.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { async serverWillStart() { return { async drainServer() { await wsCleanup.dispose(); } }; } },
      // Apollo's landing page loads from external hosts; GraphiQL is served by mountPages.
      ApolloServerPluginLandingPageDisabled(),
      limitsPlugin(config),
      readCachePlugin(services.readModel),
      metrics.apolloPlugin(),
    ],
  });
  await apollo.start();

  // A bounded probe: a database that takes longer than healthTimeoutMs to answer is unavailable.
  app.get("/health", async (_req, res) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("health probe timed out")), config.healthTimeoutMs);
    });
    try {
      await Promise.race([db.sql.query("SELECT 1"), timeout]);
      // The feed is reported, not judged: reads and updateMarket work without it.
      res.json({ status: "ok", database: db.kind, ...(feed ? { feed: feed.status() } : {}) });
    } catch {
      res.status(503).json({ status: "unavailable", database: db.kind, ...(feed ? { feed: feed.status() } : {}) });
    } finally {
      clearTimeout(timer);
    }
  });
  mountPages(app, config, logger);
  app.use(
    "/graphql",
    express.json({ limit: config.maxBodyBytes }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        try {
          const principal = await authenticator.authenticate(req.headers.authorization);
          rateLimiter.take(principal);
          return createContext(services, principal);
        } catch (error) {
          throw beforeExecutionError(error);
        }
      },
    }),
    jsonBodyErrors(config.maxBodyBytes, onUnexpected),
  );

  // After the book is loaded and evaluated: a tick's evaluation starts from it.
  feed?.start();
  const stopPeriodic = startPeriodic(config.monitorIntervalMs, () => services.readModel.refreshAll(), logger);

  await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${config.host}:${port}/graphql`;
  logger.info({ url, database: db.kind }, "risk API ready");
  return {
    url,
    port,
    services,
    async close() {
      stopPeriodic();
      // First: the batch in hand commits and is acknowledged while the database is open.
      await feed?.close();
      // Stops accepting, drains in-flight requests and closes subscriptions (1001) first.
      await apollo.stop();
      services.monitor.close();
      await share.close();
      await services.compute.close();
      await bus.close();
      await db.close();
    },
  };
}
