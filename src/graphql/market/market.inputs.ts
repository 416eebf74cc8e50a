import { Field, Float, InputType } from "type-graphql";

@InputType()
export class UpdateMarketInput {
  @Field(() => String)
  underlying!: string;

  @Field(() => Float, { description: "USD." })
  spot!: number;

  @Field(() => Float, { nullable: true, description: "Annual; the previous value is kept when omitted." })
  volatility?: number | null;

  @Field(() => Float, { nullable: true, description: "Continuously compounded per year, within ±0.5, and |rate × years to the underlying's latest expiry| ≤ 2; kept (or 0) when omitted." })
  rate?: number | null;

  @Field(() => Date, { nullable: true, description: "Valuation time, past included: from MARKET_ASOF_PAST_DAYS (15 years) before now to MARKET_ASOF_FUTURE_MS (7 days: a crash replay runs ahead of the clock) after; kept (or now) when omitted." })
  asOf?: Date | null;
}
