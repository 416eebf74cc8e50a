import { Prisma, type Instrument } from "../generated/prisma/client.js";
import { deliveryPrice, DELIVERY_WINDOW_MS } from "../engine/index.js";
import type { LedgerStore } from "../db/stores/ledger.store.js";
import type { MarketTickStore } from "../db/stores/marketTick.store.js";
import type { ReferenceStore } from "../db/stores/reference.store.js";
import type { SettlementRow, SettlementStore } from "../db/stores/settlement.store.js";
import { BadInputError } from "./errors.js";
import { SETTLEMENT_ASSET } from "./ledger.service.js";
import { requireStorablePositive } from "./validate.js";

type Decimal = Prisma.Decimal;
const ZERO = new Prisma.Decimal(0);

/** Delivery prices computed from ticks are kept to 1e-8 USD. */
const DELIVERY_PRICE_DECIMALS = 8;

/**
 * USDC a position receives (+) or pays (−) at expiry for delivery price `price`:
 * a future books q·cs·(D − averagePrice) (its unrealised P&L at D); an option pays its
 * intrinsic value q·cs·max(ω(D − K), 0), ω = +1 for a call and −1 for a put (its premium
 * moved when it was traded).
 */
export function settlementAmount(
  instrument: Pick<Instrument, "kind" | "contractSize" | "strike" | "optionType">,
  quantity: Decimal,
  averagePrice: Decimal,
  price: Decimal,
): Decimal {
  const units = quantity.times(instrument.contractSize);
  if (instrument.kind === "FUTURE") return units.times(price.minus(averagePrice));
  if (instrument.kind === "OPTION") {
    const strike = instrument.strike!;
    const intrinsic = Prisma.Decimal.max(instrument.optionType === "CALL" ? price.minus(strike) : strike.minus(price), ZERO);
    return units.times(intrinsic);
  }
  throw new Error(`a ${instrument.kind} does not expire`);
}

/**
 * Settlement at expiry (DESIGN §7.4). Once an underlying's valuation time reaches an
 * expiry E, every open position in its instruments expiring at E settles in cash to USDC
 * at the delivery price (the 30-minute time-weighted spot before E, from the stored
 * ticks, or an operator's explicit price), one ledger transaction per instrument that
 * locks the holders' accounts: an ISOLATED position's margin returns to USDC first, the
 * settlement amount is booked (LedgerKind SETTLEMENT), the position closes and a
 * Settlement row records it. A position is settled once (unique per instrument and
 * account, and a closed position has nothing left to settle), so repeating is harmless.
 */
export class SettlementService {
  constructor(
    private readonly store: SettlementStore,
    private readonly ledger: LedgerStore,
    private readonly ticks: MarketTickStore,
    private readonly reference: ReferenceStore,
    /** Runs after settlements committed: the read model and the margin monitor catch up. */
    private readonly afterWrite: () => Promise<unknown> = async () => undefined,
  ) {}

  /**
   * After a market update committed, before the read model catches up with it (the caller
   * runs afterWrite next): settles what each underlying's new valuation time expired,
   * where a delivery price exists, so the units are judged once, on the market and the
   * settlements together.
   */
  async settleDue(underlyings: readonly string[]): Promise<SettlementRow[]> {
    const made: SettlementRow[] = [];
    for (const underlying of underlyings) made.push(...(await this.settle(underlying, null)));
    return made;
  }

  /**
   * At start: settles what expired before a stop that came between a market update and its
   * settlement (every underlying with a market, at its current valuation time).
   */
  async settlePending(): Promise<SettlementRow[]> {
    const made = await this.settleDue((await this.reference.marketStates()).map((m) => m.underlyingId));
    if (made.length > 0) await this.afterWrite();
    return made;
  }

  /**
   * The operator's settlement of everything of `underlying` expired now (its valuation
   * time), at `price` when given (USD), else at each expiry's delivery price. Returns the
   * settlements this call made (none when everything had settled already).
   */
  async settleExpired(underlying: string, price?: number | null): Promise<SettlementRow[]> {
    const known = await this.reference.underlying(underlying);
    if (!known) throw new BadInputError(`unknown underlying ${JSON.stringify(underlying)}`);
    const explicit = price == null ? null : new Prisma.Decimal(requireStorablePositive("deliveryPrice", price));
    const made = await this.settle(known.symbol, explicit);
    if (made.length > 0) await this.afterWrite();
    return made;
  }

  /** Newest first. */
  list(filter: { accountId?: string | null; clientId?: string | null; take: number }): Promise<SettlementRow[]> {
    return this.store.list(filter);
  }

  /** Delivery price at `expiry` from the stored ticks; null while no tick is at or before it. */
  async deliveryPrice(underlying: string, expiry: Date): Promise<Decimal | null> {
    const start = new Date(expiry.getTime() - DELIVERY_WINDOW_MS);
    const ticks = await this.ticks.window(underlying, start, expiry);
    const price = deliveryPrice(ticks.map((t) => ({ asOfMs: t.asOf.getTime(), spot: t.spot.toNumber() })), expiry.getTime());
    return price === null ? null : new Prisma.Decimal(price.toFixed(DELIVERY_PRICE_DECIMALS));
  }

  private async settle(underlying: string, explicit: Decimal | null): Promise<SettlementRow[]> {
    const [market] = await this.reference.marketStates([underlying]);
    const now = market?.asOf ?? new Date();
    const prices = new Map<number, Decimal | null>();
    const made: SettlementRow[] = [];
    for (const { instrument, accountIds } of await this.store.due(underlying, now)) {
      const expiry = instrument.expiry!;
      let price = explicit;
      if (!price) {
        if (!prices.has(expiry.getTime())) prices.set(expiry.getTime(), await this.deliveryPrice(underlying, expiry));
        price = prices.get(expiry.getTime())!;
      }
      // No tick at or before the expiry: the positions wait (out of every risk figure meanwhile).
      if (!price) continue;
      made.push(...(await this.settleInstrument(instrument, accountIds, price)));
    }
    return made;
  }

  private settleInstrument(instrument: Instrument, accountIds: readonly string[], price: Decimal): Promise<SettlementRow[]> {
    return this.ledger.write(accountIds, async (tx) => {
      const rows: SettlementRow[] = [];
      for (const accountId of accountIds) {
        const position = await tx.position(accountId, instrument.id);
        // Closed or settled by a concurrent run since it was listed.
        if (!position || position.quantity.isZero() || (await tx.settlement(instrument.id, accountId))) continue;
        if (!position.isolatedMargin.isZero()) {
          await tx.addBalance(accountId, SETTLEMENT_ASSET, position.isolatedMargin);
          await tx.createEntry({ accountId, asset: SETTLEMENT_ASSET, amount: position.isolatedMargin, kind: "ISOLATED_MARGIN" });
        }
        const amount = settlementAmount(instrument, position.quantity, position.averagePrice, price);
        if (!amount.isZero()) {
          await tx.addBalance(accountId, SETTLEMENT_ASSET, amount);
          await tx.createEntry({ accountId, asset: SETTLEMENT_ASSET, amount, kind: "SETTLEMENT" });
        }
        await tx.savePosition(accountId, instrument.id, { quantity: ZERO, averagePrice: position.averagePrice, isolatedMargin: ZERO });
        const settlement = await tx.createSettlement({ instrumentId: instrument.id, accountId, quantity: position.quantity, deliveryPrice: price, amount });
        rows.push({ ...settlement, instrument: { symbol: instrument.symbol } });
      }
      return { result: rows, changed: rows.map((r) => r.accountId), instruments: rows.length > 0 ? [instrument.id] : [] };
    });
  }
}
