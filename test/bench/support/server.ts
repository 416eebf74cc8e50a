/**
 * The real API server as a child process (`node --import tsx src/main.ts`), a keep-alive
 * HTTP client for it, its /metrics counters, an optional CPU profile summary, and a
 * cleanup registry so a failed or interrupted benchmark still stops what it started.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readdirSync, readFileSync, type WriteStream } from "node:fs";
import http from "node:http";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { log } from "./report.js";

export const ROOT = path.resolve(import.meta.dirname, "../../..");

// ---------- cleanup ----------

const cleanups: (() => Promise<void> | void)[] = [];
/** Server logs to show when a benchmark fails (they live in a temporary directory that is removed). */
const serverLogs: string[] = [];
let signalsInstalled = false;

/** Registers work to undo (last registered runs first); returns a function that runs it early. */
export function onCleanup(work: () => Promise<void> | void): () => Promise<void> {
  let done = false;
  const once = async () => {
    if (done) return;
    done = true;
    const i = cleanups.indexOf(once);
    if (i >= 0) cleanups.splice(i, 1);
    await work();
  };
  cleanups.push(once);
  if (!signalsInstalled) {
    signalsInstalled = true;
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        log(`${signal}: cleaning up`);
        void runCleanups().finally(() => process.exit(130));
      });
    }
  }
  return once;
}

export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    const work = cleanups[cleanups.length - 1];
    try {
      await work();
    } catch (error) {
      log(`cleanup failed: ${String(error)}`);
      cleanups.pop();
    }
  }
}

/** Runs a benchmark body, then always the cleanups; exits non-zero on failure. */
export async function main(body: () => Promise<void>): Promise<void> {
  let failed = false;
  try {
    await body();
  } catch (error) {
    failed = true;
    console.error(error);
    if (serverLogs.length) await new Promise((resolve) => setTimeout(resolve, 500));
    for (const file of serverLogs) console.error(`--- last lines of ${file} ---\n${tail(file)}`);
  } finally {
    await runCleanups();
  }
  process.exit(failed ? 1 : 0);
}

// ---------- server process ----------

export interface LogEntry {
  /** performance.now() in this process when the line arrived. */
  at: number;
  msg?: string;
  [field: string]: unknown;
}

export interface ServerProcess {
  url: string;
  origin: string;
  pid: number;
  logFile: string;
  /** Every JSON log line of the server's stdout so far (e.g. timings it logs at debug level). */
  logs: LogEntry[];
  /** Milliseconds from spawning the process to its "ready" line (start-up to leave out of a CPU profile). */
  readyAfterMs: number;
  stop(): Promise<void>;
}

export interface ServerOptions {
  databaseUrl: string;
  token: string;
  redisUrl?: string | null;
  logFile: string;
  /** Directory for `node --cpu-prof` output (written when the server exits). */
  cpuProfileDir?: string | null;
  env?: Record<string, string>;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts the server on a free port (PORT=0; the bound URL is read from its "risk API ready" log line). */
export async function startServerProcess(options: ServerOptions): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: options.databaseUrl,
    SEED_DEMO: "false",
    HOST: "127.0.0.1",
    PORT: "0",
    RISK_ADMIN_TOKEN: options.token,
    LOG_LEVEL: "info",
    ...options.env,
  };
  delete env.REDIS_URL;
  delete env.PGLITE_DIR;
  if (options.redisUrl) env.REDIS_URL = options.redisUrl;
  const args = [
    ...(options.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
    "--import",
    "tsx",
    "src/main.ts",
  ];
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const out: WriteStream = createWriteStream(options.logFile, { flags: "a" });
  serverLogs.push(options.logFile);
  child.stderr!.pipe(out, { end: false });
  const stop = onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      if (!(await waitForExit(child, 20_000))) {
        log(`server ${child.pid} did not stop on SIGTERM; killing it`);
        child.kill("SIGKILL");
        await waitForExit(child, 5_000);
      }
    }
    await new Promise<void>((resolve) => out.end(resolve));
  });
  const logs: LogEntry[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 90 s (log: ${options.logFile})`)), 90_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      out.write(`${line}\n`);
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        logs.push({ ...entry, at: performance.now() });
        if (entry.msg === "risk API ready" && entry.url) {
          clearTimeout(timer);
          resolve(entry.url);
        }
      } catch {
        // not a JSON log line
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited before it was ready (code ${code}, signal ${signal}); log: ${options.logFile}\n${tail(options.logFile)}`));
    });
  });
  const readyAfterMs = performance.now() - spawnedAt;
  const origin = new URL(url).origin;
  const health = await getText(`${origin}/health`);
  if (!health.includes('"ok"')) throw new Error(`/health answered ${health}`);
  return { url, origin, pid: child.pid!, logFile: options.logFile, logs, readyAfterMs, stop };
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-30).join("\n");
  } catch {
    return "";
  }
}

