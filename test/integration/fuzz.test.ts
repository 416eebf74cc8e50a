import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { buildFuzzBook, FUZZ_ENV } from "../fuzz/fixture.js";
import { runFuzz } from "../fuzz/runFuzz.js";
import type { Tokens } from "../fuzz/transport.js";
import type { FuzzBook } from "../fuzz/values.js";
import { TEST_DB } from "../support/testDatabase.js";
import { startTestServer, type TestServer } from "../support/testServer.js";

/** The short run; `npm run fuzz` sends 10 000 (see test/fuzz/cli.ts). Same seed, same requests. */
const SEED = 20251125;
const REQUESTS = 1000;
/** The production-mode run: fewer requests, the same generator. */
const PRODUCTION_REQUESTS = 300;

describe(`fuzz on ${TEST_DB}`, () => {
  let api: TestServer;
  let book: FuzzBook;
  let tokens: Tokens;

  beforeAll(async () => {
    api = await startTestServer({ env: FUZZ_ENV });
    ({ book, tokens } = await buildFuzzBook(api));
  });

  afterAll(async () => {
    await api?.close();
  });

  it(`answers ${REQUESTS} hostile requests (seed ${SEED}) with well-formed JSON and coded errors, stays healthy and keeps the ledger`, async () => {
    const report = await runFuzz({ url: api.url, seed: SEED, requests: REQUESTS, tokens, book, maxBodyBytes: loadConfig(FUZZ_ENV).maxBodyBytes });
    expect(report.sent).toBe(REQUESTS);
    expect(report.failures, JSON.stringify(report.failures, null, 2)).toEqual([]);
    // The run reached deep code, not just the parser: successes and domain errors both occur.
    expect(report.statuses["200"]).toBeGreaterThan(REQUESTS / 4);
    expect(Object.keys(report.codes)).toEqual(expect.arrayContaining(["BAD_USER_INPUT", "NOT_FOUND", "GRAPHQL_VALIDATION_FAILED", "FORBIDDEN"]));
  }, 300_000);
});

describe(`fuzz in production mode on ${TEST_DB}`, () => {
  const env = { ...FUZZ_ENV, NODE_ENV: "production" };
  let api: TestServer;
  let book: FuzzBook;
  let tokens: Tokens;

  beforeAll(async () => {
    api = await startTestServer({ env });
    ({ book, tokens } = await buildFuzzBook(api));
  });

  afterAll(async () => {
    await api?.close();
  });

  it(`answers ${PRODUCTION_REQUESTS} hostile requests over HTTP and WebSocket with no introspection and no name suggestions`, async () => {
    const report = await runFuzz({ url: api.url, seed: SEED + 1, requests: PRODUCTION_REQUESTS, tokens, book, maxBodyBytes: loadConfig(env).maxBodyBytes, production: true });
    expect(report.failures, JSON.stringify(report.failures, null, 2)).toEqual([]);
    expect(report.codes.GRAPHQL_VALIDATION_FAILED).toBeGreaterThan(0);
  }, 300_000);
});
