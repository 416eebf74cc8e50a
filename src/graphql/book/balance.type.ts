import { Field, ObjectType } from "type-graphql";
import { DecimalScalar } from "../scalars.js";

@ObjectType("Balance", { description: "Holding of one asset in an account." })
export class BalanceType {
  @Field(() => String)
  asset!: string;

  @Field(() => DecimalScalar, { description: "Units of the asset." })
  amount!: string;
}
