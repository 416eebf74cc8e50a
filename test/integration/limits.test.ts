import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createApiKey } from "../support/apiKeys.js";
import { createAccount, createClient, deposit, setMarket } from "../support/books.js";
import { TEST_DB } from "../support/testDatabase.js";
import { ADMIN_TOKEN, startTestServer, type TestServer } from "../support/testServer.js";
import { wsRequest } from "../support/wsRequest.js";

/** Small limits so the tests stay quick; the defaults are checked in test/unit/graphql/operationLimits.test.ts. */
const ENV = {
  RATE_LIMIT_BURST: "5",
  RATE_LIMIT_PER_SECOND: "1",
  WS_CONNECTION_INIT_TIMEOUT_MS: "300",
  MAX_BODY_BYTES: "65536",
};

const QUOTE = `optionQuote(input: { optionType: CALL, spot: 100, strike: 100, timeToExpiry: 1, volatility: 0.2 }) { price delta }`;
const aliased = (n: number, field: string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(" ")} }`;
const deep = (levels: number) => `{ accounts { edges { node { ${"portfolio { accounts { ".repeat(levels)}id${" } }".repeat(levels)} } } } }`;

describe(`limits on ${TEST_DB}`, () => {
  let api: TestServer;
  let clientId: string;
  let accountId: string;
  let clientKey: string;
  let riskKey: string;

  /** POSTs raw bytes to /graphql and returns status, headers and the parsed body (fails if it is not JSON). */
  async function post(body: string, headers: Record<string, string> = {}) {
    const response = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}`, ...headers },
      body,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] } };
  }

  beforeAll(async () => {
    api = await startTestServer({ env: ENV });
    await setMarket(api, "BTC", 100_000);
    clientId = await createClient(api, "Limited");
    accountId = await createAccount(api, clientId, "main");
    await deposit(api, accountId, "USDC", 1000);
    clientKey = (await createApiKey(api, "CLIENT", clientId)).secret;
    riskKey = (await createApiKey(api, "RISK")).secret;
  });

  afterAll(async () => {
    await api?.close();
  });

  describe("per operation, over HTTP and WebSocket alike", () => {
    const refused: [string, string, RegExp][] = [
      ["51 aliases", aliased(51, QUOTE), /51 aliases; the limit is 50/],
      ["a selection 12 deep", deep(4), /query depth \(12\) exceeds the limit of 10/],
      ["a cost over budget", `{ accounts(first: 500) { edges { node { valueAtRisk { value } } } } }`, /query cost \(\d+\) exceeds the limit of 20000/],
      ["300 aliases inside __schema", `{ __schema { ${Array.from({ length: 300 }, (_, i) => `t${i}: types { name fields { name } }`).join(" ")} } }`, /300 aliases; the limit is 50/],
    ];
    it.each(refused)("refuses %s with BAD_USER_INPUT over HTTP", async (_name, query, message) => {
      const result = await api.gql(query);
      expect(result.status).toBe(400);
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors?.[0].message).toMatch(message);
    });
    it.each(refused)("refuses %s with BAD_USER_INPUT over WebSocket", async (_name, query, message) => {
      const result = await wsRequest(api.url, query, ADMIN_TOKEN);
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors?.[0].message).toMatch(message);
    });

    it("allows a batch of 10 aliased account reads with risk fields, over HTTP and WebSocket", async () => {
      const query = aliased(10, `account(id: "${accountId}") { id equity margin { initial level } greeks { delta } liquidation { lowerPrice } valueAtRisk(lookbackDays: 30) { value } }`);
      const http = await api.ok(query, {}, clientKey);
      expect(Object.keys(http)).toHaveLength(10);
      const ws = await wsRequest(api.url, aliased(10, QUOTE), riskKey);
      expect(ws.errors).toBeUndefined();
      expect(Object.keys(ws.data!)).toHaveLength(10);
    });

    it("refuses a page over 500", async () => {
      const result = await api.gql(`{ accounts(first: 501) { totalCount } }`);
      expect(result.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
      expect(result.errors?.[0].message).toMatch(/first \(501\) must be an integer between 0 and 500/);
    });

    it("refuses a document of more than 5000 tokens before validating it", async () => {
      const result = await api.gql(`{ ${"a ".repeat(6000)} }`);
      expect(result.errors?.[0].extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
      expect(result.errors?.[0].message).toMatch(/5000 tokens/);
      const ws = await wsRequest(api.url, `{ ${"a ".repeat(6000)} }`, ADMIN_TOKEN);
      expect(ws.errors?.[0].extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
    });

    it("gives WebSocket syntax and validation errors the codes HTTP gives them", async () => {
      expect((await wsRequest(api.url, `{ account(`, ADMIN_TOKEN)).errors?.[0].extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
      expect((await wsRequest(api.url, `{ nope }`, ADMIN_TOKEN)).errors?.[0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    });
  });

  describe("HTTP requests", () => {
    it("answers an oversized body with JSON and a code, not an HTML page", async () => {
      const result = await post(JSON.stringify({ query: `{ __typename }`, variables: { pad: "x".repeat(70_000) } }));
      expect(result.status).toBe(413);
      expect(result.body.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    });

    it("answers malformed JSON with JSON and a code", async () => {
      const result = await post(`{"query": "{ __typename }",`);
      expect(result.status).toBe(400);
      expect(result.body.errors?.[0].extensions?.code).toBe("BAD_REQUEST");
    });

    it("does not batch: an array of operations is refused", async () => {
      const result = await post(JSON.stringify([{ query: `{ __typename }` }, { query: `{ __typename }` }]));
      expect(result.status).toBe(400);
      expect(result.body.errors?.[0].extensions?.code).toBe("BAD_REQUEST");
    });
  });

  describe("rate limit (burst 5, 1 per second here)", () => {
    it("limits a CLIENT key with 429, RATE_LIMITED and Retry-After", async () => {
      const clientKey = (await createApiKey(api, "CLIENT", clientId)).secret;
      const statuses: number[] = [];
      let limited: Awaited<ReturnType<typeof post>> | undefined;
      for (let i = 0; i < 7; i++) {
        const result = await post(JSON.stringify({ query: `{ __typename }` }), { authorization: `Bearer ${clientKey}` });
        statuses.push(result.status);
        if (result.status === 429) limited = result;
      }
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.at(-1)).toBe(429);
      expect(limited?.body.errors?.[0].extensions).toMatchObject({ code: "RATE_LIMITED", retryAfterSeconds: 1 });
      expect(limited?.headers.get("retry-after")).toBe("1");
      // The same bucket serves WebSocket operations.
      expect((await wsRequest(api.url, `{ __typename }`, clientKey)).errors?.[0].extensions?.code).toBe("RATE_LIMITED");
    });

    it("does not limit RISK and ADMIN keys", async () => {
      for (let i = 0; i < 15; i++) {
        expect((await post(JSON.stringify({ query: `{ __typename }` }), { authorization: `Bearer ${riskKey}` })).status).toBe(200);
      }
    });
  });

  describe("WebSocket connections", () => {
    function openRaw(): Promise<{ socket: WebSocket; closed: Promise<number> }> {
      const socket = new WebSocket(api.url.replace(/^http/, "ws"), "graphql-transport-ws");
      const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
      return new Promise((resolve, reject) => {
        socket.once("open", () => resolve({ socket, closed }));
        socket.once("error", reject);
      });
    }

    it("closes a connection that sends no connection_init in time (4408)", async () => {
      const { closed } = await openRaw();
      const started = Date.now();
      expect(await closed).toBe(4408);
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it("closes a connection that sends a message over the size limit (1009)", async () => {
      const { socket, closed } = await openRaw();
      socket.on("error", () => undefined);
      socket.send(JSON.stringify({ type: "connection_init", payload: { pad: "x".repeat(70_000) } }));
      expect(await closed).toBe(1009);
    });

    it("refuses a connection without a valid key (4403)", async () => {
      const { socket, closed } = await openRaw();
      socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: "Bearer nope" } }));
      expect(await closed).toBe(4403);
    });
  });
});

