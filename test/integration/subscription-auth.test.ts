import { createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createApiKey } from "../support/apiKeys.js";
import { createClient as createBookClient, leveragedBtcAccount, setMarket } from "../support/books.js";
import { TEST_DB } from "../support/testDatabase.js";
import { startTestServer, type TestServer } from "../support/testServer.js";
import { subscribe } from "../support/wsClient.js";

const FEED = `subscription { marginCalls { sequence accountId level } }`;

describe(`margin-call subscriptions and keys on ${TEST_DB}`, () => {
  let api: TestServer;
  let accountId: string;
  let ownerId: string;

  beforeAll(async () => {
    api = await startTestServer({ env: { API_KEY_CACHE_TTL_MS: "1000" } });
    ({ accountId, clientId: ownerId } = await leveragedBtcAccount(api));
  });

  afterAll(async () => {
    await api?.close();
  });

  it("refuses a connection without a valid key", async () => {
    const feed = subscribe(api.url, FEED, {}, "rk_nope_nope");
    await new Promise((r) => setTimeout(r, 500));
    expect(feed.events).toEqual([]);
    expect(feed.errors.length).toBeGreaterThan(0);
    await feed.close();
  });

  it("shows a CLIENT key only its own client's margin calls", async () => {
    const own = await createApiKey(api, "CLIENT", ownerId);
    const stranger = await createApiKey(api, "CLIENT", await createBookClient(api, "Stranger"));
    const ownFeed = subscribe<{ marginCalls: { accountId: string } }>(api.url, FEED, {}, own.secret);
    const strangerFeed = subscribe(api.url, FEED, {}, stranger.secret);
    await new Promise((r) => setTimeout(r, 300));
    await setMarket(api, "BTC", 91_100); // the owner's account: HEALTHY → MARGIN_CALL
    await setMarket(api, "BTC", 100_000); // and back
    const events = await ownFeed.waitFor(2);
    expect(events.map((e) => e.marginCalls.accountId)).toEqual([accountId, accountId]);
    await new Promise((r) => setTimeout(r, 300));
    expect(strangerFeed.events).toEqual([]);
    await Promise.all([ownFeed.close(), strangerFeed.close()]);
  });

  it("closes the socket when its key is revoked", async () => {
    const key = await createApiKey(api, "CLIENT", ownerId);
    const closed = new Promise<number>((resolve) => {
      const client = createClient({
        url: api.url.replace(/^http/, "ws"),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${key.secret}` },
        retryAttempts: 0,
        lazy: false,
        on: { closed: (event) => resolve((event as { code: number }).code) },
      });
      client.subscribe({ query: FEED }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    });
    await new Promise((r) => setTimeout(r, 300));
    await api.ok(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: key.id });
    expect(await closed).toBe(4401);
  });
});
