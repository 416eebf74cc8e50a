/**
 * Load from autocannon, each run in a child process of its own (autocannonChild.ts), so
 * neither the benchmark's event loop nor a server's carries the load generator.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { onCleanup, ROOT } from "./server.js";

export interface LoadSpec {
  /** POST target, e.g. http://127.0.0.1:1234/graphql. */
  url: string;
  token: string;
  connections: number;
  seconds: number;
  /** Request bodies (JSON); with several, each request draws one at random. */
  bodies: string[];
  /** A 200 answer whose body contains one of these counts as an error (default: `"errors"`). */
  reject?: string[];
  /** Open loop: requests per second over all connections (autocannon's overallRate); unset: as fast as answers come. */
  rate?: number;
}

export interface LoadResult {
  seconds: number;
  /** Answers and errors autocannon counted. */
  requests: number;
  /** 2xx answers without a rejected body. */
  ok: number;
  non2xx: number;
  socketErrors: number;
  timeouts: number;
  graphqlErrors: number;
  /** Latency of 2xx answers, ms (autocannon's 1 ms resolution). */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  /** A few rejected bodies. */
  samples: string[];
}

const CHILD = path.join(import.meta.dirname, "autocannonChild.ts");

export function runAutocannon(spec: LoadSpec): Promise<LoadResult> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD], { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"] });
  const stop = onCleanup(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  });
  let out = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => (out += chunk));
  child.stdin.end(JSON.stringify(spec));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      void stop();
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !line.startsWith("{")) reject(new Error(`autocannon child exited with code ${code}: ${out.slice(-500)}`));
      else resolve(JSON.parse(line) as LoadResult);
    });
  });
}

export const errorsOf = (r: LoadResult) => r.non2xx + r.socketErrors + r.timeouts + r.graphqlErrors;

/** Several simultaneous runs as one: summed throughput and counts, the worst latency percentiles. */
export function combine(results: LoadResult[]): LoadResult & { okPerSecond: number } {
  const sum = (f: (r: LoadResult) => number) => results.reduce((a, r) => a + f(r), 0);
  const worst = (f: (r: LoadResult) => number) => Math.max(...results.map(f));
  return {
    seconds: worst((r) => r.seconds),
    requests: sum((r) => r.requests),
    ok: sum((r) => r.ok),
    non2xx: sum((r) => r.non2xx),
    socketErrors: sum((r) => r.socketErrors),
    timeouts: sum((r) => r.timeouts),
    graphqlErrors: sum((r) => r.graphqlErrors),
    p50: worst((r) => r.p50),
    p90: worst((r) => r.p90),
    p99: worst((r) => r.p99),
    max: worst((r) => r.max),
    mean: sum((r) => r.mean * r.requests) / Math.max(1, sum((r) => r.requests)),
    samples: results.flatMap((r) => r.samples).slice(0, 3),
    okPerSecond: sum((r) => r.ok / r.seconds),
  };
}
