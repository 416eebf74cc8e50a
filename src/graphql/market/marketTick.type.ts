import { Field, ObjectType } from "type-graphql";
import { MarketStateType } from "./marketState.type.js";

@ObjectType("MarketTick", { description: "One stored market update of an underlying, as it was applied." })
export class MarketTickType extends MarketStateType {
  @Field(() => Date, { description: "When it was stored." })
  createdAt!: Date;
}
