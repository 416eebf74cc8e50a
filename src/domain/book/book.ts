import { exposedUnderlyings, type InstrumentSpec, type MarginUnitInput } from "../../engine/index.js";
import type { BookChangeRow } from "../../db/stores/bookChange.store.js";
import type { BookRows, BookScope } from "../../db/stores/bookRows.js";
import type { ReferenceSnapshot } from "../../db/stores/risk.store.js";
import { collateralInput, instrumentSpec, isExpired, marketContext, poolUnits, type MarketContext } from "../marginUnit.js";
import { HeldPosition } from "./heldPosition.js";
import type {
  BookAccount,
  BookBalance,
  BookClient,
  BookDelta,
  BookInstrument,
  BookPortfolio,
  LevelState,
} from "./book.types.js";

/** What the book reads: rows, the change log and the market-wide reference data. */
export interface BookSource {
  rows(scope: BookScope | null): Promise<BookRows>;
  /** Change-log rows after a version, oldest first; a full page means "reload everything". */
  changesSince(version: number): Promise<{ rows: BookChangeRow[]; complete: boolean }>;
  head(): Promise<number>;
  reference(): Promise<ReferenceSnapshot>;
}

const byCreation = (a: { createdAt: Date; id: string }, b: { createdAt: Date; id: string }) =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Newer level records win (a level travels by event, by reload, or both). */
function newerLevel(current: LevelState | undefined, next: LevelState): LevelState {
  return current && current.version >= next.version ? current : next;
}

/**
 * The in-memory book, the read model every reader uses: clients, accounts with their
 * balances and positions (exact decimal strings, as the API shows them, and the engine
 * input built from them once), portfolios, instruments and the market context. It is
 * loaded once and then follows the ledger's change log: `catchUp` reads the changes after
 * the version it holds and reloads just the rows they touched, so every instance reaches
 * the same state whichever instance wrote.
 *
 * Expired instruments leave the engine input: a settled position has quantity 0 and is not
 * read at all; an expired one still waiting for its delivery price is kept in `positions`
 * (what the API lists) but left out of `input` (accountInput with the market context), and
 * when a market move crosses an expiry the holders' inputs are rebuilt (reapplyExpiries).
 */
export class Book {
  private readonly clients = new Map<string, BookClient>();
  private readonly accounts = new Map<string, BookAccount>();
  private readonly portfolios = new Map<string, BookPortfolio>();
  private readonly members = new Map<string, string[]>();
  private readonly instruments = new Map<string, BookInstrument>();
  private readonly instrumentIds = new Map<string, string>();
  private readonly specs = new Map<string, InstrumentSpec>();
  private readonly pooled = new Map<string, MarginUnitInput>();
  /** Instruments expired on the market context the book's inputs were built on. */
  private readonly expired = new Set<string>();
  /** Accounts in (createdAt, id) order: the default listing. */
  private ordered: BookAccount[] = [];
  private reference!: ReferenceSnapshot;
  private context!: MarketContext;
  /** The change-log version this book reflects. */
  version = 0;

  constructor(private readonly source: BookSource) {}

  get market(): MarketContext {
    return this.context;
  }

  /** The reference rows the market context was built from (plain data, for worker threads). */
  get referenceSnapshot(): ReferenceSnapshot {
    return this.reference;
  }

  /** Everything, from scratch; the head is read first, so what is loaded is at least that version. */
  async load(): Promise<BookDelta> {
    const head = await this.source.head();
    const [rows, reference] = await Promise.all([this.source.rows(null), this.source.reference()]);
    for (const map of [this.clients, this.accounts, this.portfolios, this.members, this.instruments, this.instrumentIds, this.specs, this.pooled, this.expired]) map.clear();
    this.ordered = [];
    this.setReference(reference);
    this.apply(rows);
    this.version = head;
    return { version: head, full: true, accounts: new Set(), portfolios: new Set(), underlyings: new Set() };
  }

