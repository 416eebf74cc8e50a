import type { Client, Instrument, MarginLevel } from "../../generated/prisma/client.js";
import type { AccountRow, PortfolioRow } from "../../db/stores/bookRows.js";
import type { MarginUnitInput } from "../../engine/index.js";
import type { HeldPosition } from "./heldPosition.js";

/** A margin unit's stored level, the version of that record, and the book version it was judged on. */
export interface LevelState {
  level: MarginLevel;
  version: number;
  bookVersion: number;
}

/** Decimal amounts as exact canonical strings (what the API shows). */
export interface BookBalance {
  asset: string;
  amount: string;
}

export interface BookPosition {
  instrumentId: string;
  quantity: string;
  averagePrice: string;
  isolatedMargin: string;
}

/** An account as stored, less its level record (kept as `level`). */
export interface BookAccount extends Omit<AccountRow, "marginLevel" | "levelVersion" | "levelBookVersion"> {
  balances: BookBalance[];
  /** Open positions, by instrument id. */
  positions: HeldPosition[];
  /** Its own book as engine input. */
  input: MarginUnitInput;
  /** Underlyings its positions and non-zero, non-stable collateral depend on. */
  underlyings: ReadonlySet<string>;
  level: LevelState;
}

export interface BookPortfolio extends Omit<PortfolioRow, "marginLevel" | "levelVersion" | "levelBookVersion"> {
  level: LevelState;
}

export type BookClient = Client;
export type BookInstrument = Instrument;

/** A margin unit: a standalone account, a portfolio member's standalone book, or a portfolio. */
export type UnitKey = `account:${string}` | `portfolio:${string}`;

export const accountKey = (id: string): UnitKey => `account:${id}`;
export const portfolioKey = (id: string): UnitKey => `portfolio:${id}`;

export function parseUnitKey(key: UnitKey): { kind: "account" | "portfolio"; id: string } {
  const colon = key.indexOf(":");
  return { kind: key.slice(0, colon) as "account" | "portfolio", id: key.slice(colon + 1) };
}

/** What a catch-up changed: the units whose inputs moved. */
export interface BookDelta {
  /** Book version after the change. */
  version: number;
  /** Every unit (a full load). */
  full: boolean;
  accounts: ReadonlySet<string>;
  portfolios: ReadonlySet<string>;
  underlyings: ReadonlySet<string>;
}
