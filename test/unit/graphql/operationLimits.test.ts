import "reflect-metadata";
import { getIntrospectionQuery, parse, print, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config.js";
import { operationLimitError } from "../../../src/graphql/limits/operationLimits.js";
import { getSchema } from "../../../src/graphql/schema.js";

const limits = loadConfig({});
const ACCOUNT_FIELDS = `id name balances { asset amount } positions { quantity instrument { symbol } }
  equity margin { initial maintenance ratio level } greeks { underlying delta gamma vega theta }
  liquidation { underlying lowerPrice upperPrice distance } valueAtRisk { value expectedShortfall }`;
const QUOTE = `optionQuote(input: { optionType: CALL, spot: 100, strike: 100, timeToExpiry: 1, volatility: 0.2 }) { price delta gamma vega theta rho }`;
const aliased = (n: number, field: string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(" ")} }`;

describe("operation limits (defaults: depth 10, 50 aliases, cost 20 000)", () => {
  let schema: GraphQLSchema;
  const check = (query: string, variables?: Record<string, unknown>) =>
    operationLimitError(schema, { document: parse(query), variables }, limits)?.message ?? null;

  beforeAll(async () => {
    schema = await getSchema();
  });

  it("allows a batch of 10 aliased account reads with every risk field", () => {
    expect(check(aliased(10, `account(id: "x") { ${ACCOUNT_FIELDS} }`))).toBeNull();
  });

  it("allows a batch of 50 aliased option quotes, refuses 51 aliases", () => {
    expect(check(aliased(50, QUOTE))).toBeNull();
    expect(check(aliased(51, QUOTE))).toMatch(/51 aliases; the limit is 50/);
  });

  it("counts aliases inside fragments once per use", () => {
    const fragment = `fragment Q on Query { ${Array.from({ length: 10 }, (_, i) => `q${i}: ${QUOTE}`).join(" ")} }`;
    expect(check(`{ ...Q ... on Query { ...Q } } ${fragment}`)).toBeNull();
    expect(check(`{ ...Q a: __typename ... on Query { ...Q ... on Query { ...Q ...Q ...Q ...Q } } } ${fragment}`)).toMatch(/61 aliases/);
  });

  it("allows a risk desk page of 500 accounts with equity and margin", () => {
    expect(check(`{ accounts(first: 500, orderBy: MARGIN_RATIO_DESC) { edges { node { id name equity margin { ratio level } } } totalCount } }`)).toBeNull();
  });

  it("refuses 500 accounts with VaR each, also when first comes in a variable", () => {
    const query = `query($n: Int) { accounts(first: $n) { edges { node { id valueAtRisk { value } } } } }`;
    expect(check(query, { n: 500 })).toMatch(/query cost \(\d+\) exceeds the limit of 20000/);
    expect(check(query, { n: 20 })).toBeNull();
  });

  it("refuses a selection deeper than 10", () => {
    const nested = (levels: number) => `{ account(id: "x") { ${"portfolio { accounts { ".repeat(levels)}id${" } }".repeat(levels)} } }`;
    expect(check(nested(4))).toBeNull(); // depth 10
    expect(check(nested(5))).toMatch(/query depth \(12\) exceeds the limit of 10/);
  });

  it("measures depth through fragments", () => {
    const query = `{ account(id: "x") { ...A } } fragment A on Account { portfolio { accounts { portfolio { accounts { portfolio { accounts { portfolio { accounts { portfolio { id } } } } } } } } } }`;
    expect(check(query)).toMatch(/query depth \(11\)/);
  });

  it("lets the standard introspection query through (introspection itself is switched off in production)", () => {
    expect(check(getIntrospectionQuery())).toBeNull();
  });

  it("counts aliases inside introspection fields", () => {
    const types = Array.from({ length: 300 }, (_, i) => `t${i}: types { name fields { name } }`).join(" ");
    expect(check(`{ __schema { ${types} } }`)).toMatch(/300 aliases; the limit is 50/);
  });

  it("counts depth inside introspection fields, except a type reference's ofType chain", () => {
    const nested = `{ __type(name: "Query") { ${"fields { type { ".repeat(6)}name${" } }".repeat(6)} } }`;
    expect(check(nested)).toMatch(/query depth \(14\)/);
    const wrappers = `{ __type(name: "Query") { fields { type { ${"ofType { ".repeat(20)}name${" }".repeat(20)} } } } }`;
    expect(check(wrappers)).toBeNull();
  });

  it("refuses two standard introspection queries in one operation (introspection cost, 60 000)", () => {
    const full = parse(getIntrospectionQuery());
    const selection = print((full.definitions[0] as OperationDefinitionNode).selectionSet).slice(1, -1);
    const fragments = full.definitions.slice(1).map(print).join(" ");
    expect(check(`{ a: ${selection.trim()} b: ${selection.trim()} } ${fragments}`)).toMatch(/introspection cost \(\d+\) exceeds the limit of 60000/);
  });
});
