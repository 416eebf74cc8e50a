import { Field, Float, InputType } from "type-graphql";

@InputType()
export class UpdateMarketInput {
  @Field(() => String)
  underlying!: string;

  @Field(() => Float, { description: "USD." })
  spot!: number;

  @Field(() => Float, { nullable: true, description: "Annual; the previous value is kept when omitted." })
  volatility?: number | null;

  @Field(() => Float, { nullable: true, description: "Continuously compounded per year; kept (or 0) when omitted." })
  rate?: number | null;

  @Field(() => Date, { nullable: true, description: "Valuation time, past included; kept (or now) when omitted." })
  asOf?: Date | null;
}
