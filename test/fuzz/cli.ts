/**
 * The long fuzz run against a server of its own: npm run fuzz (10 000 requests).
 * FUZZ_REQUESTS, FUZZ_SEED and FUZZ_CONCURRENCY override the defaults; TEST_DB=postgres
 * runs it on PostgreSQL (default: embedded PGlite). Exits 1 when any answer broke an invariant.
 */
import "reflect-metadata";
import { loadConfig } from "../../src/config.js";
import { startTestServer } from "../support/testServer.js";
import { buildFuzzBook, FUZZ_ENV } from "./fixture.js";
import { runFuzz } from "./runFuzz.js";

const requests = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const seed = Number(process.env.FUZZ_SEED ?? 20251125);
const concurrency = Number(process.env.FUZZ_CONCURRENCY ?? 1);

const api = await startTestServer({ env: FUZZ_ENV });
try {
  const { book, tokens } = await buildFuzzBook(api);
  const report = await runFuzz({
    url: api.url,
    seed,
    requests,
    tokens,
    book,
    concurrency,
    maxBodyBytes: loadConfig(FUZZ_ENV).maxBodyBytes,
    onProgress: (done) => done % 1000 === 0 && process.stderr.write(`${done}/${requests}\n`),
  });
  console.log(JSON.stringify(report, null, 2));
  process.exitCode = report.failureCount === 0 ? 0 : 1;
} finally {
  await api.close();
}
