import { Args, ArgsType, Arg, Authorized, Ctx, Field, ID, Int, Mutation, ObjectType, Query, Resolver } from "type-graphql";
import type { Client } from "../../generated/prisma/client.js";
import type { BookClient } from "../../domain/book/book.types.js";
import { canSee, clientScope } from "../auth.js";
import type { Context } from "../context.js";
import { PageInfo } from "./account.type.js";
import { PageArgs } from "./account.resolver.js";
import { CreateClientInput } from "./book.inputs.js";
import { ClientType } from "./client.type.js";

@ObjectType()
class ClientEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => ClientType)
  node!: ClientType;
}

@ObjectType()
class ClientConnection {
  @Field(() => [ClientEdge])
  edges!: ClientEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int, { description: "Clients visible to the caller, all pages." })
  totalCount!: number;
}

@ArgsType()
class ClientsArgs extends PageArgs {}

@Resolver(() => ClientType)
export class ClientResolver {
  @Query(() => ClientType, { nullable: true })
  client(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): BookClient | null {
    const client = ctx.services.readModel.book.client(id);
    return client && canSee(ctx.principal, client.id) ? client : null;
  }

  @Query(() => ClientConnection, { description: "Clients in creation order, cursor-paginated; a CLIENT key sees its own only." })
  clients(@Args(() => ClientsArgs) args: ClientsArgs, @Ctx() ctx: Context): ClientConnection {
    const page = ctx.services.accounts.listClients({ ...args, clientId: clientScope(ctx.principal, null) });
    return {
      edges: page.items,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.items.at(-1)?.cursor ?? null },
      totalCount: page.totalCount,
    };
  }

  @Authorized("ADMIN")
  @Mutation(() => ClientType)
  createClient(@Arg("input", () => CreateClientInput) input: CreateClientInput, @Ctx() ctx: Context): Promise<Client> {
    return ctx.services.accounts.createClient(input);
  }
}
