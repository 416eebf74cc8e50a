import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leveragedBtcAccount, setMarket } from "../support/books.js";
import { TEST_DB } from "../support/testDatabase.js";
import { startTestServer, type TestServer } from "../support/testServer.js";
import { subscribe } from "../support/wsClient.js";

describe(`/metrics on ${TEST_DB}`, () => {
  let api: TestServer;
  const scrape = async () => (await fetch(api.url.replace("/graphql", "/metrics"))).text();
  const value = (text: string, series: string) => {
    const line = text.split("\n").find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  beforeAll(async () => {
    api = await startTestServer();
  }, 120_000);
  afterAll(async () => api?.close());

  it("counts operations by root field and outcome, events by level, accounts by level, open subscriptions, with the right types", async () => {
    await leveragedBtcAccount(api);
    const feed = subscribe(api.url, `subscription { marginCalls { sequence } }`);
    await new Promise((r) => setTimeout(r, 300));
    await api.ok(`{ accounts(first: 5) { edges { node { id } } } }`);
    await api.gql(`query($id: ID!) { account(id: $id) { equity } }`, { id: "00000000-0000-4000-8000-000000000000" });
    await api.gql(`mutation { createClient(input: { name: "" }) { id } }`);
    await setMarket(api, "BTC", 91_100); // HEALTHY → MARGIN_CALL
    await feed.waitFor(1);
    const text = await scrape();
    expect(value(text, `risk_graphql_operations_total{operation="query accounts",code="OK"}`)).toBe(1);
    expect(value(text, `risk_graphql_operations_total{operation="mutation createClient",code="BAD_USER_INPUT"}`)).toBe(1);
    expect(value(text, `risk_margin_call_events_total{level="MARGIN_CALL"}`)).toBe(1);
    expect(value(text, `risk_accounts_by_level{level="MARGIN_CALL"}`)).toBe(1);
    expect(value(text, `risk_subscriptions_open`)).toBe(1);
    expect(text).toMatch(/# TYPE risk_sql_statements_total counter/);
    expect(text).toMatch(/# TYPE risk_graphql_operation_duration_seconds histogram/);
    expect(text).toMatch(/# TYPE risk_evaluation_duration_seconds histogram/);
    expect(value(text, `risk_event_loop_delay_seconds{quantile="0.99"}`)).toBeGreaterThanOrEqual(0);
    if (TEST_DB === "postgres") expect(value(text, `risk_db_pool_connections{state="max"}`)).toBe(10);
    await feed.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(value(await scrape(), `risk_subscriptions_open`)).toBe(0);
  });
});
