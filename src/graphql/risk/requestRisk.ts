import { Prisma, type Account, type Instrument, type Portfolio, type Position } from "../../generated/prisma/client.js";
import {
  computeMargin,
  defaultModel,
  HISTORICAL_SCENARIOS,
  instrumentMark,
  isolatedInitialMargin,
  liquidationPrices,
  namedScenarioShocks,
  stressTest,
  unitGreeks,
  utcDate,
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
} from "../../engine/index.js";
import { BadInputError, NotFoundError } from "../../domain/errors.js";
import { instrumentSpec, marginUnitInput, type Holdings, type MarketContext } from "../../domain/marginUnit.js";
import { toPriceHistory } from "../../domain/priceHistory.js";
import { RiskResultCache } from "../../domain/riskResultCache.js";
import { tradeEffects, type HeldPosition } from "../../domain/tradeEffects.js";
import { SETTLEMENT_ASSET } from "../../db/stores/ledger.store.js";
import type { Services } from "../../services.js";
import type { Loaders } from "../loaders.js";

/** A margin unit as the API sees it: the engine input plus the mode its default model follows. */
export interface LoadedUnit {
  key: string;
  mode: MarginMode;
  input: MarginUnitInput;
  ctx: MarketContext;
  /** Digest of the book and market: the key of its results in the process-wide cache. */
  digest: string;
}

/** A hypothetical trade: price defaults to the instrument's mark. */
export interface HypotheticalTrade {
  instrument: string;
  quantity: Prisma.Decimal;
  price?: Prisma.Decimal | null;
}

/** Most hypothetical trades one whatIf may apply. */
export const MAX_WHAT_IF_TRADES = 100;
/** Calendar days of history loaded beyond a VaR window, so gaps in the dates still fill it. */
const HISTORY_MARGIN_DAYS = 40;

function memo<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

/** A loaded unit, with the digest its results are cached under. */
function loaded(key: string, mode: MarginMode, input: MarginUnitInput, ctx: MarketContext): LoadedUnit {
  return { key, mode, input, ctx, digest: RiskResultCache.digest([ctx.fingerprint, input]) };
}

/**
 * Per-request risk: the market is read once, each unit's book is loaded once (through
 * the batch loaders), and each engine result is computed once per content — in the
 * process-wide RiskResultCache — however many fields, aliases and requests ask for the
 * equity, margin, Greeks or liquidation of the same book on the same market.
 */
