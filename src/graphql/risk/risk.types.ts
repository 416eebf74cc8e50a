import { Field, Float, ObjectType } from "type-graphql";
import { MarginLevel, MarginModel, VarMethod } from "../enums.js";
import type { RiskUnit } from "../../domain/risk.service.js";
import { RiskParameterVersionType } from "../riskParameters/riskParameters.type.js";

@ObjectType("Margin", { description: "Margin of a unit under one model; money in USD." })
export class MarginType {
  @Field(() => MarginModel)
  model!: MarginModel;

  @Field(() => Float, { description: "Initial margin, USD." })
  initial!: number;

  @Field(() => Float, { description: "Maintenance margin, USD." })
  maintenance!: number;

  @Field(() => Float, { description: "equity − initial, USD (negative when short of initial margin)." })
  available!: number;

  @Field(() => Float, { nullable: true, description: "maintenance / equity; null when equity <= 0." })
  ratio!: number | null;

  @Field(() => MarginLevel, { description: "Level of the ratio: HEALTHY < 0.7 ≤ WARNING < 0.8 ≤ MARGIN_CALL < 1 ≤ LIQUIDATION." })
  level!: MarginLevel;

  @Field(() => Float, { description: "Equity, USD." })
  equity!: number;

  @Field(() => [RiskParameterVersionType], { description: "Per underlying the result used, the risk-parameter version it was computed with." })
  parameters!: RiskParameterVersionType[];

  /** The unit the margin is of (for `attribution`, resolved on demand). */
  unit!: RiskUnit;
}

@ObjectType("UnderlyingGreeks", { description: "Σ q·cs·greek over a unit's positions on one underlying, plus its collateral in delta." })
export class UnderlyingGreeksType {
  @Field(() => String)
  underlying!: string;

  @Field(() => Float, { description: "Underlying units." })
  delta!: number;

  @Field(() => Float, { description: "delta × spot, USD." })
  deltaUsd!: number;

  @Field(() => Float, { description: "Per 1 USD spot move." })
  gamma!: number;

  @Field(() => Float, { description: "USD per volatility point (0.01)." })
  vega!: number;

  @Field(() => Float, { description: "USD per calendar day." })
  theta!: number;
}

@ObjectType("LiquidationPoint", { description: "Spot of one underlying at which equity = maintenance margin, others fixed." })
export class LiquidationPointType {
  @Field(() => String)
  underlying!: string;

  @Field(() => Float, { description: "Current spot, USD." })
  spot!: number;

  @Field(() => Float, { nullable: true, description: "Nearest liquidation spot below, USD; null when none in (0, spot]." })
  lowerPrice!: number | null;

  @Field(() => Float, { nullable: true, description: "Nearest liquidation spot above, USD; null when none in [spot, 10·spot]." })
  upperPrice!: number | null;

  @Field(() => Float, { nullable: true, description: "(P − spot)/spot of the nearer side, signed; null when neither exists." })
  distance!: number | null;
}

@ObjectType("VarResult", { description: "Loss not exceeded with the given confidence over the horizon, USD (positive = loss)." })
export class VarResultType {
  @Field(() => Float, { description: "Value at risk, USD." })
  value!: number;

  @Field(() => Float, { description: "Expected shortfall (mean loss beyond VaR), USD." })
  expectedShortfall!: number;

  @Field(() => VarMethod)
  method!: VarMethod;

  @Field(() => Float)
  confidence!: number;

  @Field(() => Float, { description: "Days." })
  horizonDays!: number;

  @Field(() => Float, { description: "Daily returns used." })
  observations!: number;
}

@ObjectType("StressResult", { description: "The unit after a shock, under its own margin model." })
export class StressResultType {
  @Field(() => Float, { description: "Equity change, USD." })
  pnl!: number;

  @Field(() => Float, { description: "Equity after the shock, USD." })
  equity!: number;

  @Field(() => Float, { description: "Maintenance margin after the shock, USD." })
  maintenance!: number;

  @Field(() => Float, { nullable: true, description: "maintenance / equity after the shock; null when equity <= 0." })
  ratio!: number | null;

  @Field(() => MarginLevel, { description: "Plain level of the shocked ratio." })
  level!: MarginLevel;
}

@ObjectType("ShockOutput", { description: "One underlying's relative moves in a scenario." })
export class ShockType {
  @Field(() => String)
  underlying!: string;

  @Field(() => Float, { description: "Relative spot move: S → S·(1 + spotMove)." })
  spotMove!: number;

  @Field(() => Float, { description: "Relative volatility move: σ → σ·(1 + volMove)." })
  volMove!: number;
}

@ObjectType("StressScenario", { description: "A named historical scenario: the bundled closes' move between two dates." })
export class StressScenarioType {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  description!: string;

  @Field(() => String, { description: "yyyy-mm-dd." })
  from!: string;

  @Field(() => String, { description: "yyyy-mm-dd." })
  to!: string;

  @Field(() => [ShockType])
  shocks!: ShockType[];
}
