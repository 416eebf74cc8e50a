import type { PrismaClient } from "../../generated/prisma/client.js";
import type { Account, Client, MarginMode, Portfolio } from "../../generated/prisma/client.js";
import type { BookChangeStore } from "./bookChange.store.js";

/** Writes of clients, accounts and portfolios, each with its change-log row; the reads writes validate against. */
export class BookStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly changes: BookChangeStore,
  ) {}

  async createClient(name: string): Promise<Client> {
    const { result } = await this.changes.write((tx) => tx.client.create({ data: { name } }), (c) => ({ clients: [c.id] }));
    return result;
  }

  clientsByIds(ids: readonly string[]): Promise<Client[]> {
    return this.prisma.client.findMany({ where: { id: { in: [...ids] } } });
  }

  async createAccount(data: { clientId: string; name: string; marginMode: MarginMode }): Promise<Account> {
    const { result } = await this.changes.write((tx) => tx.account.create({ data }), (a) => ({ accounts: [a.id] }));
    return result;
  }

  accountsByIds(ids: readonly string[]): Promise<Account[]> {
    return this.prisma.account.findMany({ where: { id: { in: [...ids] } } });
  }

  /** Creates the portfolio and moves the accounts into it in one transaction. */
  async createPortfolio(data: { clientId: string; name: string; marginMode: MarginMode; accountIds: string[] }): Promise<Portfolio> {
    const { result } = await this.changes.write(
      async (tx) => {
        const portfolio = await tx.portfolio.create({
          data: { clientId: data.clientId, name: data.name, marginMode: data.marginMode },
        });
        // Guarded update: an account that joined another portfolio meanwhile is not taken.
        const moved = await tx.account.updateMany({
          where: { id: { in: data.accountIds }, portfolioId: null },
          data: { portfolioId: portfolio.id },
        });
        if (moved.count !== data.accountIds.length) throw new PortfolioMembershipChanged();
        return portfolio;
      },
      (p) => ({ portfolios: [p.id], accounts: data.accountIds }),
    );
    return result;
  }
}

export class PortfolioMembershipChanged extends Error {
  constructor() {
    super("an account joined another portfolio while this one was created");
  }
}
