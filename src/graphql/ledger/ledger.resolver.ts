import { Arg, Authorized, Ctx, Mutation, Resolver } from "type-graphql";
import type { Account } from "../../generated/prisma/client.js";
import { AccountType } from "../book/account.type.js";
import type { Context } from "../context.js";
import { toTradeType } from "../mappers.js";
import { DepositInput, RecordTradeInput, WithdrawInput } from "./ledger.inputs.js";
import { TradeType } from "./trade.type.js";

@Resolver()
export class LedgerResolver {
  @Authorized("ADMIN")
  @Mutation(() => AccountType, { description: "Idempotent on idempotencyKey." })
  deposit(@Arg("input", () => DepositInput) input: DepositInput, @Ctx() ctx: Context): Promise<Account> {
    return ctx.services.ledger.deposit(input);
  }

  @Authorized("ADMIN")
  @Mutation(() => AccountType, {
    description: "INSUFFICIENT_MARGIN when the balance would go below zero or equity below initial margin.",
  })
  withdraw(@Arg("input", () => WithdrawInput) input: WithdrawInput, @Ctx() ctx: Context): Promise<Account> {
    return ctx.services.ledger.withdraw(input);
  }

  @Authorized("ADMIN")
  @Mutation(() => TradeType, { description: "Idempotent on tradeId; other content under a used tradeId is a CONFLICT." })
  async recordTrade(@Arg("input", () => RecordTradeInput) input: RecordTradeInput, @Ctx() ctx: Context): Promise<TradeType> {
    const trade = await ctx.services.ledger.recordTrade(input);
    const instrument = ctx.services.readModel.book.instrument(trade.instrumentId);
    if (!instrument) throw new Error(`instrument ${trade.instrumentId} of trade ${trade.tradeId} is not in the book`);
    return toTradeType(trade, instrument);
  }
}
