import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import { requireVisibleAccount } from "../book/account.resolver.js";
import type { Context } from "../context.js";
import { TradeInput, StressScenarioInput } from "./risk.inputs.js";
import { RiskSnapshotType } from "./riskSnapshot.resolver.js";
import { finiteOrNull } from "./riskFields.js";
import { StressResultType, StressScenarioType } from "./risk.types.js";
import { HISTORICAL_SCENARIOS } from "../../engine/index.js";

@Resolver()
export class RiskQueryResolver {
  @Query(() => RiskSnapshotType, { description: "The account's risk after hypothetical trades (price: mark when omitted); nothing is written." })
  async whatIf(
    @Arg("accountId", () => ID) accountId: string,
    @Arg("trades", () => [TradeInput]) trades: TradeInput[],
    @Ctx() ctx: Context,
  ): Promise<RiskSnapshotType> {
    const account = requireVisibleAccount(ctx, accountId);
    return { unit: ctx.services.risk.whatIfUnit(account, trades) };
  }

  @Query(() => StressResultType, { description: "The account (its own book and model) after a named or custom shock." })
  async stressTest(
    @Arg("accountId", () => ID) accountId: string,
    @Arg("scenario", () => StressScenarioInput) scenario: StressScenarioInput,
    @Ctx() ctx: Context,
  ): Promise<StressResultType> {
    const account = requireVisibleAccount(ctx, accountId);
    const result = await ctx.services.risk.stress(ctx.units.account(account.id), scenario, ctx.units.meter);
    return { ...result, ratio: finiteOrNull(result.ratio) };
  }

  @Query(() => [StressScenarioType], { description: "Named historical scenarios with their moves from the bundled closes." })
  async stressScenarios(@Ctx() ctx: Context): Promise<StressScenarioType[]> {
    return Promise.all(
      HISTORICAL_SCENARIOS.map(async (scenario) => ({
        ...scenario,
        shocks: (await ctx.services.risk.scenarioShocks({ name: scenario.name })).map((s) => ({ ...s, volMove: s.volMove ?? 0 })),
      })),
    );
  }
}
