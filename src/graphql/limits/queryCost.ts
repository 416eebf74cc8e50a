import { getNullableType, isListType, type GraphQLField } from "graphql";
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

/** Cost = own cost + children × list length; introspection is free (it is off in production). */
export const riskCostEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (field.name.startsWith("__")) return 0;
  return (FIELD_COST[field.name] ?? 1) + multiplier(field, args) * childComplexity;
};
