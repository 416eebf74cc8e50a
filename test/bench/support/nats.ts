/** A private nats-server with JetStream for a benchmark run, on a free port, stopped by the cleanup registry. */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "./redis.js";
import { onCleanup } from "./server.js";

const BINARY = process.env.NATS_SERVER_BIN ?? "/usr/sbin/nats-server";

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

/** Its own port and storage directory: no other process's streams or consumers mix in. */
export async function startNats(): Promise<{ url: string; version: string }> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), "risk-bench-nats-"));
  const child = spawn(BINARY, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", dir], { stdio: "ignore" });
  onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 200; i++) {
    if (await answers(port)) {
      const version = /v(\d\S*)/.exec(execFileSync(BINARY, ["--version"], { encoding: "utf8" }))?.[1] ?? "unknown";
      return { url: `nats://127.0.0.1:${port}`, version };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("nats-server did not open its port");
}
