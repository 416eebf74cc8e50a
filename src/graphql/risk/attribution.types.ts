import { Field, Float, ObjectType, registerEnumType } from "type-graphql";

export const MarginComponentKind = {
  POSITION: "POSITION",
  COLLATERAL: "COLLATERAL",
  DELTA: "DELTA",
  VEGA: "VEGA",
  CURVATURE: "CURVATURE",
  DELTA_ADDON: "DELTA_ADDON",
  SHORT_OPTION_ADDON: "SHORT_OPTION_ADDON",
} as const;
export type MarginComponentKind = (typeof MarginComponentKind)[keyof typeof MarginComponentKind];

export const ScenarioSet = { GRID: "GRID", FILTERED: "FILTERED", STRESSED: "STRESSED" } as const;
export type ScenarioSet = (typeof ScenarioSet)[keyof typeof ScenarioSet];

export const VolBranch = { UP: "UP", BASE: "BASE", DOWN: "DOWN" } as const;
export type VolBranch = (typeof VolBranch)[keyof typeof VolBranch];

registerEnumType(MarginComponentKind, { name: "MarginComponentKind" });
registerEnumType(ScenarioSet, { name: "ScenarioSet" });
registerEnumType(VolBranch, { name: "VolBranch" });

@ObjectType("MarginComponent", { description: "One part of a maintenance margin (DESIGN §7.3)." })
export class MarginComponentType {
  @Field(() => MarginComponentKind)
  kind!: MarginComponentKind;

  @Field(() => String, { nullable: true })
  underlying!: string | null;

  @Field(() => String, { nullable: true, description: "POSITION: the instrument's symbol." })
  instrument!: string | null;

  @Field(() => String, { nullable: true, description: "COLLATERAL: the asset." })
  asset!: string | null;

  @Field(() => Float, { description: "USD." })
  amount!: number;
}

@ObjectType("SpotMove")
export class SpotMoveType {
  @Field(() => String)
  underlying!: string;

  @Field(() => Float, { description: "Relative: spot → S·(1 + spotMove)." })
  spotMove!: number;
}

@ObjectType("MarginScenario", { description: "A scenario that binds the margin." })
export class MarginScenarioType {
  @Field(() => ScenarioSet)
  set!: ScenarioSet;

  @Field(() => String, { nullable: true, description: "GRID: the underlying the grid point belongs to." })
  underlying!: string | null;

  @Field(() => String, { nullable: true, description: "FILTERED / STRESSED: the scenario's end date, yyyy-mm-dd." })
  date!: string | null;

  @Field(() => [SpotMoveType], { description: "Relative moves applied (filtered moves after scaling)." })
  spotMoves!: SpotMoveType[];

  @Field(() => VolBranch)
  volBranch!: VolBranch;

  @Field(() => Float, { description: "USD." })
  pnl!: number;
}

@ObjectType("MarginAttribution", { description: "What the maintenance margin is made of (DESIGN §7.3)." })
export class MarginAttributionType {
  @Field(() => [MarginComponentType], { description: "Amounts add up to Margin.maintenance." })
  components!: MarginComponentType[];

  @Field(() => [MarginScenarioType], {
    description: "PORTFOLIO: each underlying's worst grid point; HISTORICAL_ES: the tail scenarios, worst first; otherwise empty.",
  })
  scenarios!: MarginScenarioType[];
}
