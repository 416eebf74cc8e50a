import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, CREATE_API_KEY } from "../support/apiKeys.js";
import { createAccount, createClient } from "../support/books.js";
import { TEST_DB } from "../support/testDatabase.js";
import { startTestServer, type TestServer } from "../support/testServer.js";

const WHO_AM_I = `{ accounts(first: 5) { totalCount edges { node { id clientId } } } }`;
const API_KEYS = `query($clientId: ID) { apiKeys(clientId: $clientId) { id prefix role clientId createdAt expiresAt revokedAt lastUsedAt } }`;
const REVOKE = `mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`;

describe(`API keys on ${TEST_DB}`, () => {
  let api: TestServer;
  let clientId: string;
  let accountId: string;

  beforeAll(async () => {
    api = await startTestServer();
    clientId = await createClient(api, "Keyed");
    accountId = await createAccount(api, clientId, "main");
    await createAccount(api, await createClient(api, "Other"), "other");
  });

  afterAll(async () => {
    await api?.close();
  });

  it("issues rk_<prefix>_<secret> once and stores only its SHA-256", async () => {
    const { createApiKey: key } = await api.ok(CREATE_API_KEY, { input: { role: "CLIENT", clientId } });
    expect(key).toMatchObject({ role: "CLIENT", clientId, expiresAt: null });
    expect(key.secret).toMatch(new RegExp(`^rk_${key.prefix}_[A-Za-z0-9_-]{43}$`));
    const rows = await api.server.services.db.sql.query<{ hash: string; prefix: string }>(`SELECT hash, prefix FROM "ApiKey" WHERE id = $1`, [key.id]);
    expect(rows).toEqual([{ hash: createHash("sha256").update(key.secret).digest("hex"), prefix: key.prefix }]);
    const listed = JSON.stringify(await api.ok(API_KEYS, {}));
    expect(listed).toContain(key.prefix);
    expect(listed).not.toContain(key.secret.slice(20));
    expect(listed).not.toContain(rows[0].hash);
  });

  it("authenticates a CLIENT key as its client only", async () => {
    const { secret } = await createApiKey(api, "CLIENT", clientId);
    const { accounts } = await api.ok(WHO_AM_I, {}, secret);
    expect(accounts.totalCount).toBe(1);
    expect(accounts.edges[0].node).toEqual({ id: accountId, clientId });
  });

  it("authenticates a RISK key for reads across clients", async () => {
    const { secret } = await createApiKey(api, "RISK");
    expect((await api.ok(WHO_AM_I, {}, secret)).accounts.totalCount).toBe(2);
  });

  describe("refuses keys that break the role rules", () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["a CLIENT key without a client", { role: "CLIENT" }, "BAD_USER_INPUT"],
      ["a CLIENT key for an unknown client", { role: "CLIENT", clientId: "00000000-0000-4000-8000-000000000000" }, "NOT_FOUND"],
      ["a CLIENT key for a malformed client id", { role: "CLIENT", clientId: "not-a-uuid" }, "NOT_FOUND"],
      ["an ADMIN key with a client", { role: "ADMIN", clientId: "" }, "BAD_USER_INPUT"],
      ["a RISK key with a client", { role: "RISK", clientId: "" }, "BAD_USER_INPUT"],
      ["an expiry in the past", { role: "RISK", expiresAt: "2020-01-01T00:00:00Z" }, "BAD_USER_INPUT"],
      ["an unknown role", { role: "ROOT" }, "BAD_USER_INPUT"],
    ];
    it.each(cases)("%s", async (_name, input, code) => {
      if (input.clientId === "") input.clientId = clientId;
      const result = await api.gql(CREATE_API_KEY, { input });
      expect(result.errors?.[0].extensions?.code, JSON.stringify(result.errors)).toBe(code);
    });
  });

  it("refuses an expired key", async () => {
    const { secret } = await createApiKey(api, "RISK", null, new Date(Date.now() + 1000).toISOString());
    expect((await api.gql(WHO_AM_I, {}, secret)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const result = await api.gql(WHO_AM_I, {}, secret);
    expect(result.status).toBe(401);
    expect(result.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("refuses a revoked key at once on the instance that revoked it; revoking again keeps the first time", async () => {
    const { id, secret } = await createApiKey(api, "CLIENT", clientId);
    expect((await api.gql(WHO_AM_I, {}, secret)).errors).toBeUndefined();
    const first = (await api.ok(REVOKE, { id })).revokeApiKey;
    expect(first.revokedAt).not.toBeNull();
    const result = await api.gql(WHO_AM_I, {}, secret);
    expect(result.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    expect((await api.ok(REVOKE, { id })).revokeApiKey).toEqual(first);
  });

  it("answers NOT_FOUND when revoking an unknown key", async () => {
    for (const id of ["00000000-0000-4000-8000-000000000000", "nope"]) {
      expect((await api.gql(REVOKE, { id })).errors?.[0].extensions?.code).toBe("NOT_FOUND");
    }
  });

  it("refuses a forged secret with a real prefix", async () => {
    const { secret } = await createApiKey(api, "ADMIN");
    const forged = `${secret.slice(0, -4)}${secret.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
    expect((await api.gql(WHO_AM_I, {}, forged)).errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("records lastUsedAt on first use and lists keys per client", async () => {
    const { id, secret } = await createApiKey(api, "CLIENT", clientId);
    await api.ok(WHO_AM_I, {}, secret);
    // The write is not on the request's path: poll briefly.
    let listed: { id: string; clientId: string; lastUsedAt: string | null }[] = [];
    for (let i = 0; i < 20 && !listed.find((k) => k.id === id)?.lastUsedAt; i++) {
      listed = (await api.ok(API_KEYS, { clientId })).apiKeys;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(listed.find((k) => k.id === id)?.lastUsedAt).not.toBeNull();
    expect(listed.every((k) => k.clientId === clientId)).toBe(true);
  });

  it("costs no SQL statement to authenticate a cached key", async () => {
    const { secret } = await createApiKey(api, "RISK");
    const statements = async (token: string) => {
      const before = api.server.services.db.statementCount();
      await api.ok(WHO_AM_I, {}, token);
      return api.server.services.db.statementCount() - before;
    };
    await statements(secret); // first use reads the key (and records its use)
    await new Promise((resolve) => setTimeout(resolve, 50));
    const withKey = await statements(secret);
    const withEnvToken = await statements("test-admin-token-0123456789");
    expect(withKey).toBe(withEnvToken);
  });
});
