import { Field, Float, InputType } from "type-graphql";
import { InstrumentKind, OptionType } from "../enums.js";

@InputType()
export class CreateInstrumentInput {
  @Field(() => String)
  symbol!: string;

  @Field(() => InstrumentKind)
  kind!: InstrumentKind;

  @Field(() => String)
  underlying!: string;

  @Field(() => Date, { nullable: true, description: "Required for FUTURE and OPTION." })
  expiry?: Date | null;

  @Field(() => Float, { nullable: true, description: "USD; options only." })
  strike?: number | null;

  @Field(() => OptionType, { nullable: true })
  optionType?: OptionType | null;

  @Field(() => Float, { nullable: true, defaultValue: 1, description: "Underlying units per contract." })
  contractSize?: number | null;

  @Field(() => Float, { nullable: true })
  initialMarginRate?: number | null;

  @Field(() => Float, { nullable: true })
  maintenanceMarginRate?: number | null;

  @Field(() => Float, { nullable: true, description: "Option's own annual volatility." })
  markVolatility?: number | null;
}
