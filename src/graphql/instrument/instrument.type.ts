import { Field, Float, ID, ObjectType } from "type-graphql";
import { InstrumentKind, OptionType } from "../enums.js";

@ObjectType("Instrument", { description: "Linear, USDC-settled contract." })
export class InstrumentType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  symbol!: string;

  @Field(() => InstrumentKind)
  kind!: InstrumentKind;

  @Field(() => String)
  underlying!: string;

  @Field(() => Date, { nullable: true })
  expiry!: Date | null;

  @Field(() => Float, { nullable: true, description: "USD." })
  strike!: number | null;

  @Field(() => OptionType, { nullable: true })
  optionType!: OptionType | null;

  @Field(() => Float, { description: "Underlying units per contract." })
  contractSize!: number;

  @Field(() => Float, { nullable: true, description: "Overrides the underlying's default initial margin rate." })
  initialMarginRate!: number | null;

  @Field(() => Float, { nullable: true, description: "Overrides the underlying's default maintenance margin rate." })
  maintenanceMarginRate!: number | null;

  @Field(() => Float, { nullable: true, description: "Option's own volatility (annual); the underlying's is used when null." })
  markVolatility!: number | null;
}
