import { ratioForLevel, type LiquidationPoint, type MarginUnitInput } from "../../engine/index.js";
import type { UnitRisk } from "../../compute/riskTasks.js";
import type { ReferenceSnapshot } from "../../db/stores/risk.store.js";
import type { UnitKey } from "../book/book.types.js";
import { compareRiskiestFirst, type RatioKey } from "./ratioOrder.js";

/** A unit's figures for the current book and market, computed once per change. */
export interface ViewEntry extends UnitRisk {
  key: UnitKey;
  /** Book version the figures were computed at. */
  version: number;
  /** The book and market they were computed from (what on-demand work for this entry uses). */
  input: MarginUnitInput;
  reference: ReferenceSnapshot;
  /** The ratio levels and the riskiest-first order are judged on (0 when nothing is owed, Infinity under water). */
  ratio: number;
  /** Liquidation points, computed on first use and kept with the entry. */
  liquidation?: Promise<LiquidationPoint[]>;
}

/**
 * The risk view: for every unit, its equity, own-model margin and Greeks on the current
 * market, replaced whenever a change (tick, trade, deposit, membership) touches the unit,
 * plus an index of accounts by ratio for the riskiest-first listing. Reads are lookups.
 */
export class RiskView {
  private readonly entries = new Map<UnitKey, ViewEntry>();
  /** Units the engine could not value on the current market, with the reason. */
  private readonly unvalued = new Map<UnitKey, string>();
  /** Accounts riskiest first; rebuilt on the first read after a change. */
  private order: RatioKey[] = [];
  private orderStale = true;

  set(key: UnitKey, risk: UnitRisk, input: MarginUnitInput, version: number, reference: ReferenceSnapshot): ViewEntry {
    const { margin } = risk;
    const entry: ViewEntry = { key, version, input, reference, ...risk, ratio: ratioForLevel(margin.maintenance, margin.equity, margin.ratio) };
    this.entries.set(key, entry);
    this.unvalued.delete(key);
    if (key.startsWith("account:")) this.orderStale = true;
    return entry;
  }

  /** The unit could not be valued: its reads compute on demand (and report why); it lists last. */
  setUnvalued(key: UnitKey, reason: string): void {
    this.entries.delete(key);
    this.unvalued.set(key, reason);
    if (key.startsWith("account:")) this.orderStale = true;
  }

  get(key: UnitKey): ViewEntry | undefined {
    return this.entries.get(key);
  }

  /** Every entry, in no particular order. */
  all(): ViewEntry[] {
    return [...this.entries.values()];
  }

  clear(): void {
    this.entries.clear();
    this.unvalued.clear();
    this.orderStale = true;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Accounts riskiest first (every account the view holds or could not value). */
  riskiestFirst(): readonly RatioKey[] {
    if (this.orderStale) {
      const order: RatioKey[] = [];
      for (const entry of this.entries.values()) if (entry.key.startsWith("account:")) order.push({ ratio: entry.ratio, id: entry.key.slice(8) });
      for (const key of this.unvalued.keys()) if (key.startsWith("account:")) order.push({ ratio: -Infinity, id: key.slice(8) });
      this.order = order.sort(compareRiskiestFirst);
      this.orderStale = false;
    }
    return this.order;
  }

  /** Index of the first account after `after` in riskiest-first order. */
  indexAfter(after: RatioKey): number {
    const order = this.riskiestFirst();
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareRiskiestFirst(order[mid], after) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
