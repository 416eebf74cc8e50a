import { Field, ID, ObjectType } from "type-graphql";
import type { Prisma } from "../../generated/prisma/client.js";
import { DecimalScalar } from "../scalars.js";

@ObjectType("Trade", { description: "A recorded trade (append-only ledger)." })
export class TradeType {
  @Field(() => String, { description: "The client's idempotency key." })
  tradeId!: string;

  @Field(() => ID)
  accountId!: string;

  @Field(() => String)
  instrument!: string;

  @Field(() => DecimalScalar, { description: "Signed contracts." })
  quantity!: Prisma.Decimal;

  @Field(() => DecimalScalar, { description: "USD per underlying unit." })
  price!: Prisma.Decimal;

  @Field(() => DecimalScalar, { description: "USDC booked by the part of the position this trade closed (perps/futures)." })
  realizedPnl!: Prisma.Decimal;

  @Field(() => Date)
  createdAt!: Date;
}
