import { Prisma, type Account, type Instrument, type LedgerEntry, type LedgerKind, type Trade } from "../generated/prisma/client.js";
import { AccountsLocked, type LedgerStore, type LedgerTx } from "../db/stores/ledger.store.js";
import type { ReferenceStore } from "../db/stores/reference.store.js";
import { isUniqueViolation } from "../db/prismaErrors.js";
import { BadInputError, ConflictError, InsufficientMarginError, NotFoundError } from "./errors.js";
import { tradeEffects } from "./tradeEffects.js";
import { isUuid, requireText } from "./validate.js";

type Decimal = Prisma.Decimal;

/** Cash of every trade, premium and realised P&L settles in USDC. */
export const SETTLEMENT_ASSET = "USDC";

/** What the ledger asks of the risk layer; kept as an interface so the ledger stays free of engine details. */
export interface LedgerRisk {
  /** USDC per contract an ISOLATED position sets aside for contracts opened on this side at this price. */
  isolatedMarginPerContract(instrument: Instrument, side: 1 | -1, price: Decimal): Decimal;
  /**
   * Inside the withdrawal's transaction, after the balance moved, with the account and
   * its portfolio's members locked: throws INSUFFICIENT_MARGIN on a breach.
   */
  assertWithdrawalAllowed(tx: LedgerTx, account: Account, memberIds: readonly string[]): Promise<void>;
}

export interface CashInput {
  accountId: string;
  asset: string;
  amount: Decimal;
  idempotencyKey?: string | null;
}

export interface TradeInput {
  accountId: string;
  instrument: string;
  quantity: Decimal;
  price: Decimal;
  tradeId: string;
}

interface CashMove {
  accountId: string;
  asset: string;
  /** Positive; the direction is the operation's. */
  amount: Decimal;
  idempotencyKey: string | null;
}

/**
 * The ledger's rules: every write is one transaction that locks the accounts it reads
 * (a withdrawal from a portfolio member locks the whole pool), so concurrent writes are
 * serialised and a retried request sees the first one's result.
 * - Deposits and withdrawals are idempotent on their key: the same account, asset, kind
 *   and amount is a replay; anything else under that key is CONFLICT.
 * - A withdrawal never takes a balance below zero, nor equity below initial margin.
 * - Trades are idempotent on tradeId the same way, and book what tradeEffects says.
 */
export class LedgerService {
  constructor(
    private readonly store: LedgerStore,
    private readonly reference: ReferenceStore,
    private readonly risk: LedgerRisk,
    /** Runs after each committed write, e.g. the read model and the margin monitor catching up. */
    private readonly afterWrite: () => Promise<unknown> = async () => undefined,
  ) {}

  /** Every book must stay valuable: no holding of an underlying that has no market yet. */
  private async requireMarket(underlying: string, what: string): Promise<void> {
    const [market] = await this.reference.marketStates([underlying]);
    if (!market) throw new BadInputError(`${what} needs a market for ${underlying} first (updateMarket)`);
  }

  private async validateCash(input: CashInput): Promise<CashMove> {
    if (!isUuid(input.accountId)) throw new NotFoundError("account", input.accountId);
    const asset = await this.reference.asset(input.asset);
    if (!asset) throw new BadInputError(`unknown asset ${JSON.stringify(input.asset)}`);
    if (asset.underlyingId) await this.requireMarket(asset.underlyingId, `collateral in ${asset.symbol}`);
    if (!input.amount.isPositive() || input.amount.isZero()) {
      throw new BadInputError(`amount (${input.amount.toFixed()}) must be positive`);
    }
    const idempotencyKey = input.idempotencyKey == null ? null : requireText("idempotencyKey", input.idempotencyKey, 128);
    return { accountId: input.accountId, asset: asset.symbol, amount: input.amount, idempotencyKey };
  }

  /** Locks `accountIds`; a missing account is NOT_FOUND. */
  private async write<T>(accountId: string, accountIds: readonly string[], work: Parameters<LedgerStore["write"]>[1]): Promise<T> {
    try {
      return (await this.store.write(accountIds, work)) as T;
    } catch (error) {
      if (error instanceof AccountsLocked) throw new NotFoundError("account", accountId);
      throw error;
    }
  }

  /** True when the key was already used for exactly this move (a retry). */
  private static replayed(previous: LedgerEntry | null, move: CashMove, kind: LedgerKind): boolean {
    if (!previous) return false;
    const signed = kind === "WITHDRAWAL" ? move.amount.negated() : move.amount;
    if (previous.accountId !== move.accountId || previous.asset !== move.asset || previous.kind !== kind || !previous.amount.equals(signed)) {
      throw new ConflictError(`idempotencyKey ${JSON.stringify(move.idempotencyKey)} was already used for a different request`);
    }
    return true;
  }

