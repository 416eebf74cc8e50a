import { Field, ObjectType } from "type-graphql";
import { InstrumentType } from "../instrument/instrument.type.js";
import { DecimalScalar } from "../scalars.js";

@ObjectType("Position", { description: "Open position of an account in one instrument (closed positions are not listed)." })
export class PositionType {
  instrumentId!: string;

  @Field(() => InstrumentType)
  instrument?: InstrumentType;

  @Field(() => DecimalScalar, { description: "Signed contracts; short < 0." })
  quantity!: string;

  @Field(() => DecimalScalar, { description: "USD per underlying unit." })
  averagePrice!: string;

  @Field(() => DecimalScalar, { description: "USDC set aside for this position (ISOLATED accounts; 0 otherwise)." })
  isolatedMargin!: string;
}
