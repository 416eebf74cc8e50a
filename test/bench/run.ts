/**
 * Runs the benchmarks one after another, each in its own process, and prints their
 * markdown reports on stdout (progress goes to stderr):
 *
 *   npx tsx test/bench/run.ts                 # engine, load, monitor, feed
 *   npx tsx test/bench/run.ts load monitor     # a selection
 *
 * One process per benchmark keeps their JIT state, heaps and servers apart. A failing
 * benchmark does not stop the others; the exit code is non-zero if any failed. Each
 * benchmark cleans up after itself (databases, server processes) also when interrupted:
 * Ctrl-C reaches the running child, which stops what it started, then this runner exits.
 */
import { spawn } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BENCHMARKS = ["engine", "load", "monitor", "feed"] as const;
type Name = (typeof BENCHMARKS)[number];

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !BENCHMARKS.includes(name as Name));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")} (known: ${BENCHMARKS.join(", ")})`);
  process.exit(2);
}
const selected: Name[] = requested.length > 0 ? (requested as Name[]) : [...BENCHMARKS];

let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  // The child gets the terminal's SIGINT itself; remember it and stop after the child exits.
  process.on(signal, () => {
    interrupted = true;
  });
}

function run(name: Name): Promise<{ code: number; output: string; seconds: number }> {
  const file = path.join(import.meta.dirname, `${name}.bench.ts`);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", file], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => (output += chunk));
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onTerm = forward("SIGTERM");
    process.on("SIGTERM", onTerm);
    child.on("close", (code, signal) => {
      process.off("SIGTERM", onTerm);
      resolve({ code: code ?? (signal ? 1 : 0), output, seconds: (Date.now() - started) / 1000 });
    });
  });
}

const failed: string[] = [];
for (const name of selected) {
  if (interrupted) break;
  process.stderr.write(`\n=== ${name} benchmark ===\n`);
  const { code, output, seconds } = await run(name);
  process.stdout.write(`${output.trimEnd()}\n\n`);
  if (code !== 0) {
    failed.push(name);
    process.stdout.write(`_${name} benchmark failed (exit code ${code}) after ${seconds.toFixed(0)} s; see its stderr above._\n\n`);
  }
  process.stderr.write(`=== ${name}: ${code === 0 ? "done" : `failed (${code})`} in ${seconds.toFixed(0)} s ===\n`);
}
if (interrupted) process.stderr.write("interrupted\n");
process.exit(failed.length > 0 || interrupted ? 1 : 0);
