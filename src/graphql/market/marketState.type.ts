import { Field, Float, ObjectType } from "type-graphql";

@ObjectType("MarketState", { description: "Market of one underlying at its valuation time." })
export class MarketStateType {
  @Field(() => String)
  underlying!: string;

  @Field(() => Float, { description: "USD." })
  spot!: number;

  @Field(() => Float, { description: "Annual, 0.5 = 50 %." })
  volatility!: number;

  @Field(() => Float, { description: "Continuously compounded, per year." })
  rate!: number;

  @Field(() => Date, { description: "Valuation time." })
  asOf!: Date;
}
