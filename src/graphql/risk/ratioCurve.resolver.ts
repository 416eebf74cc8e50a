import { Arg, Ctx, Field, FieldResolver, Float, Int, ObjectType, Resolver, Root } from "type-graphql";
import { AccountType } from "../book/account.type.js";
import type { Context } from "../context.js";

@ObjectType("RatioPoint", { description: "An account's margin at one spot of an underlying, others fixed; money in USD." })
export class RatioPointType {
  @Field(() => Float, { description: "Spot of the underlying, USD." })
  spot!: number;

  @Field(() => Float, { nullable: true, description: "maintenance / equity; null when equity <= 0." })
  ratio!: number | null;

  @Field(() => Float, { description: "Equity, USD." })
  equity!: number;

  @Field(() => Float, { description: "Maintenance margin, USD." })
  maintenance!: number;
}

/** Margin ratio against one underlying's spot, for the desk's chart. */
@Resolver(() => AccountType)
export class RatioCurveResolver {
  @FieldResolver(() => [RatioPointType], {
    description:
      "Margin ratio under the account's own model as `underlying`'s spot moves from `from` to `to` (USD, evenly spaced, both included; other spots, vols and time fixed).",
  })
  async ratioCurve(
    @Root() account: { id: string },
    @Ctx() ctx: Context,
    @Arg("underlying", () => String) underlying: string,
    @Arg("from", () => Float, { description: "First spot, USD (> 0)." }) from: number,
    @Arg("to", () => Float, { description: "Last spot, USD (> from)." }) to: number,
    @Arg("points", () => Int, { nullable: true, defaultValue: 41, description: "Number of spots, 2 to 201." }) points: number | null,
  ): Promise<RatioPointType[]> {
    return ctx.services.risk.ratioCurve(ctx.units.account(account.id), { underlying, from, to, points: points ?? 41 }, ctx.units.meter);
  }
}
