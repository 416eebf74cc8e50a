import { parentPort } from "node:worker_threads";
import type { WorkerRequest, WorkerResponse } from "./protocol.js";
import { evaluateUnits, Replica, runUnitTask } from "./riskTasks.js";

/**
 * An engine worker thread: holds a replica of the books (kept current by upserts from
 * the pool) and answers evaluations and on-demand tasks, one message at a time.
 */
const replica = new Replica();
const port = parentPort!;

port.on("message", (message: WorkerRequest) => {
  if (message.type === "upsert") {
    if (message.reset) replica.reset();
    replica.upsert(message.accounts, message.portfolios);
    return;
  }
  let response: WorkerResponse;
  const started = performance.now();
  try {
    const value = message.type === "evaluate" ? evaluateUnits(replica, message.reference, message.keys) : runUnitTask(message.task);
    response = { id: message.id, ok: true, value, ms: performance.now() - started };
  } catch (error) {
    const { name, message: text } = error instanceof Error ? error : new Error(String(error));
    response = { id: message.id, ok: false, error: { name, message: text } };
  }
  port.postMessage(response);
});
