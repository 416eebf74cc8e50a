import { loadConfig } from "../src/config.js";
import { openDatabase } from "../src/db/client.js";
import { migrate } from "../src/db/migrate.js";

/** Applies pending migrations to DATABASE_URL (or the PGlite directory). */
const db = await openDatabase(loadConfig());
try {
  const result = await migrate(db.sql);
  console.log(
    result.applied.length ? `applied: ${result.applied.join(", ")}` : "database is up to date",
    `(${result.alreadyApplied.length} already applied)`,
  );
} finally {
  await db.close();
}
