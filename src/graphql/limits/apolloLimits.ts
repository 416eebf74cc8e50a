import type { ApolloServerPlugin } from "@apollo/server";
import type { Context } from "../context.js";
import { operationLimitError, type OperationLimits } from "./operationLimits.js";

/** Refuses HTTP operations over the depth, alias or cost limit, after validation and before execution. */
export function limitsPlugin(limits: OperationLimits): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request }) {
          const error = operationLimitError(schema, { document, variables: request.variables, operationName: request.operationName }, limits);
          if (error) throw error;
        },
      };
    },
  };
}
