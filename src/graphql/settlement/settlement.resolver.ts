import { Arg, Authorized, Ctx, Float, ID, Int, Mutation, Query, Resolver } from "type-graphql";
import { pageSize } from "../../domain/book.service.js";
import type { SettlementRow } from "../../db/stores/settlement.store.js";
import { visibleAccount } from "../book/account.resolver.js";
import type { Context } from "../context.js";
import { SettlementType } from "./settlement.type.js";

export function toSettlementType(row: SettlementRow): SettlementType {
  return {
    accountId: row.accountId,
    instrument: row.instrument.symbol,
    quantity: row.quantity,
    deliveryPrice: row.deliveryPrice.toNumber(),
    amount: row.amount,
    settledAt: row.createdAt,
  };
}

@Resolver(() => SettlementType)
export class SettlementResolver {
  @Query(() => [SettlementType], { description: "Settlements at expiry, newest first; a CLIENT key sees its own client's only." })
  async settlements(
    @Ctx() ctx: Context,
    @Arg("accountId", () => ID, { nullable: true }) accountId?: string | null,
    @Arg("first", () => Int, { nullable: true, description: "At most 500 (default 50)." }) first?: number | null,
  ): Promise<SettlementType[]> {
    const take = pageSize(first);
    // Another client's account (or an unknown one) answers as an account with no settlements.
    if (accountId && !visibleAccount(ctx, accountId)) return [];
    const clientId = ctx.principal.role === "CLIENT" ? ctx.principal.clientId : null;
    const rows = await ctx.services.settlement.list({ accountId, clientId, take });
    return rows.map(toSettlementType);
  }

  @Authorized("ADMIN")
  @Mutation(() => [SettlementType], {
    description:
      "Settles every position of the underlying's instruments expired at its valuation time, at deliveryPrice (USD) when given, else at each expiry's delivery price; returns the settlements made (none when all had settled).",
  })
  async settleExpired(
    @Ctx() ctx: Context,
    @Arg("underlying", () => String) underlying: string,
    @Arg("deliveryPrice", () => Float, { nullable: true }) deliveryPrice?: number | null,
  ): Promise<SettlementType[]> {
    return (await ctx.services.settlement.settleExpired(underlying, deliveryPrice)).map(toSettlementType);
  }
}
