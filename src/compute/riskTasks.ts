import {
  computeMargin,
  defaultModel,
  marginAttribution,
  type MarginAttribution,
  liquidationPrices,
  stressTest,
  unitGreeks,
  valueAtRisk,
  type LiquidationPoint,
  type MarginMode,
  type MarginModel,
  type MarginResult,
  type MarginUnitInput,
  type PriceHistory,
  type Shock,
  type StressResult,
  type UnderlyingGreeks,
  type VarRequest,
  type VarResult,
} from "../engine/index.js";
import type { ReferenceSnapshot } from "../db/stores/risk.store.js";
import { marketContext, poolUnits, type MarketContext } from "../domain/marginUnit.js";
import type { UnitKey } from "../domain/book/book.types.js";
import { PackedInput, SpecTable } from "./packedInput.js";
import { ratioCurve, type RatioCurveRequest, type RatioPoint } from "../domain/ratioCurve.js";

/**
 * The engine work the server runs, as plain-data tasks: the same functions run in a
 * worker thread or, with no workers, in the calling thread, so both give identical
 * numbers. Inputs cross threads by structured clone, so a task carries the reference
 * rows (markets, parameters, assets) rather than a MarketContext with functions.
 */

/** A unit's risk under its own model, the figures the risk view keeps. */
export interface UnitRisk {
  margin: MarginResult;
  greeks: UnderlyingGreeks[];
}

/** A unit the engine could not value, and why. */
export interface UnitFailure {
  error: string;
}

export type UnitOutcome = UnitRisk | UnitFailure;

export const isFailure = (outcome: UnitOutcome): outcome is UnitFailure => "error" in outcome;

/** Own-model margin and Greeks of one unit on one market context. */
export function unitRisk(input: MarginUnitInput, ctx: MarketContext): UnitRisk {
  return { margin: computeMargin(input, ctx.market, ctx.params), greeks: unitGreeks(input, ctx.market) };
}

/** An account as the evaluators mirror it. */
export interface ReplicaAccount {
  id: string;
  portfolioId: string | null;
  input: MarginUnitInput;
}

export interface ReplicaPortfolio {
  id: string;
  mode: MarginMode;
  /** In creation order, so pooling sums in the same order everywhere. */
  memberIds: string[];
}

/** The books an evaluator holds, kept current by upserts, so a tick sends only the market. */
export class Replica {
  private readonly accounts = new Map<string, PackedInput>();
  private readonly portfolios = new Map<string, ReplicaPortfolio>();
  private readonly specs = new SpecTable();

  reset(): void {
    this.accounts.clear();
    this.portfolios.clear();
    this.specs.clear();
  }

  upsert(accounts: readonly ReplicaAccount[], portfolios: readonly ReplicaPortfolio[]): void {
    for (const a of accounts) this.accounts.set(a.id, PackedInput.pack(a.input, this.specs));
    for (const p of portfolios) this.portfolios.set(p.id, p);
  }

  input(key: UnitKey): MarginUnitInput {
    const colon = key.indexOf(":");
    const id = key.slice(colon + 1);
    if (key.startsWith("account:")) {
      const account = this.accounts.get(id);
      if (!account) throw new Error(`account ${id} is not in the evaluator's book`);
      return account.unpack();
    }
    const portfolio = this.portfolios.get(id);
    if (!portfolio) throw new Error(`portfolio ${id} is not in the evaluator's book`);
    return poolUnits(portfolio.mode, portfolio.memberIds.map((m) => this.input(`account:${m}`)));
  }
}

/** Market contexts by content, most recent last: a few markets are in use at a time. */
const contexts = new Map<string, MarketContext>();
const CONTEXTS_KEPT = 4;

/**
 * The context of a reference snapshot, one object per content: the engine memoizes
 * instrument prices per Market object, so every task on the same market shares them
 * (a liquidation search on a fresh Market object costs about 20 times more).
 */
function contextOf(reference: ReferenceSnapshot): MarketContext {
  const key = JSON.stringify(reference);
  let ctx = contexts.get(key);
  if (!ctx) {
    ctx = marketContext(reference);
    contexts.set(key, ctx);
    if (contexts.size > CONTEXTS_KEPT) contexts.delete(contexts.keys().next().value!);
  }
  return ctx;
}

/** Own-model risk of many units on one market; a unit that fails does not stop the others. */
export function evaluateUnits(replica: Replica, reference: ReferenceSnapshot, keys: readonly UnitKey[]): UnitOutcome[] {
  const ctx = contextOf(reference);
  return keys.map((key) => {
    try {
      return unitRisk(replica.input(key), ctx);
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  });
}

/** On-demand work for one unit, by kind. */
export type UnitTask =
  | { kind: "liquidation"; input: MarginUnitInput; reference: ReferenceSnapshot; model: MarginModel }
  | { kind: "valueAtRisk"; input: MarginUnitInput; reference: ReferenceSnapshot; history: PriceHistory; request: VarRequest }
  | { kind: "stress"; input: MarginUnitInput; reference: ReferenceSnapshot; shocks: Shock[] }
  | { kind: "ratioCurve"; input: MarginUnitInput; reference: ReferenceSnapshot; request: RatioCurveRequest }
  | { kind: "margin"; input: MarginUnitInput; reference: ReferenceSnapshot; model: MarginModel; history?: PriceHistory }
  | { kind: "attribution"; input: MarginUnitInput; reference: ReferenceSnapshot; model: MarginModel; history?: PriceHistory };

export interface UnitTaskResults {
  liquidation: LiquidationPoint[];
  valueAtRisk: VarResult;
  stress: StressResult;
  ratioCurve: RatioPoint[];
  margin: MarginResult;
  attribution: MarginAttribution;
}

export function runUnitTask(task: UnitTask): UnitTaskResults[UnitTask["kind"]] {
  const ctx = contextOf(task.reference);
  switch (task.kind) {
    case "liquidation":
      return liquidationPrices(task.input, ctx.market, ctx.params, task.model);
    case "valueAtRisk":
      return valueAtRisk(task.input, ctx.market, task.history, task.request);
    case "stress":
      return stressTest(task.input, ctx.market, task.shocks, ctx.params);
    case "ratioCurve":
      return ratioCurve(task.input, ctx.market, ctx.params, defaultModel(task.input.mode), task.request);
    case "margin":
      return computeMargin(task.input, ctx.market, ctx.params, task.model, task.history);
    case "attribution":
      return marginAttribution(task.input, ctx.market, ctx.params, task.model, task.history);
  }
}
