import { monitorEventLoopDelay } from "node:perf_hooks";
import type { ApolloServerPlugin } from "@apollo/server";
import type { Express } from "express";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Database } from "./db/client.js";
import type { Book } from "./domain/book/book.js";
import type { FeedStatus } from "./feed/natsFeed.js";
import type { MarginCallEvent } from "./monitor/events.js";
import type { WorkShare } from "./monitor/workShare.js";

/** What became of a feed tick (src/feed/marketFeed.ts). */
export type FeedTickOutcome = "applied" | "superseded" | "duplicate" | "rejected" | "malformed";

const LEVELS = ["HEALTHY", "WARNING", "MARGIN_CALL", "LIQUIDATION"] as const;
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Prometheus metrics on GET /metrics: process defaults and the service's own — HTTP
 * requests by route, GraphQL operations by root field and outcome code, open
 * subscriptions, margin-call events by level, evaluation passes, accounts per level,
 * SQL statements, database pool use, event-loop delay, and the market feed: ticks by
 * outcome, batches, whether it is up, its lag and the consumer's pending counts.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly http: Histogram<"route" | "status">;
  private readonly operations: Counter<"operation" | "code">;
  private readonly operationSeconds: Histogram<"operation" | "code">;
  private readonly subscriptions: Gauge;
  private readonly events: Counter<"level">;
  private readonly evaluations: Histogram;
  private readonly feedTicks: Counter<"outcome">;
  private readonly feedBatches: Counter<"result">;
  private book: Book | null = null;
  private share: WorkShare | null = null;

  constructor(db: Database) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.http = new Histogram({ name: "risk_http_request_duration_seconds", help: "HTTP request duration by route and status", labelNames: ["route", "status"], buckets: DURATION_BUCKETS, registers });
    this.operations = new Counter({ name: "risk_graphql_operations_total", help: "GraphQL operations by root field and outcome code (OK or the first error's code)", labelNames: ["operation", "code"], registers });
    this.operationSeconds = new Histogram({ name: "risk_graphql_operation_duration_seconds", help: "GraphQL operation duration by root field and outcome code", labelNames: ["operation", "code"], buckets: DURATION_BUCKETS, registers });
    this.subscriptions = new Gauge({ name: "risk_subscriptions_open", help: "Margin-call subscriptions open on this instance", registers });
    this.events = new Counter({ name: "risk_margin_call_events_total", help: "Margin-call events this instance received since start (its own and other instances'), by new level", labelNames: ["level"], registers });
    this.evaluations = new Histogram({ name: "risk_evaluation_duration_seconds", help: "Read-model syncs (a tick, a write, a full pass): catch-up, evaluation of the units touched, levels and events", buckets: DURATION_BUCKETS, registers });
    this.feedTicks = new Counter({ name: "risk_feed_ticks_total", help: "Market feed ticks handled by this instance, by outcome: applied, superseded (stored only), duplicate (redelivered), rejected (failed validation), malformed", labelNames: ["outcome"], registers });
    this.feedBatches = new Counter({ name: "risk_feed_batches_total", help: "Market feed batches (one transaction and one evaluation each) by result: ok (acknowledged) or failed (redelivered)", labelNames: ["result"], registers });
    const book = () => this.book;
    new Gauge({
      name: "risk_accounts_by_level",
      help: "Standalone accounts by stored margin level",
      labelNames: ["level"],
      registers,
      collect() {
        const counts = new Map<string, number>(LEVELS.map((l) => [l, 0]));
        for (const account of book()?.allAccounts() ?? []) {
          if (account.portfolioId === null) counts.set(account.level.level, counts.get(account.level.level)! + 1);
        }
        for (const [level, count] of counts) this.set({ level }, count);
      },
    });
    new Counter({
      name: "risk_sql_statements_total",
      help: "SQL statements Prisma has sent since start",
      registers,
      collect() {
        this.reset();
        this.inc(db.statementCount());
      },
    });
    new Gauge({
      name: "risk_db_pool_connections",
      help: "Application database pool: connections by state, and its size (PostgreSQL)",
      labelNames: ["state"],
      registers,
      collect() {
        const use = db.poolUse();
        if (!use) return;
        this.set({ state: "total" }, use.total);
        this.set({ state: "idle" }, use.idle);
        this.set({ state: "waiting" }, use.waiting);
        this.set({ state: "max" }, use.max);
      },
    });
    const share = () => this.share;
    new Gauge({
      name: "risk_monitor_partitions",
      help: "The monitor's work partitions held by this instance (held), and the live instances sharing them (instances)",
      labelNames: ["kind"],
      registers,
      collect() {
        const current = share();
        if (!current) return;
        this.set({ kind: "held" }, current.owned.size);
        this.set({ kind: "instances" }, current.members);
      },
    });
    // Delay of the event loop: what one blocking computation costs every other request.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    new Gauge({
      name: "risk_event_loop_delay_seconds",
      help: "Event-loop delay percentiles since the previous scrape (seconds)",
      labelNames: ["quantile"],
      registers,
      collect() {
        for (const q of [0.5, 0.9, 0.99, 1]) this.set({ quantile: String(q) }, (q === 1 ? loopDelay.max : loopDelay.percentile(q * 100)) / 1e9);
        loopDelay.reset();
      },
    });
  }

  /** The book whose accounts the per-level gauge counts, and the monitor's share of the work. */
  watch(book: Book, share: WorkShare): void {
    this.book = book;
    this.share = share;
  }

  /** Registers the feed gauges (none without a feed), read from `feed` at each scrape. */
  watchFeed(feed: () => FeedStatus): void {
    const registers = [this.registry];
    new Gauge({
      name: "risk_feed_up",
      help: "1 while the market feed is connected to NATS and consuming, 0 otherwise",
      registers,
      collect() {
        this.set(feed().status === "up" ? 1 : 0);
      },
    });
    new Gauge({
      name: "risk_feed_lag_seconds",
      help: "Market feed: seconds from the NATS timestamp of the oldest tick of the last batch to its acknowledgement",
      registers,
      collect() {
        const lag = feed().lagSeconds;
        if (lag !== null) this.set(lag);
      },
    });
    new Gauge({
      name: "risk_feed_pending_messages",
      help: "Market feed consumer (all instances): ticks not yet delivered (pending) and delivered but not acknowledged (ack_pending)",
      labelNames: ["state"],
      registers,
      collect() {
        const { pending, ackPending } = feed();
        if (pending !== null) this.set({ state: "pending" }, pending);
        if (ackPending !== null) this.set({ state: "ack_pending" }, ackPending);
      },
    });
  }

  countFeedTicks(outcome: FeedTickOutcome, count: number): void {
    if (count > 0) this.feedTicks.inc({ outcome }, count);
  }

  countFeedBatch(result: "ok" | "failed"): void {
    this.feedBatches.inc({ result });
  }

  countEvent = (event: MarginCallEvent): void => {
    this.events.inc({ level: event.level });
  };

  observeEvaluation = (seconds: number): void => {
    this.evaluations.observe(seconds);
  };

  /**
   * Counts a subscription open until it ends: the feed finishes or fails, or the client
   * or the server closes it (return(), which a feed waiting for its next event only
   * honours when that event comes, so the count does not wait for it).
   */
  countOpen<T>(feed: AsyncGenerator<T>): AsyncGenerator<T> {
    const gauge = this.subscriptions;
    gauge.inc();
    let open = true;
    const close = () => {
      if (open) gauge.dec();
      open = false;
    };
    const counted: AsyncGenerator<T> = {
      async next() {
        try {
          const step = await feed.next();
          if (step.done) close();
          return step;
        } catch (error) {
          close();
          throw error;
        }
      },
      return(value) {
        close();
        void feed.return(value as T).catch(() => undefined);
        return Promise.resolve({ done: true, value: value as T });
      },
      throw(error) {
        close();
        return feed.throw(error);
      },
      [Symbol.asyncIterator]() {
        return counted;
      },
    };
    return counted;
  }

  /** GraphQL operations by root field (bounded by the schema, unlike client-chosen operation names) and outcome. */
  apolloPlugin(): ApolloServerPlugin {
    const operations = this.operations;
    const seconds = this.operationSeconds;
    return {
      async requestDidStart() {
        const started = performance.now();
        let operation = "unparsed";
        return {
          async didResolveOperation({ operation: definition }) {
            const field = definition?.selectionSet.selections.find((s) => s.kind === "Field");
            operation = `${definition?.operation ?? "unknown"} ${field?.kind === "Field" ? field.name.value : "unknown"}`;
          },
          async willSendResponse({ response }) {
            const errors = response.body.kind === "single" ? response.body.singleResult.errors : undefined;
            const code = errors?.length ? String(errors[0].extensions?.code ?? "INTERNAL_SERVER_ERROR") : "OK";
            operations.inc({ operation, code });
            seconds.observe({ operation, code }, (performance.now() - started) / 1000);
          },
        };
      },
    };
  }

  mount(app: Express): void {
    app.use((req, res, next) => {
      const stop = this.http.startTimer({ route: req.path === "/graphql" ? "/graphql" : req.path === "/health" ? "/health" : "other" });
      res.on("finish", () => stop({ status: String(res.statusCode) }));
      next();
    });
    app.get("/metrics", async (_req, res) => {
      res.set("content-type", this.registry.contentType).send(await this.registry.metrics());
    });
  }
}