// ---------- HTTP ----------

export interface GraphQLResult<T = any> {
  status: number;
  ms: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
  bytes: number;
}

/** POST /graphql over keep-alive sockets (one per concurrent caller). */
export class GraphQLHttpClient {
  readonly agent: http.Agent;
  private readonly target: URL;

  constructor(
    url: string,
    private readonly token: string,
    sockets = 64,
  ) {
    this.target = new URL(url);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  /**
   * One POST; `signal` aborts it (the promise then rejects with an AbortError). A request
   * on a reused keep-alive socket that the server closed meanwhile (its keepAliveTimeout)
   * is retried once on a fresh socket, as Node's documentation recommends.
   */
  request<T = any>(query: string, variables?: Record<string, unknown>, signal?: AbortSignal): Promise<GraphQLResult<T>> {
    return this.attempt<T>(query, variables, signal, true);
  }

  private attempt<T>(query: string, variables: Record<string, unknown> | undefined, signal: AbortSignal | undefined, retry: boolean): Promise<GraphQLResult<T>> {
    const body = Buffer.from(JSON.stringify(variables ? { query, variables } : { query }));
    const start = performance.now();
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          host: this.target.hostname,
          port: this.target.port,
          path: this.target.pathname,
          method: "POST",
          signal,
          headers: {
            "content-type": "application/json",
            "content-length": body.length,
            authorization: `Bearer ${this.token}`,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const ms = performance.now() - start;
            const text = Buffer.concat(chunks).toString("utf8");
            try {
              const json = JSON.parse(text) as { data?: T; errors?: GraphQLResult["errors"] };
              resolve({ status: res.statusCode ?? 0, ms, data: json.data, errors: json.errors, bytes: text.length });
            } catch {
              reject(new Error(`non-JSON answer (${res.statusCode}): ${text.slice(0, 300)}`));
            }
          });
          res.on("error", reject);
        },
      );
      req.on("error", (error: NodeJS.ErrnoException) => {
        if (retry && req.reusedSocket && error.code === "ECONNRESET") resolve(this.attempt<T>(query, variables, signal, false));
        else reject(error);
      });
      req.end(body);
    });
  }

  /** Like request, but throws on any GraphQL error. */
  async ok<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResult<T> & { data: T }> {
    const result = await this.request<T>(query, variables);
    if (result.errors?.length || !result.data) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
    return result as GraphQLResult<T> & { data: T };
  }

  close(): void {
    this.agent.destroy();
  }
}

export function getText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve(text));
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

