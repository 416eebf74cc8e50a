import { Field, ID, ObjectType } from "type-graphql";
import { MarginMode } from "../enums.js";

@ObjectType("Portfolio", { description: "Accounts of one client margined together as one unit." })
export class PortfolioType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => ID)
  clientId!: string;

  @Field(() => MarginMode, { description: "Shared by all members: CROSS or PORTFOLIO." })
  marginMode!: MarginMode;

  @Field(() => Date)
  createdAt!: Date;
}
