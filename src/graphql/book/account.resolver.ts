import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Account, Position } from "../../generated/prisma/client.js";
import { NotFoundError } from "../../domain/errors.js";
import { canSee, clientScope } from "../auth.js";
import type { Context } from "../context.js";
import { AccountOrder } from "../enums.js";
import { AccountConnection, AccountType } from "./account.type.js";
import { BalanceType } from "./balance.type.js";
import { CreateAccountInput } from "./book.inputs.js";
import { ClientType } from "./client.type.js";
import { PortfolioType } from "./portfolio.type.js";
import { PositionType } from "./position.type.js";

@ArgsType()
class AccountsArgs {
  @Field(() => Int, { nullable: true, description: "Page size, at most 500 (default 50)." })
  first?: number | null;

  @Field(() => String, { nullable: true, description: "endCursor of the previous page." })
  after?: string | null;

  @Field(() => ID, { nullable: true })
  clientId?: string | null;

  @Field(() => AccountOrder, { nullable: true, description: "Default: creation order." })
  orderBy?: AccountOrder | null;
}

/** Loads an account the caller may see, else null (another client's account looks absent). */
export async function visibleAccount(ctx: Context, id: string): Promise<Account | null> {
  const account = await ctx.loaders.account.load(id);
  return account && canSee(ctx.principal, account.clientId) ? account : null;
}

export async function requireVisibleAccount(ctx: Context, id: string): Promise<Account> {
  const account = await visibleAccount(ctx, id);
  if (!account) throw new NotFoundError("account", id);
  return account;
}

@Resolver(() => AccountType)
export class AccountResolver {
  @Query(() => AccountType, { nullable: true })
  account(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<Account | null> {
    return visibleAccount(ctx, id);
  }

  @Query(() => AccountConnection, { description: "Accounts, cursor-paginated; CLIENT keys see their own only." })
  async accounts(@Args(() => AccountsArgs) args: AccountsArgs, @Ctx() ctx: Context): Promise<AccountConnection> {
    const clientId = clientScope(ctx.principal, args.clientId);
    const page = args.orderBy === "MARGIN_RATIO_DESC"
      ? await ctx.services.risk.accountsByMarginRatio({ ...args, clientId })
      : await ctx.services.book.listAccounts({ ...args, clientId });
    for (const { node } of page.items) ctx.loaders.account.prime(node.id, node);
    return {
      edges: page.items,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.items.at(-1)?.cursor ?? null },
      totalCount: page.totalCount,
    };
  }

  @Authorized("ADMIN")
  @Mutation(() => AccountType)
  createAccount(@Arg("input", () => CreateAccountInput) input: CreateAccountInput, @Ctx() ctx: Context): Promise<Account> {
    return ctx.services.book.createAccount(input);
  }

  @FieldResolver(() => [BalanceType])
  balances(@Root() account: Account, @Ctx() ctx: Context) {
    return ctx.loaders.balances.load(account.id);
  }

  @FieldResolver(() => [PositionType], { description: "Open positions (quantity ≠ 0)." })
  positions(@Root() account: Account, @Ctx() ctx: Context): Promise<Position[]> {
    return ctx.loaders.positions.load(account.id);
  }

  @FieldResolver(() => ClientType)
  async client(@Root() account: Account, @Ctx() ctx: Context) {
    return ctx.loaders.client.load(account.clientId);
  }

  @FieldResolver(() => PortfolioType, { nullable: true })
  portfolio(@Root() account: Account, @Ctx() ctx: Context) {
    return account.portfolioId ? ctx.loaders.portfolio.load(account.portfolioId) : null;
  }
}
