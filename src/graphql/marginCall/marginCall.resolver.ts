import { Arg, Ctx, ID, Int, Query, Resolver, Root, Subscription } from "type-graphql";
import type { SubscribeResolverData } from "type-graphql";
import { NotFoundError } from "../../domain/errors.js";
import { pageSize } from "../../domain/book.service.js";
import { marginCallFeed, type FeedFilter } from "../../monitor/marginCallFeed.js";
import type { MarginCallEvent } from "../../monitor/events.js";
import { visibleAccount } from "../book/account.resolver.js";
import type { Context } from "../context.js";
import { MarginCallEventType } from "./marginCall.type.js";

/** The filter a principal may read: its own client for CLIENT keys, the named accounts (and their portfolios). */
async function feedFilter(ctx: Context, accountIds: string[] | null | undefined): Promise<FeedFilter> {
  const clientId = ctx.principal.role === "CLIENT" ? ctx.principal.clientId : null;
  if (!accountIds) return { accountIds: null, portfolioIds: [], clientId };
  const accounts = await Promise.all(
    accountIds.map(async (id) => {
      const account = await visibleAccount(ctx, id);
      if (!account) throw new NotFoundError("account", id);
      return account;
    }),
  );
  return {
    accountIds: accounts.map((a) => a.id),
    portfolioIds: [...new Set(accounts.map((a) => a.portfolioId).filter((id): id is string => id !== null))],
    clientId,
  };
}

interface MarginCallArgs {
  accountIds?: string[] | null;
  afterSequence?: number | null;
}

@Resolver(() => MarginCallEventType)
export class MarginCallResolver {
  @Query(() => [MarginCallEventType], { description: "Stored margin-call events after afterSequence, oldest first (an account's include its portfolio's)." })
  async marginCalls(
    @Ctx() ctx: Context,
    @Arg("accountId", () => ID, { nullable: true }) accountId?: string | null,
    @Arg("afterSequence", () => Int, { nullable: true }) afterSequence?: number | null,
    @Arg("first", () => Int, { nullable: true, description: "At most 500 (default 50)." }) first?: number | null,
  ): Promise<MarginCallEvent[]> {
    const filter = await feedFilter(ctx, accountId ? [accountId] : null);
    return ctx.services.stores.marginCalls.list({
      afterSequence: afterSequence ?? 0,
      accountIds: filter.accountIds,
      clientId: filter.clientId,
      first: pageSize(first),
    });
  }

  @Subscription(() => MarginCallEventType, {
    name: "marginCalls",
    description:
      "Stored events after afterSequence first, then live ones (afterSequence omitted: live only); auth in connectionParams.authorization.",
    subscribe: async ({ args, context }: SubscribeResolverData<unknown, MarginCallArgs, Context>) => {
      const filter = await feedFilter(context, args.accountIds);
      return context.services.metrics.countOpen(marginCallFeed(context.services.stores.marginCalls, context.services.bus, filter, args.afterSequence ?? null));
    },
  })
  marginCallsFeed(
    @Root() event: MarginCallEvent,
    @Arg("accountIds", () => [ID], { nullable: true }) _accountIds?: string[] | null,
    @Arg("afterSequence", () => Int, { nullable: true, description: "Last sequence seen; 0 replays every stored event." }) _afterSequence?: number | null,
  ): MarginCallEvent {
    return event;
  }
}
