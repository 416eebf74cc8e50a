import { Field, ID, ObjectType } from "type-graphql";
import { Role } from "../enums.js";

@ObjectType("ApiKey", { description: "A stored API key; its secret is never shown again after creation." })
export class ApiKeyType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: "Public part of the secret (rk_<prefix>_…), to tell keys apart." })
  prefix!: string;

  @Field(() => Role)
  role!: Role;

  @Field(() => ID, { nullable: true, description: "The client a CLIENT key is limited to." })
  clientId!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "Recorded at most once a minute." })
  lastUsedAt!: Date | null;
}

@ObjectType("ApiKeySecret", { description: "A new API key with its secret: shown once, stored only as a hash." })
export class ApiKeySecretType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: "Send as `Authorization: Bearer <secret>`." })
  secret!: string;

  @Field(() => Role)
  role!: Role;

  @Field(() => ID, { nullable: true })
  clientId!: string | null;

  @Field(() => String)
  prefix!: string;

  @Field(() => Date, { nullable: true })
  expiresAt!: Date | null;
}
