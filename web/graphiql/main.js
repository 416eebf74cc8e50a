// GraphiQL served by the risk API itself: bundled from npm at build time, no CDN.
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/style.css";
import { parse } from "graphql";
import { createClient } from "graphql-ws";
import { createElement } from "react";
import { createRoot } from "react-dom/client";
import { askForKey, storeKey } from "../key.ts";

const httpUrl = new URL("/graphql", location.href).toString();
const wsUrl = httpUrl.replace(/^http/, "ws");

const DEFAULT_QUERY = `# Riskiest accounts first. Subscriptions (marginCalls) run over the same endpoint.
{
  accounts(first: 10, orderBy: MARGIN_RATIO_DESC) {
    totalCount
    edges { node { name marginMode equity margin { ratio level } } }
  }
}
`;

/** One fetcher per Authorization value, so the headers editor also re-keys the WebSocket. */
const fetchers = new Map();
function fetcherFor(authorization) {
  let fetcher = fetchers.get(authorization);
  if (!fetcher) {
    const wsClient = createClient({ url: wsUrl, lazy: true, connectionParams: { authorization } });
    fetcher = createGraphiQLFetcher({ url: httpUrl, headers: { authorization }, wsClient });
    fetchers.set(authorization, fetcher);
  }
  return fetcher;
}

function authorizationOf(headers, key) {
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === "authorization" && typeof value === "string" && value.trim()) return value.trim();
  }
  return `Bearer ${key}`;
}

const root = document.getElementById("root");
const key = await askForKey(root, "Risk API · GraphiQL");
const headers = JSON.stringify({ authorization: `Bearer ${key}` }, null, 2);

createRoot(root).render(
  createElement(GraphiQL, {
    fetcher: (params, options) => {
      const authorization = authorizationOf(options?.headers, key);
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (match) storeKey(match[1]);
      // The document as sent (GraphiQL's own AST can lag the editor by a keystroke):
      // it decides whether the operation goes over the WebSocket.
      let documentAST = options?.documentAST;
      try {
        documentAST = parse(params.query);
      } catch {
        // invalid text: the server answers with the syntax error
      }
      return fetcherFor(authorization)(params, { ...options, documentAST });
    },
    defaultQuery: DEFAULT_QUERY,
    headers,
    defaultHeaders: headers,
    defaultEditorToolsVisibility: "headers",
    shouldPersistHeaders: false,
    // Tabs, history and settings live with the tab too, like the key.
    storage: sessionStorage,
  }),
);
