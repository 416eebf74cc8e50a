import { spawn, type ChildProcess } from "node:child_process";
import { createConnection, createServer } from "node:net";
import { ADMIN_TOKEN, type TestServer } from "./testServer.js";
import { until } from "./until.js";

/** A server running as a process of its own (src/main.ts), to be killed for real. */
export interface ServerProcess {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** The GraphQL endpoint. */
  url: string;
  port: number;
  child: ChildProcess;
  /** What it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

/** Starts src/main.ts with `env` (ADMIN_TOKEN as its admin token) and waits until /health answers 200. */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 90_000): Promise<ServerProcess> {
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
  const origin = `http://127.0.0.1:${port}`;
  try {
    await until(async () => {
      if (child.exitCode !== null) throw new Error("exited");
      return (await fetch(`${origin}/health`)).ok;
    }, timeoutMs, `/health on ${port}`);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${(error as Error).message}; it printed:\n${output}`);
  }
  return { origin, url: `${origin}/graphql`, port, child, output: () => output, exited };
}

/** One sample of a series on `origin`'s /metrics (`name{labels}` as printed), 0 when it is not exposed yet. */
export async function metric(origin: string, series: string): Promise<number> {
  const line = (await (await fetch(`${origin}/metrics`)).text()).split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** Enough of TestServer for the book builders, over HTTP to a server process (ADMIN token). */
export function httpApi(origin: string): TestServer {
  const url = `${origin}/graphql`;
  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` }, body: JSON.stringify({ query, variables }) });
    return { status: response.status, ...((await response.json()) as object) } as Awaited<ReturnType<TestServer["gql"]>>;
  };
  const ok = async (query: string, variables?: Record<string, unknown>) => {
    const result = await gql(query, variables);
    if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
    return result.data;
  };
  return { url, gql, ok } as unknown as TestServer;
}
