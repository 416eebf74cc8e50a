import { Field, Float, ID, ObjectType } from "type-graphql";
import type { Prisma } from "../../generated/prisma/client.js";
import { DecimalScalar } from "../scalars.js";

@ObjectType("Settlement", { description: "Cash settlement of one account's position in an expired instrument (DESIGN §7.4)." })
export class SettlementType {
  @Field(() => ID)
  accountId!: string;

  @Field(() => String, { description: "The instrument's symbol." })
  instrument!: string;

  @Field(() => DecimalScalar, { description: "Contracts settled (signed)." })
  quantity!: Prisma.Decimal;

  @Field(() => Float, { description: "USD per underlying unit: the 30-minute time-weighted spot before expiry, or the operator's price." })
  deliveryPrice!: number;

  @Field(() => DecimalScalar, { description: "USD booked to USDC (negative: paid)." })
  amount!: Prisma.Decimal;

  @Field(() => Date)
  settledAt!: Date;
}
