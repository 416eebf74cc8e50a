import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from "type-graphql";
import { BadInputError } from "../../domain/errors.js";
import type { Context } from "../context.js";
import { toMarketStateType } from "../mappers.js";
import { UpdateMarketInput } from "./market.inputs.js";
import { MarketStateType } from "./marketState.type.js";
import { MarketTickType } from "./marketTick.type.js";

/** Most ticks one marketTicks read returns. */
const MAX_TICKS = 1000;
const DEFAULT_TICKS = 100;

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
  @Query(() => [MarketTickType], { description: "Stored market updates of an underlying with from ≤ asOf ≤ to, by asOf." })
  async marketTicks(
    @Ctx() ctx: Context,
    @Arg("underlying", () => String) underlying: string,
    @Arg("from", () => Date, { nullable: true }) from?: Date | null,
    @Arg("to", () => Date, { nullable: true }) to?: Date | null,
    @Arg("first", () => Int, { nullable: true, description: `At most ${MAX_TICKS} (default ${DEFAULT_TICKS}).` }) first?: number | null,
  ): Promise<MarketTickType[]> {
    const take = first ?? DEFAULT_TICKS;
    if (!Number.isInteger(take) || take < 0 || take > MAX_TICKS) throw new BadInputError(`first (${take}) must be an integer between 0 and ${MAX_TICKS}`);
    const rows = await ctx.services.stores.marketTicks.list(underlying, from ?? null, to ?? null, take);
    return rows.map((t) => ({
      underlying: t.underlyingId,
      spot: t.spot.toNumber(),
      volatility: t.volatility.toNumber(),
      rate: t.rate.toNumber(),
      asOf: t.asOf,
      createdAt: t.createdAt,
    }));
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
