// Entry of every engine worker thread. Under tsx (npm start, tests) the worker's
// TypeScript entry needs tsx's loader registered in this thread first; a compiled
// build points at JavaScript and loads it directly.
import { workerData } from "node:worker_threads";

if (workerData.entry.endsWith(".ts")) {
  const { register } = await import("tsx/esm/api");
  register();
}
await import(workerData.entry);
