import { createClient } from "graphql-ws";
import WebSocket from "ws";

export interface WsResult {
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[];
}

/** Runs one query or mutation over graphql-transport-ws and returns its result or its errors. */
export async function wsRequest(httpUrl: string, query: string, token: string, variables?: Record<string, unknown>): Promise<WsResult> {
  const client = createClient({
    url: httpUrl.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  try {
    return await new Promise<WsResult>((resolve, reject) => {
      let result: WsResult = {};
      client.subscribe({ query, variables }, {
        next: (value) => (result = value as WsResult),
        error: (error) => (Array.isArray(error) ? resolve({ errors: error }) : reject(error)),
        complete: () => resolve(result),
      });
    });
  } finally {
    await client.dispose();
  }
}
