import type { Logger } from "pino";
import { defaultModel, type LiquidationPoint, type MarginUnitInput } from "../engine/index.js";
import type { RiskCompute } from "../compute/workerPool.js";
import { isFailure, type ReplicaAccount, type ReplicaPortfolio } from "../compute/riskTasks.js";
import type { Book } from "./book/book.js";
import { accountKey, portfolioKey, type BookAccount, type BookDelta, type BookPortfolio, type UnitKey } from "./book/book.types.js";
import type { RiskView, ViewEntry } from "./risk/riskView.js";

/**
 * What the monitor does with units the read model re-evaluated or asks to be judged again
 * (judge levels, store events): their entries, the book version they are current at, and
 * whether every one of them must be judged against its stored level (a full pass, units
 * taken over from another instance) rather than only those whose level may move.
 */
export type EvaluatedHook = (entries: ViewEntry[], version: number, complete: boolean) => Promise<unknown>;

export interface ReadModelOptions {
  /**
   * Before each read, confirm with one statement that the book has every committed write
   * (other instances write too); off for a single instance, whose own writes are applied
   * before they answer.
   */
  confirmReads: boolean;
  /** Liquidation points computed ahead, after each change, for this many riskiest accounts. */
  warmLiquidation: number;
}

interface Job {
  full: boolean;
  /** Units to judge again, completely, once the book is current (chosen by key). */
  rejudge: ((key: UnitKey) => boolean)[];
  viewReady: Deferred<void>;
  done: Deferred<void>;
}

class Deferred<T> {
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;
  readonly promise = new Promise<T>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });
}

function newJob(full: boolean): Job {
  const job: Job = { full, rejudge: [], viewReady: new Deferred<void>(), done: new Deferred<void>() };
  // A job nobody awaits (a bus notice) must not be an unhandled rejection; failures are logged.
  job.viewReady.promise.catch(() => undefined);
  job.done.promise.catch(() => undefined);
  return job;
}

const replicaAccount = (a: BookAccount): ReplicaAccount => ({ id: a.id, portfolioId: a.portfolioId, input: a.input });

/**
 * The read model: the in-memory book, the risk view computed from it, and the one
 * pipeline that moves both forward. A sync catches the book up with the change log,
 * mirrors the changed books into the engine workers, re-evaluates every unit the change
 * touched (there, off the event loop), replaces their view entries, then hands them to
 * the monitor. Syncs run one at a time; requests that arrive while one runs share the
 * next, which starts after them, so whoever asks sees every write committed before it asked.
 */
export class ReadModel {
  private running = false;
  private queued: Job | null = null;
  private probe: Promise<void> | null = null;
  private probeQueued: Promise<void> | null = null;
  private onEvaluated: EvaluatedHook = async () => undefined;
  private changes = 0;
  /** Moves on with every refresh: a warm-up walk of an older one stops. */
  private warmGeneration = 0;

  constructor(
    readonly book: Book,
    readonly view: RiskView,
    private readonly compute: RiskCompute,
    private readonly head: () => Promise<number>,
    private readonly options: ReadModelOptions,
    private readonly logger: Logger,
    /** Told how long each sync took (seconds). */
    private readonly observeSync: (seconds: number) => void = () => undefined,
  ) {}

  /** Moves on with every change of the book or the view: what a read answers is a function of it. */
  get generation(): number {
    return this.changes;
  }

  /** The monitor's hook, called with every batch of re-evaluated units in order. */
  setEvaluatedHook(hook: EvaluatedHook): void {
    this.onEvaluated = hook;
  }

  /** Every book as the engine workers must mirror it. */
  replicaState(): { accounts: ReplicaAccount[]; portfolios: ReplicaPortfolio[] } {
    return {
      accounts: this.book.allAccounts().map(replicaAccount),
      portfolios: [...this.book.allPortfolios()].map((p) => this.replicaPortfolio(p)),
    };
  }

  private replicaPortfolio(p: BookPortfolio): ReplicaPortfolio {
    return { id: p.id, mode: p.marginMode, memberIds: this.book.membersOf(p.id).map((m) => m.id) };
  }

  /** Loads everything and evaluates every unit (levels included) before the server reports ready. */
  start(): Promise<void> {
    return this.request(true).done;
  }

  /**
   * After a write of this instance committed: resolves once the book, the view and the
   * monitor's levels and events reflect it.
   */
  afterWrite(): Promise<void> {
    return this.request(false).done;
  }

  /** Another instance committed something: catch up in the background. */
  onRemoteChange(): void {
    this.request(false);
  }

  /** Re-evaluates every unit from a fresh load (the periodic pass: time decay, catch-up). */
  refreshAll(): Promise<void> {
    return this.request(true).done;
  }

  /**
   * Hands the monitor, after the next catch-up, every unit `select` picks, to judge
   * completely against its stored level (units this instance just took over).
   */
  rejudge(select: (key: UnitKey) => boolean): Promise<void> {
    const { job, done } = this.request(false);
    job.rejudge.push(select);
    return done;
  }

  /**
   * Before a read: with confirmReads, one head probe (shared by the reads that arrive
   * while it is in flight) and, when the book is behind, the sync that brings it up.
   */
  async ensureCurrent(): Promise<void> {
    if (!this.options.confirmReads) return;
    // A probe already in flight may have been sent before this read arrived: wait for the next one.
    if (this.probe) {
      this.probeQueued ??= this.probe.then(() => this.confirm()).finally(() => (this.probeQueued = null));
      return this.probeQueued;
    }
    return this.confirm();
  }

