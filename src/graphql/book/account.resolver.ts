import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Account } from "../../generated/prisma/client.js";
import type { BookAccount, BookBalance, BookClient, BookPortfolio, BookPosition } from "../../domain/book/book.types.js";
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
export class PageArgs {
  @Field(() => Int, { nullable: true, description: "Page size, at most 500 (default 50)." })
  first?: number | null;

  @Field(() => String, { nullable: true, description: "endCursor of the previous page." })
  after?: string | null;
}

@ArgsType()
class AccountsArgs extends PageArgs {
  @Field(() => ID, { nullable: true })
  clientId?: string | null;

  @Field(() => AccountOrder, { nullable: true, description: "Default: creation order." })
  orderBy?: AccountOrder | null;
}

/** An account the caller may see, else null (another client's account looks absent). */
export function visibleAccount(ctx: Context, id: string): BookAccount | null {
  const account = ctx.services.readModel.book.account(id);
  return account && canSee(ctx.principal, account.clientId) ? account : null;
}

export function requireVisibleAccount(ctx: Context, id: string): BookAccount {
  const account = visibleAccount(ctx, id);
  if (!account) throw new NotFoundError("account", id);
  return account;
}

/** Account roots are book entries, or the rows a mutation returned (read from the book, which has caught up). */
type AccountRoot = { id: string };

@Resolver(() => AccountType)
export class AccountResolver {
  @Query(() => AccountType, { nullable: true })
  account(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): BookAccount | null {
    return visibleAccount(ctx, id);
  }

  @Query(() => AccountConnection, { description: "Accounts, cursor-paginated; CLIENT keys see their own only." })
  accounts(@Args(() => AccountsArgs) args: AccountsArgs, @Ctx() ctx: Context): AccountConnection {
    const clientId = clientScope(ctx.principal, args.clientId);
    const page = args.orderBy === "MARGIN_RATIO_DESC"
      ? ctx.services.risk.accountsByMarginRatio({ ...args, clientId })
      : ctx.services.accounts.listAccounts({ ...args, clientId });
    return {
      edges: page.items,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.items.at(-1)?.cursor ?? null },
      totalCount: page.totalCount,
    };
  }

  @Authorized("ADMIN")
  @Mutation(() => AccountType)
  createAccount(@Arg("input", () => CreateAccountInput) input: CreateAccountInput, @Ctx() ctx: Context): Promise<Account> {
    return ctx.services.accounts.createAccount(input);
  }

  @FieldResolver(() => [BalanceType])
  balances(@Root() account: AccountRoot, @Ctx() ctx: Context): BookBalance[] {
    return ctx.units.bookAccount(account.id).balances;
  }

  @FieldResolver(() => [PositionType], { description: "Open positions (quantity ≠ 0)." })
  positions(@Root() account: AccountRoot, @Ctx() ctx: Context): BookPosition[] {
    return ctx.units.bookAccount(account.id).positions;
  }

  @FieldResolver(() => ClientType)
  client(@Root() account: AccountRoot, @Ctx() ctx: Context): BookClient {
    const { clientId } = ctx.units.bookAccount(account.id);
    const client = ctx.services.readModel.book.client(clientId);
    if (!client) throw new NotFoundError("client", clientId);
    return client;
  }

  @FieldResolver(() => PortfolioType, { nullable: true })
  portfolio(@Root() account: AccountRoot, @Ctx() ctx: Context): BookPortfolio | null {
    const { portfolioId } = ctx.units.bookAccount(account.id);
    return portfolioId ? ctx.units.bookPortfolio(portfolioId) : null;
  }
}
