import { Arg, Ctx, FieldResolver, Float, Int, Resolver, Root } from "type-graphql";
import { BadInputError } from "../../domain/errors.js";
import { AccountType } from "../book/account.type.js";
import type { Context } from "../context.js";
import { VarMethod } from "../enums.js";
import { riskFieldsResolver } from "./riskFields.resolver.js";
import { VarResultType } from "./risk.types.js";

/** Equity, margin, Greeks and liquidation of an account's standalone book (even when it belongs to a portfolio). */
export const AccountRiskFieldsResolver = riskFieldsResolver<{ id: string }>(AccountType, (ctx, account) => ctx.units.account(account.id));

/** An account's value at risk. */
@Resolver(() => AccountType)
export class AccountRiskResolver {
  @FieldResolver(() => VarResultType, {
    description: "Value at risk and expected shortfall, USD (positive = loss), over daily returns ending on the account's valuation date (the latest asOf of the underlyings it is exposed to).",
  })
  async valueAtRisk(
    @Root() account: { id: string },
    @Ctx() ctx: Context,
    @Arg("confidence", () => Float, { nullable: true, defaultValue: 0.99, description: "In (0, 1)." }) confidence: number | null,
    @Arg("horizonDays", () => Int, { nullable: true, defaultValue: 1, description: "One-day figures × √horizonDays." }) horizonDays: number | null,
    @Arg("lookbackDays", () => Int, { nullable: true, defaultValue: 365, description: "Daily returns in the window." }) lookbackDays: number | null,
    @Arg("method", () => VarMethod, { nullable: true, defaultValue: "HISTORICAL" }) method: VarMethod | null,
  ): Promise<VarResultType> {
    const request = {
      method: method ?? "HISTORICAL",
      confidence: confidence ?? 0.99,
      horizonDays: horizonDays ?? 1,
      lookbackDays: lookbackDays ?? 365,
    };
    if (request.lookbackDays > 3000) throw new BadInputError(`lookbackDays (${request.lookbackDays}) must be at most 3000`);
    if (request.horizonDays > 365) throw new BadInputError(`horizonDays (${request.horizonDays}) must be at most 365`);
    const result = await ctx.services.risk.valueAtRisk(ctx.units.account(account.id), request, ctx.units.meter);
    return { ...result, confidence: request.confidence, horizonDays: request.horizonDays };
  }
}
