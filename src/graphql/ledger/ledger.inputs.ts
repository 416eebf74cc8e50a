import { Field, ID, InputType } from "type-graphql";
import type { Prisma } from "../../generated/prisma/client.js";
import { DecimalScalar } from "../scalars.js";

/** A cash movement of one asset; deposits and withdrawals take the same fields. */
@InputType()
abstract class CashMoveInput {
  @Field(() => ID)
  accountId!: string;

  @Field(() => String)
  asset!: string;

  @Field(() => DecimalScalar, { description: "Units of the asset; positive." })
  amount!: Prisma.Decimal;

  @Field(() => String, { nullable: true, description: "A retry with the same key and content applies once." })
  idempotencyKey?: string | null;
}

@InputType()
export class DepositInput extends CashMoveInput {}

@InputType()
export class WithdrawInput extends CashMoveInput {}

@InputType()
export class RecordTradeInput {
  @Field(() => ID)
  accountId!: string;

  @Field(() => String, { description: "Instrument symbol." })
  instrument!: string;

  @Field(() => DecimalScalar, { description: "Signed contracts: buy > 0, sell < 0." })
  quantity!: Prisma.Decimal;

  @Field(() => DecimalScalar, { description: "USD per underlying unit (option: premium)." })
  price!: Prisma.Decimal;

  @Field(() => String, { description: "Idempotency key: a retry with the same content returns the first trade." })
  tradeId!: string;
}
