import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError } from "graphql";
import type { Context } from "../context.js";
import { operationLimitError, type OperationLimits } from "./operationLimits.js";

/**
 * Refuses HTTP operations over the depth, alias or cost limit, after validation and before
 * execution; and subscriptions, which only the WebSocket endpoint can serve.
 */
export function limitsPlugin(limits: OperationLimits): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request, operation }) {
          if (operation?.operation === "subscription") {
            throw new GraphQLError("subscriptions are served over WebSocket (graphql-transport-ws) at this path", {
              extensions: { code: "BAD_REQUEST", http: { status: 400 } },
            });
          }
          const error = operationLimitError(schema, { document, variables: request.variables, operationName: request.operationName }, limits);
          if (error) throw error;
        },
      };
    },
  };
}
