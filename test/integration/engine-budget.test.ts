import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../support/apiKeys.js";
import { createAccount, createClient, createInstrument, deposit, setMarket, trade } from "../support/books.js";
import { TEST_DB } from "../support/testDatabase.js";
import { startTestServer, type TestServer } from "../support/testServer.js";

/** 30 historical VaRs of distinct windows in one operation: inside the cost limit, each computed anew. */
const heavy = (offset: number) =>
  `query($id: ID!) { account(id: $id) { ${Array.from({ length: 30 }, (_, i) => `v${i}: valueAtRisk(lookbackDays: ${1200 + offset * 30 + i}) { value }`).join(" ")} } }`;

describe(`engine time on ${TEST_DB}`, () => {
  let api: TestServer;
  let accountId: string;
  let secret: string;

  beforeAll(async () => {
    // A budget the flood below spends however fast this machine computes (600 VaRs of 1 200+ days).
    api = await startTestServer({ env: { ENGINE_BUDGET_MS_PER_SECOND: "5", ENGINE_BUDGET_BURST_MS: "20" } });
    await setMarket(api, "BTC", 100_000, { asOf: "2025-01-14T00:00:00Z" });
    await createInstrument(api, { symbol: "BTC-PERP", kind: "PERPETUAL", underlying: "BTC" });
    const clientId = await createClient(api, "Heavy");
    accountId = await createAccount(api, clientId, "heavy");
    await deposit(api, accountId, "USDC", 50_000);
    await trade(api, accountId, "BTC-PERP", 1, 100_000);
    ({ secret } = await createApiKey(api, "CLIENT", clientId));
  }, 120_000);
  afterAll(async () => api?.close());

  it("prices historical VaR by its window: 50 aliases of lookbackDays 1 700 exceed the operation's cost limit", async () => {
    const query = `query($id: ID!) { account(id: $id) { ${Array.from({ length: 50 }, (_, i) => `v${i}: valueAtRisk(lookbackDays: 1700) { value }`).join(" ")} } }`;
    const result = await api.gql(query, { id: accountId }, secret);
    expect(result.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    expect(result.errors?.[0].message).toMatch(/cost/i);
  });

  it("keeps /health answering while one key floods the engine, and refuses that key once its engine time is spent", async () => {
    // Every probe must be answered, healthy, while the flood runs; how fast is the load
    // benchmark's to measure (a timed assertion only measures the CI machine's load).
    const health = async () => (await fetch(api.url.replace("/graphql", "/health"))).status;
    const flood = Array.from({ length: 20 }, (_, i) => api.gql(heavy(i), { id: accountId }, secret));
    const probes: number[] = [];
    for (let i = 0; i < 10; i++) {
      probes.push(await health());
      await new Promise((r) => setTimeout(r, 50));
    }
    const results = await Promise.all(flood);
    expect(probes).toEqual(Array(10).fill(200));
    const codes = results.flatMap((r) => (r.errors ?? []).map((e) => e.extensions?.code));
    expect(codes).toContain("RATE_LIMITED");
    expect(new Set(codes)).toEqual(new Set(["RATE_LIMITED"]));
  });
});
