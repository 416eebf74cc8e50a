import "reflect-metadata";
import { loadConfig } from "../src/config.js";
import { openDatabase } from "../src/db/client.js";
import { migrate } from "../src/db/migrate.js";
import { randomUUID } from "node:crypto";
import { openBook } from "../src/bootstrap.js";
import { pino } from "pino";
import { InProcessEventBus } from "../src/monitor/eventBus.js";
import { Metrics } from "../src/metrics.js";
import { SoleShare } from "../src/monitor/workShare.js";
import { createServices } from "../src/services.js";

/** Migrates, then loads reference data and (into an empty book) the demo book. */
const config = loadConfig();
const db = await openDatabase(config);
try {
  await migrate(db.sql);
  const bus = new InProcessEventBus();
  const services = createServices(db, config, bus, new SoleShare(), pino({ level: config.logLevel }), randomUUID(), new Metrics(db));
  console.log(await openBook(services, { demo: true }));
  await services.compute.close();
  await services.share.close();
  await bus.close();
} finally {
  await db.close();
}
