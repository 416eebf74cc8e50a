import { Field, Float, Int, ObjectType } from "type-graphql";

@ObjectType("RiskParameters", { description: "One immutable version of an underlying's risk parameters (DESIGN §7.5)." })
export class RiskParametersType {
  @Field(() => String)
  underlying!: string;

  @Field(() => Int, { description: "1 = the methodology's defaults; the highest is in force." })
  version!: number;

  @Field(() => Float, { description: "Default perp/future initial margin rate, fraction of notional." })
  initialMarginRate!: number;

  @Field(() => Float, { description: "Default perp/future maintenance margin rate, fraction of notional." })
  maintenanceMarginRate!: number;

  @Field(() => Float, { description: "PORTFOLIO grid half-width R, fraction of spot." })
  portfolioRange!: number;

  @Field(() => Float, { description: "SENSITIVITY delta risk weight RW, fraction of USD delta." })
  deltaRiskWeight!: number;

  @Field(() => String, { nullable: true, description: "Who set it: the API key id, \"admin token\" for RISK_ADMIN_TOKEN, \"initial defaults\" for version 1." })
  changedBy!: string | null;

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType("RiskParameterVersion", { description: "The risk-parameter version a result was computed with, for one underlying." })
export class RiskParameterVersionType {
  @Field(() => String)
  underlying!: string;

  @Field(() => Int)
  version!: number;
}
