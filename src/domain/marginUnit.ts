import type { Account, Balance, Instrument, Portfolio, Position } from "../generated/prisma/client.js";
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
import { BadInputError } from "./errors.js";

/**
 * Converts stored rows (Decimal) into the engine's float64 inputs. A margin unit is
 * an account on its own, or a portfolio whose members' books are pooled.
 */

export type UnitRef = { kind: "account"; account: Account } | { kind: "portfolio"; portfolio: Portfolio };

export interface Holdings {
  balances: Balance[];
  positions: Position[];
}

export interface MarketContext {
  market: Market;
  params: RiskParamsLookup;
  assets: Map<string, { haircut: number; underlying: string | null }>;
}

export function marketContext(snapshot: ReferenceSnapshot): MarketContext {
  const quotes = new Map(snapshot.markets.map((m) => [m.underlying, { spot: m.spot, volatility: m.volatility, rate: m.rate, asOfMs: m.asOf.getTime() }]));
  // The market's valuation time is the latest of its underlyings' (each option still
  // measures its time to expiry from its own underlying's asOf).
  const asOfMs = Math.max(0, ...snapshot.markets.map((m) => m.asOf.getTime()));
  const params = new Map<string, UnderlyingRiskParams>(snapshot.params.map((p) => [p.underlying, p]));
  return {
    market: { asOfMs, quotes },
    params: (underlying) => params.get(underlying) ?? defaultRiskParams(underlying),
    assets: new Map(snapshot.assets.map((a) => [a.symbol, { haircut: a.haircut, underlying: a.underlying }])),
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

function collateral(balances: Balance[], ctx: MarketContext): CollateralInput[] {
  const amounts = new Map<string, number>();
  for (const b of balances) amounts.set(b.asset, (amounts.get(b.asset) ?? 0) + b.amount.toNumber());
  return [...amounts].map(([asset, amount]) => {
    const info = ctx.assets.get(asset);
    if (!info) throw new BadInputError(`asset ${asset} has no reference data`);
    return { asset, amount, haircut: info.haircut, underlying: info.underlying };
  });
}

/**
 * Positions of one or more accounts, summed (netted) per instrument. For perps and
 * futures the pooled average price keeps Σ q·avg, so unrealised P&L is unchanged by
 * pooling; offsetting positions that net to zero leave their locked-in P&L as USD.
 */
function pooledPositions(positions: Position[], instruments: Map<string, Instrument>): { positions: PositionInput[]; lockedPnl: number } {
  const byInstrument = new Map<string, { spec: InstrumentSpec; quantity: number; cost: number; isolatedMargin: number }>();
  for (const p of positions) {
    const row = instruments.get(p.instrumentId);
    if (!row) throw new Error(`instrument ${p.instrumentId} of a position was not loaded`);
    const entry = byInstrument.get(p.instrumentId) ?? { spec: instrumentSpec(row), quantity: 0, cost: 0, isolatedMargin: 0 };
    const quantity = p.quantity.toNumber();
    entry.quantity += quantity;
    entry.cost += quantity * p.averagePrice.toNumber();
    entry.isolatedMargin += p.isolatedMargin.toNumber();
    byInstrument.set(p.instrumentId, entry);
  }
  let lockedPnl = 0;
  const result: PositionInput[] = [];
  for (const { spec, quantity, cost, isolatedMargin } of byInstrument.values()) {
    if (quantity === 0) {
      // Σ q·cs·(mark − avg) with Σ q = 0 is the constant −cs·Σ q·avg (options: their premium moved as cash).
      if (spec.kind !== "OPTION") lockedPnl -= spec.contractSize * cost;
      continue;
    }
    result.push({ instrument: spec, quantity, averagePrice: cost / quantity, isolatedMargin });
  }
  return { positions: result, lockedPnl };
}

/** The engine input of a margin unit from its (members') holdings. */
export function marginUnitInput(
  mode: MarginUnitInput["mode"],
  holdings: Holdings[],
  instruments: Map<string, Instrument>,
  ctx: MarketContext,
): MarginUnitInput {
  const { positions, lockedPnl } = pooledPositions(holdings.flatMap((h) => h.positions), instruments);
  const cash = collateral(holdings.flatMap((h) => h.balances), ctx);
  if (lockedPnl !== 0) cash.push({ asset: "USD", amount: lockedPnl, haircut: 0, underlying: null });
  return { mode, collateral: cash, positions };
}