/** Every sample of GET /metrics by series, labels included as exposed, e.g. `risk_event_loop_delay_seconds{quantile="0.99"}`. */
export async function scrapeMetrics(origin: string): Promise<Map<string, number>> {
  const text = await getText(`${origin}/metrics`);
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** One sample of a scrape; throws when the series is not exposed. */
export function sample(samples: Map<string, number>, series: string): number {
  const value = samples.get(series);
  if (value === undefined) throw new Error(`metric ${series} not exposed on /metrics`);
  return value;
}

/** One numeric sample of GET /metrics, e.g. risk_sql_statements_total. */
export async function metric(origin: string, name: string): Promise<number> {
  return sample(await scrapeMetrics(origin), name);
}

// ---------- CPU profile ----------

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function category(url: string, fn: string): string {
  if (fn === "(garbage collector)") return "garbage collection";
  if (fn === "(idle)") return "idle";
  if (fn === "(program)") return "V8/native (program)";
  if (url.includes("/src/engine/")) return "risk engine (src/engine)";
  if (url.includes("/src/generated/prisma/") || url.includes("@prisma/") || url.includes("/prisma/")) return "Prisma client / query compiler / adapter";
  if (url.includes("/node_modules/pg") || url.includes("/node_modules/postgres-")) return "pg driver";
  if (url.includes("decimal")) return "decimal.js";
  if (url.includes("/node_modules/graphql") || url.includes("type-graphql") || url.includes("@apollo") || url.includes("graphql-")) return "GraphQL execution (graphql-js, type-graphql, Apollo)";
  if (url.includes("/src/")) return "application code (src/, not engine)";
  if (url.includes("/node_modules/")) return `other node_modules (${url.split("/node_modules/").pop()!.split("/")[0]})`;
  if (url.startsWith("node:") || url === "") return "Node internals / native";
  return "other";
}

/** Error-level server log entries grouped by message, most frequent first. */
export function serverErrors(logs: LogEntry[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const entry of logs) {
    if (typeof entry.level !== "number" || entry.level < 50) continue;
    const err = entry.err as { message?: string } | undefined;
    const message = `${entry.msg ?? ""}: ${err?.message ?? ""}`;
    counts.set(message, (counts.get(message) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/**
 * Self time by category and the top functions of the newest .cpuprofile in `dir`, as
 * markdown, leaving out the first `skipMs` of the profile (the server's start-up).
 */
export function summarizeCpuProfile(dir: string, skipMs = 0, top = 12): string {
  const files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
  if (files.length === 0) return "_(no CPU profile was written)_";
  const profile = JSON.parse(readFileSync(path.join(dir, files.sort().at(-1)!), "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let clock = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    clock += profile.timeDeltas[i];
    if (clock < skipMs * 1000) continue;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + profile.timeDeltas[i]);
  }
  const categories = new Map<string, number>();
  const functions = new Map<string, { us: number; cat: string }>();
  let busy = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const cat = category(url, functionName);
    if (cat === "idle") continue;
    busy += us;
    categories.set(cat, (categories.get(cat) ?? 0) + us);
    const file = url.replace(/^file:\/\//, "").replace(ROOT + "/", "");
    const where = file ? (lineNumber > 0 ? `${file}:${lineNumber + 1}` : file) : "";
    const key = `${functionName || "(anonymous)"} ${where}`.trim();
    const entry = functions.get(key) ?? { us: 0, cat };
    entry.us += us;
    functions.set(key, entry);
  }
  const pct = (us: number) => ((100 * us) / busy).toFixed(1);
  const lines = [
    `Busy CPU time in the profile after start-up: ${(busy / 1e6).toFixed(1)} s (idle excluded).`,
    "",
    "| where (self time) | share |",
    "|---|---:|",
    ...[...categories]
      .sort((a, b) => b[1] - a[1])
      .filter(([, us]) => us / busy >= 0.005)
      .map(([cat, us]) => `| ${cat} | ${pct(us)} % |`),
    `| everything else (each < 0.5 %) | ${pct([...categories.values()].filter((us) => us / busy < 0.005).reduce((a, b) => a + b, 0))} % |`,
    "",
    "| top functions (self time) | share |",
    "|---|---:|",
    ...[...functions]
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, top)
      .map(([key, { us }]) => `| \`${key.replace(/\|/g, "\\|")}\` | ${pct(us)} % |`),
  ];
  return lines.join("\n");
}
