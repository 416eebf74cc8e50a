import type { Logger } from "pino";
import type { Config } from "./config.js";
import { ApiKeyVerifier } from "./auth/apiKeyVerifier.js";
import type { Database } from "./db/client.js";
import { ApiKeyStore } from "./db/stores/apiKey.store.js";
import { AuditStore } from "./db/stores/audit.store.js";
import { BookStore } from "./db/stores/book.store.js";
import { LedgerStore } from "./db/stores/ledger.store.js";
import { MarginCallStore } from "./db/stores/marginCall.store.js";
import { ReferenceStore } from "./db/stores/reference.store.js";
import { RiskStore } from "./db/stores/risk.store.js";
import { ApiKeyService } from "./domain/apiKey.service.js";
import { AuditService } from "./domain/audit.service.js";
import { BookService } from "./domain/book.service.js";
import { InstrumentService } from "./domain/instrument.service.js";
import { LedgerService } from "./domain/ledger.service.js";
import { MarketService } from "./domain/market.service.js";
import { RiskService } from "./domain/risk.service.js";
import { RiskResultCache } from "./domain/riskResultCache.js";
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
  const apiKeyStore = new ApiKeyStore(db.prisma);
  const keyVerifier = new ApiKeyVerifier(apiKeyStore, config.apiKeyCacheTtlMs, (error) =>
    logger.warn({ err: error }, "recording API key use failed"),
  );
  const bookService = new BookService(book);
  return {
    config,
    db,
    bus,
    logger,
    stores: { book, reference, marginCalls },
    book: bookService,
    keyVerifier,
    apiKeys: new ApiKeyService(apiKeyStore, bookService, (prefix) => keyVerifier.forget(prefix)),
    audit: new AuditService(new AuditStore(db.prisma), (error, attempt) =>
      logger.error({ err: error, operation: attempt.operation, apiKeyId: attempt.apiKeyId, errorCode: attempt.errorCode }, "audit write failed"),
    ),
    instruments: new InstrumentService(reference),
    market: new MarketService(reference, (underlyings) => reevaluate(`market ${underlyings}`, () => monitor.onMarketChanged(underlyings)), {
      asOfPastDays: config.marketAsOfPastDays,
      asOfFutureMs: config.marketAsOfFutureMs,
    }),
    ledger: new LedgerService(new LedgerStore(db.prisma), reference, risk, (accountId) =>
      reevaluate(`account ${accountId}`, () => monitor.evaluateAccounts([accountId])),
    ),
    risk,
    /** Engine results by content, shared by all requests. */
    riskResults: new RiskResultCache(),
    monitor,
  };
}

export type Services = ReturnType<typeof createServices>;
