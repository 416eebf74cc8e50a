import type { Logger } from "pino";
import type { Config } from "./config.js";
import type { Database } from "./db/client.js";
import { BookStore } from "./db/stores/book.store.js";
import { LedgerStore } from "./db/stores/ledger.store.js";
import { MarginCallStore } from "./db/stores/marginCall.store.js";
import { ReferenceStore } from "./db/stores/reference.store.js";
import { RiskStore } from "./db/stores/risk.store.js";
import { BookService } from "./domain/book.service.js";
import { InstrumentService } from "./domain/instrument.service.js";
import { LedgerService } from "./domain/ledger.service.js";
import { MarketService } from "./domain/market.service.js";
import { RiskService } from "./domain/risk.service.js";
import type { EventBus } from "./monitor/eventBus.js";
import { MarginMonitor } from "./monitor/marginMonitor.js";

/** Composition root: one instance of each store and service per process. */
export function createServices(db: Database, config: Config, bus: EventBus, logger: Logger) {
  const book = new BookStore(db.prisma);
  const reference = new ReferenceStore(db.prisma);
  const marginCalls = new MarginCallStore(db.prisma);
  const risk = new RiskService(db.prisma, new RiskStore(db.prisma), book);
  const monitor = new MarginMonitor(db.prisma, risk, marginCalls, bus, logger);
  // The write has committed: a failed re-evaluation is logged, and the next one catches up.
  const reevaluate = (what: string, work: () => Promise<unknown>) =>
    work().catch((error: unknown) => logger.error({ err: error, what }, "margin monitor failed"));
  return {
    config,
    db,
    bus,
    logger,
    stores: { book, reference, marginCalls },
    book: new BookService(book),
    instruments: new InstrumentService(reference),
    market: new MarketService(reference, (underlyings) => reevaluate(`market ${underlyings}`, () => monitor.onMarketChanged(underlyings))),
    ledger: new LedgerService(new LedgerStore(db.prisma), reference, risk, (accountId) =>
      reevaluate(`account ${accountId}`, () => monitor.evaluateAccounts([accountId])),
    ),
    risk,
    monitor,
  };
}

export type Services = ReturnType<typeof createServices>;
