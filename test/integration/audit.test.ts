import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../support/apiKeys.js";
import { createAccount, createClient } from "../support/books.js";
import { TEST_DB } from "../support/testDatabase.js";
import { startTestServer, type TestServer } from "../support/testServer.js";
import { wsRequest } from "../support/wsRequest.js";

const AUDIT = `query($first: Int, $after: String) { auditLog(first: $first, after: $after) {
  edges { cursor node { id apiKeyId operation input errorCode createdAt } } pageInfo { hasNextPage endCursor } } }`;

interface Entry {
  id: string;
  apiKeyId: string | null;
  operation: string;
  input: string;
  errorCode: string | null;
}

describe(`audit log on ${TEST_DB}`, () => {
  let api: TestServer;
  let accountId: string;
  let risk: { id: string; secret: string };

  const latest = async (n = 1): Promise<Entry[]> =>
    (await api.ok(AUDIT, { first: n })).auditLog.edges.map((e: { node: Entry }) => e.node);

  beforeAll(async () => {
    api = await startTestServer();
    accountId = await createAccount(api, await createClient(api, "Audited"), "main");
    risk = await createApiKey(api, "RISK");
  });

  afterAll(async () => {
    await api?.close();
  });

  it("records a successful mutation with its arguments and no error code", async () => {
    await api.ok(`mutation($input: DepositInput!) { deposit(input: $input) { id } }`, {
      input: { accountId, asset: "USDC", amount: "12.5", idempotencyKey: "audit-1" },
    });
    const [entry] = await latest();
    expect(entry).toMatchObject({ apiKeyId: null, operation: "deposit", errorCode: null });
    expect(JSON.parse(entry.input)).toEqual({ input: { accountId, asset: "USDC", amount: "12.5", idempotencyKey: "audit-1" } });
  });

  it("records a failed mutation with the code it answered", async () => {
    const result = await api.gql(`mutation { withdraw(input: { accountId: "${accountId}", asset: "USDC", amount: "1000" }) { id } }`);
    expect(result.errors?.[0].extensions?.code).toBe("INSUFFICIENT_MARGIN");
    expect(await latest()).toMatchObject([{ operation: "withdraw", errorCode: "INSUFFICIENT_MARGIN" }]);
  });

  it("records a refusal by role with the key that tried", async () => {
    const result = await api.gql(`mutation { createClient(input: { name: "sneaky" }) { id } }`, {}, risk.secret);
    expect(result.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect(await latest()).toMatchObject([{ apiKeyId: risk.id, operation: "createClient", errorCode: "FORBIDDEN" }]);
  });

  it("records each mutation of a multi-field request, and mutations sent over WebSocket", async () => {
    await api.ok(`mutation { a: createClient(input: { name: "one" }) { id } b: createClient(input: { name: "two" }) { id } }`);
    expect((await latest(2)).map((e) => [e.operation, JSON.parse(e.input).input.name])).toEqual([["createClient", "two"], ["createClient", "one"]]);
    const ws = await wsRequest(api.url, `mutation { updateMarket(input: { underlying: "BTC", spot: 90000, volatility: 0.5 }) { spot } }`, risk.secret);
    expect(ws.errors).toBeUndefined();
    expect(await latest()).toMatchObject([{ apiKeyId: risk.id, operation: "updateMarket", errorCode: null }]);
  });

  it("records input PostgreSQL cannot store (NUL, a lone surrogate), which the mutation refuses", async () => {
    const result = await api.gql(`mutation($name: String!) { createClient(input: { name: $name }) { id } }`, { name: "a\u0000b\ud800c" });
    expect(result.errors?.[0]).toMatchObject({ message: "createClient.input.name must be Unicode text without NUL characters", extensions: { code: "BAD_USER_INPUT" } });
    const [entry] = await latest();
    expect(entry).toMatchObject({ operation: "createClient", errorCode: "BAD_USER_INPUT" });
    expect(JSON.parse(entry.input)).toEqual({ input: { name: "a\ufffdb\ufffdc" } });
  });

  it("truncates a large input to about 2 KB", async () => {
    const result = await api.gql(`mutation($ids: [ID!]!) { createPortfolio(input: { clientId: "00000000-0000-4000-8000-000000000000", name: "big", accountIds: $ids }) { id } }`, {
      ids: Array.from({ length: 200 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`),
    });
    expect(result.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    const [entry] = await latest();
    const stored = JSON.parse(entry.input);
    expect(Object.keys(stored)).toEqual(["truncated"]);
    expect(stored.truncated).toHaveLength(2048);
    expect(stored.truncated.startsWith(`{"input":{"clientId":"00000000-0000-4000-8000-000000000000","name":"big","accountIds":[`)).toBe(true);
  });

  it("pages newest first with cursors", async () => {
    const first = (await api.ok(AUDIT, { first: 2 })).auditLog;
    const second = (await api.ok(AUDIT, { first: 2, after: first.pageInfo.endCursor })).auditLog;
    const ids = [...first.edges, ...second.edges].map((e: { node: Entry }) => Number(e.node.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(4);
    expect(first.pageInfo.hasNextPage).toBe(true);
  });

  it("is readable by ADMIN only", async () => {
    expect((await api.gql(AUDIT, { first: 1 }, risk.secret)).errors?.[0].extensions?.code).toBe("FORBIDDEN");
  });

  it("is append-only in the database", async () => {
    await expect(api.server.services.db.sql.query(`UPDATE "AuditLog" SET "operation" = 'x'`)).rejects.toThrow(/append-only/);
    await expect(api.server.services.db.sql.query(`DELETE FROM "AuditLog"`)).rejects.toThrow(/append-only/);
  });
});
