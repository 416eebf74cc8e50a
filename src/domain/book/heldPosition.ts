import type { InstrumentSpec, PositionInput } from "../../engine/types.js";
import type { PositionRow } from "../../db/stores/bookRows.js";
import type { BookPosition } from "./book.types.js";

/**
 * An open position as the book holds it: the engine's input (float64, built once) and the
 * exact decimal texts the API shows, read from it. Most stored decimals are what
 * String(Number(text)) gives back (the shortest round-trip form of the double equals the
 * canonical text), so their text is not kept; a value with more digits than a double holds,
 * or one String() writes with an exponent (1e-7, 1e+21), keeps its three texts as read.
 * A position is then one small object beside its engine input, about 100 B less than an
 * object with three strings: ≈ 20 MiB of heap at 200 000 positions.
 */
export class HeldPosition implements BookPosition {
  /** The engine input of this position (also in the account's input unless its instrument expired). */
  readonly input: PositionInput;
  /** [quantity, averagePrice, isolatedMargin] as stored, when String() of the numbers does not reproduce them. */
  private readonly texts: readonly [string, string, string] | null;

  constructor(
    readonly instrumentId: string,
    instrument: InstrumentSpec,
    row: Pick<PositionRow, "quantity" | "averagePrice" | "isolatedMargin">,
  ) {
    this.input = { instrument, quantity: Number(row.quantity), averagePrice: Number(row.averagePrice), isolatedMargin: Number(row.isolatedMargin) };
    const exact =
      String(this.input.quantity) === row.quantity &&
      String(this.input.averagePrice) === row.averagePrice &&
      String(this.input.isolatedMargin) === row.isolatedMargin;
    this.texts = exact ? null : [row.quantity, row.averagePrice, row.isolatedMargin];
  }

  get quantity(): string {
    return this.texts?.[0] ?? String(this.input.quantity);
  }

  get averagePrice(): string {
    return this.texts?.[1] ?? String(this.input.averagePrice);
  }

  get isolatedMargin(): string {
    return this.texts?.[2] ?? String(this.input.isolatedMargin);
  }
}
