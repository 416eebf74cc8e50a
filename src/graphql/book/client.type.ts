import { Field, ID, ObjectType } from "type-graphql";

@ObjectType("Client", { description: "A tenant: owns accounts and portfolios." })
export class ClientType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Date)
  createdAt!: Date;
}
