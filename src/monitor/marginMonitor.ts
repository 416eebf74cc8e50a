import type { Logger } from "pino";
import type { Account, Portfolio, PrismaClient } from "../generated/prisma/client.js";
import {
  computeMargin,
  createScenarioTable,
  defaultModel,
  marginRatio,
  nextLevel,
  portfolioMarginWithTable,
  ratioForLevel,
  unitEquity,
  type MarginUnitInput,
  type ScenarioTable,
} from "../engine/index.js";
import type { MarginCallStore, UnitEvaluation } from "../db/stores/marginCall.store.js";
import { instrumentSpec, marginUnitInput, type MarketContext } from "../domain/marginUnit.js";
import { loadHoldings, type RiskService } from "../domain/risk.service.js";
import type { EventBus } from "./eventBus.js";
import { Topic, type MarginCallEvent } from "./events.js";

/** Ratio and equity of a unit under its own model; the PORTFOLIO model reuses one scenario table for all units. */
function ownMargin(unit: MarginUnitInput, ctx: MarketContext, table: ScenarioTable) {
  if (defaultModel(unit.mode) === "PORTFOLIO") {
    const equity = unitEquity(unit, ctx.market);
    const { maintenance } = portfolioMarginWithTable(unit, table);
    return { equity, maintenance, ratio: marginRatio(maintenance, equity) };
  }
  const { equity, maintenance, ratio } = computeMargin(unit, ctx.market, ctx.params);
  return { equity, maintenance, ratio };
}

const levelRatio = (m: { equity: number; maintenance: number; ratio: number }) => ratioForLevel(m.maintenance, m.equity, m.ratio);

/**
 * The margin monitor: re-evaluates margin units after market moves and ledger writes,
 * applies the level hysteresis, stores every level change as an event in the same
 * transaction as the unit's new level, and publishes events only after that commit.
 * Margin units are standalone accounts and portfolios; portfolio members keep their
 * own ratio snapshot (for the riskiest-first listing) without events of their own.
 */
export class MarginMonitor {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly risk: RiskService,
    private readonly store: MarginCallStore,
    private readonly bus: EventBus,
    private readonly logger: Logger,
  ) {}

  /** Accounts holding positions or collateral on any of `underlyings`. */
  private async exposedAccountIds(underlyings: string[]): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      SELECT p."accountId" AS id FROM "Position" p JOIN "Instrument" i ON i.id = p."instrumentId"
       WHERE i."underlyingId" = ANY(${underlyings}::text[]) AND p.quantity <> 0
      UNION
      SELECT b."accountId" AS id FROM "Balance" b JOIN "Asset" a ON a.symbol = b.asset
       WHERE a."underlyingId" = ANY(${underlyings}::text[]) AND b.amount <> 0`;
    return rows.map((r) => r.id);
  }

  async onMarketChanged(underlyings: string[]): Promise<MarginCallEvent[]> {
    return this.evaluateAccounts(await this.exposedAccountIds(underlyings));
  }

  /** Every unit: the periodic pass that lets time decay move option books. */
  async evaluateAll(): Promise<MarginCallEvent[]> {
    const rows = await this.prisma.account.findMany({ select: { id: true } });
    return this.evaluateAccounts(rows.map((r) => r.id));
  }

  /**
   * A full pass every `intervalMs` (0: never), skipped while the previous one runs:
   * option books decay as asOf advances, and a pass that failed catches up. Returns stop().
   */
  startPeriodic(intervalMs: number): () => void {
    if (intervalMs <= 0) return () => undefined;
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.evaluateAll()
        .catch((error: unknown) => this.logger.error({ err: error }, "periodic margin evaluation failed"))
        .finally(() => (running = false));
    }, intervalMs).unref();
    return () => clearInterval(timer);
  }

  /** Re-evaluates the accounts and every portfolio any of them belongs to. */
  async evaluateAccounts(accountIds: string[]): Promise<MarginCallEvent[]> {
    if (accountIds.length === 0) return [];
    const accounts = await this.prisma.account.findMany({ where: { id: { in: accountIds } } });
    const portfolioIds = [...new Set(accounts.map((a) => a.portfolioId).filter((id): id is string => id !== null))];
    const [portfolios, members] = portfolioIds.length
      ? await Promise.all([
          this.prisma.portfolio.findMany({ where: { id: { in: portfolioIds } } }),
          this.prisma.account.findMany({ where: { portfolioId: { in: portfolioIds } } }),
        ])
      : [[], []];
    const all = new Map([...accounts, ...members].map((a) => [a.id, a]));
    return this.evaluate([...all.values()], portfolios);
  }

  private async evaluate(accounts: Account[], portfolios: Portfolio[]): Promise<MarginCallEvent[]> {
    const [ctx, { holdings, instruments }] = await Promise.all([
      this.risk.marketContext(),
      loadHoldings(this.prisma, accounts.map((a) => a.id)),
    ]);
    const holdingsOf = new Map(accounts.map((a, i) => [a.id, holdings[i]]));
    const evaluations: UnitEvaluation[] = [];
    const evaluateUnit = (
      kind: UnitEvaluation["kind"],
      row: Account | Portfolio,
      unit: MarginUnitInput,
      emits: boolean,
      scenarios: ScenarioTable,
    ) => {
      const margin = ownMargin(unit, ctx, scenarios);
      const level = nextLevel(row.marginLevel, levelRatio(margin));
      evaluations.push({
        kind,
        id: row.id,
        clientId: row.clientId,
        ratio: levelRatio(margin),
        equity: margin.equity,
        maintenance: margin.maintenance,
        change: emits && level !== row.marginLevel ? { from: row.marginLevel, to: level, version: row.levelVersion } : null,
      });
    };
    const scenarios = createScenarioTable(
      [...instruments.values()].filter((i) => ctx.market.quotes.has(i.underlyingId)).map(instrumentSpec),
      ctx.market,
      ctx.params,
    );
    for (const account of accounts) {
      const unit = marginUnitInput(account.marginMode, [holdingsOf.get(account.id)!], instruments, ctx);
      this.safely(account.id, () => evaluateUnit("account", account, unit, account.portfolioId === null, scenarios));
    }
    for (const portfolio of portfolios) {
      const memberHoldings = accounts.filter((a) => a.portfolioId === portfolio.id).map((a) => holdingsOf.get(a.id)!);
      const unit = marginUnitInput(portfolio.marginMode, memberHoldings, instruments, ctx);
      this.safely(portfolio.id, () => evaluateUnit("portfolio", portfolio, unit, true, scenarios));
    }
    const events = await this.store.record(evaluations, new Date(ctx.market.asOfMs));
    for (const event of events) await this.bus.publish(Topic.MarginCalls, event);
    return events;
  }

  /** One unit the engine cannot value (e.g. no market for its underlying) must not stop the others. */
  private safely(id: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.logger.warn({ err: error, unit: id }, "margin unit not evaluated");
    }
  }
}
