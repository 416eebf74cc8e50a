import type { Logger } from "pino";
import type { Config } from "./config.js";
import { ApiKeyVerifier } from "./auth/apiKeyVerifier.js";
import { InlineCompute, WorkerPool, type RiskCompute } from "./compute/workerPool.js";
import type { Database } from "./db/client.js";
import { ApiKeyStore } from "./db/stores/apiKey.store.js";
import { AuditStore } from "./db/stores/audit.store.js";
import { BookChangeStore, CHANGE_PAGE } from "./db/stores/bookChange.store.js";
import { readBookRows } from "./db/stores/bookRows.js";
import { BookStore } from "./db/stores/book.store.js";
import { LedgerStore } from "./db/stores/ledger.store.js";
import { MarginCallStore } from "./db/stores/marginCall.store.js";
import { MarketTickStore } from "./db/stores/marketTick.store.js";
import { ReferenceStore } from "./db/stores/reference.store.js";
import { RiskStore } from "./db/stores/risk.store.js";
import { RiskParametersStore } from "./db/stores/riskParameters.store.js";
import { SettlementStore } from "./db/stores/settlement.store.js";
import { ApiKeyService } from "./domain/apiKey.service.js";
import { AuditService } from "./domain/audit.service.js";
import { Book } from "./domain/book/book.js";
import { BookService } from "./domain/book.service.js";
import { EngineBudget } from "./domain/engineBudget.js";
import { InstrumentService } from "./domain/instrument.service.js";
import { LedgerService } from "./domain/ledger.service.js";
import { MarketService } from "./domain/market.service.js";
import { ReadModel } from "./domain/readModel.js";
import { RiskView } from "./domain/risk/riskView.js";
import { RiskService } from "./domain/risk.service.js";
import { RiskParametersService } from "./domain/riskParameters.service.js";
import { SettlementService } from "./domain/settlement.service.js";
import { marketFeedHandler } from "./feed/marketFeed.js";
import { NatsFeed } from "./feed/natsFeed.js";
import type { EventBus } from "./monitor/eventBus.js";
import { Topic } from "./monitor/events.js";
import { MarginMonitor } from "./monitor/marginMonitor.js";
import type { WorkShare } from "./monitor/workShare.js";
import type { Metrics } from "./metrics.js";

/** Composition root: one instance of each store and service per process. */
export function createServices(db: Database, config: Config, bus: EventBus, share: WorkShare, logger: Logger, instanceId: string, metrics: Metrics) {
  const changes = new BookChangeStore(db.prisma, db.sql);
  const reference = new ReferenceStore(db.prisma, changes);
  const marginCalls = new MarginCallStore(db.prisma);
  const riskStore = new RiskStore(db.prisma);
  const book = new Book({
    rows: (scope) => readBookRows(db.prisma, scope),
    changesSince: async (version) => {
      const rows = await changes.since(version);
      return { rows, complete: rows.length < CHANGE_PAGE };
    },
    head: () => changes.head(),
    reference: () => riskStore.referenceSnapshot(),
  });
  let readModel: ReadModel;
  const compute: RiskCompute = config.riskWorkers > 0
    ? new WorkerPool(config.riskWorkers, logger, () => readModel.replicaState())
    : new InlineCompute();
  readModel = new ReadModel(book, new RiskView(), compute, () => changes.head(), {
    confirmReads: config.confirmReads,
    warmLiquidation: config.warmLiquidation,
  }, logger, metrics.observeEvaluation);
  const monitor = new MarginMonitor(book, marginCalls, bus, share, logger, () => readModel.onRemoteChange());
  readModel.setEvaluatedHook((entries, version, complete) => monitor.judge(entries, version, complete));
  bus.subscribe(Topic.BookChanged, (notice) => {
    if (notice.origin !== instanceId) readModel.onRemoteChange();
  });
  /**
   * After a committed write: tell the other instances, then bring this one's book, view,
   * levels and events up to it before the write answers.
   */
  const afterWrite = async () => {
    await bus.publish(Topic.BookChanged, { origin: instanceId });
    await readModel.afterWrite();
  };
  const risk = new RiskService(readModel, riskStore);
  const apiKeyStore = new ApiKeyStore(db.prisma);
  const keyVerifier = new ApiKeyVerifier(apiKeyStore, config.apiKeyCacheTtlMs, (error) =>
    logger.warn({ err: error }, "recording API key use failed"),
  );
  const bookService = new BookService(new BookStore(db.prisma, changes), () => book, afterWrite);
  const ledgerStore = new LedgerStore(db.prisma, changes);
  const marketTicks = new MarketTickStore(db.prisma);
  const settlement = new SettlementService(new SettlementStore(db.prisma), ledgerStore, marketTicks, reference, afterWrite);
  // A market update settles what it expired, then the book catches up with both at once.
  const market = new MarketService(
    reference,
    async (underlyings) => {
      try {
        await settlement.settleDue(underlyings);
      } finally {
        await afterWrite();
      }
    },
    { asOfPastDays: config.marketAsOfPastDays, asOfFutureMs: config.marketAsOfFutureMs },
  );
  /** Ticks from NATS JetStream (DESIGN §7.7), applied through the same market service; started by the server once the book is loaded. */
  const feed = config.natsUrls
    ? new NatsFeed(
        { servers: config.natsUrls, batchSize: config.feedBatchSize, ackWaitMs: config.feedAckWaitMs, retryMs: config.feedRetryMs },
        marketFeedHandler(market, metrics, logger),
        logger,
      )
    : null;
  return {
    config,
    db,
    bus,
    logger,
    stores: { reference, marginCalls, marketTicks },
    readModel,
    /** Clients, accounts and portfolios: writes and listings. */
    accounts: bookService,
    keyVerifier,
    apiKeys: new ApiKeyService(apiKeyStore, bookService, (prefix) => keyVerifier.forget(prefix)),
    audit: new AuditService(new AuditStore(db.prisma), (error, attempt) =>
      logger.error({ err: error, operation: attempt.operation, apiKeyId: attempt.apiKeyId, errorCode: attempt.errorCode }, "audit write failed"),
    ),
    instruments: new InstrumentService(reference, afterWrite),
    market,
    feed,
    ledger: new LedgerService(ledgerStore, reference, risk, afterWrite),
    settlement,
    riskParameters: new RiskParametersService(new RiskParametersStore(db.prisma, changes), reference, afterWrite),
    risk,
    /** Engine time per key for on-demand work. */
    engineBudget: new EngineBudget(config.engineBudgetMsPerSecond, config.engineBudgetBurstMs),
    monitor,
    share,
    compute,
    metrics,
  };
}

export type Services = ReturnType<typeof createServices>;
