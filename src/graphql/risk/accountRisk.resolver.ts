import { Arg, Ctx, FieldResolver, Float, Resolver, Root } from "type-graphql";
import type { Account } from "../../generated/prisma/client.js";
import { AccountType } from "../book/account.type.js";
import type { Context } from "../context.js";
import { MarginModel } from "../enums.js";
import { riskFields } from "./riskFields.js";
import { LiquidationPointType, MarginType, UnderlyingGreeksType } from "./risk.types.js";

/** An account's standalone risk (its own book, even when it belongs to a portfolio). */
@Resolver(() => AccountType)
export class AccountRiskResolver {
  @FieldResolver(() => Float, { description: "USD: collateral after haircuts + perp/future unrealised P&L + option value." })
  async equity(@Root() account: Account, @Ctx() ctx: Context): Promise<number> {
    return riskFields.equity(ctx.risk, await ctx.risk.accountUnit(account));
  }

  @FieldResolver(() => MarginType, { description: "Under `model`, default the account's own (PORTFOLIO accounts → PORTFOLIO, others → STANDARD)." })
  async margin(
    @Root() account: Account,
    @Ctx() ctx: Context,
    @Arg("model", () => MarginModel, { nullable: true }) model?: MarginModel | null,
  ): Promise<MarginType> {
    return riskFields.margin(ctx.risk, await ctx.risk.accountUnit(account), model);
  }

  @FieldResolver(() => [UnderlyingGreeksType])
  async greeks(@Root() account: Account, @Ctx() ctx: Context): Promise<UnderlyingGreeksType[]> {
    return riskFields.greeks(ctx.risk, await ctx.risk.accountUnit(account));
  }

  @FieldResolver(() => [LiquidationPointType], { description: "One per underlying with positions or non-stable collateral." })
  async liquidation(@Root() account: Account, @Ctx() ctx: Context): Promise<LiquidationPointType[]> {
    return riskFields.liquidation(ctx.risk, await ctx.risk.accountUnit(account));
  }
}
