import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import { EngineInputError } from "../engine/errors.js";
import { BadInputError } from "../domain/errors.js";
import type { ReferenceSnapshot } from "../db/stores/risk.store.js";
import type { UnitKey } from "../domain/book/book.types.js";
import type { WorkerRequest, WorkerResponse } from "./protocol.js";
import {
  evaluateUnits,
  Replica,
  runUnitTask,
  type ReplicaAccount,
  type ReplicaPortfolio,
  type UnitOutcome,
  type UnitTask,
  type UnitTaskResults,
} from "./riskTasks.js";

/** Where the engine runs: worker threads holding book replicas, or the calling thread. */
export interface RiskCompute {
  /** Mirrors book changes into the evaluators; `reset` replaces everything. */
  upsert(accounts: ReplicaAccount[], portfolios: ReplicaPortfolio[], reset?: boolean): void;
  /** Own-model risk of `keys` (already mirrored) on `reference`'s market, in key order. */
  evaluate(reference: ReferenceSnapshot, keys: UnitKey[]): Promise<UnitOutcome[]>;
  /** `charge` receives the task's compute time (ms), e.g. for an engine-time budget. */
  run<K extends UnitTask["kind"]>(task: Extract<UnitTask, { kind: K }>, charge?: (ms: number) => void): Promise<UnitTaskResults[K]>;
  close(): Promise<void>;
}

/** Default: one worker per core left after the event loop's (at least one). */
export const defaultWorkerCount = () => Math.max(1, availableParallelism() - 1);

/** The thread's own engine: for RISK_WORKERS=0, and the reference the workers are tested against. */
export class InlineCompute implements RiskCompute {
  private readonly replica = new Replica();

  upsert(accounts: ReplicaAccount[], portfolios: ReplicaPortfolio[], reset = false): void {
    if (reset) this.replica.reset();
    this.replica.upsert(accounts, portfolios);
  }

  async evaluate(reference: ReferenceSnapshot, keys: UnitKey[]): Promise<UnitOutcome[]> {
    return evaluateUnits(this.replica, reference, keys);
  }

  async run<K extends UnitTask["kind"]>(task: Extract<UnitTask, { kind: K }>, charge?: (ms: number) => void): Promise<UnitTaskResults[K]> {
    const started = performance.now();
    try {
      return runUnitTask(task) as UnitTaskResults[K];
    } finally {
      charge?.(performance.now() - started);
    }
  }

  async close(): Promise<void> {}
}

interface Pending {
  message: Extract<WorkerRequest, { id: number }>;
  resolve(value: unknown): void;
  charge?: (ms: number) => void;
  reject(error: Error): void;
  /** Workers that died while holding this message. */
  attempts: number;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** A message that has killed this many workers is refused rather than retried again. */
const MAX_ATTEMPTS = 3;
/**
 * Young generation of each engine worker, MiB. An evaluation's garbage is short-lived
 * (one unit's input and figures), so a small nursery collects it as cheaply as the
 * default, which grew to ≈ 30 MiB more committed heap per worker for no measured gain
 * in tick time (10 000 × 20 book). Only the nursery is bounded: the old generation,
 * which holds the replica, grows with the book as before.
 */
const WORKER_YOUNG_GENERATION_MB = 8;
const here = import.meta.url;
const entry = new URL(here.endsWith(".ts") ? "./engineWorker.ts" : "./engineWorker.js", here).href;
const boot = new URL("./workerBoot.mjs", here);

/** A worker's error as the class the callers map to a coded answer. */
function revive(error: { name: string; message: string }): Error {
  if (error.name === "EngineInputError") return new EngineInputError(error.message);
  if (error.name === "BadInputError") return new BadInputError(error.message);
  const revived = new Error(error.message);
  revived.name = error.name;
  return revived;
}

/**
 * Engine worker threads (node:worker_threads). Each holds a replica of every book,
 * kept current by upserts, so a market tick sends only the market: its units are split
 * across the workers, and on-demand tasks (liquidation, VaR, stress) go to the least
 * loaded one. The event loop only routes messages. A worker that dies is replaced, given
 * the full replica again, and handed the messages it held, in order: nothing is lost.
 */
export class WorkerPool implements RiskCompute {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    size: number,
    private readonly logger: Logger,
    /** Every book as the replicas must hold it, for a replacement worker. */
    private readonly replicaState: () => { accounts: ReplicaAccount[]; portfolios: ReplicaPortfolio[] },
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  get size(): number {
    return this.slots.length;
  }

