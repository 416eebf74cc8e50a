import { SignJWT, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, createClient, leveragedBtcAccount, setMarket } from "../support/books.js";
import { TEST_DB } from "../support/testDatabase.js";
import { startTestServer, type TestServer } from "../support/testServer.js";
import { subscribe } from "../support/wsClient.js";

const SECRET = "portal-signing-secret-0123456789abcdef";
const ACCOUNTS = `{ accounts(first: 50) { totalCount edges { node { id clientId } } } }`;
const FEED = `subscription { marginCalls { sequence accountId level } }`;

function token(claims: JWTPayload, { expiresIn = 300, secret = SECRET } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresIn)
    .sign(new TextEncoder().encode(secret));
}

describe(`portal JWTs on ${TEST_DB}`, () => {
  let api: TestServer;
  let ownerId: string;
  let accountId: string;

  beforeAll(async () => {
    api = await startTestServer({ env: { JWT_SECRET: SECRET } });
    ({ clientId: ownerId, accountId } = await leveragedBtcAccount(api));
    const other = await createClient(api, "Other");
    await createAccount(api, other, "Other main");
  });

  afterAll(async () => {
    await api?.close();
  });

  it("shows a CLIENT token only its own client's accounts", async () => {
    const data = await api.ok<{ accounts: { totalCount: number; edges: { node: { id: string; clientId: string } }[] } }>(
      ACCOUNTS,
      {},
      await token({ role: "CLIENT", clientId: ownerId, sub: "portal-user" }),
    );
    expect(data.accounts.edges.map((e) => e.node.id)).toEqual([accountId]);
    expect(data.accounts.totalCount).toBe(1);
  });

  it("lets a RISK token read every client but not write", async () => {
    const risk = await token({ role: "RISK" });
    const data = await api.ok<{ accounts: { totalCount: number } }>(ACCOUNTS, {}, risk);
    expect(data.accounts.totalCount).toBe(2);
    const write = await api.gql(`mutation { createClient(input: { name: "x" }) { id } }`, {}, risk);
    expect(write.errors?.[0].extensions?.code).toBe("FORBIDDEN");
  });

  it.each([
    ["an expired token", () => token({ role: "CLIENT", clientId: "c" }, { expiresIn: -5 })],
    ["a wrong signature", () => token({ role: "CLIENT", clientId: "c" }, { secret: "someone-else-secret-0123456789abcdef" })],
    ["alg none", async () => {
      const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
      return `${part({ alg: "none" })}.${part({ role: "RISK", exp: Math.floor(Date.now() / 1000) + 300 })}.`;
    }],
    ["no role claim", () => token({ clientId: "c" })],
    ["a CLIENT token without clientId", () => token({ role: "CLIENT" })],
  ])("answers UNAUTHENTICATED to %s", async (_label, make) => {
    const result = await api.gql(ACCOUNTS, {}, await make());
    expect(result.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    expect(result.data ?? null).toBeNull();
  });

  it("keeps a CLIENT token's WebSocket feed to its own client and refuses a bad token", async () => {
    const stranger = await createClient(api, "Stranger");
    const own = subscribe<{ marginCalls: { accountId: string } }>(api.url, FEED, {}, await token({ role: "CLIENT", clientId: ownerId }));
    const other = subscribe(api.url, FEED, {}, await token({ role: "CLIENT", clientId: stranger }));
    const expired = subscribe(api.url, FEED, {}, await token({ role: "CLIENT", clientId: ownerId }, { expiresIn: -5 }));
    await new Promise((r) => setTimeout(r, 300));
    await setMarket(api, "BTC", 91_100); // HEALTHY → MARGIN_CALL
    await setMarket(api, "BTC", 100_000); // and back
    const events = await own.waitFor(2);
    expect(events.map((e) => e.marginCalls.accountId)).toEqual([accountId, accountId]);
    await new Promise((r) => setTimeout(r, 300));
    expect(other.events).toEqual([]);
    expect(expired.events).toEqual([]);
    expect(expired.errors.length).toBeGreaterThan(0);
    await Promise.all([own.close(), other.close(), expired.close()]);
  });
});