  private confirm(): Promise<void> {
    const probe = (async () => {
      const head = await this.head();
      if (head > this.book.version) await this.request(false).viewReady;
    })().finally(() => {
      if (this.probe === probe) this.probe = null;
    });
    this.probe = probe;
    return probe;
  }

  private request(full: boolean): { job: Job; viewReady: Promise<void>; done: Promise<void> } {
    const job = this.queued ?? (this.queued = newJob(full));
    job.full ||= full;
    if (!this.running) void this.drain();
    return { job, viewReady: job.viewReady.promise, done: job.done.promise };
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queued) {
      const job = this.queued;
      this.queued = null;
      const started = performance.now();
      try {
        const delta = job.full ? await this.book.load() : await this.book.catchUp();
        if (delta) this.changes++;
        const entries = delta ? await this.refresh(delta) : [];
        if (delta) this.changes++;
        job.viewReady.resolve();
        if (entries.length > 0) await this.onEvaluated(entries, this.book.version, job.full);
        if (job.rejudge.length > 0 && !job.full) {
          const again = this.view.all().filter((entry) => job.rejudge.some((select) => select(entry.key)));
          if (again.length > 0) await this.onEvaluated(again, this.book.version, true);
        }
        this.observeSync((performance.now() - started) / 1000);
        job.done.resolve();
      } catch (error) {
        this.logger.error({ err: error }, "read model sync failed");
        job.viewReady.reject(error);
        job.done.reject(error);
      }
    }
    this.running = false;
  }

  /** The units a change touched: changed accounts and portfolios, and every unit exposed to a moved market. */
  private affected(delta: BookDelta): { accounts: BookAccount[]; portfolios: BookPortfolio[] } {
    const book = this.book;
    if (delta.full) return { accounts: [...book.allAccounts()], portfolios: [...book.allPortfolios()] };
    const accounts = new Map<string, BookAccount>();
    const portfolios = new Map<string, BookPortfolio>();
    const moved = [...delta.underlyings];
    const exposed = (a: BookAccount) => moved.some((u) => a.underlyings.has(u));
    for (const account of book.allAccounts()) {
      if (!delta.accounts.has(account.id) && !(delta.underlyings.size > 0 && exposed(account))) continue;
      accounts.set(account.id, account);
      const portfolio = account.portfolioId ? book.portfolio(account.portfolioId) : undefined;
      if (portfolio) portfolios.set(portfolio.id, portfolio);
    }
    for (const id of delta.portfolios) {
      const portfolio = book.portfolio(id);
      if (portfolio) portfolios.set(id, portfolio);
    }
    return { accounts: [...accounts.values()], portfolios: [...portfolios.values()] };
  }

  private async refresh(delta: BookDelta): Promise<ViewEntry[]> {
    const { accounts, portfolios } = this.affected(delta);
    if (delta.full) {
      this.view.clear();
      this.compute.upsert(accounts.map(replicaAccount), portfolios.map((p) => this.replicaPortfolio(p)), true);
    } else {
      const changed = accounts.filter((a) => delta.accounts.has(a.id));
      const regrouped = portfolios.filter((p) => delta.portfolios.has(p.id));
      if (changed.length + regrouped.length > 0) this.compute.upsert(changed.map(replicaAccount), regrouped.map((p) => this.replicaPortfolio(p)));
    }
    const units: { key: UnitKey; input: MarginUnitInput }[] = [
      ...accounts.map((a) => ({ key: accountKey(a.id), input: a.input })),
      ...portfolios.map((p) => ({ key: portfolioKey(p.id), input: this.book.portfolioInput(p) })),
    ];
    const reference = this.book.referenceSnapshot;
    const outcomes = await this.compute.evaluate(reference, units.map((u) => u.key));
    const entries: ViewEntry[] = [];
    units.forEach((unit, i) => {
      const outcome = outcomes[i];
      if (isFailure(outcome)) {
        // Not valuable on this market: its reads compute on demand and report the error on its fields only.
        this.view.setUnvalued(unit.key, outcome.error);
        this.logger.warn({ unit: unit.key, error: outcome.error }, "margin unit not evaluated");
        return;
      }
      entries.push(this.view.set(unit.key, outcome, unit.input, delta.version, reference));
    });
    this.warm();
    return entries;
  }

  /**
   * Liquidation points of the riskiest accounts, computed ahead so desk pages find them
   * ready: one at a time, so a tick's evaluation or a reader's own request never waits
   * behind more than one of them; a change restarts the walk from the riskiest.
   */
  private warm(): void {
    const generation = ++this.warmGeneration;
    const next = (i: number): void => {
      const order = this.view.riskiestFirst();
      for (; i < Math.min(order.length, this.options.warmLiquidation); i++) {
        if (generation !== this.warmGeneration) return;
        const entry = this.view.get(accountKey(order[i].id));
        if (!entry || entry.liquidation) continue;
        const after = i + 1;
        this.liquidationOf(entry).then(() => next(after), () => next(after));
        return;
      }
    };
    next(0);
  }

  /** An entry's liquidation points, computed once (in a worker) and kept with it. */
  liquidationOf(entry: ViewEntry): Promise<LiquidationPoint[]> {
    entry.liquidation ??= this.compute.run({ kind: "liquidation", input: entry.input, reference: entry.reference, model: defaultModel(entry.input.mode) });
    return entry.liquidation;
  }

  /** The engine, for on-demand work the view does not keep. */
  get engine(): RiskCompute {
    return this.compute;
  }
}
