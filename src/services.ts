import type { Config } from "./config.js";
import type { Database } from "./db/client.js";
import { BookStore } from "./db/stores/book.store.js";
import { LedgerStore } from "./db/stores/ledger.store.js";
import { ReferenceStore } from "./db/stores/reference.store.js";
import { RiskStore } from "./db/stores/risk.store.js";
import { BookService } from "./domain/book.service.js";
import { InstrumentService } from "./domain/instrument.service.js";
import { LedgerService } from "./domain/ledger.service.js";
import { MarketService } from "./domain/market.service.js";
import { RiskService } from "./domain/risk.service.js";

/** Composition root: one instance of each store and service per process. */
export function createServices(db: Database, config: Config) {
  const book = new BookStore(db.prisma);
  const reference = new ReferenceStore(db.prisma);
  const risk = new RiskService(db.prisma, new RiskStore(db.prisma), book);
  return {
    config,
    db,
    stores: { book, reference },
    book: new BookService(book),
    instruments: new InstrumentService(reference),
    market: new MarketService(reference),
    ledger: new LedgerService(new LedgerStore(db.prisma), reference, risk),
    risk,
  };
}

export type Services = ReturnType<typeof createServices>;
