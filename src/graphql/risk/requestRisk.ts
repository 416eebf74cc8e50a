import type { Account, Instrument, Portfolio } from "../../generated/prisma/client.js";
import { unitGreeks, type UnderlyingGreeks } from "../../engine/greeks.js";
import { liquidationPrices, type LiquidationPoint } from "../../engine/liquidation.js";
import { computeMargin, defaultModel, type MarginResult } from "../../engine/margin.js";
import type { MarginMode, MarginModel, MarginUnitInput } from "../../engine/types.js";
import { marginUnitInput, type Holdings, type MarketContext } from "../../domain/marginUnit.js";
import type { Services } from "../../services.js";
import type { Loaders } from "../loaders.js";

/** A margin unit as the API sees it: the engine input plus the mode its default model follows. */
export interface LoadedUnit {
  key: string;
  mode: MarginMode;
  input: MarginUnitInput;
  ctx: MarketContext;
}

function memo<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

/**
 * Per-request risk memo: the market is read once, each unit's book is loaded once
 * (through the batch loaders) and each engine result is computed once, however many
 * fields and aliases ask for equity, margin, Greeks or liquidation of the same unit.
 */
export class RequestRisk {
  private context?: Promise<MarketContext>;
  private readonly units = new Map<string, Promise<LoadedUnit>>();
  private readonly margins = new Map<string, MarginResult>();
  private readonly greeks = new Map<string, UnderlyingGreeks[]>();
  private readonly liquidations = new Map<string, LiquidationPoint[]>();

  constructor(
    private readonly services: Services,
    private readonly loaders: Loaders,
  ) {}

  marketContext(): Promise<MarketContext> {
    this.context ??= this.services.risk.marketContext();
    return this.context;
  }

  private async holdingsOf(accountIds: string[]): Promise<{ holdings: Holdings[]; instruments: Map<string, Instrument> }> {
    const holdings = await Promise.all(
      accountIds.map(async (id) => {
        const [balances, positions] = await Promise.all([this.loaders.balances.load(id), this.loaders.positions.load(id)]);
        return { balances, positions };
      }),
    );
    const ids = [...new Set(holdings.flatMap((h) => h.positions.map((p) => p.instrumentId)))];
    const rows = await this.loaders.instrument.loadMany(ids);
    const instruments = new Map<string, Instrument>();
    for (const row of rows) if (row && !(row instanceof Error)) instruments.set(row.id, row);
    return { holdings, instruments };
  }

  accountUnit(account: Account): Promise<LoadedUnit> {
    return memo(this.units, `account:${account.id}`, async () => {
      const [ctx, { holdings, instruments }] = await Promise.all([this.marketContext(), this.holdingsOf([account.id])]);
      return { key: `account:${account.id}`, mode: account.marginMode, input: marginUnitInput(account.marginMode, holdings, instruments, ctx), ctx };
    });
  }

  portfolioUnit(portfolio: Portfolio): Promise<LoadedUnit> {
    return memo(this.units, `portfolio:${portfolio.id}`, async () => {
      const members = await this.loaders.portfolioMembers.load(portfolio.id);
      const [ctx, { holdings, instruments }] = await Promise.all([this.marketContext(), this.holdingsOf(members.map((m) => m.id))]);
      return {
        key: `portfolio:${portfolio.id}`,
        mode: portfolio.marginMode,
        input: marginUnitInput(portfolio.marginMode, holdings, instruments, ctx),
        ctx,
      };
    });
  }

  margin(unit: LoadedUnit, model: MarginModel = defaultModel(unit.mode)): MarginResult {
    return memo(this.margins, `${unit.key}:${model}`, () => computeMargin(unit.input, unit.ctx.market, unit.ctx.params, model));
  }

  greeksOf(unit: LoadedUnit): UnderlyingGreeks[] {
    return memo(this.greeks, unit.key, () => unitGreeks(unit.input, unit.ctx.market));
  }

  liquidationOf(unit: LoadedUnit): LiquidationPoint[] {
    const model = defaultModel(unit.mode);
    return memo(this.liquidations, unit.key, () => liquidationPrices(unit.input, unit.ctx.market, unit.ctx.params, model));
  }
}
