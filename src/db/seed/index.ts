import type { Services } from "../../services.js";
import { seedDemoBook } from "./demoBook.js";
import { ensureReferenceData } from "./reference.js";

/**
 * Reference data always (idempotent); the demo book only into a database that has
 * no client yet and only when asked.
 */
export async function seed(services: Services, options: { demo: boolean }): Promise<string> {
  await ensureReferenceData(services.db.prisma);
  if (!options.demo) return "reference data ready";
  if ((await services.db.prisma.client.count()) > 0) return "database already holds a book; demo not loaded";
  const result = await seedDemoBook(services);
  // Portfolio membership changed after the members' trades: evaluate every unit once more.
  await services.monitor.evaluateAll();
  return `demo book loaded: ${result.clients} clients, ${result.accounts} accounts, ${result.trades} trades`;
}
