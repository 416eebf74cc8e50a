import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { Position } from "../../generated/prisma/client.js";
import type { Context } from "../context.js";
import { InstrumentType } from "../instrument/instrument.type.js";
import { toInstrumentType } from "../mappers.js";
import { PositionType } from "./position.type.js";

@Resolver(() => PositionType)
export class PositionResolver {
  @FieldResolver(() => InstrumentType)
  async instrument(@Root() position: Position, @Ctx() ctx: Context): Promise<InstrumentType> {
    const instrument = await ctx.loaders.instrument.load(position.instrumentId);
    if (!instrument) throw new Error(`instrument ${position.instrumentId} of a position is missing`);
    return toInstrumentType(instrument);
  }
}
