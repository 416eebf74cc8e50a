import { createHash } from "node:crypto";
import { HeaderMap, type ApolloServerPlugin } from "@apollo/server";
import type { FormattedExecutionResult, OperationDefinitionNode } from "graphql";
import type { ReadModel } from "../domain/readModel.js";
import type { Context } from "./context.js";
import { jsonWeight } from "../domain/riskResultCache.js";
import { operationKey } from "./operationKey.js";

/**
 * Root query fields whose answer is a function of the read model's state, the caller's
 * visibility and the arguments alone (the book, the risk view, results cached by
 * content, pure calculators). Anything read from elsewhere (margin-call events, keys,
 * the audit log) is never answered from this cache.
 */
const CACHEABLE_ROOTS = new Set([
  "account",
  "accounts",
  "portfolio",
  "client",
  "clients",
  "whatIf",
  "stressTest",
  "stressScenarios",
  "optionQuote",
  "impliedVolatility",
  "__typename",
]);

/** Entries kept for the current read-model generation, and their JSON text at most (a desk page is ≈ 60 KiB). */
const CAPACITY = 2000;
const MAX_BYTES = 16 * 2 ** 20;

function cacheable(operation: OperationDefinitionNode): boolean {
  return operation.operation === "query" &&
    operation.selectionSet.selections.every((s) => s.kind === "Field" && CACHEABLE_ROOTS.has(s.name.value));
}

/**
 * Answers a repeated read from the result rendered for the same read-model generation:
 * fifty desks refreshing the riskiest-first page between two ticks cost one execution.
 * The key is the generation (it moves with every change of the book or the view), the
 * caller's visibility (role and client), the document and its variables; only answers
 * without errors are kept, and limits and rate limits have run before it is consulted.
 * Requests that miss while the same read is being rendered wait for that rendering
 * instead of repeating it: after a tick, fifty desks asking at once cost one execution,
 * not fifty back to back on the event loop.
 */
export function readCachePlugin(readModel: ReadModel): ApolloServerPlugin<Context> {
  let generation = -1;
  const entries = new Map<string, { result: FormattedExecutionResult; bytes: number }>();
  let bytes = 0;
  /** Renderings in progress, by key: they resolve with the result, or null when it is not kept. */
  const rendering = new Map<string, Promise<FormattedExecutionResult | null>>();
  const answer = (singleResult: FormattedExecutionResult) => ({ http: { headers: new HeaderMap(), status: undefined }, body: { kind: "single" as const, singleResult } });
  return {
    async requestDidStart() {
      let key: string | null = null;
      let rendered: ((result: FormattedExecutionResult | null) => void) | null = null;
      let mine: Promise<FormattedExecutionResult | null> | null = null;
      return {
        async responseForOperation({ operation, request, contextValue }) {
          if (!operation || !cacheable(operation)) return null;
          if (readModel.generation !== generation) {
            entries.clear();
            bytes = 0;
            rendering.clear();
            generation = readModel.generation;
          }
          const { role, clientId } = contextValue.principal;
          const text = operationKey([role, clientId, request.query], request);
          if (text === null) return null;
          key = createHash("sha1").update(text).digest("base64url");
          const hit = entries.get(key);
          if (hit) return answer(hit.result);
          const inProgress = rendering.get(key);
          if (inProgress) {
            const result = await inProgress;
            if (result) return answer(result);
            return null;
          }
          mine = new Promise((resolve) => (rendered = resolve));
          rendering.set(key, mine);
          return null;
        },
        async willSendResponse({ response }) {
          if (key === null) return;
          const result = response.body.kind === "single" && !response.body.singleResult.errors ? response.body.singleResult : null;
          if (rendered) {
            rendered(result);
            if (rendering.get(key) === mine) rendering.delete(key);
          }
          // Kept for the generation in force when the request asked; a change since moves the generation on.
          if (!result || readModel.generation !== generation || entries.has(key)) return;
          const weight = jsonWeight(result);
          if (weight > MAX_BYTES) return;
          while (entries.size > 0 && (entries.size >= CAPACITY || bytes + weight > MAX_BYTES)) {
            const [oldest, kept] = entries.entries().next().value!;
            entries.delete(oldest);
            bytes -= kept.bytes;
          }
          entries.set(key, { result, bytes: weight });
          bytes += weight;
        },
      };
    },
  };
}
