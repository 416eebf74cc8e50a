import { Arg, Ctx, FieldResolver, Float, ObjectType, Resolver, Root } from "type-graphql";
import type { Context } from "../context.js";
import { MarginModel } from "../enums.js";
import type { LoadedUnit } from "./requestRisk.js";
import { riskFields } from "./riskFields.js";
import { LiquidationPointType, MarginType, UnderlyingGreeksType } from "./risk.types.js";

@ObjectType("RiskSnapshot", { description: "Risk of a hypothetical book (whatIf); nothing is written." })
export class RiskSnapshotType {
  unit!: LoadedUnit;
}

@Resolver(() => RiskSnapshotType)
export class RiskSnapshotResolver {
  @FieldResolver(() => Float, { description: "USD." })
  equity(@Root() snapshot: RiskSnapshotType, @Ctx() ctx: Context): number {
    return riskFields.equity(ctx.risk, snapshot.unit);
  }

  @FieldResolver(() => MarginType)
  margin(
    @Root() snapshot: RiskSnapshotType,
    @Ctx() ctx: Context,
    @Arg("model", () => MarginModel, { nullable: true }) model?: MarginModel | null,
  ): MarginType {
    return riskFields.margin(ctx.risk, snapshot.unit, model);
  }

  @FieldResolver(() => [UnderlyingGreeksType])
  greeks(@Root() snapshot: RiskSnapshotType, @Ctx() ctx: Context): UnderlyingGreeksType[] {
    return riskFields.greeks(ctx.risk, snapshot.unit);
  }

  @FieldResolver(() => [LiquidationPointType])
  liquidation(@Root() snapshot: RiskSnapshotType, @Ctx() ctx: Context): LiquidationPointType[] {
    return riskFields.liquidation(ctx.risk, snapshot.unit);
  }
}
