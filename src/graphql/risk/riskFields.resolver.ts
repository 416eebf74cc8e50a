import { Arg, Ctx, FieldResolver, Float, Resolver, Root, type ClassType } from "type-graphql";
import type { Context } from "../context.js";
import { MarginModel } from "../enums.js";
import type { LoadedUnit } from "./requestRisk.js";
import { toMarginType } from "./riskFields.js";
import { LiquidationPointType, MarginType, UnderlyingGreeksType } from "./risk.types.js";

/**
 * The risk fields every margin unit shows (equity, margin, greeks, liquidation), as a
 * resolver for `objectType` whose roots `unitOf` turns into a loaded unit. All of them go
 * through the request's memo, so one unit is loaded and computed once per request.
 */
export function riskFieldsResolver<Root>(objectType: ClassType, unitOf: (ctx: Context, root: Root) => Promise<LoadedUnit> | LoadedUnit) {
  @Resolver(() => objectType)
  class RiskFieldsResolver {
    @FieldResolver(() => Float, { description: "USD: collateral after haircuts + perp/future unrealised P&L + option value." })
    async equity(@Root() root: Root, @Ctx() ctx: Context): Promise<number> {
      return ctx.risk.margin(await unitOf(ctx, root)).equity;
    }

    @FieldResolver(() => MarginType, { description: "Under `model`, default the unit's own (PORTFOLIO mode → PORTFOLIO, others → STANDARD)." })
    async margin(
      @Root() root: Root,
      @Ctx() ctx: Context,
      @Arg("model", () => MarginModel, { nullable: true }) model?: MarginModel | null,
    ): Promise<MarginType> {
      return toMarginType(ctx.risk.margin(await unitOf(ctx, root), model ?? undefined));
    }

    @FieldResolver(() => [UnderlyingGreeksType])
    async greeks(@Root() root: Root, @Ctx() ctx: Context): Promise<UnderlyingGreeksType[]> {
      return ctx.risk.greeksOf(await unitOf(ctx, root));
    }

    @FieldResolver(() => [LiquidationPointType], { description: "One per underlying with positions or non-stable collateral." })
    async liquidation(@Root() root: Root, @Ctx() ctx: Context): Promise<LiquidationPointType[]> {
      return ctx.risk.liquidationOf(await unitOf(ctx, root));
    }
  }
  return RiskFieldsResolver;
}
