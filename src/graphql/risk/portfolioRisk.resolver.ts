import { Arg, Ctx, FieldResolver, Float, Resolver, Root } from "type-graphql";
import type { Portfolio } from "../../generated/prisma/client.js";
import { PortfolioType } from "../book/portfolio.type.js";
import type { Context } from "../context.js";
import { MarginModel } from "../enums.js";
import { riskFields } from "./riskFields.js";
import { LiquidationPointType, MarginType, UnderlyingGreeksType } from "./risk.types.js";

/** A portfolio's pooled risk: its members' balances and netted positions as one margin unit. */
@Resolver(() => PortfolioType)
export class PortfolioRiskResolver {
  @FieldResolver(() => Float, { description: "USD, of the pooled book." })
  async equity(@Root() portfolio: Portfolio, @Ctx() ctx: Context): Promise<number> {
    return riskFields.equity(ctx.risk, await ctx.risk.portfolioUnit(portfolio));
  }

  @FieldResolver(() => MarginType, { description: "Under `model`, default the portfolio's own." })
  async margin(
    @Root() portfolio: Portfolio,
    @Ctx() ctx: Context,
    @Arg("model", () => MarginModel, { nullable: true }) model?: MarginModel | null,
  ): Promise<MarginType> {
    return riskFields.margin(ctx.risk, await ctx.risk.portfolioUnit(portfolio), model);
  }

  @FieldResolver(() => [UnderlyingGreeksType])
  async greeks(@Root() portfolio: Portfolio, @Ctx() ctx: Context): Promise<UnderlyingGreeksType[]> {
    return riskFields.greeks(ctx.risk, await ctx.risk.portfolioUnit(portfolio));
  }

  @FieldResolver(() => [LiquidationPointType])
  async liquidation(@Root() portfolio: Portfolio, @Ctx() ctx: Context): Promise<LiquidationPointType[]> {
    return riskFields.liquidation(ctx.risk, await ctx.risk.portfolioUnit(portfolio));
  }
}
