import { Prisma, type Account, type Instrument, type Trade } from "../generated/prisma/client.js";
import type { LedgerStore } from "../db/stores/ledger.store.js";
import type { ReferenceStore } from "../db/stores/reference.store.js";
import { BadInputError, NotFoundError } from "./errors.js";
import { isUuid, requireText } from "./validate.js";

type Decimal = Prisma.Decimal;
type Tx = Prisma.TransactionClient;

/** What the ledger asks of the risk layer; kept as an interface so the ledger stays free of engine details. */
export interface LedgerRisk {
  /** USDC per contract an ISOLATED position sets aside for contracts opened on this side at this price. */
  isolatedMarginPerContract(instrument: Instrument, side: 1 | -1, price: Decimal): Promise<Decimal>;
  /** Inside the withdrawal's transaction, after the balance moved: throws INSUFFICIENT_MARGIN on a breach. */
  assertWithdrawalAllowed(tx: Tx, account: Account): Promise<void>;
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

export class LedgerService {
  constructor(
    private readonly ledger: LedgerStore,
    private readonly reference: ReferenceStore,
    private readonly risk: LedgerRisk,
    /** Runs after each committed write, e.g. the margin monitor re-evaluating the account. */
    private readonly afterWrite: (accountId: string) => Promise<unknown> = async () => undefined,
  ) {}

  private async validateCash(input: CashInput) {
    if (!isUuid(input.accountId)) throw new NotFoundError("account", input.accountId);
    const asset = await this.reference.asset(input.asset);
    if (!asset) throw new BadInputError(`unknown asset ${JSON.stringify(input.asset)}`);
    if (!input.amount.isPositive() || input.amount.isZero()) {
      throw new BadInputError(`amount (${input.amount.toFixed()}) must be positive`);
    }
    const idempotencyKey = input.idempotencyKey == null ? null : requireText("idempotencyKey", input.idempotencyKey, 128);
    return { accountId: input.accountId, asset: asset.symbol, amount: input.amount, idempotencyKey };
  }

  async deposit(input: CashInput): Promise<Account> {
    const account = await this.ledger.deposit(await this.validateCash(input));
    await this.afterWrite(account.id);
    return account;
  }

  /** Refused with INSUFFICIENT_MARGIN below a zero balance or when equity would fall below initial margin. */
  async withdraw(input: CashInput): Promise<Account> {
    const account = await this.ledger.withdraw(await this.validateCash(input), (tx, a) => this.risk.assertWithdrawalAllowed(tx, a));
    await this.afterWrite(account.id);
    return account;
  }

  async recordTrade(input: TradeInput): Promise<Trade> {
    const tradeId = requireText("tradeId", input.tradeId, 128);
    if (!isUuid(input.accountId)) throw new NotFoundError("account", input.accountId);
    const instrument = await this.reference.instrumentBySymbol(input.instrument);
    if (!instrument) throw new NotFoundError("instrument", input.instrument);
    if (input.quantity.isZero()) throw new BadInputError("quantity must not be zero");
    if (input.price.isNegative() || (instrument.kind !== "OPTION" && input.price.isZero())) {
      throw new BadInputError(`price (${input.price.toFixed()}) must be positive`);
    }
    const side = input.quantity.isNegative() ? -1 : 1;
    const trade = await this.ledger.recordTrade({
      accountId: input.accountId,
      instrument,
      quantity: input.quantity,
      price: input.price,
      tradeId,
      isolatedMarginPerContract: await this.risk.isolatedMarginPerContract(instrument, side, input.price),
    });
    await this.afterWrite(trade.accountId);
    return trade;
  }
}