  private spawn(): Slot {
    const worker = new Worker(boot, { workerData: { entry }, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    const slot: Slot = { worker, pending: new Map() };
    worker.on("message", (response: WorkerResponse) => {
      const pending = slot.pending.get(response.id);
      if (!pending) return;
      slot.pending.delete(response.id);
      if (response.ok) {
        pending.charge?.(response.ms);
        pending.resolve(response.value);
      }
      else pending.reject(revive(response.error));
    });
    worker.on("error", (error) => this.logger.error({ err: error }, "engine worker failed"));
    worker.on("exit", (code) => {
      if (this.closed) {
        for (const pending of slot.pending.values()) pending.reject(new Error("the engine pool is closed"));
        return;
      }
      this.logger.error({ code, pending: slot.pending.size }, "engine worker exited; replacing it");
      this.replace(slot);
    });
    worker.unref();
    return slot;
  }

  private replace(dead: Slot): void {
    const index = this.slots.indexOf(dead);
    const slot = this.spawn();
    this.slots[index] = slot;
    const state = this.replicaState();
    slot.worker.postMessage({ type: "upsert", reset: true, ...state } satisfies WorkerRequest);
    for (const pending of dead.pending.values()) {
      pending.attempts++;
      if (pending.attempts >= MAX_ATTEMPTS) {
        pending.reject(new Error(`engine work lost ${pending.attempts} workers in a row; not retried`));
        continue;
      }
      slot.pending.set(pending.message.id, pending);
      slot.worker.postMessage(pending.message);
    }
  }

  private send<T>(slot: Slot, message: Extract<WorkerRequest, { id: number }>, charge?: (ms: number) => void): Promise<T> {
    if (this.closed) return Promise.reject(new Error("the engine pool is closed"));
    return new Promise<T>((resolve, reject) => {
      slot.pending.set(message.id, { message, resolve: resolve as (value: unknown) => void, reject, attempts: 0, charge });
      slot.worker.postMessage(message);
    });
  }

  upsert(accounts: ReplicaAccount[], portfolios: ReplicaPortfolio[], reset = false): void {
    const message: WorkerRequest = { type: "upsert", reset, accounts, portfolios };
    for (const slot of this.slots) slot.worker.postMessage(message);
  }

  async evaluate(reference: ReferenceSnapshot, keys: UnitKey[]): Promise<UnitOutcome[]> {
    if (keys.length === 0) return [];
    const share = Math.ceil(keys.length / this.slots.length);
    const parts = this.slots.map((slot, i) => {
      const part = keys.slice(i * share, (i + 1) * share);
      return part.length === 0 ? Promise.resolve([]) : this.send<UnitOutcome[]>(slot, { type: "evaluate", id: this.nextId++, reference, keys: part });
    });
    return (await Promise.all(parts)).flat();
  }

  run<K extends UnitTask["kind"]>(task: Extract<UnitTask, { kind: K }>, charge?: (ms: number) => void): Promise<UnitTaskResults[K]> {
    const slot = this.slots.reduce((best, s) => (s.pending.size < best.pending.size ? s : best));
    return this.send(slot, { type: "task", id: this.nextId++, task }, charge);
  }

  /** Replaces every worker (operations: e.g. after a suspected leak); their work is handed over. */
  async recycle(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }
}
