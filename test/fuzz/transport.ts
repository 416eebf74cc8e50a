import type { FuzzOperation } from "./operations.js";
import { toJson, type Gen } from "./values.js";

export interface HttpRequest {
  kind: "http";
  name: string;
  method: string;
  /** Path and query string under the server's origin. */
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  operation?: FuzzOperation;
}

export interface WsRequest {
  kind: "ws";
  name: string;
  protocol: string | null;
  frames: (string | Buffer)[];
  /** A GraphQL operation sent as subscription "1": the session ends when its result does. */
  operation?: FuzzOperation;
}

export type FuzzRequest = HttpRequest | WsRequest;

export interface Tokens {
  admin: string;
  risk: string;
  client: string;
}

/** Who sends it: mostly ADMIN (to reach the deepest code), sometimes other roles or broken credentials. */
export function authorization(g: Gen, tokens: Tokens): Record<string, string> {
  const value = g.rng.weighted<string | null>([
    [12, `Bearer ${tokens.admin}`],
    [3, `Bearer ${tokens.risk}`],
    [3, `Bearer ${tokens.client}`],
    [1, null],
    [1, g.rng.pick(["Bearer", "Bearer ", "Basic YWRtaW46YWRtaW4=", `Bearer ${tokens.admin}x`, `bearer  ${tokens.risk}`, `Bearer rk_0123456789abcdef_${"A".repeat(43)}`, `Bearer ${"x".repeat(8000)}`])],
  ]);
  return value === null ? {} : { authorization: value };
}

/** A GraphQL operation as a normal JSON POST. */
export function graphqlPost(g: Gen, tokens: Tokens, operation: FuzzOperation): HttpRequest {
  const body: Record<string, unknown> = { query: operation.query };
  if (operation.variables !== undefined) body.variables = operation.variables;
  if (operation.operationName !== undefined) body.operationName = operation.operationName;
  return { kind: "http", name: operation.name, method: "POST", path: "/graphql", headers: { "content-type": "application/json", ...authorization(g, tokens) }, body: toJson(body), operation };
}

/** A GraphQL operation over WebSocket, variables and all: connection_init with a key, then one subscribe. */
export function graphqlWs(g: Gen, tokens: Tokens, operation: FuzzOperation): WsRequest {
  const payload: Record<string, unknown> = { query: operation.query };
  if (operation.variables !== undefined) payload.variables = operation.variables;
  if (operation.operationName !== undefined) payload.operationName = operation.operationName;
  const init = toJson({ type: "connection_init", payload: authorization(g, tokens) });
  return { kind: "ws", name: `${operation.name} (ws)`, protocol: "graphql-transport-ws", frames: [init, toJson({ id: "1", type: "subscribe", payload })], operation };
}

const SMALL = JSON.stringify({ query: "{ __typename }" });

/** Requests that break HTTP and JSON rather than GraphQL. */
export function junkHttp(g: Gen, tokens: Tokens, maxBodyBytes: number): HttpRequest {
  const auth = { authorization: `Bearer ${tokens.admin}` };
  const post = (name: string, body: string | Buffer, contentType = "application/json"): HttpRequest => ({
    kind: "http", name, method: "POST", path: "/graphql", headers: { "content-type": contentType, ...auth }, body,
  });
  return g.rng.pick<() => HttpRequest>([
    () => post("truncated JSON", SMALL.slice(0, g.rng.int(1, SMALL.length - 1))),
    () => post("JSON-ish", g.rng.pick(["{\"query\": }", "NaN", "{'query': '{ __typename }'}", "{\"query\": \"{ __typename }\",}", "", "null", "[]", "\"{ __typename }\"", "{\"query\": \"\\ud800\"}"])),
    () => post("invalid UTF-8", Buffer.concat([Buffer.from("{\"query\": \"{ __typename } "), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from("\"}")])),
    () => post("BOM", `\ufeff${SMALL}`),
    () => post("oversized", JSON.stringify({ query: "{ __typename }", variables: { pad: "x".repeat(maxBodyBytes + g.rng.int(1, 100_000)) } })),
    () => post("deeply nested JSON", `{"query": "{ __typename }", "variables": {"x": ${"[".repeat(g.rng.pick([1000, 100_000]))}${"]".repeat(g.rng.pick([1000, 100_000]))}}}`),
    () => post("wrong content type", SMALL, g.rng.pick(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/graphql", "application/json; charset=latin1", ""])),
    () => post("batch", JSON.stringify(Array.from({ length: g.rng.int(2, 50) }, () => ({ query: "{ __typename }" })))),
    () => post("query not a string", toJson({ query: g.any() })),
    () => post("no query", JSON.stringify({ variables: {} })),
    () => post("persisted query", JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: g.text(64) } } })),
    () => ({ kind: "http", name: "GET query", method: "GET", path: `/graphql?query=${encodeURIComponent(g.rng.pick(["{ __typename }", "mutation { createClient(input: {name: \"x\"}) { id } }", "{"]))}`, headers: { ...auth, "apollo-require-preflight": "1" } }),
    () => ({ kind: "http", name: "GET without preflight", method: "GET", path: "/graphql?query=%7B__typename%7D", headers: auth }),
    () => ({ kind: "http", name: "other method", method: g.rng.pick(["PUT", "DELETE", "PATCH"]), path: "/graphql", headers: { "content-type": "application/json", ...auth }, body: SMALL }),
  ])();
}

/** A WebSocket session of hostile frames. */
export function junkWs(g: Gen, tokens: Tokens): WsRequest {
  const init = JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${g.rng.pick([tokens.admin, tokens.client, "nope"])}` } });
  const subscribe = (query: string, id: unknown = "1") => JSON.stringify({ id, type: "subscribe", payload: { query } });
  const frames = g.rng.pick<() => (string | Buffer)[]>([
    () => [Buffer.from(g.rng.string(g.rng.int(1, 200), "\u0000\u00ff{}[]\"abc"), "latin1")],
    () => [g.text(100)],
    () => [init, g.rng.pick(["{}", "[]", "null", "42", "{\"type\": 5}", "{\"type\": \"nope\"}", "{\"type\": \"subscribe\"}"])],
    () => [subscribe("{ __typename }")],
    () => [init, init],
    () => [JSON.stringify({ type: "connection_init", payload: g.rng.pick(["str", 5, [1], null]) }), subscribe("{ __typename }")],
    () => [init, subscribe("{ __typename }", g.rng.pick([5, null, "", { a: 1 }, "x".repeat(10_000)]))],
    () => [init, JSON.stringify({ id: "1", type: "subscribe", payload: { query: g.rng.pick([5, null, ["x"]]) } })],
    () => [init, subscribe(g.rng.pick(["{", "{ nope }", `{ ${"a: __typename ".repeat(100)} }`, `{ ${"account(id: \"x\") { portfolio { accounts { ".repeat(8)} id ${"} } }".repeat(8)} }`]))],
    () => [init, subscribe("subscription { marginCalls { sequence } }"), JSON.stringify({ id: "1", type: "complete" }), JSON.stringify({ id: "9", type: "complete" })],
    () => [init, JSON.stringify({ type: "ping", payload: g.any() }), JSON.stringify({ type: "pong" })],
    () => [init, "x".repeat(300_000)],
  ])();
  return { kind: "ws", name: "websocket", protocol: g.rng.chance(0.9) ? "graphql-transport-ws" : g.rng.pick([null, "graphql-ws", "nope"]), frames };
}
