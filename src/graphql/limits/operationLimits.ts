import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type SelectionSetNode } from "graphql";
// Its ESM build imports graphql/index.mjs: a second graphql realm beside the CommonJS one
// type-graphql and Apollo use. The CommonJS build shares theirs.
import { getComplexity, type ComplexityEstimator } from "graphql-query-complexity/cjs";
import type { Config } from "../../config.js";
import { introspectionCostEstimator, riskCostEstimator } from "./queryCost.js";

export type OperationLimits = Pick<Config, "maxQueryDepth" | "maxAliases" | "maxQueryCost" | "maxIntrospectionCost">;

export interface Operation {
  document: DocumentNode;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

interface Shape {
  depth: number;
  aliases: number;
}

function limitError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", http: { status: 400 } } });
}

/**
 * Depth and alias count of a selection set, fragments expanded (each fragment measured
 * once). Introspection counts like everything else, except that a type reference's
 * `ofType` adds no depth: it follows the schema's type wrappers one to one and ends in
 * null after a few levels, while `fields { type { fields … } } }` still counts.
 */
function measure(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, memo: Map<string, Shape>, introspection = false): Shape {
  let depth = 0;
  let aliases = 0;
  for (const selection of set.selections) {
    let inner: Shape = { depth: 0, aliases: 0 };
    let own = 0;
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      const inIntrospection = introspection || name === "__schema" || name === "__type";
      if (selection.alias) aliases += 1;
      if (selection.selectionSet) inner = measure(selection.selectionSet, fragments, memo, inIntrospection);
      own = introspection && name === "ofType" ? 0 : 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      inner = measure(selection.selectionSet, fragments, memo, introspection);
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!memo.has(name) && fragment) {
        // Placeholder first: a fragment cycle (invalid anyway) ends here instead of recursing.
        memo.set(name, { depth: 0, aliases: 0 });
        memo.set(name, measure(fragment.selectionSet, fragments, memo, fragment.typeCondition.name.value.startsWith("__")));
      }
      inner = memo.get(name) ?? inner;
    }
    depth = Math.max(depth, own + inner.depth);
    aliases += inner.aliases;
  }
  return { depth, aliases };
}

function cost(schema: GraphQLSchema, operation: Operation, estimator: ComplexityEstimator): number | null {
  try {
    return getComplexity({
      schema,
      query: operation.document,
      variables: operation.variables ?? undefined,
      operationName: operation.operationName ?? undefined,
      estimators: [estimator],
    });
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    // Too many nodes to even estimate is over any budget.
    if (/maximum allowed number of nodes/.test(error.message)) return Number.POSITIVE_INFINITY;
    // Bad variables: execution reports them with its own coded error, and runs nothing.
    return null;
  }
}

function overBudget(what: string, estimated: number | null, limit: number): GraphQLError | null {
  if (estimated === null || estimated <= limit) return null;
  return limitError(`${what} (${Number.isFinite(estimated) ? estimated : "unbounded"}) exceeds the limit of ${limit}`);
}

/**
 * The first limit a (parsed, valid) operation exceeds, as a BAD_USER_INPUT error, or
 * null. The same check runs for HTTP (Apollo plugin) and WebSocket (graphql-ws
 * onSubscribe) operations.
 */
export function operationLimitError(schema: GraphQLSchema, operation: Operation, limits: OperationLimits): GraphQLError | null {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of operation.document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const memo = new Map<string, Shape>();
  for (const definition of operation.document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    if (operation.operationName && definition.name?.value !== operation.operationName) continue;
    const { depth, aliases } = measure(definition.selectionSet, fragments, memo);
    if (depth > limits.maxQueryDepth) return limitError(`query depth (${depth}) exceeds the limit of ${limits.maxQueryDepth}`);
    if (aliases > limits.maxAliases) return limitError(`query uses ${aliases} aliases; the limit is ${limits.maxAliases}`);
  }
  return (
    overBudget("query cost", cost(schema, operation, riskCostEstimator), limits.maxQueryCost) ??
    overBudget("introspection cost", cost(schema, operation, introspectionCostEstimator), limits.maxIntrospectionCost)
  );
}
