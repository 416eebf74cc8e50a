import { Prisma, type Instrument, type MarginMode } from "../generated/prisma/client.js";
import {
  computeMargin,
  defaultModel,
  HISTORICAL_SCENARIOS,
  instrumentMark,
  isolatedInitialMargin,
  namedScenarioShocks,
  unitGreeks,
  unitValuationDate,
  type LiquidationPoint,
  type MarginAttribution,
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
import type { LedgerTx } from "../db/stores/ledger.store.js";
import type { ReferenceSnapshot, RiskStore } from "../db/stores/risk.store.js";
import type { Account } from "../generated/prisma/client.js";
import { accountKey, portfolioKey, type BookAccount, type BookPortfolio, type BookPosition, type UnitKey } from "./book/book.types.js";
import { pageSize, type Page } from "./book.service.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { UNMETERED, type EngineMeter } from "./engineBudget.js";
import { BadInputError, InsufficientMarginError, NotFoundError } from "./errors.js";
import { SETTLEMENT_ASSET, type LedgerRisk } from "./ledger.service.js";
import { accountInput, instrumentSpec, isExpired, poolUnits, type MarketContext } from "./marginUnit.js";
import { toPriceHistory } from "./priceHistory.js";
import type { RatioCurveRequest, RatioPoint } from "./ratioCurve.js";
import type { ReadModel } from "./readModel.js";
import { fromRatioCursor, isRatioCursor, toRatioCursor } from "./risk/ratioOrder.js";
import type { ViewEntry } from "./risk/riskView.js";
import { RiskResultCache } from "./riskResultCache.js";
import { tradeEffects, type HeldPosition } from "./tradeEffects.js";
import { isUuid } from "./validate.js";

/** A margin unit as readers see it: its book as engine input, on the current market. */
export interface RiskUnit {
  /** A stored unit's key, or a hypothetical one's (whatIf). */
  key: UnitKey | `whatIf:${string}`;
  mode: MarginMode;
  input: MarginUnitInput;
  ctx: MarketContext;
  reference: ReferenceSnapshot;
  /** The view's figures, for a stored unit evaluated on the current book. */
  entry: ViewEntry | null;
}

/** A hypothetical trade: price defaults to the instrument's mark. */
export interface HypotheticalTrade {
  instrument: string;
  quantity: Prisma.Decimal;
  price?: Prisma.Decimal | null;
}

/** Most hypothetical trades one whatIf may apply. */
export const MAX_WHAT_IF_TRADES = 100;
/** Calendar days that reach back before the bundled history's first close (2017-01-01). */
const WHOLE_HISTORY_DAYS = 36_500;
/** Price-history windows kept (a window is a few thousand numbers). */
const HISTORY_CACHE = 64;

const decimalText = (value: Prisma.Decimal) => value.toFixed();

/** Runs engine work on this thread within the caller's engine-time budget. */
function metered<T>(meter: EngineMeter, work: () => T): T {
  meter.reserve();
  const started = performance.now();
  try {
    return work();
  } finally {
    meter.charge(performance.now() - started);
  }
}

/**
 * Risk of the book: reads of the risk view for the units' own figures, and everything
 * else (another model, liquidation of a unit the view does not hold, VaR, stress,
 * whatIf) computed on demand through the same engine, heavy work in the engine workers,
 * and kept by content, so an entry is never stale, only unused.
 */
export class RiskService implements LedgerRisk {
  /** Engine results by content, shared by every request. */
  private readonly results = new RiskResultCache();
  private readonly histories = new RiskResultCache(HISTORY_CACHE);

  constructor(
    private readonly readModel: ReadModel,
    private readonly store: RiskStore,
  ) {}

  private get book() {
    return this.readModel.book;
  }

  private unit(key: UnitKey, mode: MarginMode, input: MarginUnitInput): RiskUnit {
    const entry = this.readModel.view.get(key) ?? null;
    return { key, mode, input, ctx: this.book.market, reference: this.book.referenceSnapshot, entry: entry && entry.input === input ? entry : null };
  }

  accountUnit(account: BookAccount): RiskUnit {
    return this.unit(accountKey(account.id), account.marginMode, account.input);
  }

  portfolioUnit(portfolio: BookPortfolio): RiskUnit {
    return this.unit(portfolioKey(portfolio.id), portfolio.marginMode, this.book.portfolioInput(portfolio));
  }

  private digest(unit: RiskUnit): string {
    return RiskResultCache.digest([unit.ctx.fingerprint, unit.input]);
  }

  /** Under the unit's own model: the view's figures, or computed here (a small, single-book computation). */
  ownMargin(unit: RiskUnit, meter: EngineMeter = UNMETERED): MarginResult {
    if (unit.entry) return unit.entry.margin;
    const model = defaultModel(unit.mode);
    return this.results.get(`${this.digest(unit)}:margin:${model}`, () => metered(meter, () => computeMargin(unit.input, unit.ctx.market, unit.ctx.params, model)));
  }

  /**
   * Under any model (DESIGN §7.2). HISTORICAL_ES revalues the book under every scenario
   * of the price history up to the unit's valuation date, in an engine worker; the
   * others are single-book computations done here.
   */
  async margin(unit: RiskUnit, model: MarginModel = defaultModel(unit.mode), meter: EngineMeter = UNMETERED): Promise<MarginResult> {
    if (model === defaultModel(unit.mode)) return this.ownMargin(unit, meter);
    if (model !== "HISTORICAL_ES") {
      return this.results.get(`${this.digest(unit)}:margin:${model}`, () => metered(meter, () => computeMargin(unit.input, unit.ctx.market, unit.ctx.params, model)));
    }
    return this.results.get(`${this.digest(unit)}:margin:${model}`, async () => {
      meter.reserve();
      const history = await this.fullHistory(unitValuationDate(unit.input, unit.ctx.market));
      return this.readModel.engine.run({ kind: "margin", input: unit.input, reference: unit.reference, model, history }, meter.charge);
    });
  }

  /** What the margin under `model` is made of (DESIGN §7.3), computed in an engine worker. */
  attribution(unit: RiskUnit, model: MarginModel, meter: EngineMeter = UNMETERED): Promise<MarginAttribution> {
    return this.results.get(`${this.digest(unit)}:attribution:${model}`, async () => {
      meter.reserve();
      const history = model === "HISTORICAL_ES" ? await this.fullHistory(unitValuationDate(unit.input, unit.ctx.market)) : undefined;
      return this.readModel.engine.run({ kind: "attribution", input: unit.input, reference: unit.reference, model, history }, meter.charge);
    });
  }

  greeks(unit: RiskUnit): UnderlyingGreeks[] {
    if (unit.entry) return unit.entry.greeks;
    return this.results.get(`${this.digest(unit)}:greeks`, () => unitGreeks(unit.input, unit.ctx.market));
  }

  /** Under the unit's own model. */
  liquidation(unit: RiskUnit, meter: EngineMeter = UNMETERED): Promise<LiquidationPoint[]> {
    if (unit.entry) return this.readModel.liquidationOf(unit.entry);
    const model = defaultModel(unit.mode);
    return this.results.get(`${this.digest(unit)}:liquidation:${model}`, () => {
      meter.reserve();
      return this.readModel.engine.run({ kind: "liquidation", input: unit.input, reference: unit.reference, model }, meter.charge);
    });
  }

  /**
   * Every close on or before `toDate`, read once per valuation date and kept: VaR takes
   * its last lookbackDays returns from it, HISTORICAL_ES draws on the whole history (its
   * stressed windows go back to 2020).
   */
  private fullHistory(toDate: string): Promise<PriceHistory> {
    return this.histories.get(toDate, async () => toPriceHistory(await this.store.closes(toDate, WHOLE_HISTORY_DAYS)));
  }

  /** The window ends on the unit's valuation date (DESIGN §7.1). */
  valueAtRisk(unit: RiskUnit, request: VarRequest, meter: EngineMeter = UNMETERED): Promise<VarResult> {
    return this.results.get(`${this.digest(unit)}:var:${JSON.stringify(request)}`, async () => {
      meter.reserve();
      const history = await this.fullHistory(unitValuationDate(unit.input, unit.ctx.market));
      return this.readModel.engine.run({ kind: "valueAtRisk", input: unit.input, reference: unit.reference, history, request }, meter.charge);
    });
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
      const rows = await this.histories.get(`closesOn:${named.from}:${named.to}`, () => this.store.closesOn([named.from, named.to]));
      // The replay moves every underlying this market quotes (the dataset holds more).
      const quoted = this.book.market.market.quotes;
      for (const shock of namedScenarioShocks(named.name, toPriceHistory(rows))) {
        if (quoted.has(shock.underlying)) byUnderlying.set(shock.underlying, shock);
      }
    }
    for (const shock of scenario.shocks ?? []) byUnderlying.set(shock.underlying, shock);
    return [...byUnderlying.values()];
  }

  async stress(unit: RiskUnit, scenario: { name?: string | null; shocks?: Shock[] | null }, meter: EngineMeter = UNMETERED): Promise<StressResult> {
    const shocks = await this.scenarioShocks(scenario);
    for (const shock of shocks) {
      if (!unit.ctx.market.quotes.has(shock.underlying)) throw new BadInputError(`no market for underlying ${JSON.stringify(shock.underlying)}`);
    }
    return this.results.get(`${this.digest(unit)}:stress:${JSON.stringify(shocks)}`, () => {
      meter.reserve();
      return this.readModel.engine.run({ kind: "stress", input: unit.input, reference: unit.reference, shocks }, meter.charge);
    });
  }

  /** Margin ratio against one underlying's spot under the unit's own model (see ratioCurve). */
  ratioCurve(unit: RiskUnit, request: RatioCurveRequest, meter: EngineMeter = UNMETERED): Promise<RatioPoint[]> {
    return this.results.get(`${this.digest(unit)}:ratioCurve:${JSON.stringify(request)}`, () => {
      meter.reserve();
      return this.readModel.engine.run({ kind: "ratioCurve", input: unit.input, reference: unit.reference, request }, meter.charge);
    });
  }

  /**
   * The account as it would be after `trades`, under the ledger's own rules
   * (tradeEffects), computed in memory: nothing is written.
   */
  whatIfUnit(account: BookAccount, trades: HypotheticalTrade[]): RiskUnit {
    if (trades.length > MAX_WHAT_IF_TRADES) throw new BadInputError(`whatIf takes at most ${MAX_WHAT_IF_TRADES} trades (got ${trades.length})`);
    const ctx = this.book.market;
    const held = new Map<string, HeldPosition>(
      account.positions.map((p) => [p.instrumentId, {
        quantity: new Prisma.Decimal(p.quantity),
        averagePrice: new Prisma.Decimal(p.averagePrice),
        isolatedMargin: new Prisma.Decimal(p.isolatedMargin),
      }]),
    );
    let usdc = new Prisma.Decimal(0);
    trades.forEach((trade, i) => {
      const row = this.book.instrumentBySymbol(trade.instrument);
      if (!row) throw new NotFoundError("instrument", trade.instrument);
      if (trade.quantity.isZero()) throw new BadInputError(`trade ${i + 1}: quantity must not be zero`);
      const spec = this.book.instrumentSpec(row.id);
      if (isExpired(spec, ctx.market)) throw new BadInputError(`trade ${i + 1}: instrument ${row.symbol} has expired`);
      const price = trade.price ?? new Prisma.Decimal(instrumentMark(spec, ctx.market).toFixed(8));
      if (price.isNegative() || (row.kind !== "OPTION" && price.isZero())) throw new BadInputError(`trade ${i + 1}: price (${price.toFixed()}) must be positive`);
      const side = trade.quantity.isNegative() ? -1 : 1;
      const perContract = account.marginMode === "ISOLATED" ? this.isolatedMarginPerContract(row, side, price) : new Prisma.Decimal(0);
      const effects = tradeEffects(held.get(row.id) ?? null, { quantity: trade.quantity, price }, row, account.marginMode, perContract);
      held.set(row.id, effects.position);
      for (const move of effects.cash) usdc = usdc.plus(move.amount);
    });
    const positions: BookPosition[] = [...held]
      .filter(([, p]) => !p.quantity.isZero())
      .map(([instrumentId, p]) => ({
        instrumentId,
        quantity: decimalText(p.quantity),
        averagePrice: decimalText(p.averagePrice),
        isolatedMargin: decimalText(p.isolatedMargin),
      }));
    const balances = [...account.balances, { asset: SETTLEMENT_ASSET, amount: decimalText(usdc) }];
    const input = accountInput(account.marginMode, balances, positions, (id) => this.book.instrumentSpec(id), ctx.assets, ctx.market);
    return { key: `whatIf:${account.id}`, mode: account.marginMode, input, ctx, reference: this.book.referenceSnapshot, entry: null };
  }

  isolatedMarginPerContract(instrument: Instrument, side: 1 | -1, price: Prisma.Decimal): Prisma.Decimal {
    const ctx = this.book.market;
    if (!ctx.market.quotes.has(instrument.underlyingId)) return new Prisma.Decimal(0);
    const im = isolatedInitialMargin(
      { instrument: instrumentSpec(instrument), quantity: side, averagePrice: price.toNumber(), isolatedMargin: 0 },
      ctx.market,
      ctx.params,
    );
    return new Prisma.Decimal(im.toFixed(8));
  }

  /**
   * After the withdrawal's balance change, inside its transaction (the pool locked):
   * the account's equity must still cover its initial margin, and so must its
   * portfolio's if it belongs to one (the pool is the margin unit the member's cash
   * supports). The locked rows are read through the transaction, the same way the book
   * reads them, so no concurrent write can slip in between the check and the commit.
   */
  async assertWithdrawalAllowed(tx: LedgerTx, account: Account, memberIds: readonly string[]): Promise<void> {
    const ctx = this.book.market;
    const rows = await tx.bookRows(memberIds);
    const specs = new Map(rows.instruments.map((i) => [i.id, instrumentSpec(i)]));
    const inputOf = (id: string) =>
      accountInput(
        account.marginMode,
        rows.balances.filter((b) => b.accountId === id),
        rows.positions.filter((p) => p.accountId === id),
        (instrumentId) => specs.get(instrumentId)!,
        ctx.assets,
        ctx.market,
      );
    const own = computeMargin(inputOf(account.id), ctx.market, ctx.params, defaultModel(account.marginMode));
    if (own.equity < own.initial) {
      throw new InsufficientMarginError(
        `equity after the withdrawal (${own.equity.toFixed(2)} USD) would be below initial margin (${own.initial.toFixed(2)} USD)`,
        { equity: own.equity, initial: own.initial },
      );
    }
    if (!account.portfolioId) return;
    const pooled = computeMargin(poolUnits(account.marginMode, memberIds.map(inputOf)), ctx.market, ctx.params);
    if (pooled.equity < pooled.initial) {
      throw new InsufficientMarginError(
        `portfolio equity after the withdrawal (${pooled.equity.toFixed(2)} USD) would be below its initial margin (${pooled.initial.toFixed(2)} USD)`,
        { equity: pooled.equity, initial: pooled.initial },
      );
    }
  }

  /** Accounts riskiest first from the view's ratio index (under water first, unvalued last), keyset-paginated. */
  accountsByMarginRatio(args: { first?: number | null; after?: string | null; clientId?: string | null }): Page<BookAccount> {
    const size = pageSize(args.first);
    const clientId = args.clientId ?? null;
    if (clientId !== null && !isUuid(clientId)) return { items: [], hasNextPage: false, totalCount: 0 };
    const order = this.readModel.view.riskiestFirst();
    let i = args.after ? this.readModel.view.indexAfter(fromRatioCursor(decodeCursor(args.after, isRatioCursor))) : 0;
    const items: Page<BookAccount>["items"] = [];
    let hasNextPage = false;
    for (; i < order.length; i++) {
      const account = this.book.account(order[i].id);
      if (!account || (clientId !== null && account.clientId !== clientId)) continue;
      if (items.length === size) {
        hasNextPage = true;
        break;
      }
      items.push({ cursor: encodeCursor(toRatioCursor(order[i])), node: account });
    }
    const totalCount = clientId === null ? this.book.allAccounts().length : this.book.allAccounts().filter((a) => a.clientId === clientId).length;
    return { items, hasNextPage, totalCount };
  }
}
