import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { RiskParameters } from "../../generated/prisma/client.js";
import type { Context } from "../context.js";
import { SetRiskParametersInput } from "./riskParameters.inputs.js";
import { RiskParametersType } from "./riskParameters.type.js";

/** Who set a version: the API key's id, or the environment's admin token. */
const ADMIN_TOKEN_NAME = "admin token";

function toRiskParametersType(row: RiskParameters): RiskParametersType {
  return {
    underlying: row.underlyingId,
    version: row.version,
    initialMarginRate: row.initialMarginRate.toNumber(),
    maintenanceMarginRate: row.maintenanceMarginRate.toNumber(),
    portfolioRange: row.portfolioRange.toNumber(),
    deltaRiskWeight: row.deltaRiskWeight.toNumber(),
    changedBy: row.changedBy,
    createdAt: row.createdAt,
  };
}

@Resolver(() => RiskParametersType)
export class RiskParametersResolver {
  @Query(() => RiskParametersType, { description: "The version in force." })
  async riskParameters(@Ctx() ctx: Context, @Arg("underlying", () => String) underlying: string): Promise<RiskParametersType> {
    return toRiskParametersType(await ctx.services.riskParameters.current(underlying));
  }

  @Query(() => [RiskParametersType], { description: "Every version, newest first." })
  async riskParameterHistory(@Ctx() ctx: Context, @Arg("underlying", () => String) underlying: string): Promise<RiskParametersType[]> {
    return (await ctx.services.riskParameters.history(underlying)).map(toRiskParametersType);
  }

  @Authorized("ADMIN")
  @Mutation(() => RiskParametersType, {
    description: "Writes the next version (omitted fields kept); it takes effect at once and every unit exposed to the underlying is re-evaluated.",
  })
  async setRiskParameters(@Ctx() ctx: Context, @Arg("input", () => SetRiskParametersInput) input: SetRiskParametersInput): Promise<RiskParametersType> {
    const row = await ctx.services.riskParameters.set(input, ctx.principal.keyId ?? ADMIN_TOKEN_NAME);
    return toRiskParametersType(row);
  }
}
