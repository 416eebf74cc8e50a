import { Arg, Ctx, FieldResolver, Float, Resolver, Root, type ClassType } from "type-graphql";
import type { RiskUnit } from "../../domain/risk.service.js";
import type { Context } from "../context.js";
import { MarginModel } from "../enums.js";
import { parameterVersions, toMarginType } from "./riskFields.js";
import { LiquidationPointType, MarginType, UnderlyingGreeksType } from "./risk.types.js";

/**
 * The risk fields every margin unit shows (equity, margin, greeks, liquidation), as a
 * resolver for `objectType` whose roots `unitOf` turns into a unit. The unit's own
 * figures are lookups in the risk view; the rest is computed once per content.
 */
export function riskFieldsResolver<Root>(objectType: ClassType, unitOf: (ctx: Context, root: Root) => RiskUnit) {
  @Resolver(() => objectType)
  class RiskFieldsResolver {
    @FieldResolver(() => Float, { description: "USD: collateral after haircuts + perp/future unrealised P&L + option value." })
    equity(@Root() root: Root, @Ctx() ctx: Context): number {
      return ctx.services.risk.ownMargin(unitOf(ctx, root), ctx.units.meter).equity;
    }

    @FieldResolver(() => MarginType, { description: "Under `model`, default the unit's own (PORTFOLIO mode → PORTFOLIO, others → STANDARD)." })
    async margin(
      @Root() root: Root,
      @Ctx() ctx: Context,
      @Arg("model", () => MarginModel, { nullable: true }) model?: MarginModel | null,
    ): Promise<MarginType> {
      const unit = unitOf(ctx, root);
      const result = await ctx.services.risk.margin(unit, model ?? undefined, ctx.units.meter);
      // The view's figures were computed on the entry's reference rows, on-demand ones on the unit's.
      const reference = result === unit.entry?.margin ? unit.entry.reference : unit.reference;
      return toMarginType(result, unit, parameterVersions(unit.input, reference));
    }

    @FieldResolver(() => [UnderlyingGreeksType])
    greeks(@Root() root: Root, @Ctx() ctx: Context): UnderlyingGreeksType[] {
      return ctx.services.risk.greeks(unitOf(ctx, root));
    }

    @FieldResolver(() => [LiquidationPointType], { description: "One per underlying with positions or non-stable collateral." })
    liquidation(@Root() root: Root, @Ctx() ctx: Context): Promise<LiquidationPointType[]> {
      return ctx.services.risk.liquidation(unitOf(ctx, root), ctx.units.meter);
    }
  }
  return RiskFieldsResolver;
}
