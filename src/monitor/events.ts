import type { MarginLevel } from "../generated/prisma/client.js";

/** A stored change of a margin unit's level, as published to subscribers. */
export interface MarginCallEvent {
  /** Global, increasing. */
  sequence: number;
  accountId: string | null;
  portfolioId: string | null;
  level: MarginLevel;
  previousLevel: MarginLevel;
  /** maintenance / equity; null when equity ≤ 0. */
  ratio: number | null;
  /** USD. */
  equity: number;
  /** USD. */
  maintenance: number;
  /** Market valuation time the change was computed at. */
  asOf: Date;
  createdAt: Date;
  /** Owner of the unit, for tenant filtering. */
  clientId: string;
  /** Version of the unit's level this event created. */
  unitVersion: number;
  /** Book version (BookChange) the change was judged on. */
  bookVersion: number;
}

/** An instance committed a change to the book (it is in the change log); the others catch up. */
export interface BookChanged {
  /** Instance that made the change (it has caught up already). */
  origin: string;
}

/** Topics of the event bus and their payloads. */
export enum Topic {
  MarginCalls = "margin-calls",
  BookChanged = "book-changed",
}

export interface TopicPayloads {
  [Topic.MarginCalls]: MarginCallEvent;
  [Topic.BookChanged]: BookChanged;
}