  /** `pool`: for a withdrawal, the portfolio whose members `lockIds` are (null: none). */
  private async cashMove(move: CashMove, kind: "DEPOSIT" | "WITHDRAWAL", lockIds: readonly string[], pool: string | null = null): Promise<Account> {
    try {
      return await this.write<Account>(move.accountId, lockIds, async (tx, accounts) => {
        const account = accounts.get(move.accountId)!;
        if (kind === "WITHDRAWAL" && account.portfolioId !== pool) throw new MembershipMoved();
        if (move.idempotencyKey && LedgerService.replayed(await tx.ledgerEntry(move.idempotencyKey), move, kind)) {
          return { result: account, changed: [] };
        }
        const signed = kind === "WITHDRAWAL" ? move.amount.negated() : move.amount;
        const balance = await tx.addBalance(move.accountId, move.asset, signed);
        if (balance.isNegative()) {
          throw new InsufficientMarginError(
            `withdrawal of ${move.amount.toFixed()} ${move.asset} exceeds the balance of ${balance.plus(move.amount).toFixed()}`,
          );
        }
        await tx.createEntry({ accountId: move.accountId, asset: move.asset, amount: signed, kind, idempotencyKey: move.idempotencyKey });
        if (kind === "WITHDRAWAL") await this.risk.assertWithdrawalAllowed(tx, account, lockIds);
        return { result: account, changed: [move.accountId] };
      });
    } catch (error) {
      // Two first attempts with one key raced on different accounts: the loser conflicts.
      if (isUniqueViolation(error)) throw new ConflictError(`idempotencyKey ${JSON.stringify(move.idempotencyKey)} is already in use`);
      throw error;
    }
  }

  async deposit(input: CashInput): Promise<Account> {
    const move = await this.validateCash(input);
    const account = await this.cashMove(move, "DEPOSIT", [move.accountId]);
    await this.afterWrite();
    return account;
  }

  /**
   * Refused with INSUFFICIENT_MARGIN below a zero balance or when equity would fall below
   * initial margin, the account's and, for a member, its portfolio's: the whole pool is
   * locked first, so two members' withdrawals are checked one after the other.
   */
  async withdraw(input: CashInput): Promise<Account> {
    const move = await this.validateCash(input);
    for (;;) {
      const found = await this.store.account(move.accountId);
      if (!found) throw new NotFoundError("account", move.accountId);
      const lockIds = found.portfolioId ? await this.store.memberIds(found.portfolioId) : [found.id];
      if (!lockIds.includes(found.id)) continue; // it left the portfolio meanwhile
      const account = await this.cashMove(move, "WITHDRAWAL", lockIds, found.portfolioId).catch((error: unknown) => {
        if (error instanceof MembershipMoved) return null;
        throw error;
      });
      if (!account) continue;
      await this.afterWrite();
      return account;
    }
  }

  /** An instrument takes trades until its underlying's valuation time reaches its expiry, and never once settled. */
  private async requireLive(instrument: Instrument): Promise<void> {
    if (!instrument.expiry) return;
    const [market] = await this.reference.marketStates([instrument.underlyingId]);
    const expired = (market && instrument.expiry.getTime() <= market.asOf.getTime()) || (await this.reference.instrumentSettled(instrument.id));
    if (expired) {
      throw new BadInputError(`instrument ${instrument.symbol} expired at ${instrument.expiry.toISOString()} and takes no new trades`);
    }
  }

  async recordTrade(input: TradeInput): Promise<Trade> {
    const tradeId = requireText("tradeId", input.tradeId, 128);
    if (!isUuid(input.accountId)) throw new NotFoundError("account", input.accountId);
    const instrument = await this.reference.instrumentBySymbol(input.instrument);
    if (!instrument) throw new NotFoundError("instrument", input.instrument);
    await this.requireMarket(instrument.underlyingId, `a trade in ${instrument.symbol}`);
    if (input.quantity.isZero()) throw new BadInputError("quantity must not be zero");
    // A retry of a trade recorded before expiry still answers with that trade.
    if (instrument.expiry && !(await this.store.trade(tradeId))) await this.requireLive(instrument);
    if (input.price.isNegative() || (instrument.kind !== "OPTION" && input.price.isZero())) {
      throw new BadInputError(`price (${input.price.toFixed()}) must be positive`);
    }
    const side = input.quantity.isNegative() ? -1 : 1;
    const perContract = this.risk.isolatedMarginPerContract(instrument, side, input.price);
    const request = { ...input, tradeId, instrument };
    let trade: Trade;
    try {
      trade = await this.write<Trade>(input.accountId, [input.accountId], async (tx, accounts) => {
        const account = accounts.get(input.accountId)!;
        const existing = await tx.trade(tradeId);
        if (existing) return { result: sameTrade(existing, request), changed: [] };
        const previous = await tx.position(account.id, instrument.id);
        const effects = tradeEffects(previous, request, instrument, account.marginMode, perContract);
        await tx.savePosition(account.id, instrument.id, effects.position);
        const created = await tx.createTrade({
          tradeId,
          accountId: account.id,
          instrumentId: instrument.id,
          quantity: input.quantity,
          price: input.price,
          realizedPnl: effects.realizedPnl,
        });
        for (const move of effects.cash) {
          await tx.addBalance(account.id, SETTLEMENT_ASSET, move.amount);
          await tx.createEntry({ accountId: account.id, asset: SETTLEMENT_ASSET, amount: move.amount, kind: move.kind, tradeId });
        }
        return { result: created, changed: [account.id] };
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // A concurrent first attempt with this tradeId committed first: answer as a retry.
      const existing = await this.store.trade(tradeId);
      if (!existing) throw error;
      return sameTrade(existing, request);
    }
    await this.afterWrite();
    return trade;
  }
}

/** The pool a withdrawal locked is no longer the account's (it joined a portfolio meanwhile): lock again. */
export class MembershipMoved extends Error {}

function sameTrade(existing: Trade, request: { accountId: string; instrument: Instrument; quantity: Decimal; price: Decimal; tradeId: string }): Trade {
  const same =
    existing.accountId === request.accountId &&
    existing.instrumentId === request.instrument.id &&
    existing.quantity.equals(request.quantity) &&
    existing.price.equals(request.price);
  if (!same) throw new ConflictError(`tradeId ${JSON.stringify(request.tradeId)} was already recorded with different content`);
  return existing;
}
