import { getNullableType, isIntrospectionType, isListType, type GraphQLCompositeType, type GraphQLField } from "graphql";
import type { ComplexityEstimator } from "graphql-query-complexity/cjs";
import { DEFAULT_PAGE_SIZE } from "../../domain/book.service.js";

/**
 * Estimated cost of a field before its children: 1 for plain data, more for fields that
 * run the risk engine (revaluation grids, root finding, scenario replays). Calibrated on
 * this machine's engine at about 20 µs of engine time a unit for a 20-position book on
 * three underlyings, so the default operation budget (GRAPHQL_MAX_COST 20 000) is about
 * 0.4 s of engine time; what a field really takes is charged to the key's engine-time
 * budget besides (ENGINE_BUDGET_MS_PER_SECOND).
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

/**
 * Fields whose work grows with an argument: historical VaR fully revalues the book once
 * per day of its window (≈ 0.25 units a day: lookbackDays 1 700 costs 475, so 50 such
 * aliases exceed the operation budget); HISTORICAL_ES margin revalues it under ~1 000
 * joint scenarios × 3 vol branches.
 */
function ownCost(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number {
  if (field.name === "valueAtRisk" && args.method !== "PARAMETRIC") {
    const lookback = typeof args.lookbackDays === "number" ? args.lookbackDays : 365;
    return FIELD_COST.valueAtRisk + Math.ceil(0.25 * Math.max(0, lookback));
  }
  if (field.name === "margin" && args.model === "HISTORICAL_ES") return HISTORICAL_ES_COST;
  return FIELD_COST[field.name] ?? 1;
}

const HISTORICAL_ES_COST = 500;

const fieldCost = (field: GraphQLField<unknown, unknown>, args: Record<string, unknown>, childComplexity: number) =>
  ownCost(field, args) + multiplier(field, args) * childComplexity;

/** Introspection: `__schema` and `__type` (on the root) and the fields of the introspection types below them. */
const isIntrospectionField = (parent: GraphQLCompositeType, field: GraphQLField<unknown, unknown>) =>
  field.name === "__schema" || field.name === "__type" || isIntrospectionType(parent);

/** Cost of the data an operation asks for: own cost + children × list length; introspection is left to {@link introspectionCostEstimator}. */
export const riskCostEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) =>
  field.name.startsWith("__") || isIntrospectionField(type, field) ? 0 : fieldCost(field, args, childComplexity);

/** Cost of the introspection an operation asks for, by the same rule (1 a field, lists × 10); everything else counts 0. */
export const introspectionCostEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) =>
  isIntrospectionField(type, field) ? fieldCost(field, args, childComplexity) : field.name === "__typename" ? 0 : childComplexity;
