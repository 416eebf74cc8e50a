export { mulberry32 } from "../../../src/lib/mulberry32.js";
/** Small helpers shared by the benchmarks: machine description, percentiles, formatting. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const REPO = path.resolve(import.meta.dirname, "../../..");

export function cpuModel(): string {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    if (line) return line.split(":")[1].trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? "unknown";
}

/** One line: cores, CPU, Node, and the load average when the run started (the VM is shared). */
export function machineLine(extra: string[] = []): string {
  const load = os.loadavg().map((l) => l.toFixed(2)).join(" / ");
  return [
    `${os.availableParallelism()} cores (\`nproc\`)`,
    cpuModel(),
    `Node ${process.version}`,
    ...extra,
    `load average at start ${load} (1/5/15 min)`,
  ].join(", ");
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export interface Summary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  min: number;
}

export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  return {
    n,
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    p99: percentile(values, 99),
    max: n ? Math.max(...values) : NaN,
    min: n ? Math.min(...values) : NaN,
    mean: n ? values.reduce((a, b) => a + b, 0) / n : NaN,
  };
}

export const ms = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : "—");

/** p50, p99, max and min of the non-null values, formatted as milliseconds ("—" without values). */
export function stat(values: (number | null)[]): { p50: string; p99: string; max: string; min: string } {
  const s = summarize(values.filter((x): x is number => x !== null));
  return { p50: ms(s.p50), p99: ms(s.p99), max: ms(s.max), min: ms(s.min) };
}

/** Progress goes to stderr so stdout stays the markdown report. */
export function log(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} (${raw}) must be a non-negative integer`);
  return value;
}

/** A GraphQL input-object literal of plain values. */
export function literal(value: Record<string, string | number>): string {
  return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(", ")} }`;
}

export function gitState(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8", cwd: REPO }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src"], { encoding: "utf8", cwd: REPO }).trim() !== "";
    return `commit ${head}${dirty ? " + uncommitted changes in src/" : ""}`;
  } catch {
    return "commit unknown";
  }
}
