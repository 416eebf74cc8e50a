import DataLoader from "dataloader";
import type { Account, Balance, Client, Instrument, Portfolio, Position } from "../generated/prisma/client.js";
import type { BookStore } from "../db/stores/book.store.js";
import type { ReferenceStore } from "../db/stores/reference.store.js";
import { isUuid } from "../domain/validate.js";

/** One value per key, in key order; null for a missing row. */
function byKey<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): (V | null)[] {
  const map = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => map.get(key) ?? null);
}

/** All rows per key, in key order; [] for none. */
function groupByKey<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): V[][] {
  const map = new Map<K, V[]>(keys.map((key) => [key, []]));
  for (const row of rows) map.get(keyOf(row))?.push(row);
  return keys.map((key) => map.get(key) ?? []);
}

/** UUID keys only: anything else cannot exist, and must not reach a uuid column. */
const uuids = (keys: readonly string[]) => keys.filter(isUuid);

/**
 * Per-request batch loaders: each resolver asks for one row, and each kind of row
 * costs one SQL statement per request tick however many resolvers ask.
 */
export function createLoaders(book: BookStore, reference: ReferenceStore) {
  return {
    client: new DataLoader<string, Client | null>(async (ids) => byKey(ids, await book.clientsByIds(uuids(ids)), (c) => c.id)),
    account: new DataLoader<string, Account | null>(async (ids) => byKey(ids, await book.accountsByIds(uuids(ids)), (a) => a.id)),
    portfolio: new DataLoader<string, Portfolio | null>(async (ids) =>
      byKey(ids, await book.portfoliosByIds(uuids(ids)), (p) => p.id),
    ),
    portfolioMembers: new DataLoader<string, Account[]>(async (ids) =>
      groupByKey(ids, await book.membersOfPortfolios(uuids(ids)), (a) => a.portfolioId!),
    ),
    balances: new DataLoader<string, Balance[]>(async (ids) =>
      groupByKey(ids, await book.balancesOfAccounts(uuids(ids)), (b) => b.accountId),
    ),
    positions: new DataLoader<string, Position[]>(async (ids) =>
      groupByKey(ids, await book.positionsOfAccounts(uuids(ids)), (p) => p.accountId),
    ),
    instrument: new DataLoader<string, Instrument | null>(async (ids) =>
      byKey(ids, await reference.instrumentsByIds(uuids(ids)), (i) => i.id),
    ),
    instrumentBySymbol: new DataLoader<string, Instrument | null>(async (symbols) =>
      byKey(symbols, await reference.instrumentsBySymbols(symbols), (i) => i.symbol),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
