import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Portfolio } from "../../generated/prisma/client.js";
import type { BookAccount, BookPortfolio } from "../../domain/book/book.types.js";
import { canSee } from "../auth.js";
import type { Context } from "../context.js";
import { AccountType } from "./account.type.js";
import { CreatePortfolioInput } from "./book.inputs.js";
import { PortfolioType } from "./portfolio.type.js";

export function visiblePortfolio(ctx: Context, id: string): BookPortfolio | null {
  const portfolio = ctx.services.readModel.book.portfolio(id);
  return portfolio && canSee(ctx.principal, portfolio.clientId) ? portfolio : null;
}

@Resolver(() => PortfolioType)
export class PortfolioResolver {
  @Query(() => PortfolioType, { nullable: true })
  portfolio(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): BookPortfolio | null {
    return visiblePortfolio(ctx, id);
  }

  @Authorized("ADMIN")
  @Mutation(() => PortfolioType)
  createPortfolio(@Arg("input", () => CreatePortfolioInput) input: CreatePortfolioInput, @Ctx() ctx: Context): Promise<Portfolio> {
    return ctx.services.accounts.createPortfolio(input);
  }

  @FieldResolver(() => [AccountType])
  accounts(@Root() portfolio: { id: string }, @Ctx() ctx: Context): BookAccount[] {
    return ctx.services.readModel.book.membersOf(portfolio.id);
  }
}
