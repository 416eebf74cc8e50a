import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type SelectionSetNode } from "graphql";
// Its ESM build imports graphql/index.mjs: a second graphql realm beside the CommonJS one
// type-graphql and Apollo use. The CommonJS build shares theirs.
import { getComplexity } from "graphql-query-complexity/cjs";
import type { Config } from "../../config.js";
import { riskCostEstimator } from "./queryCost.js";

export type OperationLimits = Pick<Config, "maxQueryDepth" | "maxAliases" | "maxQueryCost">;

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
 * once). Introspection fields (`__schema`, `__type`) do not count towards depth.
 */
function measure(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, memo: Map<string, Shape>): Shape {
  let depth = 0;
  let aliases = 0;
  for (const selection of set.selections) {
    let inner: Shape = { depth: 0, aliases: 0 };
    let own = 0;
    if (selection.kind === Kind.FIELD) {
      if (selection.alias) aliases += 1;
      if (selection.selectionSet && !selection.name.value.startsWith("__")) inner = measure(selection.selectionSet, fragments, memo);
      own = 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      inner = measure(selection.selectionSet, fragments, memo);
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!memo.has(name) && fragment) {
        // Placeholder first: a fragment cycle (invalid anyway) ends here instead of recursing.
        memo.set(name, { depth: 0, aliases: 0 });
        memo.set(name, measure(fragment.selectionSet, fragments, memo));
      }
      inner = memo.get(name) ?? inner;
    }
    depth = Math.max(depth, own + inner.depth);
    aliases += inner.aliases;
  }
  return { depth, aliases };
}

function cost(schema: GraphQLSchema, operation: Operation): number | null {
  try {
    return getComplexity({
      schema,
      query: operation.document,
      variables: operation.variables ?? undefined,
      operationName: operation.operationName ?? undefined,
      estimators: [riskCostEstimator],
    });
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    // Too many nodes to even estimate is over any budget.
    if (/maximum allowed number of nodes/.test(error.message)) return Number.POSITIVE_INFINITY;
    // Bad variables: execution reports them with its own coded error, and runs nothing.
    return null;
  }
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
  const estimated = cost(schema, operation);
  if (estimated !== null && estimated > limits.maxQueryCost) {
    return limitError(`query cost (${Number.isFinite(estimated) ? estimated : "unbounded"}) exceeds the limit of ${limits.maxQueryCost}`);
  }
  return null;
}
