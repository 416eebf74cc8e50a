import { Field, Float, ObjectType } from "type-graphql";

@ObjectType("MarketTick", { description: "One stored market update of an underlying." })
export class MarketTickType {
  @Field(() => String)
  underlying!: string;

  @Field(() => Float, { description: "USD." })
  spot!: number;

  @Field(() => Float, { description: "Annual, 0.5 = 50 %." })
  volatility!: number;

  @Field(() => Float, { description: "Continuously compounded, per year." })
  rate!: number;

  @Field(() => Date, { description: "Valuation time the update carried." })
  asOf!: Date;

  @Field(() => Date, { description: "When it was stored." })
  createdAt!: Date;
}
