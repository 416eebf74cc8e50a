import type { FuzzOperation } from "./operations.js";
import type { Gen } from "./values.js";

const QUOTE = `optionQuote(input: { optionType: CALL, spot: 100, strike: 100, timeToExpiry: 1, volatility: 0.2 }) { price }`;

/** Documents built to exhaust a server: depth, aliases, fragments, directives, tokens. */
const STRUCTURES: ((g: Gen) => FuzzOperation)[] = [
  (g) => {
    const levels = g.rng.pick([3, 5, 8, 20, 100, 400]);
    return { name: "deep selection", query: `{ account(id: "${g.book.accountIds[0]}") { ${"portfolio { accounts { ".repeat(levels)}id${" } }".repeat(levels)} } }` };
  },
  (g) => {
    const n = g.rng.pick([10, 50, 51, 500, 3000]);
    const field = g.rng.pick([QUOTE, "__typename", `account(id: "${g.rng.pick(g.book.accountIds)}") { equity liquidation { lowerPrice } }`]);
    return { name: "alias bomb", query: `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(" ")} }` };
  },
  () => ({ name: "fragment cycle", query: `query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }` }),
  (g) => {
    // Each fragment spreads the previous one twice: 2^n fields once expanded.
    const n = g.rng.pick([5, 20, 40]);
    const fragments = Array.from({ length: n }, (_, i) => (i === 0 ? `fragment F0 on Query { a: __typename }` : `fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`));
    return { name: "fragment bomb", query: `{ ...F${n - 1} } ${fragments.join(" ")}` };
  },
  (g) => ({ name: "directive bomb", query: `{ __typename ${"@include(if: true) ".repeat(g.rng.pick([2, 100, 2000]))}}` }),
  (g) => ({ name: "token flood", query: `{ ${"__typename ".repeat(g.rng.pick([100, 4000, 6000]))}}` }),
  (g) => ({ name: "deep list literal", query: `{ marketState(underlyings: ${"[".repeat(g.rng.pick([10, 1000]))}"BTC"${"]".repeat(g.rng.pick([10, 1000]))}) { spot } }` }),
  (g) => ({ name: "huge string literal", query: `{ instrument(symbol: "${"x".repeat(g.rng.pick([1000, 100_000]))}") { symbol } }` }),
  () => ({ name: "two operations, no name", query: `query A { __typename } query B { __typename }` }),
  (g) => ({ name: "operationName", query: `query A { __typename } mutation B { createClient(input: { name: "x" }) { id } }`, operationName: g.rng.pick(["C", 5, null, ["A"], "B"]) }),
  () => ({ name: "undefined variable", query: `{ account(id: $nope) { id } }` }),
  (g) => ({ name: "variable of the wrong type", query: `query($x: Int) { account(id: $x) { id } }`, variables: { x: g.any() } }),
  (g) => ({ name: "variables not an object", query: `query($x: ID!) { account(id: $x) { id } }`, variables: g.rng.pick(["x", 5, [1], true]) }),
  () => ({ name: "subscription over HTTP", query: `subscription { marginCalls { sequence } }` }),
  () => ({ name: "introspection", query: `{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } } } }` }),
  (g) => ({ name: "syntax garbage", query: g.rng.pick(["{", "}", "query {", "{ account(id: ) { id } }", "{ a: }", "\u0000", "{ account(id: \"x\") { id ", "mutation", g.text(200)]) }),
  () => ({ name: "unknown field", query: `{ nope { id } account(id: "x") { secret } }` }),
  // Near misses that graphql-js answers with "Did you mean …?" unless production mode hides it.
  (g) => ({ name: "misspelled field", query: g.rng.pick([`{ acount(id: "x") { id } }`, `{ accounts { edges { node { equty } } } }`, `mutation { updateMarkt(input: { underlying: "BTC", spot: 1 }) { spot } }`]) }),
  (g) => ({
    name: "misspelled input field",
    query: `mutation($input: UpdateMarketInput!) { updateMarket(input: $input) { spot } }`,
    variables: { input: { underlying: "BTC", spot: 100_000, [g.rng.pick(["volatilty", "rates", "asof", "spott"])]: 1 } },
  }),
  (g) => ({
    name: "misspelled enum value",
    query: `query($t: OptionType!, $m: MarginModel) { optionQuote(input: { optionType: $t, spot: 1, strike: 1, timeToExpiry: 1, volatility: 0.2 }) { price } accounts(first: 1) { edges { node { margin(model: $m) { initial } } } } }`,
    variables: { t: g.rng.pick(["CAL", "PUTT", "call", "CALL"]), m: g.rng.pick(["STANDRD", "PORTFOLI", null]) },
  }),
  (g) => ({ name: "type introspection", query: `{ t: __type(name: "${g.rng.pick(["Mutation", "Query", "Account", "ApiKey"])}") { name fields { name args { name } } } }` }),
];

export function structureOperation(g: Gen): FuzzOperation {
  return g.rng.pick(STRUCTURES)(g);
}
