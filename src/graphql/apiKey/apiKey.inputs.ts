import { Field, ID, InputType } from "type-graphql";
import { Role } from "../enums.js";

@InputType()
export class CreateApiKeyInput {
  @Field(() => Role)
  role!: Role;

  @Field(() => ID, { nullable: true, description: "Required for CLIENT keys; not allowed for ADMIN and RISK keys." })
  clientId?: string | null;

  @Field(() => Date, { nullable: true, description: "Must be in the future; no expiry when omitted." })
  expiresAt?: Date | null;
}
