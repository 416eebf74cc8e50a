import type { PrismaClient } from "../../generated/prisma/client.js";
import type { Account, Balance, Client, MarginMode, Portfolio, Position } from "../../generated/prisma/client.js";

/** Keyset cursor of the default account order (createdAt, id). */
export interface AccountCursor {
  createdAt: Date;
  id: string;
}

/** Clients, accounts, portfolios and their holdings: the book as stored. */
export class BookStore {
  constructor(private readonly prisma: PrismaClient) {}

  createClient(name: string): Promise<Client> {
    return this.prisma.client.create({ data: { name } });
  }

  clientsByIds(ids: readonly string[]): Promise<Client[]> {
    return this.prisma.client.findMany({ where: { id: { in: [...ids] } } });
  }

  createAccount(data: { clientId: string; name: string; marginMode: MarginMode }): Promise<Account> {
    return this.prisma.account.create({ data });
  }

  accountsByIds(ids: readonly string[]): Promise<Account[]> {
    return this.prisma.account.findMany({ where: { id: { in: [...ids] } } });
  }

  /** One page in (createdAt, id) order after `after`; fetches `take` rows. */
  accountPage(filter: { clientId?: string }, after: AccountCursor | null, take: number): Promise<Account[]> {
    return this.prisma.account.findMany({
      where: {
        clientId: filter.clientId,
        ...(after && {
          OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }],
        }),
      },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take,
    });
  }

  countAccounts(filter: { clientId?: string }): Promise<number> {
    return this.prisma.account.count({ where: { clientId: filter.clientId } });
  }

  /** Creates the portfolio and moves the accounts into it in one transaction. */
  createPortfolio(data: { clientId: string; name: string; marginMode: MarginMode; accountIds: string[] }): Promise<Portfolio> {
    return this.prisma.$transaction(async (tx) => {
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
    });
  }

  portfoliosByIds(ids: readonly string[]): Promise<Portfolio[]> {
    return this.prisma.portfolio.findMany({ where: { id: { in: [...ids] } } });
  }

  membersOfPortfolios(portfolioIds: readonly string[]): Promise<Account[]> {
    return this.prisma.account.findMany({
      where: { portfolioId: { in: [...portfolioIds] } },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
  }

  balancesOfAccounts(accountIds: readonly string[]): Promise<Balance[]> {
    return this.prisma.balance.findMany({
      where: { accountId: { in: [...accountIds] } },
      orderBy: { asset: "asc" },
    });
  }

  /** Open positions only (quantity ≠ 0). */
  positionsOfAccounts(accountIds: readonly string[]): Promise<Position[]> {
    return this.prisma.position.findMany({
      where: { accountId: { in: [...accountIds] }, NOT: { quantity: 0 } },
      orderBy: { instrumentId: "asc" },
    });
  }
}

export class PortfolioMembershipChanged extends Error {
  constructor() {
    super("an account joined another portfolio while this one was created");
  }
}
