import { Field, Float, ID, Int, ObjectType } from "type-graphql";
import { MarginLevel } from "../enums.js";

@ObjectType("MarginCallEvent", { description: "A stored change of a margin unit's level." })
export class MarginCallEventType {
  @Field(() => Int, { description: "Global and increasing: resume a feed after the last one seen." })
  sequence!: number;

  @Field(() => ID, { nullable: true, description: "Set for an account margin unit." })
  accountId!: string | null;

  @Field(() => ID, { nullable: true, description: "Set for a portfolio margin unit." })
  portfolioId!: string | null;

  @Field(() => MarginLevel)
  level!: MarginLevel;

  @Field(() => MarginLevel)
  previousLevel!: MarginLevel;

  @Field(() => Float, { nullable: true, description: "maintenance / equity; null when equity <= 0." })
  ratio!: number | null;

  @Field(() => Float, { description: "USD." })
  equity!: number;

  @Field(() => Float, { description: "USD." })
  maintenance!: number;

  @Field(() => Date, { description: "Market valuation time of the change." })
  asOf!: Date;

  @Field(() => Date)
  createdAt!: Date;
}
