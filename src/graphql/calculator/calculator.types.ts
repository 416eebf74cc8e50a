import { Field, Float, InputType, ObjectType } from "type-graphql";
import { OptionType } from "../enums.js";

/** Terms shared by the calculator's inputs. */
@InputType()
abstract class OptionTermsInput {
  @Field(() => OptionType)
  optionType!: OptionType;

  @Field(() => Float, { description: "USD per underlying unit." })
  spot!: number;

  @Field(() => Float, { description: "USD per underlying unit." })
  strike!: number;

  @Field(() => Float, { description: "Years." })
  timeToExpiry!: number;

  @Field(() => Float, { nullable: true, defaultValue: 0, description: "Continuously compounded, per year." })
  rate?: number;

  @Field(() => Float, { nullable: true, defaultValue: 0, description: "Continuously compounded, per year." })
  dividendYield?: number;
}

@InputType()
export class OptionQuoteInput extends OptionTermsInput {
  @Field(() => Float, { description: "Annual, 0.5 = 50 %." })
  volatility!: number;
}

@InputType()
export class ImpliedVolatilityInput extends OptionTermsInput {
  @Field(() => Float, { description: "Option premium, USD per underlying unit." })
  price!: number;
}

@ObjectType("OptionQuote", { description: "vega per 0.01 vol, theta per calendar day, rho per 0.01 rate." })
export class OptionQuote {
  @Field(() => Float, { description: "USD per underlying unit." })
  price!: number;

  @Field(() => Float, { description: "Per underlying unit." })
  delta!: number;

  @Field(() => Float, { description: "Per 1 USD spot move." })
  gamma!: number;

  @Field(() => Float, { description: "USD per volatility point (0.01)." })
  vega!: number;

  @Field(() => Float, { description: "USD per calendar day." })
  theta!: number;

  @Field(() => Float, { description: "USD per 1 % rate (0.01)." })
  rho!: number;
}
