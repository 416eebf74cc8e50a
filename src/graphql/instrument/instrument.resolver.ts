import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { Context } from "../context.js";
import { InstrumentKind } from "../enums.js";
import { toInstrumentType } from "../mappers.js";
import { CreateInstrumentInput } from "./instrument.inputs.js";
import { InstrumentType } from "./instrument.type.js";

@Resolver(() => InstrumentType)
export class InstrumentResolver {
  @Query(() => [InstrumentType], { description: "Listed instruments, optionally of one underlying or kind." })
  async instruments(
    @Ctx() ctx: Context,
    @Arg("underlying", () => String, { nullable: true }) underlying?: string | null,
    @Arg("kind", () => InstrumentKind, { nullable: true }) kind?: InstrumentKind | null,
  ): Promise<InstrumentType[]> {
    const rows = await ctx.services.stores.reference.instruments({ underlying: underlying ?? undefined, kind: kind ?? undefined });
    return rows.map(toInstrumentType);
  }

  @Query(() => InstrumentType, { nullable: true })
  async instrument(@Arg("symbol", () => String) symbol: string, @Ctx() ctx: Context): Promise<InstrumentType | null> {
    const row = await ctx.services.stores.reference.instrumentBySymbol(symbol);
    return row && toInstrumentType(row);
  }

  @Authorized("ADMIN")
  @Mutation(() => InstrumentType, { description: "Same definition again returns the existing instrument." })
  async createInstrument(@Arg("input", () => CreateInstrumentInput) input: CreateInstrumentInput, @Ctx() ctx: Context): Promise<InstrumentType> {
    return toInstrumentType(await ctx.services.instruments.create(input));
  }
}
