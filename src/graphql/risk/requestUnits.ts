import type { BookAccount, BookPortfolio } from "../../domain/book/book.types.js";
import { NotFoundError } from "../../domain/errors.js";
import type { EngineMeter } from "../../domain/engineBudget.js";
import type { RiskUnit } from "../../domain/risk.service.js";
import type { Services } from "../../services.js";

/**
 * Per-request memo of margin units: however many fields and aliases ask, a unit is taken
 * from the book once, so one response's figures all come from one state of it.
 */
export class RequestUnits {
  private readonly units = new Map<string, RiskUnit>();

  constructor(
    private readonly services: Services,
    /** The caller's engine-time budget, drawn on by on-demand work. */
    readonly meter: EngineMeter,
  ) {}

  private get book() {
    return this.services.readModel.book;
  }

  /** The book's account for an account root (a book entry, or a row a mutation returned). */
  bookAccount(id: string): BookAccount {
    const account = this.book.account(id);
    if (!account) throw new NotFoundError("account", id);
    return account;
  }

  bookPortfolio(id: string): BookPortfolio {
    const portfolio = this.book.portfolio(id);
    if (!portfolio) throw new NotFoundError("portfolio", id);
    return portfolio;
  }

  account(id: string): RiskUnit {
    const key = `account:${id}`;
    let unit = this.units.get(key);
    if (!unit) this.units.set(key, (unit = this.services.risk.accountUnit(this.bookAccount(id))));
    return unit;
  }

  portfolio(id: string): RiskUnit {
    const key = `portfolio:${id}`;
    let unit = this.units.get(key);
    if (!unit) this.units.set(key, (unit = this.services.risk.portfolioUnit(this.bookPortfolio(id))));
    return unit;
  }
}