describe(`production mode on ${TEST_DB}`, () => {
  let api: TestServer;
  let clientKey: string;

  beforeAll(async () => {
    api = await startTestServer({ env: { NODE_ENV: "production", LOG_LEVEL: "silent" } });
    clientKey = (await createApiKey(api, "CLIENT", await createClient(api, "Production"))).secret;
  });

  afterAll(async () => {
    await api?.close();
  });

  it("refuses introspection", async () => {
    const result = await api.gql(`{ __schema { types { name } } }`);
    expect(result.errors?.[0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(result.data).toBeUndefined();
  });

  it("serves no landing page", async () => {
    const response = await fetch(api.url, { headers: { accept: "text/html" } });
    expect(await response.text()).not.toMatch(/<html/i);
  });

  it("does not suggest field names in validation errors", async () => {
    const result = await api.gql(`{ acount(id: "x") { id } }`);
    expect(result.errors?.[0].message).not.toMatch(/Did you mean/);
  });

  it("refuses introspection over WebSocket too, to a CLIENT key", async () => {
    for (const query of [`{ __schema { types { name } } }`, `{ __type(name: "Mutation") { fields { name } } }`]) {
      const result = await wsRequest(api.url, query, clientKey);
      expect(result.errors?.length, query).toBeGreaterThan(0);
      for (const error of result.errors ?? []) expect(error.extensions?.code, query).toBe("GRAPHQL_VALIDATION_FAILED");
      expect(result.data, query).toBeUndefined();
    }
  });

  it("does not suggest field names over WebSocket", async () => {
    const result = await wsRequest(api.url, `{ acount(id: "x") { id } }`, clientKey);
    expect(result.errors?.[0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(JSON.stringify(result)).not.toMatch(/Did you mean/);
  });

  it("does not suggest names in variable coercion errors, over HTTP and WebSocket", async () => {
    const market = `mutation($input: UpdateMarketInput!) { updateMarket(input: $input) { spot } }`;
    const quote = `query($t: OptionType!) { optionQuote(input: { optionType: $t, spot: 1, strike: 1, timeToExpiry: 1, volatility: 0.2 }) { price } }`;
    const cases: [string, Record<string, unknown>][] = [
      [market, { input: { underlying: "BTC", spot: 1, volatilty: 0.5 } }],
      [quote, { t: "CAL" }],
    ];
    for (const [query, variables] of cases) {
      for (const result of [await api.gql(query, variables, clientKey), await wsRequest(api.url, query, clientKey, variables)]) {
        expect(result.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
        expect(JSON.stringify(result)).not.toMatch(/Did you mean|volatility"|"CALL"/);
      }
    }
  });
});