  /** Applies every committed change after this book's version; null when there was none. */
  async catchUp(): Promise<BookDelta | null> {
    const { rows: changes, complete } = await this.source.changesSince(this.version);
    if (!complete) return this.load();
    if (changes.length === 0) return null;
    const union = (pick: (c: BookChangeRow) => string[]) => [...new Set(changes.flatMap(pick))];
    const scope: BookScope = {
      accounts: union((c) => c.accounts),
      portfolios: union((c) => c.portfolios),
      clients: union((c) => c.clients),
      instruments: union((c) => c.instruments),
    };
    const underlyings = union((c) => c.underlyings);
    const [rows, reference] = await Promise.all([
      this.source.rows(scope),
      underlyings.length > 0 ? this.source.reference() : Promise.resolve(null),
    ]);
    if (reference) this.setReference(reference);
    const before = new Map(rows.accounts.map((a) => [a.id, this.accounts.get(a.id)?.portfolioId ?? null]));
    this.apply(rows);
    this.version = changes.at(-1)!.version;
    // A market that moved past an expiry takes that instrument's positions out of the engine input.
    const reloaded = new Set(rows.accounts.map((a) => a.id));
    const expired = reference ? this.reapplyExpiries(new Set(underlyings), reloaded) : [];
    for (const id of expired) scope.accounts = [...scope.accounts, id];
    // A member that left or joined a portfolio changes that portfolio too.
    const portfolios = new Set(scope.portfolios);
    for (const [id, previous] of before) {
      if (previous) portfolios.add(previous);
      const now = this.accounts.get(id)?.portfolioId;
      if (now) portfolios.add(now);
    }
    return { version: this.version, full: false, accounts: new Set(scope.accounts), portfolios, underlyings: new Set(underlyings) };
  }

  private setReference(reference: ReferenceSnapshot): void {
    this.reference = reference;
    this.context = marketContext(reference);
  }

  /** Upserts rows; an account's balances and positions are replaced by the ones read with it. */
  private apply(rows: BookRows): void {
    for (const row of rows.instruments) {
      this.instruments.set(row.id, row);
      this.instrumentIds.set(row.symbol, row.id);
      const spec = instrumentSpec(row);
      // An instrument's definition never changes: its expired state moves only with the market (reapplyExpiries).
      if (!this.specs.has(row.id) && isExpired(spec, this.context.market)) this.expired.add(row.id);
      this.specs.set(row.id, spec);
    }
    for (const row of rows.clients) this.clients.set(row.id, row);
    for (const row of rows.portfolios) {
      const { marginLevel, levelVersion, levelBookVersion, ...rest } = row;
      const level = newerLevel(this.portfolios.get(row.id)?.level, { level: marginLevel, version: levelVersion, bookVersion: levelBookVersion });
      this.portfolios.set(row.id, { ...rest, level });
      this.pooled.delete(row.id);
    }
    const balances = new Map<string, BookBalance[]>();
    const positions = new Map<string, HeldPosition[]>();
    for (const { accountId, ...b } of rows.balances) (balances.get(accountId) ?? balances.set(accountId, []).get(accountId)!).push(b);
    for (const row of rows.positions) {
      // The instrument's own id string: one copy per instrument, not one 36-character string per position.
      const position = new HeldPosition(this.instruments.get(row.instrumentId)?.id ?? row.instrumentId, this.spec(row.instrumentId), row);
      (positions.get(row.accountId) ?? positions.set(row.accountId, []).get(row.accountId)!).push(position);
    }
    for (const row of rows.accounts) {
      const previous = this.accounts.get(row.id);
      const { marginLevel, levelVersion, levelBookVersion, ...rest } = row;
      const held = { balances: balances.get(row.id) ?? [], positions: positions.get(row.id) ?? [] };
      const input = this.inputOf(row.marginMode, held.balances, held.positions);
      const account: BookAccount = {
        ...rest,
        ...held,
        input,
        underlyings: new Set(exposedUnderlyings(input)),
        level: newerLevel(previous?.level, { level: marginLevel, version: levelVersion, bookVersion: levelBookVersion }),
      };
      this.accounts.set(row.id, account);
      if (previous?.portfolioId !== account.portfolioId) {
        if (previous?.portfolioId) this.leave(previous.portfolioId, row.id);
        if (account.portfolioId) this.join(account.portfolioId, account);
      }
      for (const id of [previous?.portfolioId, account.portfolioId]) if (id) this.pooled.delete(id);
      this.place(previous, account);
    }
  }

