import { Ctx, FieldResolver, Float, Resolver, Root } from "type-graphql";
import { instrumentMark } from "../../engine/index.js";
import type { BookPosition } from "../../domain/book/book.types.js";
import type { Context } from "../context.js";
import { InstrumentType } from "../instrument/instrument.type.js";
import { toInstrumentType } from "../mappers.js";
import { PositionType } from "./position.type.js";

@Resolver(() => PositionType)
export class PositionResolver {
  @FieldResolver(() => InstrumentType)
  instrument(@Root() position: BookPosition, @Ctx() ctx: Context): InstrumentType {
    const instrument = ctx.services.readModel.book.instrument(position.instrumentId);
    if (!instrument) throw new Error(`instrument ${position.instrumentId} of a position is missing`);
    return toInstrumentType(instrument);
  }

  @FieldResolver(() => Float, { description: "USD per underlying unit on the current market: option value, futures S·e^{rT}, perpetual spot." })
  mark(@Root() position: BookPosition, @Ctx() ctx: Context): number {
    const book = ctx.services.readModel.book;
    return instrumentMark(book.instrumentSpec(position.instrumentId), book.market.market);
  }

  @FieldResolver(() => Float, { description: "USD: quantity × contractSize × (mark − averagePrice) (short positions gain as the mark falls)." })
  unrealizedPnl(@Root() position: BookPosition, @Ctx() ctx: Context): number {
    const book = ctx.services.readModel.book;
    const spec = book.instrumentSpec(position.instrumentId);
    return Number(position.quantity) * spec.contractSize * (instrumentMark(spec, book.market.market) - Number(position.averagePrice));
  }
}
