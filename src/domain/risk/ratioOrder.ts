import { isUuid } from "../validate.js";

/**
 * The riskiest-first order: margin ratio under the unit's own model, highest first,
 * ties by id. Under water (equity ≤ 0 with margin owed) ranks above every ratio and a
 * unit the engine could not value below every ratio; this is the one place those are
 * encoded: ±Infinity in memory, names in a cursor, null ratio in the API.
 */
export interface RatioKey {
  ratio: number;
  id: string;
}

export const compareRiskiestFirst = (a: RatioKey, b: RatioKey): number =>
  a.ratio === b.ratio ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.ratio > b.ratio ? -1 : 1;

/** A position in the order as a page cursor carries it (JSON has no Infinity). */
export interface RatioCursor {
  r: number | "under-water" | "unvalued";
  i: string;
}

export const isRatioCursor = (v: unknown): v is RatioCursor =>
  typeof v === "object" && v !== null &&
  ((v as RatioCursor).r === "under-water" || (v as RatioCursor).r === "unvalued" || Number.isFinite((v as RatioCursor).r)) &&
  isUuid(String((v as RatioCursor).i));

export const toRatioCursor = (key: RatioKey): RatioCursor => ({
  r: Number.isFinite(key.ratio) ? key.ratio : key.ratio > 0 ? "under-water" : "unvalued",
  i: key.id,
});

export const fromRatioCursor = (cursor: RatioCursor): RatioKey => ({
  ratio: cursor.r === "under-water" ? Infinity : cursor.r === "unvalued" ? -Infinity : cursor.r,
  id: cursor.i,
});
