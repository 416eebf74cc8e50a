import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { pino } from "pino";
import { loadConfig } from "./config.js";
import { DirectoryInUseError } from "./db/pgliteLock.js";
import { startServer } from "./server.js";
import { exitOnSignals } from "./shutdown.js";

const config = loadConfig();
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
