import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import type { Client } from "../../generated/prisma/client.js";
import { canSee } from "../auth.js";
import type { Context } from "../context.js";
import { CreateClientInput } from "./book.inputs.js";
import { ClientType } from "./client.type.js";

@Resolver(() => ClientType)
export class ClientResolver {
  @Query(() => ClientType, { nullable: true })
  async client(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<Client | null> {
    const client = await ctx.loaders.client.load(id);
    return client && canSee(ctx.principal, client.id) ? client : null;
  }

  @Authorized("ADMIN")
  @Mutation(() => ClientType)
  createClient(@Arg("input", () => CreateClientInput) input: CreateClientInput, @Ctx() ctx: Context): Promise<Client> {
    return ctx.services.book.createClient(input);
  }
}
