import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Express } from "express";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Database } from "./db/client.js";

/**
 * Prometheus metrics on GET /metrics: process defaults, HTTP request durations by
 * route, SQL statements sent, and margin-call events published.
 */
export function mountMetrics(app: Express, db: Database) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: "risk_sql_statements_total",
    help: "SQL statements sent to the database since start",
    registers: [registry],
    collect() {
      this.set(db.statementCount());
    },
  });
  const duration = new Histogram({
    name: "risk_http_request_duration_seconds",
    help: "HTTP request duration by route",
    labelNames: ["route", "status"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const events = new Counter({ name: "risk_margin_call_events_total", help: "Margin-call events published", registers: [registry] });
  // Delay of the event loop: what one blocking computation costs every other request.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  new Gauge({
    name: "risk_event_loop_delay_seconds",
    help: "Event-loop delay percentiles since the previous scrape (seconds)",
    labelNames: ["quantile"],
    registers: [registry],
    collect() {
      for (const q of [0.5, 0.9, 0.99, 1]) this.set({ quantile: String(q) }, (q === 1 ? loopDelay.max : loopDelay.percentile(q * 100)) / 1e9);
      loopDelay.reset();
    },
  });

  app.use((req, res, next) => {
    const stop = duration.startTimer({ route: req.path === "/graphql" ? "/graphql" : req.path === "/health" ? "/health" : "other" });
    res.on("finish", () => stop({ status: String(res.statusCode) }));
    next();
  });
  app.get("/metrics", async (_req, res) => {
    res.set("content-type", registry.contentType).send(await registry.metrics());
  });
  return { countEvent: () => events.inc() };
}
