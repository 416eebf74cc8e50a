import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { Context } from "../context.js";
import { toMarketStateType } from "../mappers.js";
import { UpdateMarketInput } from "./market.inputs.js";
import { MarketStateType } from "./marketState.type.js";

@Resolver(() => MarketStateType)
export class MarketResolver {
  @Query(() => [MarketStateType], { description: "Current market of every underlying, or of the named ones." })
  async marketState(
    @Ctx() ctx: Context,
    @Arg("underlyings", () => [String], { nullable: true }) underlyings?: string[] | null,
  ): Promise<MarketStateType[]> {
    const rows = await ctx.services.stores.reference.marketStates(underlyings ?? undefined);
    return rows.map(toMarketStateType);
  }

  @Authorized("ADMIN", "RISK")
  @Mutation(() => MarketStateType)
  async updateMarket(@Arg("input", () => UpdateMarketInput) input: UpdateMarketInput, @Ctx() ctx: Context): Promise<MarketStateType> {
    return toMarketStateType(await ctx.services.market.update(input));
  }

  @Authorized("ADMIN", "RISK")
  @Mutation(() => [MarketStateType], { description: "Several underlyings at once, in one transaction; the monitor re-evaluates once." })
  async updateMarkets(@Arg("inputs", () => [UpdateMarketInput]) inputs: UpdateMarketInput[], @Ctx() ctx: Context): Promise<MarketStateType[]> {
    return (await ctx.services.market.updateMany(inputs)).map(toMarketStateType);
  }
}
