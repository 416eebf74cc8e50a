import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { Context } from "../context.js";
import { MarginAttributionType } from "./attribution.types.js";
import { MarginType } from "./risk.types.js";

/** A margin's attribution, computed only when asked (in an engine worker, kept by content). */
@Resolver(() => MarginType)
export class MarginAttributionResolver {
  @FieldResolver(() => MarginAttributionType, { description: "What the maintenance margin is made of (DESIGN §7.3)." })
  attribution(@Root() margin: MarginType, @Ctx() ctx: Context): Promise<MarginAttributionType> {
    return ctx.services.risk.attribution(margin.unit, margin.model, ctx.units.meter);
  }
}
