import { Field, Float, InputType } from "type-graphql";

@InputType({ description: "Omitted fields keep the current version's value. Bounds: 0 < mmr ≤ imr ≤ 1, 0 < R ≤ 0.9, 0 < RW ≤ 1." })
export class SetRiskParametersInput {
  @Field(() => String)
  underlying!: string;

  @Field(() => Float, { nullable: true, description: "Fraction of notional." })
  initialMarginRate?: number | null;

  @Field(() => Float, { nullable: true, description: "Fraction of notional." })
  maintenanceMarginRate?: number | null;

  @Field(() => Float, { nullable: true, description: "PORTFOLIO grid half-width R, fraction of spot." })
  portfolioRange?: number | null;

  @Field(() => Float, { nullable: true, description: "SENSITIVITY delta risk weight RW." })
  deltaRiskWeight?: number | null;
}
