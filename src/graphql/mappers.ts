import type { Instrument, MarketState, Trade } from "../generated/prisma/client.js";
import type { InstrumentType } from "./instrument/instrument.type.js";
import type { TradeType } from "./ledger/trade.type.js";
import type { MarketStateType } from "./market/marketState.type.js";

/** Stored rows (Decimal) to API shapes (Float where the contract says Float). */

const num = (value: { toNumber(): number } | null): number | null => (value === null ? null : value.toNumber());

export function toInstrumentType(row: Instrument): InstrumentType {
  return {
    id: row.id,
    symbol: row.symbol,
    kind: row.kind,
    underlying: row.underlyingId,
    expiry: row.expiry,
    strike: num(row.strike),
    optionType: row.optionType,
    contractSize: row.contractSize.toNumber(),
    initialMarginRate: num(row.initialMarginRate),
    maintenanceMarginRate: num(row.maintenanceMarginRate),
    markVolatility: num(row.markVolatility),
  };
}

export function toMarketStateType(row: MarketState): MarketStateType {
  return {
    underlying: row.underlyingId,
    spot: row.spot.toNumber(),
    volatility: row.volatility.toNumber(),
    rate: row.rate.toNumber(),
    asOf: row.asOf,
  };
}

export function toTradeType(row: Trade, instrument: Instrument): TradeType {
  return {
    tradeId: row.tradeId,
    accountId: row.accountId,
    instrument: instrument.symbol,
    quantity: row.quantity,
    price: row.price,
    realizedPnl: row.realizedPnl,
    createdAt: row.createdAt,
  };
}
