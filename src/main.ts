import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { pino } from "pino";
import { loadConfig } from "./config.js";
import { DirectoryInUseError } from "./db/pgliteLock.js";
import { startServer } from "./server.js";
import { exitOnSignals } from "./shutdown.js";

const config = loadConfig();
// V8 lets the heap grow to up to 4× what survived its last full collection before the next
// one (on a machine with 16 GiB or more); under load, requests promote tens of MB/s of
// short-lived objects into the old generation, so the process sits near 4× its live heap
// (10 000 × 20 book: ≈ 125 MiB live, ≈ 450–780 MiB before a collection). HEAP_GROWING_PERCENT
// trades that room for collections: 100 keeps ≈ 2× (RSS under load 559–617 MiB instead of
// ≈ 810 MiB in the load benchmark) but full collections come about twice as often and the
// paced-read p99 rose by 30–110 ms there; off by default. It applies to the engine workers too.
if (config.heapGrowingPercent > 0) setFlagsFromString(`--heap-growing-percent=${config.heapGrowingPercent}`);
const logger = pino({ level: config.logLevel });
let adminToken = config.adminToken;
if (!adminToken) {
  adminToken = randomBytes(24).toString("base64url");
  // Printed once: the only way to learn a generated token.
  process.stdout.write(`\nRISK_ADMIN_TOKEN not set; generated an ADMIN token for this run:\n  ${adminToken}\n\n`);
}
try {
  const server = await startServer({ ...config, adminToken }, logger);
  exitOnSignals(() => server.close(), logger, config.shutdownTimeoutMs);
} catch (error) {
  if (!(error instanceof DirectoryInUseError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
