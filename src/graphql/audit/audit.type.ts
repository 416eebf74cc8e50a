import { Field, ID, ObjectType } from "type-graphql";
import { PageInfo } from "../book/account.type.js";

@ObjectType("AuditEntry", { description: "One mutation attempt, successful or not." })
export class AuditEntryType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { nullable: true, description: "The API key used; null for the environment's admin token." })
  apiKeyId!: string | null;

  @Field(() => String, { description: "Mutation field, e.g. recordTrade." })
  operation!: string;

  @Field(() => String, { description: "Arguments as JSON, truncated to about 2 KB ({\"truncated\": …})." })
  input!: string;

  @Field(() => String, { nullable: true, description: "Error code the mutation answered with; null when it succeeded." })
  errorCode!: string | null;

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType()
export class AuditEntryEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => AuditEntryType)
  node!: AuditEntryType;
}

@ObjectType()
export class AuditLogConnection {
  @Field(() => [AuditEntryEdge])
  edges!: AuditEntryEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
