import type { Server } from "node:http";
import type { GraphQLError, GraphQLFormattedError, GraphQLSchema } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { Authenticator } from "../auth/authenticate.js";
import type { Config } from "../config.js";
import { UnauthenticatedError } from "../domain/errors.js";
import type { Services } from "../services.js";
import { createContext, type Principal } from "./context.js";
import type { RateLimiter } from "./limits/rateLimiter.js";
import { codeVariableErrors, guardWsOperation } from "./limits/wsLimits.js";

/** graphql-ws close code for a key that was revoked or expired during the connection. */
const CLOSE_KEY_INVALID = 4401;

type ConnectionExtra = {
  principal?: Principal;
  /** Re-checks the connection's key while it stays open. */
  recheck?: NodeJS.Timeout;
};

/**
 * GraphQL over WebSocket (graphql-transport-ws) on `/graphql` of the HTTP server. The
 * bearer key of `connectionParams.authorization` is checked at connection and again
 * every API-key cache period: a revoked or expired key closes the socket (4401). Every
 * operation passes the same limits as HTTP, and results carry the same coded errors.
 */
export function attachWebSocket(
  httpServer: Server,
  options: {
    schema: GraphQLSchema;
    services: Services;
    authenticator: Authenticator;
    rateLimiter: RateLimiter;
    config: Config;
    format: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  },
) {
  const { schema, services, authenticator, rateLimiter, config, format } = options;
  const formatted = (errors: readonly GraphQLError[]) => errors.map((e) => format(e.toJSON(), e) as GraphQLError);
  const wsServer = new WebSocketServer({ server: httpServer, path: "/graphql", maxPayload: config.maxBodyBytes });
  return useServer<Record<string, unknown>, ConnectionExtra>(
    {
      schema,
      connectionInitWaitTimeout: config.wsConnectionInitTimeoutMs,
      onConnect: async (ctx) => {
        const header = ctx.connectionParams?.authorization;
        let principal;
        try {
          principal = await authenticator.authenticate(header);
        } catch {
          return false;
        }
        ctx.extra.principal = principal;
        if (principal.keyId !== null || principal.expiresAtMs !== undefined) {
          ctx.extra.recheck = setInterval(() => {
            authenticator.authenticate(header).catch((error: unknown) => {
              if (error instanceof UnauthenticatedError) ctx.extra.socket.close(CLOSE_KEY_INVALID, "key or token revoked or expired");
            });
          }, Math.max(1000, config.apiKeyCacheTtlMs)).unref();
        }
        return true;
      },
      onClose: (ctx) => clearInterval(ctx.extra.recheck),
      onSubscribe: (ctx, _id, payload) => guardWsOperation(schema, ctx.extra.principal!, payload, config, rateLimiter),
      context: (ctx) => createContext(services, ctx.extra.principal!),
      onError: (_ctx, _id, _payload, errors) => formatted(errors),
      // Results (including a subscription refused at its start) carry coded, masked errors as on HTTP.
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: formatted(codeVariableErrors(result.errors)) } : result),
    },
    wsServer,
  );
}
