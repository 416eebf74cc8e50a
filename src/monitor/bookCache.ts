import type { MarginLevel, MarginMode, PrismaClient } from "../generated/prisma/client.js";
import type { MarginUnitInput } from "../engine/index.js";
import { accountUnitInput, type MarketContext } from "../domain/marginUnit.js";
import { loadHoldings } from "../domain/risk.service.js";

/** What the monitor knows of a margin unit's stored level. */
export interface LevelState {
  level: MarginLevel;
  version: number;
}

export interface CachedAccount extends LevelState {
  id: string;
  clientId: string;
  mode: MarginMode;
  portfolioId: string | null;
  /** The account's own book as engine input. */
  input: MarginUnitInput;
  /** Underlyings its positions and non-stable collateral depend on. */
  underlyings: Set<string>;
}

export interface CachedPortfolio extends LevelState {
  id: string;
  clientId: string;
  mode: MarginMode;
}

function exposure(input: MarginUnitInput): Set<string> {
  const underlyings = new Set<string>();
  for (const p of input.positions) underlyings.add(p.instrument.underlying);
  for (const c of input.collateral) if (c.underlying !== null && c.amount !== 0) underlyings.add(c.underlying);
  return underlyings;
}

/**
 * The monitor's in-memory copy of every account's book as engine input, so a market
 * tick costs engine time, not a reload of every position. Ledger writes invalidate
 * their accounts (here and, through the event bus, on every instance); levels follow
 * the events every instance receives; a full pass reloads everything.
 */
export class BookCache {
  private readonly accounts = new Map<string, CachedAccount>();
  private readonly portfolios = new Map<string, CachedPortfolio>();
  private readonly members = new Map<string, Set<string>>();
  private readonly dirty = new Set<string>();
  private loaded = false;

  constructor(private readonly prisma: PrismaClient) {}

  invalidate(accountIds: Iterable<string>): void {
    for (const id of accountIds) this.dirty.add(id);
  }

  /** Forget everything: the next refresh reloads the whole book. */
  reset(): void {
    this.loaded = false;
    this.dirty.clear();
  }

  /** Loads what is missing or invalidated; `ensure` names accounts that must be present. */
  async refresh(ctx: MarketContext, ensure: Iterable<string> = []): Promise<void> {
    if (!this.loaded) {
      this.accounts.clear();
      this.portfolios.clear();
      this.members.clear();
      this.dirty.clear();
      await this.load(ctx, null);
      this.loaded = true;
      return;
    }
    for (const id of ensure) if (!this.accounts.has(id)) this.dirty.add(id);
    if (this.dirty.size === 0) return;
    const ids = [...this.dirty];
    this.dirty.clear();
    await this.load(ctx, ids);
  }

  private async load(ctx: MarketContext, ids: string[] | null): Promise<void> {
    const rows = await this.prisma.account.findMany({ where: ids ? { id: { in: ids } } : undefined });
    const { holdings, instruments } = await loadHoldings(this.prisma, rows.map((r) => r.id));
    rows.forEach((row, i) => {
      const input = accountUnitInput(row.marginMode, holdings[i], instruments, ctx.assets);
      const previous = this.accounts.get(row.id)?.portfolioId;
      if (previous) this.members.get(previous)?.delete(row.id);
      if (row.portfolioId) {
        if (!this.members.has(row.portfolioId)) this.members.set(row.portfolioId, new Set());
        this.members.get(row.portfolioId)!.add(row.id);
      }
      this.accounts.set(row.id, {
        id: row.id,
        clientId: row.clientId,
        mode: row.marginMode,
        portfolioId: row.portfolioId,
        level: row.marginLevel,
        version: row.levelVersion,
        input,
        underlyings: exposure(input),
      });
    });
    const portfolioIds = [...new Set(rows.map((r) => r.portfolioId).filter((id): id is string => id !== null))];
    const portfolios = await this.prisma.portfolio.findMany({ where: ids ? { id: { in: portfolioIds } } : undefined });
    for (const p of portfolios) {
      this.portfolios.set(p.id, { id: p.id, clientId: p.clientId, mode: p.marginMode, level: p.marginLevel, version: p.levelVersion });
    }
  }

  account(id: string): CachedAccount | undefined {
    return this.accounts.get(id);
  }

  portfolio(id: string): CachedPortfolio | undefined {
    return this.portfolios.get(id);
  }

  allAccounts(): CachedAccount[] {
    return [...this.accounts.values()];
  }

  exposedTo(underlyings: string[]): CachedAccount[] {
    return this.allAccounts().filter((a) => underlyings.some((u) => a.underlyings.has(u)));
  }

  membersOf(portfolioId: string): CachedAccount[] {
    return [...(this.members.get(portfolioId) ?? [])].map((id) => this.accounts.get(id)!);
  }

  /** A stored level change (from any instance): newer versions win. */
  applyLevel(kind: "account" | "portfolio", id: string, state: LevelState): void {
    const unit = kind === "account" ? this.accounts.get(id) : this.portfolios.get(id);
    if (unit && state.version > unit.version) {
      unit.level = state.level;
      unit.version = state.version;
    }
  }
}
