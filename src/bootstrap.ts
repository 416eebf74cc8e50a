import { ensureReferenceData } from "./db/seed/reference.js";
import { seedDemoBook } from "./demo/demoBook.js";
import type { Services } from "./services.js";

/**
 * Brings a migrated database into service: reference data (idempotent), then the
 * in-memory book loaded and every unit evaluated, anything expired but left unsettled by a
 * stop settled, then, when asked and the database
 * holds no client yet, the demo book, written through the ledger like any other book.
 */
export async function openBook(services: Services, options: { demo: boolean }): Promise<string> {
  await ensureReferenceData(services.db.prisma);
  await services.readModel.start();
  await services.settlement.settlePending();
  if (!options.demo) return "reference data ready";
  if ((await services.db.prisma.client.count()) > 0) return "database already holds a book; demo not loaded";
  const result = await seedDemoBook(services);
  return `demo book loaded: ${result.clients} clients, ${result.accounts} accounts, ${result.trades} trades`;
}
