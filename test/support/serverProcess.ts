import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { ADMIN_TOKEN } from "./testServer.js";

/** A server running as a process of its own (src/main.ts), to be killed for real. */
export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** What it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** GET /metrics, parsed to name{labels} → value. */
  metrics(): Promise<Map<string, number>>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts src/main.ts with `env` (ADMIN_TOKEN as its admin token) and waits until /health answers 200. */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: process.cwd(),
    env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "warn", SEED_DEMO: "false", RISK_ADMIN_TOKEN: ADMIN_TOKEN, HOST: "127.0.0.1", PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server process exited (${child.exitCode}):\n${output}`);
    const up = await fetch(`${base}/health`).then((r) => r.ok, () => false);
    if (up) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`no /health on ${port} within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url: `${base}/graphql`,
    port,
    child,
    output: () => output,
    exited,
    async metrics() {
      const text = await (await fetch(`${base}/metrics`)).text();
      const values = new Map<string, number>();
      for (const line of text.split("\n")) {
        const match = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
        if (match) values.set(match[1], Number(match[2]));
      }
      return values;
    },
  };
}
