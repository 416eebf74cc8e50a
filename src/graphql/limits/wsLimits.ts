import { GraphQLError, Kind, NoSchemaIntrospectionCustomRule, parse, specifiedRules, validate, type DocumentNode, type ExecutionArgs, type GraphQLSchema } from "graphql";
import type { Config } from "../../config.js";
import type { Principal } from "../context.js";
import { operationLimitError, type OperationLimits } from "./operationLimits.js";
import type { RateLimiter } from "./rateLimiter.js";
import { beforeExecutionError } from "./requestErrors.js";

export interface WsOperation {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

export type WsLimits = OperationLimits & Pick<Config, "maxQueryTokens" | "introspection">;

/** Apollo's rules for HTTP: introspection is refused at validation when it is off. */
const WITHOUT_INTROSPECTION = [...specifiedRules, NoSchemaIntrospectionCustomRule];

/** The codes Apollo gives the same failures over HTTP. */
function coded(errors: readonly GraphQLError[], code: string): GraphQLError[] {
  return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, extensions: { ...e.extensions, code } }));
}

/**
 * Variable coercion errors (a bad enum value, a wrong type, a missing required variable)
 * as BAD_USER_INPUT, as Apollo codes them over HTTP: graphql-js reports them on the
 * variable's definition, without a code, and execution runs nothing.
 */
export function codeVariableErrors(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.map((e) => {
    const onVariable = e.nodes?.length === 1 && e.nodes[0].kind === Kind.VARIABLE_DEFINITION;
    return onVariable && e.extensions?.code == null ? coded([e], "BAD_USER_INPUT")[0] : e;
  });
}

/**
 * graphql-ws `onSubscribe`: the checks an HTTP operation passes through Apollo (rate
 * limit, token limit, validation with introspection refused when it is off, depth, aliases,
 * cost), for a WebSocket operation. Returns
 * the errors to send, or the execution arguments (so graphql-ws does not parse again).
 */
export function guardWsOperation(
  schema: GraphQLSchema,
  principal: Principal,
  operation: WsOperation,
  limits: WsLimits,
  rateLimiter: RateLimiter,
): readonly GraphQLError[] | ExecutionArgs {
  try {
    rateLimiter.take(principal);
  } catch (error) {
    return [beforeExecutionError(error)];
  }
  let document: DocumentNode;
  try {
    document = parse(operation.query, { maxTokens: limits.maxQueryTokens });
  } catch (error) {
    if (error instanceof GraphQLError) return coded([error], "GRAPHQL_PARSE_FAILED");
    throw error;
  }
  const invalid = validate(schema, document, limits.introspection ? specifiedRules : WITHOUT_INTROSPECTION);
  if (invalid.length > 0) return coded(invalid, "GRAPHQL_VALIDATION_FAILED");
  const variableValues = operation.variables ?? undefined;
  const operationName = operation.operationName ?? undefined;
  const overLimit = operationLimitError(schema, { document, variables: variableValues, operationName }, limits);
  return overLimit ? [overLimit] : { schema, document, variableValues, operationName };
}
