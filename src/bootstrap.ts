import { ensureReferenceData } from "./db/seed/reference.js";
import { seedDemoBook } from "./demo/demoBook.js";
import { parseUnitKey } from "./domain/book/book.types.js";
import { partitionOf } from "./monitor/workShare.js";
import type { Services } from "./services.js";

/**
 * Brings a migrated database into service: reference data (idempotent), this instance's
 * share of the monitor's work, then the in-memory book loaded and every unit evaluated
 * (the levels of its share judged against the stored ones, so a crash anywhere before
 * loses no level change), anything expired but left unsettled by a stop settled, then,
 * when asked and the database holds no client yet, the demo book, written through the
 * ledger like any other book. From then on the share follows the live instances, and
 * partitions taken over are judged again at once.
 */
export async function openBook(services: Services, options: { demo: boolean }): Promise<string> {
  await ensureReferenceData(services.db.prisma);
  await services.share.join();
  await services.readModel.start();
  await services.settlement.settlePending();
  services.share.watch({
    gained: (partitions) => {
      const taken = new Set(partitions);
      return services.readModel.rejudge((key) => taken.has(partitionOf(parseUnitKey(key).id)));
    },
    settle: () => services.monitor.settled(),
  });
  if (!options.demo) return "reference data ready";
  if ((await services.db.prisma.client.count()) > 0) return "database already holds a book; demo not loaded";
  const result = await seedDemoBook(services);
  return `demo book loaded: ${result.clients} clients, ${result.accounts} accounts, ${result.trades} trades`;
}
