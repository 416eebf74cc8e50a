import type { Account, Client, MarginMode, Portfolio } from "../generated/prisma/client.js";
import { BookStore, PortfolioMembershipChanged } from "../db/stores/book.store.js";
import type { Book } from "./book/book.js";
import type { BookAccount, BookClient } from "./book/book.types.js";
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

/** First index whose (createdAt, id) is after the cursor's. */
function indexAfter(ordered: readonly { createdAt: Date; id: string }[], after: DefaultOrderCursor): number {
  let lo = 0;
  let hi = ordered.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const t = ordered[mid].createdAt.getTime();
    if (t < after.t || (t === after.t && ordered[mid].id <= after.i)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface PageRequest {
  first?: number | null;
  after?: string | null;
  clientId?: string | null;
}

/** A keyset page of rows already in creation order, narrowed to one client when asked. */
function creationPage<T extends { createdAt: Date; id: string }>(all: readonly T[], args: PageRequest, clientOf: (row: T) => string): Page<T> {
  const size = pageSize(args.first);
  const rows = args.clientId == null ? all : all.filter((row) => clientOf(row) === args.clientId);
  const start = args.after ? indexAfter(rows, decodeCursor(args.after, isDefaultOrderCursor)) : 0;
  const items = rows.slice(start, start + size).map((node) => ({ cursor: creationCursor(node), node }));
  return { items, hasNextPage: start + size < rows.length, totalCount: rows.length };
}

const creationCursor = (node: { createdAt: Date; id: string }) => encodeCursor({ t: node.createdAt.getTime(), i: node.id });

/** Clients, accounts and portfolios: creation rules, and listings from the in-memory book. */
export class BookService {
  constructor(
    private readonly store: BookStore,
    private readonly book: () => Book,
    /** Runs after each committed write, e.g. the read model and the margin monitor catching up. */
    private readonly afterChange: () => Promise<unknown> = async () => undefined,
  ) {}

  async createClient(input: { name: string }): Promise<Client> {
    const client = await this.store.createClient(requireText("name", input.name));
    await this.afterChange();
    return client;
  }

  /** Read from the database: a write validates against what is committed, whichever instance wrote it. */
  async requireClient(clientId: string): Promise<Client> {
    const [client] = isUuid(clientId) ? await this.store.clientsByIds([clientId]) : [];
    if (!client) throw new NotFoundError("client", clientId);
    return client;
  }

  /** Clients in creation order; `clientId` narrows to one (CLIENT keys). */
  listClients(args: PageRequest): Page<BookClient> {
    return creationPage(this.book().allClients(), args, (c) => c.id);
  }

  /** Accounts in creation order, keyset-paginated; `clientId` narrows to one client. */
  listAccounts(args: PageRequest): Page<BookAccount> {
    return creationPage(this.book().allAccounts(), args, (a) => a.clientId);
  }

  async createAccount(input: { clientId: string; name: string; marginMode: MarginMode }): Promise<Account> {
    const name = requireText("name", input.name);
    await this.requireClient(input.clientId);
    const account = await this.store.createAccount({ clientId: input.clientId, name, marginMode: input.marginMode });
    await this.afterChange();
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
    await this.afterChange();
    return portfolio;
  }
}
