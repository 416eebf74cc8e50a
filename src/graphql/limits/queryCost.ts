import { getNullableType, isIntrospectionType, isListType, type GraphQLCompositeType, type GraphQLField } from "graphql";
import type { ComplexityEstimator } from "graphql-query-complexity/cjs";
import { DEFAULT_PAGE_SIZE } from "../../domain/book.service.js";

/**
 * Estimated cost of a field before its children: 1 for plain data, more for fields that
 * run the risk engine (revaluation grids, root finding, scenario replays).
 */
export const FIELD_COST: Readonly<Record<string, number>> = {
  equity: 5,
  margin: 5,
  greeks: 10,
  liquidation: 20,
  valueAtRisk: 50,
  whatIf: 50,
  stressTest: 50,
  ratioCurve: 100,
};

/** Assumed length of a list without a `first` argument (an account's balances, positions, Greeks…). */
export const ASSUMED_LIST_LENGTH = 10;

/** How many times a field's children are resolved. */
function multiplier(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number {
  if (field.args.some((a) => a.name === "first")) {
    return typeof args.first === "number" ? Math.max(0, args.first) : DEFAULT_PAGE_SIZE;
  }
  // A connection's edges are as many as its `first`, already counted on the connection field.
  if (field.name === "edges") return 1;
  return isListType(getNullableType(field.type)) ? ASSUMED_LIST_LENGTH : 1;
}

const fieldCost = (field: GraphQLField<unknown, unknown>, args: Record<string, unknown>, childComplexity: number) =>
  (FIELD_COST[field.name] ?? 1) + multiplier(field, args) * childComplexity;

/** Introspection: `__schema` and `__type` (on the root) and the fields of the introspection types below them. */
const isIntrospectionField = (parent: GraphQLCompositeType, field: GraphQLField<unknown, unknown>) =>
  field.name === "__schema" || field.name === "__type" || isIntrospectionType(parent);

/** Cost of the data an operation asks for: own cost + children × list length; introspection is left to {@link introspectionCostEstimator}. */
export const riskCostEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) =>
  field.name.startsWith("__") || isIntrospectionField(type, field) ? 0 : fieldCost(field, args, childComplexity);

/** Cost of the introspection an operation asks for, by the same rule (1 a field, lists × 10); everything else counts 0. */
export const introspectionCostEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) =>
  isIntrospectionField(type, field) ? fieldCost(field, args, childComplexity) : field.name === "__typename" ? 0 : childComplexity;
