import type { Account, Client, MarginMode, Portfolio } from "../generated/prisma/client.js";
import { BookStore, PortfolioMembershipChanged } from "../db/stores/book.store.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { BadInputError, ConflictError, NotFoundError } from "./errors.js";
import { isUuid, requireText } from "./validate.js";

/** Largest page a client may ask for. */
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;

export interface Page<T> {
  items: { cursor: string; node: T }[];
  hasNextPage: boolean;
  totalCount: number;
}

interface DefaultOrderCursor {
  t: number;
  i: string;
}

const isDefaultOrderCursor = (v: unknown): v is DefaultOrderCursor =>
  typeof v === "object" && v !== null && Number.isFinite((v as DefaultOrderCursor).t) && isUuid(String((v as DefaultOrderCursor).i));

export function pageSize(first: number | null | undefined): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new BadInputError(`first (${size}) must be an integer between 0 and ${MAX_PAGE_SIZE}`);
  }
  return size;
}

/** Clients, accounts and portfolios: creation rules. */
export class BookService {
  constructor(
    readonly store: BookStore,
    /** Runs after accounts are created or change portfolio, e.g. the margin monitor picking them up. */
    private readonly afterChange: (accountIds: string[]) => Promise<unknown> = async () => undefined,
  ) {}

  createClient(input: { name: string }): Promise<Client> {
    return this.store.createClient(requireText("name", input.name));
  }

  async requireClient(clientId: string): Promise<Client> {
    const [client] = isUuid(clientId) ? await this.store.clientsByIds([clientId]) : [];
    if (!client) throw new NotFoundError("client", clientId);
    return client;
  }

  async requireAccount(accountId: string): Promise<Account> {
    const [account] = isUuid(accountId) ? await this.store.accountsByIds([accountId]) : [];
    if (!account) throw new NotFoundError("account", accountId);
    return account;
  }

  /** Accounts in creation order, keyset-paginated; `clientId` narrows to one client. */
  async listAccounts(args: { first?: number | null; after?: string | null; clientId?: string | null }): Promise<Page<Account>> {
    const size = pageSize(args.first);
    const filter = { clientId: args.clientId ?? undefined };
    if (filter.clientId !== undefined && !isUuid(filter.clientId)) return { items: [], hasNextPage: false, totalCount: 0 };
    const after = args.after ? decodeCursor(args.after, isDefaultOrderCursor) : null;
    const [rows, totalCount] = await Promise.all([
      this.store.accountPage(filter, after && { createdAt: new Date(after.t), id: after.i }, size + 1),
      this.store.countAccounts(filter),
    ]);
    const items = rows.slice(0, size).map((node) => ({ cursor: encodeCursor({ t: node.createdAt.getTime(), i: node.id }), node }));
    return { items, hasNextPage: rows.length > size, totalCount };
  }

  async createAccount(input: { clientId: string; name: string; marginMode: MarginMode }): Promise<Account> {
    const name = requireText("name", input.name);
    await this.requireClient(input.clientId);
    const account = await this.store.createAccount({ clientId: input.clientId, name, marginMode: input.marginMode });
    await this.afterChange([account.id]);
    return account;
  }

  /**
   * A portfolio pools accounts of one client that share a margin mode (CROSS or
   * PORTFOLIO), which becomes the portfolio's own; an account joins at most one.
   */
  async createPortfolio(input: { clientId: string; name: string; accountIds: string[] }): Promise<Portfolio> {
    const name = requireText("name", input.name);
    await this.requireClient(input.clientId);
    const ids = [...new Set(input.accountIds)];
    if (ids.length === 0) throw new BadInputError("accountIds must name at least one account");
    if (ids.length > 500) throw new BadInputError(`accountIds may name at most 500 accounts (got ${ids.length})`);
    const accounts = await this.store.accountsByIds(ids.filter(isUuid));
    const byId = new Map(accounts.map((a) => [a.id, a]));
    for (const id of ids) {
      const account = byId.get(id);
      if (!account || account.clientId !== input.clientId) throw new NotFoundError("account", id);
      if (account.marginMode === "ISOLATED") throw new BadInputError(`account ${id} is ISOLATED and cannot join a portfolio`);
      if (account.portfolioId) throw new ConflictError(`account ${id} already belongs to portfolio ${account.portfolioId}`);
    }
    const modes = new Set(accounts.map((a) => a.marginMode));
    if (modes.size > 1) throw new BadInputError(`accounts of a portfolio must share one margin mode (got ${[...modes].join(", ")})`);
    let portfolio: Portfolio;
    try {
      portfolio = await this.store.createPortfolio({ clientId: input.clientId, name, marginMode: accounts[0].marginMode, accountIds: ids });
    } catch (error) {
      if (error instanceof PortfolioMembershipChanged) throw new ConflictError(error.message);
      throw error;
    }
    await this.afterChange(ids);
    return portfolio;
  }
}