  /**
   * After the market of `underlyings` changed: rebuilds the engine input of every account
   * (other than those just reloaded) holding a dated instrument on them whose expired state
   * the new market changes, and returns their ids.
   */
  private reapplyExpiries(underlyings: ReadonlySet<string>, reloaded: ReadonlySet<string>): string[] {
    // Most ticks expire nothing: compare the expired instruments of these underlyings first.
    const flipped = new Set<string>();
    for (const [id, spec] of this.specs) {
      if (spec.expiryMs === null || !underlyings.has(spec.underlying)) continue;
      if (isExpired(spec, this.context.market) !== this.expired.has(id)) flipped.add(id);
    }
    if (flipped.size === 0) return [];
    for (const id of flipped) {
      if (this.expired.has(id)) this.expired.delete(id);
      else this.expired.add(id);
    }
    const changed: string[] = [];
    for (const account of this.ordered) {
      if (reloaded.has(account.id) || !account.positions.some((p) => flipped.has(p.instrumentId))) continue;
      const input = this.inputOf(account.marginMode, account.balances, account.positions);
      if (input.positions.length === account.input.positions.length) continue;
      account.input = input;
      account.underlyings = new Set(exposedUnderlyings(input));
      if (account.portfolioId) this.pooled.delete(account.portfolioId);
      changed.push(account.id);
    }
    return changed;
  }

  /**
   * An account's own book as engine input on the book's market: what accountInput builds
   * from the same decimals, with the positions' inputs built once (positions in expired
   * instruments left out).
   */
  private inputOf(mode: BookAccount["marginMode"], balances: readonly BookBalance[], positions: readonly HeldPosition[]): MarginUnitInput {
    const live = positions.filter((p) => !isExpired(p.input.instrument, this.context.market));
    return { mode, collateral: collateralInput(balances, this.context.assets), positions: live.map((p) => p.input) };
  }

  private spec(instrumentId: string): InstrumentSpec {
    const spec = this.specs.get(instrumentId);
    if (!spec) throw new Error(`instrument ${instrumentId} of a position is not in the book`);
    return spec;
  }

  private join(portfolioId: string, account: BookAccount): void {
    const ids = this.members.get(portfolioId) ?? [];
    ids.push(account.id);
    ids.sort((a, b) => byCreation(this.accounts.get(a)!, this.accounts.get(b)!));
    this.members.set(portfolioId, ids);
  }

  private leave(portfolioId: string, accountId: string): void {
    const ids = this.members.get(portfolioId);
    if (ids) this.members.set(portfolioId, ids.filter((id) => id !== accountId));
  }

  /** Keeps `ordered` sorted: a new account is inserted where it belongs, a reloaded one replaced. */
  private place(previous: BookAccount | undefined, account: BookAccount): void {
    let lo = 0;
    let hi = this.ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (byCreation(this.ordered[mid], account) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (previous && this.ordered[lo]?.id === account.id) this.ordered[lo] = account;
    else this.ordered.splice(lo, 0, account);
  }

  client(id: string): BookClient | undefined {
    return this.clients.get(id);
  }

  allClients(): BookClient[] {
    return [...this.clients.values()].sort(byCreation);
  }

  account(id: string): BookAccount | undefined {
    return this.accounts.get(id);
  }

  /** Accounts in creation order. */
  allAccounts(): readonly BookAccount[] {
    return this.ordered;
  }

  portfolio(id: string): BookPortfolio | undefined {
    return this.portfolios.get(id);
  }

  allPortfolios(): IterableIterator<BookPortfolio> {
    return this.portfolios.values();
  }

  membersOf(portfolioId: string): BookAccount[] {
    return (this.members.get(portfolioId) ?? []).map((id) => this.accounts.get(id)!);
  }

  instrument(id: string): BookInstrument | undefined {
    return this.instruments.get(id);
  }

  instrumentBySymbol(symbol: string): BookInstrument | undefined {
    const id = this.instrumentIds.get(symbol);
    return id === undefined ? undefined : this.instruments.get(id);
  }

  instrumentSpec(id: string): InstrumentSpec {
    return this.spec(id);
  }

  /** A portfolio's pooled book: its members' balances summed and positions netted, built once per change. */
  portfolioInput(portfolio: BookPortfolio): MarginUnitInput {
    let input = this.pooled.get(portfolio.id);
    if (!input) {
      input = poolUnits(portfolio.marginMode, this.membersOf(portfolio.id).map((m) => m.input));
      this.pooled.set(portfolio.id, input);
    }
    return input;
  }

  /** A stored level change (an event from any instance): newer versions win. */
  applyLevel(kind: "account" | "portfolio", id: string, state: LevelState): void {
    const unit = kind === "account" ? this.accounts.get(id) : this.portfolios.get(id);
    if (unit) unit.level = newerLevel(unit.level, state);
  }
}
