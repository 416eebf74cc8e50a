import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Account, Portfolio } from "../../generated/prisma/client.js";
import { canSee } from "../auth.js";
import type { Context } from "../context.js";
import { AccountType } from "./account.type.js";
import { CreatePortfolioInput } from "./book.inputs.js";
import { PortfolioType } from "./portfolio.type.js";

export async function visiblePortfolio(ctx: Context, id: string): Promise<Portfolio | null> {
  const portfolio = await ctx.loaders.portfolio.load(id);
  return portfolio && canSee(ctx.principal, portfolio.clientId) ? portfolio : null;
}

@Resolver(() => PortfolioType)
export class PortfolioResolver {
  @Query(() => PortfolioType, { nullable: true })
  portfolio(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<Portfolio | null> {
    return visiblePortfolio(ctx, id);
  }

  @Authorized("ADMIN")
  @Mutation(() => PortfolioType)
  createPortfolio(@Arg("input", () => CreatePortfolioInput) input: CreatePortfolioInput, @Ctx() ctx: Context): Promise<Portfolio> {
    return ctx.services.book.createPortfolio(input);
  }

  @FieldResolver(() => [AccountType])
  async accounts(@Root() portfolio: Portfolio, @Ctx() ctx: Context): Promise<Account[]> {
    const members = await ctx.loaders.portfolioMembers.load(portfolio.id);
    for (const member of members) ctx.loaders.account.prime(member.id, member);
    return members;
  }
}
