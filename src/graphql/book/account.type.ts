import { Field, ID, Int, ObjectType } from "type-graphql";
import { AccountStatus, MarginMode } from "../enums.js";

@ObjectType("Account", { description: "A trading account; its own margin unit unless it belongs to a portfolio." })
export class AccountType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => ID)
  clientId!: string;

  @Field(() => MarginMode)
  marginMode!: MarginMode;

  @Field(() => AccountStatus)
  status!: AccountStatus;

  @Field(() => ID, { nullable: true })
  portfolioId!: string | null;

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType()
export class AccountEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => AccountType)
  node!: AccountType;
}

@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType()
export class AccountConnection {
  @Field(() => [AccountEdge])
  edges!: AccountEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int, { description: "Accounts matching the filter, all pages." })
  totalCount!: number;
}
