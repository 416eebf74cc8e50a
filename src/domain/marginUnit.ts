import { createHash } from "node:crypto";
import type { Instrument } from "../generated/prisma/client.js";
import { defaultRiskParams } from "../engine/riskParams.js";
import type {
  CollateralInput,
  InstrumentSpec,
  Market,
  MarginUnitInput,
  PositionInput,
  RiskParamsLookup,
  UnderlyingRiskParams,
} from "../engine/types.js";
import type { ReferenceSnapshot } from "../db/stores/risk.store.js";
import type { BookBalance, BookPosition } from "./book/book.types.js";
import { BadInputError } from "./errors.js";

/**
 * Converts stored rows (Decimal) into the engine's float64 inputs. A margin unit is
 * an account on its own, or a portfolio whose members' books are pooled.
 */

export interface MarketContext {
  market: Market;
  params: RiskParamsLookup;
  assets: Map<string, { haircut: number; underlying: string | null }>;
  /** Digest of the reference snapshot: equal digests, equal markets, parameters and assets. */
  fingerprint: string;
}

export function marketContext(snapshot: ReferenceSnapshot): MarketContext {
  const quotes = new Map(snapshot.markets.map((m) => [m.underlying, { spot: m.spot, volatility: m.volatility, rate: m.rate, asOfMs: m.asOf.getTime() }]));
  // The market's valuation time is the latest of its underlyings' (each option still
  // measures its time to expiry from its own underlying's asOf).
  const asOfMs = Math.max(0, ...snapshot.markets.map((m) => m.asOf.getTime()));
  // A stored version overrides the methodology's defaults field by field; spreading the
  // defaults underneath keeps any field the engine reads that the version does not store.
  // The lookup carries the version's deltaRiskWeight (SENSITIVITY's RW) and number too.
  const params = new Map<string, UnderlyingRiskParams>(snapshot.params.map((p) => [p.underlying, { ...defaultRiskParams(p.underlying), ...p }]));
  return {
    market: { asOfMs, quotes },
    params: (underlying) => params.get(underlying) ?? defaultRiskParams(underlying),
    assets: new Map(snapshot.assets.map((a) => [a.symbol, { haircut: a.haircut, underlying: a.underlying }])),
    fingerprint: createHash("sha1").update(JSON.stringify(snapshot)).digest("base64url"),
  };
}

export function instrumentSpec(row: Instrument): InstrumentSpec {
  return {
    symbol: row.symbol,
    kind: row.kind,
    underlying: row.underlyingId,
    contractSize: row.contractSize.toNumber(),
    expiryMs: row.expiry?.getTime() ?? null,
    strike: row.strike?.toNumber() ?? null,
    optionType: row.optionType,
    initialMarginRate: row.initialMarginRate?.toNumber() ?? null,
    maintenanceMarginRate: row.maintenanceMarginRate?.toNumber() ?? null,
    markVolatility: row.markVolatility?.toNumber() ?? null,
  };
}

/**
 * An instrument has expired once its underlying's valuation time reaches its expiry. Its
 * positions settle then (SettlementService); until they do (no delivery price yet) they
 * are left out of every risk figure, and once settled their quantity is 0.
 */
export function isExpired(spec: InstrumentSpec, market: Market): boolean {
  const asOfMs = market.quotes.get(spec.underlying)?.asOfMs;
  return spec.expiryMs !== null && asOfMs !== undefined && spec.expiryMs <= asOfMs;
}

/** Balances as engine collateral, with their assets' haircuts. */
export function collateralInput(balances: readonly BookBalance[], assets: MarketContext["assets"]): CollateralInput[] {
  return balances.map((b) => {
    const info = assets.get(b.asset);
    if (!info) throw new BadInputError(`asset ${b.asset} has no reference data`);
    return { asset: b.asset, amount: Number(b.amount), haircut: info.haircut, underlying: info.underlying };
  });
}

/**
 * One account's book as engine input (its own mode), from the exact decimal strings the book
 * keeps. Given `market`, positions in instruments expired on it are left out: an expired
 * position that has not settled yet carries no risk the engine could price (its cash is
 * fixed by the delivery price), and it stays in the account's listed positions (history).
 */
export function accountInput(
  mode: MarginUnitInput["mode"],
  balances: readonly BookBalance[],
  positions: readonly BookPosition[],
  specOf: (instrumentId: string) => InstrumentSpec,
  assets: MarketContext["assets"],
  market?: Market,
): MarginUnitInput {
  const collateral = collateralInput(balances, assets);
  const live = market ? positions.filter((p) => !isExpired(specOf(p.instrumentId), market)) : positions;
  const held = live.map((p) => ({
    instrument: specOf(p.instrumentId),
    quantity: Number(p.quantity),
    averagePrice: Number(p.averagePrice),
    isolatedMargin: Number(p.isolatedMargin),
  }));
  return { mode, collateral, positions: held };
}

/**
 * Accounts' books pooled into one margin unit: collateral summed per asset, positions
 * summed (netted) per instrument. For perps and futures the pooled average price keeps
 * Σ q·avg, so unrealised P&L is unchanged by pooling; offsetting positions that net to
 * zero leave their locked-in P&L as USD (options: their premium already moved as cash).
 */
export function poolUnits(mode: MarginUnitInput["mode"], units: MarginUnitInput[]): MarginUnitInput {
  const cash = new Map<string, CollateralInput>();
  const byInstrument = new Map<string, { spec: InstrumentSpec; quantity: number; cost: number; isolatedMargin: number }>();
  for (const unit of units) {
    for (const c of unit.collateral) {
      const entry = cash.get(c.asset);
      if (entry) entry.amount += c.amount;
      else cash.set(c.asset, { ...c });
    }
    for (const p of unit.positions) {
      const entry = byInstrument.get(p.instrument.symbol) ?? { spec: p.instrument, quantity: 0, cost: 0, isolatedMargin: 0 };
      entry.quantity += p.quantity;
      entry.cost += p.quantity * p.averagePrice;
      entry.isolatedMargin += p.isolatedMargin;
      byInstrument.set(p.instrument.symbol, entry);
    }
  }
  let lockedPnl = 0;
  const positions: PositionInput[] = [];
  for (const { spec, quantity, cost, isolatedMargin } of byInstrument.values()) {
    if (quantity === 0) {
      // Σ q·cs·(mark − avg) with Σ q = 0 is the constant −cs·Σ q·avg.
      if (spec.kind !== "OPTION") lockedPnl -= spec.contractSize * cost;
      continue;
    }
    positions.push({ instrument: spec, quantity, averagePrice: cost / quantity, isolatedMargin });
  }
  const collateral = [...cash.values()];
  if (lockedPnl !== 0) collateral.push({ asset: "USD", amount: lockedPnl, haircut: 0, underlying: null });
  return { mode, collateral, positions };
}
