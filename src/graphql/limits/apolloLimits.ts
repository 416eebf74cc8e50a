import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, type DocumentNode } from "graphql";
import type { Context } from "../context.js";
import { operationKey } from "../operationKey.js";
import { operationLimitError, type OperationLimits } from "./operationLimits.js";

/**
 * Refuses HTTP operations over the depth, alias or cost limit, after validation and before
 * execution; and subscriptions, which only the WebSocket endpoint can serve.
 */
export function limitsPlugin(limits: OperationLimits): ApolloServerPlugin<Context> {
  // Apollo keeps one parsed document per query text: the verdict is kept with it, per variables.
  const verdicts = new WeakMap<DocumentNode, Map<string, GraphQLError | null>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request, operation }) {
          if (operation?.operation === "subscription") {
            throw new GraphQLError("subscriptions are served over WebSocket (graphql-transport-ws) at this path", {
              extensions: { code: "BAD_REQUEST", http: { status: 400 } },
            });
          }
          let byVariables = verdicts.get(document);
          if (!byVariables) verdicts.set(document, (byVariables = new Map()));
          const key = operationKey([], request);
          let error = key === null ? undefined : byVariables.get(key);
          if (error === undefined) {
            error = operationLimitError(schema, { document, variables: request.variables, operationName: request.operationName }, limits);
            // Bounded: a client varying its variables forever keeps at most this many verdicts per document.
            if (byVariables.size >= 1000) byVariables.clear();
            if (key !== null) byVariables.set(key, error);
          }
          if (error) throw error;
        },
      };
    },
  };
}
