import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { LOCK_FILE } from "../../src/db/pgliteLock.js";
import { freePort, listening } from "../support/serverProcess.js";
import { TEST_DB } from "../support/testDatabase.js";

const ADMIN = "process-test-admin-token-0123456789";

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(command: string, args: string[], env: Record<string, string>): Started {
  const child = spawn(command, args, { cwd: process.cwd(), env: { ...process.env, NODE_ENV: "development", LOG_LEVEL: "info", SEED_DEMO: "false", ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function healthy(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no /health on ${port} within ${timeoutMs} ms`);
}

/** An open margin-call subscription over graphql-transport-ws; resolves with the socket once acknowledged. */
async function openFeed(port: number): Promise<{ closed: Promise<number> }> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, "graphql-transport-ws");
  const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${ADMIN}` } })));
    socket.on("message", (data) => {
      if (JSON.parse(String(data)).type !== "connection_ack") return;
      socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: "subscription { marginCalls { sequence } }" } }));
      resolve();
    });
    socket.once("error", reject);
  });
  return { closed };
}

// Process behaviour does not depend on the database: one run, on PGlite.
describe.runIf(TEST_DB === "pglite")("npm start, a second server on the same directory, SIGTERM", () => {
  const dir = mkdtempSync(join(tmpdir(), "risk-api-process-"));
  const started: Started[] = [];

  afterAll(() => {
    // Each child leads its own process group: a failed test leaves no server behind.
    for (const { child } of started) {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves, refuses a second process on its PGlite directory, and shuts down cleanly on SIGTERM to npm", { timeout: 180_000 }, async () => {
    const port = await freePort();
    const env = { PGLITE_DIR: join(dir, "data"), PORT: String(port), RISK_ADMIN_TOKEN: ADMIN };
    // --ignore-scripts skips prestart (prisma generate, pages): pretest has done both.
    const server = run("npm", ["start", "--ignore-scripts", "--silent"], env);
    started.push(server);
    await healthy(port, 150_000); // PGlite creates and migrates a new directory: slow on a busy machine

    const second = run(process.execPath, ["--import", "tsx", "src/main.ts"], { ...env, PORT: String(await freePort()) });
    started.push(second);
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/PGlite directory .* is in use by process \d+/);

    const feed = await openFeed(port);
    server.child.kill("SIGTERM"); // npm's own pid: the signal must reach the server behind it
    expect(await feed.closed).toBe(1001);
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain("shutdown complete");
    expect(await listening(port)).toBe(false);

    // The lock went with the process: the directory opens again.
    expect(existsSync(join(env.PGLITE_DIR, LOCK_FILE))).toBe(false);
  });
});
