import type { ReferenceSnapshot } from "../db/stores/risk.store.js";
import type { UnitKey } from "../domain/book/book.types.js";
import type { ReplicaAccount, ReplicaPortfolio, UnitOutcome, UnitTask } from "./riskTasks.js";

/** Messages from the pool to an engine worker, answered in order by id (upserts are not answered). */
export type WorkerRequest =
  | { type: "upsert"; reset: boolean; accounts: ReplicaAccount[]; portfolios: ReplicaPortfolio[] }
  | { type: "evaluate"; id: number; reference: ReferenceSnapshot; keys: UnitKey[] }
  | { type: "task"; id: number; task: UnitTask };

export type WorkerResponse =
  /** `ms`: the worker's own compute time (what an engine-time budget charges). */
  | { id: number; ok: true; value: UnitOutcome[] | unknown; ms: number }
  | { id: number; ok: false; error: { name: string; message: string } };
