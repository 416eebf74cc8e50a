import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../support/apiKeys.js";
import { createAccount, createClient, deposit } from "../support/books.js";
import { createTestDatabase, TEST_DB, type TestDatabase } from "../support/testDatabase.js";
import { startTcpProxy, type TcpProxy } from "../support/tcpProxy.js";
import { startTestServer, type GraphQLResponse, type TestServer } from "../support/testServer.js";

const READ = `query($id: ID!) { account(id: $id) { id balances { amount } equity } }`;
const DEPOSIT = `mutation($a: ID!) { deposit(input: { accountId: $a, asset: "USDC", amount: "1" }) { id } }`;
const CREATE_CLIENT = `mutation { createClient(input: { name: "during outage" }) { id } }`;

/**
 * PostgreSQL going away and coming back, simulated by a TCP proxy between the server and
 * the database: cutting it refuses new connections and resets open ones, as a stopped
 * server does.
 */
describe.runIf(TEST_DB === "postgres")("database outage on PostgreSQL", () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let api: TestServer;
  let accountId: string;
  let clientKey: string;
  let health: () => Promise<{ status: number; body: { status: string } }>;

  beforeAll(async () => {
    database = await createTestDatabase();
    const url = new URL(database.databaseUrl!);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
    url.port = String(proxy.port);
    api = await startTestServer({
      database: { databaseUrl: url.toString(), drop: database.drop },
      // A short key cache so the CLIENT key must be read again during the outage; silent
      // logs because every failed audit write during the outage is (rightly) logged.
      // Short database timeouts so a silent database is noticed in a test's time.
      env: { DB_CONNECT_TIMEOUT_MS: "1000", DB_QUERY_TIMEOUT_MS: "1500", HEALTH_TIMEOUT_MS: "500", API_KEY_CACHE_TTL_MS: "100", LOG_LEVEL: "silent" },
    });
    const clientId = await createClient(api, "Outage");
    accountId = await createAccount(api, clientId, "main");
    await deposit(api, accountId, "USDC", 100);
    clientKey = (await createApiKey(api, "CLIENT", clientId)).secret;
    health = async () => {
      const response = await fetch(api.url.replace(/\/graphql$/, "/health"));
      return { status: response.status, body: (await response.json()) as { status: string } };
    };
  });

  afterAll(async () => {
    await proxy?.restore().catch(() => undefined);
    await api?.close();
    await proxy?.close();
  });

  const codes = (result: GraphQLResponse) => result.errors?.map((e) => e.extensions?.code);

  /** Restores the proxy and waits until /health says the server reaches the database again. */
  async function restoreAndWait(withinMs: number) {
    await proxy.restore();
    const deadline = Date.now() + withinMs;
    while ((await health()).status !== 200) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it("serves normally through the proxy", async () => {
    expect((await api.ok(READ, { id: accountId }, clientKey)).account.id).toBe(accountId);
    expect((await health()).status).toBe(200);
  });

  it("fails writes fast with SERVICE_UNAVAILABLE while the database is away, /health says 503, and reads still answer from memory", async () => {
    await proxy.cut();
    await new Promise((resolve) => setTimeout(resolve, 150)); // past the key cache TTL
    const started = Date.now();
    const results = {
      write: await api.gql(DEPOSIT, { a: accountId }),
      create: await api.gql(CREATE_CLIENT),
      storedKey: await api.gql(READ, { id: accountId }, clientKey),
    };
    expect(Date.now() - started).toBeLessThan(3000);
    for (const [name, result] of Object.entries(results)) {
      expect(codes(result), name).toEqual(["SERVICE_UNAVAILABLE"]);
      expect(JSON.stringify(result), name).not.toMatch(/prisma|ECONNREFUSED|127\.0\.0\.1|stack|\.ts:\d/i);
    }
    // A key that cannot be checked is not called invalid: the outage answers 503.
    expect(results.storedKey.status).toBe(503);
    expect(await health()).toEqual({ status: 503, body: { status: "unavailable", database: "postgres" } });
    // What needs no database still works: the calculator, and reads of the in-memory book.
    expect((await api.ok(READ, { id: accountId })).account.balances).toEqual([{ amount: "100" }]);
    expect((await api.ok(`{ optionQuote(input: { optionType: CALL, spot: 100, strike: 100, timeToExpiry: 1, volatility: 0.2 }) { price } }`)).optionQuote.price).toBeGreaterThan(0);
  });

  it("recovers by itself once the database is back", async () => {
    await restoreAndWait(10_000);
    expect((await api.ok(READ, { id: accountId }, clientKey)).account.balances).toEqual([{ amount: "100" }]);
    await api.ok(DEPOSIT, { a: accountId });
    expect((await api.ok(READ, { id: accountId })).account.balances).toEqual([{ amount: "101" }]);
  });

  it("answers SERVICE_UNAVAILABLE within seconds when the database accepts connections but never answers, and /health 503", async () => {
    proxy.silence();
    await new Promise((resolve) => setTimeout(resolve, 150)); // past the key cache TTL
    const started = Date.now();
    const [reads, health503, write] = await Promise.all([
      Promise.all(Array.from({ length: 10 }, () => api.gql(READ, { id: accountId }, clientKey))),
      health().then((result) => ({ ...result, ms: Date.now() - started })),
      api.gql(DEPOSIT, { a: accountId }),
    ]);
    expect(Date.now() - started).toBeLessThan(10_000);
    for (const result of [...reads, write]) {
      expect(codes(result)).toEqual(["SERVICE_UNAVAILABLE"]);
      expect(JSON.stringify(result)).not.toMatch(/prisma|timeout|127\.0\.0\.1|stack|\.ts:\d/i);
    }
    expect(health503).toMatchObject({ status: 503, body: { status: "unavailable" } });
    expect(health503.ms).toBeLessThan(1500);
  });

  it("recovers by itself once the database answers again", async () => {
    await restoreAndWait(15_000);
    await api.ok(DEPOSIT, { a: accountId });
    expect((await api.ok(READ, { id: accountId }, clientKey)).account.balances).toEqual([{ amount: "102" }]);
  });
});
