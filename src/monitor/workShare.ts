import type { Logger } from "pino";
import type { PartitionLeases } from "../db/stores/partitionLeases.store.js";

/** Margin units are judged in this many partitions; each is judged by the one live instance holding its lease. */
export const PARTITIONS = 16;

/** A unit's partition, 1…PARTITIONS: FNV-1a (32-bit) of its id, stable across instances and restarts. */
export function partitionOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return ((hash >>> 0) % PARTITIONS) + 1;
}

/** Which margin units this instance judges. */
export interface WorkShare {
  owns(unitId: string): boolean;
  /** Partitions held now. */
  readonly owned: ReadonlySet<number>;
  /** Live instances sharing the work (this one included). */
  readonly members: number;
  /** Takes this instance's first share; resolves before the first evaluation is judged. */
  join(): Promise<void>;
  /**
   * Keeps the share balanced from now on: `gained` judges again the units of partitions
   * taken over (the previous holder may have stopped mid-change), and is called again at
   * every poll until it succeeds; `settle` resolves once no judgement that may include a
   * partition being released is in flight.
   */
  watch(hooks: ShareHooks): void;
  close(): Promise<void>;
}

export interface ShareHooks {
  gained: (partitions: number[]) => Promise<void>;
  settle: () => Promise<void>;
}

const ALL = new Set(Array.from({ length: PARTITIONS }, (_, i) => i + 1));

/** The embedded database belongs to one process: it judges everything. */
export class SoleShare implements WorkShare {
  readonly owned: ReadonlySet<number> = ALL;
  readonly members = 1;
  owns(): boolean {
    return true;
  }
  async join(): Promise<void> {}
  watch(): void {}
  async close(): Promise<void> {}
}

/**
 * Partitions leased through PostgreSQL advisory locks (PartitionLeases). Every `pollMs`
 * each instance looks at the leases: with n live members it holds ⌈PARTITIONS / n⌉,
 * takes free partitions up to that and releases what it holds beyond it, so a new
 * instance gets its share within a poll or two and a stopped one's (its session gone,
 * its locks with it) is taken over within as long. A lost lease session drops every
 * partition at once; the next poll reconnects. Exactly-once events do not rest on this:
 * the store judges under one lock against stored levels, so a partition judged by two
 * instances during a handover still yields one event per change.
 */
export class LeasedShare implements WorkShare {
  private readonly held = new Set<number>();
  private memberCount = 1;
  private timer: NodeJS.Timeout | null = null;
  private balancing: Promise<void> | null = null;
  /** A poll failed and has not succeeded since (logged once per outage). */
  private failing = false;
  private hooks: ShareHooks | null = null;
  /** Partitions taken over whose units have not yet been judged again. */
  private readonly unjudged = new Set<number>();
  private judging = false;
  private readonly leases: PartitionLeases;

  constructor(
    /** The lease store, told what to call when its session is lost. */
    openLeases: (onLost: (error: unknown) => void) => PartitionLeases,
    private readonly pollMs: number,
    private readonly logger: Logger,
  ) {
    this.leases = openLeases((error) => this.lost(error));
  }

  get owned(): ReadonlySet<number> {
    return this.held;
  }

  get members(): number {
    return this.memberCount;
  }

  owns(unitId: string): boolean {
    return this.held.has(partitionOf(unitId));
  }

  /** Every lease went with the session: judge nothing until the next poll takes a share again. */
  private lost(error: unknown): void {
    if (this.held.size > 0) this.logger.warn({ err: error, partitions: this.held.size }, "lease session lost; partitions dropped");
    this.held.clear();
    this.unjudged.clear();
  }

  async join(): Promise<void> {
    await this.balance();
  }

  watch(hooks: ShareHooks): void {
    this.hooks = hooks;
    this.timer = setInterval(() => {
      this.balance().then(
        () => {
          if (this.failing) this.logger.info({ partitions: this.held.size }, "partition leases reachable again");
          this.failing = false;
        },
        (error: unknown) => {
          if (!this.failing) this.logger.warn({ err: error }, "partition lease poll failed; retrying every poll");
          this.failing = true;
        },
      );
    }, this.pollMs);
    this.timer.unref();
  }

  /** One look at the leases, and the takes and releases it calls for; never two at once. */
  private balance(): Promise<void> {
    this.balancing ??= this.rebalance()
      .then(() => this.judgeTakenOver())
      .finally(() => (this.balancing = null));
    return this.balancing;
  }

  /** Judges again the units of partitions taken over; what fails stays due for the next poll. */
  private judgeTakenOver(): void {
    if (this.judging || !this.hooks || this.unjudged.size === 0) return;
    const partitions = [...this.unjudged];
    this.judging = true;
    this.hooks.gained(partitions).then(
      () => {
        for (const n of partitions) this.unjudged.delete(n);
      },
      (error: unknown) => this.logger.error({ err: error, partitions }, "judging partitions taken over failed; retrying at the next poll"),
    ).finally(() => (this.judging = false));
  }

  private async rebalance(): Promise<void> {
    const { members, held } = await this.leases.snapshot();
    this.memberCount = Math.max(1, members);
    const target = Math.ceil(PARTITIONS / this.memberCount);
    if (this.held.size > target) {
      // Highest first; stop judging them before the locks go, and let what is in flight finish.
      const surplus = [...this.held].sort((a, b) => b - a).slice(0, this.held.size - target);
      for (const n of surplus) {
        this.held.delete(n);
        this.unjudged.delete(n);
      }
      await this.hooks?.settle();
      for (const n of surplus) await this.leases.release(n);
      this.logger.info({ released: surplus, holding: this.held.size, members }, "partitions released to a new member");
      return;
    }
    const gained: number[] = [];
    for (const n of ALL) {
      if (this.held.size >= target) break;
      if (held.has(n) || this.held.has(n)) continue;
      if (await this.leases.tryAcquire(n)) {
        this.held.add(n);
        gained.push(n);
      }
    }
    if (gained.length === 0) return;
    this.logger.info({ gained, holding: this.held.size, members }, "partitions taken");
    // Before watch() (at join) the first full evaluation judges them all.
    if (this.hooks) for (const n of gained) this.unjudged.add(n);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.balancing?.catch(() => undefined);
    this.held.clear();
    await this.leases.close();
  }
}