export class RequestRisk {
  private context?: Promise<MarketContext>;
  private readonly units = new Map<string, Promise<LoadedUnit>>();
  private readonly histories = new Map<string, Promise<PriceHistory>>();

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
    for (const row of rows) {
      if (row instanceof Error) throw row;
      if (row) instruments.set(row.id, row);
    }
    return { holdings, instruments };
  }

  accountUnit(account: Account): Promise<LoadedUnit> {
    return memo(this.units, `account:${account.id}`, async () => {
      const [ctx, { holdings, instruments }] = await Promise.all([this.marketContext(), this.holdingsOf([account.id])]);
      return loaded(`account:${account.id}`, account.marginMode, marginUnitInput(account.marginMode, holdings, instruments, ctx), ctx);
    });
  }

  portfolioUnit(portfolio: Portfolio): Promise<LoadedUnit> {
    return memo(this.units, `portfolio:${portfolio.id}`, async () => {
      const members = await this.loaders.portfolioMembers.load(portfolio.id);
      const [ctx, { holdings, instruments }] = await Promise.all([this.marketContext(), this.holdingsOf(members.map((m) => m.id))]);
      return loaded(`portfolio:${portfolio.id}`, portfolio.marginMode, marginUnitInput(portfolio.marginMode, holdings, instruments, ctx), ctx);
    });
  }

  margin(unit: LoadedUnit, model: MarginModel = defaultModel(unit.mode)): MarginResult {
    return this.results.get(`${unit.digest}:margin:${model}`, () => computeMargin(unit.input, unit.ctx.market, unit.ctx.params, model));
  }

  greeksOf(unit: LoadedUnit): UnderlyingGreeks[] {
    return this.results.get(`${unit.digest}:greeks`, () => unitGreeks(unit.input, unit.ctx.market));
  }

  liquidationOf(unit: LoadedUnit): LiquidationPoint[] {
    // The unit's own model; `unit.input.mode` is part of the digest.
    const model = defaultModel(unit.mode);
    return this.results.get(`${unit.digest}:liquidation:${model}`, () => liquidationPrices(unit.input, unit.ctx.market, unit.ctx.params, model));
  }

  private get results(): RiskResultCache {
    return this.services.riskResults;
  }

  /** Daily closes of every underlying for a window ending on `toDate`, read once per request. */
  private history(toDate: string, lookbackDays: number): Promise<PriceHistory> {
    const days = lookbackDays + HISTORY_MARGIN_DAYS;
    return memo(this.histories, `${toDate}:${days}`, async () => toPriceHistory(await this.services.risk.store.closes(toDate, days)));
  }

  async valueAtRiskOf(unit: LoadedUnit, request: VarRequest): Promise<VarResult> {
    const history = await this.history(utcDate(unit.ctx.market.asOfMs), request.lookbackDays);
    return valueAtRisk(unit.input, unit.ctx.market, history, request);
  }

  /**
   * Shocks of a scenario: a named one replays the bundled closes between its dates;
   * custom shocks replace the named scenario's move of the same underlying.
   */
  async scenarioShocks(scenario: { name?: string | null; shocks?: Shock[] | null }): Promise<Shock[]> {
    if (!scenario.name && !scenario.shocks?.length) throw new BadInputError("a stress scenario needs a name or shocks");
    const byUnderlying = new Map<string, Shock>();
    if (scenario.name) {
      const named = HISTORICAL_SCENARIOS.find((s) => s.name === scenario.name);
      if (!named) {
        throw new BadInputError(`stress scenario ${JSON.stringify(scenario.name)} is unknown (known: ${HISTORICAL_SCENARIOS.map((s) => s.name).join(", ")})`);
      }
      const rows = await this.services.risk.store.closesOn([named.from, named.to]);
      // The replay moves every underlying this market quotes (the dataset holds more).
      const quoted = (await this.marketContext()).market.quotes;
      for (const shock of namedScenarioShocks(named.name, toPriceHistory(rows))) {
        if (quoted.has(shock.underlying)) byUnderlying.set(shock.underlying, shock);
      }
    }
    for (const shock of scenario.shocks ?? []) byUnderlying.set(shock.underlying, shock);
    return [...byUnderlying.values()];
  }

  async stress(unit: LoadedUnit, scenario: { name?: string | null; shocks?: Shock[] | null }): Promise<StressResult> {
    const shocks = await this.scenarioShocks(scenario);
    for (const shock of shocks) {
      if (!unit.ctx.market.quotes.has(shock.underlying)) throw new BadInputError(`no market for underlying ${JSON.stringify(shock.underlying)}`);
    }
    return stressTest(unit.input, unit.ctx.market, shocks, unit.ctx.params);
  }

  /**
   * The account as it would be after `trades`, under the ledger's own rules
   * (tradeEffects), computed in memory: nothing is written.
   */
  async whatIfUnit(account: Account, trades: HypotheticalTrade[]): Promise<LoadedUnit> {
    if (trades.length > MAX_WHAT_IF_TRADES) throw new BadInputError(`whatIf takes at most ${MAX_WHAT_IF_TRADES} trades (got ${trades.length})`);
    const [ctx, { holdings, instruments }, rows] = await Promise.all([
      this.marketContext(),
      this.holdingsOf([account.id]),
      this.loaders.instrumentBySymbol.loadMany(trades.map((t) => t.instrument)),
    ]);
    const [{ balances, positions }] = holdings;
    const held = new Map<string, HeldPosition>(positions.map((p) => [p.instrumentId, p]));
    let usdc = new Prisma.Decimal(0);
    trades.forEach((trade, i) => {
      const row = rows[i];
      if (!row || row instanceof Error) throw new NotFoundError("instrument", trade.instrument);
      instruments.set(row.id, row);
      if (trade.quantity.isZero()) throw new BadInputError(`trade ${i + 1}: quantity must not be zero`);
      const spec = instrumentSpec(row);
      const price = trade.price ?? new Prisma.Decimal(instrumentMark(spec, ctx.market).toFixed(8));
      if (price.isNegative() || (row.kind !== "OPTION" && price.isZero())) throw new BadInputError(`trade ${i + 1}: price (${price.toFixed()}) must be positive`);
      const side = trade.quantity.isNegative() ? -1 : 1;
      const perContract = account.marginMode === "ISOLATED"
        ? new Prisma.Decimal(isolatedInitialMargin({ instrument: spec, quantity: side, averagePrice: price.toNumber(), isolatedMargin: 0 }, ctx.market, ctx.params).toFixed(8))
        : new Prisma.Decimal(0);
      const effects = tradeEffects(held.get(row.id) ?? null, { quantity: trade.quantity, price }, row, account.marginMode, perContract);
      held.set(row.id, effects.position);
      for (const move of effects.cash) usdc = usdc.plus(move.amount);
    });
    const hypotheticalPositions: Position[] = [...held].map(([instrumentId, p]) => ({
      accountId: account.id,
      instrumentId,
      quantity: p.quantity,
      averagePrice: p.averagePrice,
      isolatedMargin: p.isolatedMargin,
      updatedAt: new Date(0),
    })).filter((p) => !p.quantity.isZero());
    const hypotheticalBalances = [...balances, { accountId: account.id, asset: SETTLEMENT_ASSET, amount: usdc, updatedAt: new Date(0) }];
    const input = marginUnitInput(account.marginMode, [{ balances: hypotheticalBalances, positions: hypotheticalPositions }], instruments, ctx);
    return loaded(`whatIf:${account.id}`, account.marginMode, input, ctx);
  }
}
