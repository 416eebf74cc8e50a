import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { loadConfig } from "./config.js";
import { startServer } from "./server.js";

const config = loadConfig();
let adminToken = config.adminToken;
if (!adminToken) {
  adminToken = randomBytes(24).toString("base64url");
  // Printed once: the only way to learn a generated token.
  process.stdout.write(`\nRISK_ADMIN_TOKEN not set; generated an ADMIN token for this run:\n  ${adminToken}\n\n`);
}
const server = await startServer({ ...config, adminToken });
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
