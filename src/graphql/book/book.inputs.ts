import { Field, ID, InputType } from "type-graphql";
import { MarginMode } from "../enums.js";

@InputType()
export class CreateClientInput {
  @Field(() => String)
  name!: string;
}

@InputType()
export class CreateAccountInput {
  @Field(() => ID)
  clientId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => MarginMode)
  marginMode!: MarginMode;
}

@InputType()
export class CreatePortfolioInput {
  @Field(() => ID)
  clientId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => [ID])
  accountIds!: string[];
}
