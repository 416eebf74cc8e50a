/** What every answer of the API must satisfy, whatever it was sent. */

/** The closed set of codes (DESIGN.md §5 and the parse/validation codes Apollo sets). */
export const KNOWN_CODES = new Set([
  "BAD_USER_INPUT",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "INSUFFICIENT_MARGIN",
  "RATE_LIMITED",
  "SERVICE_UNAVAILABLE",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
]);

/** Traces of internals: stack frames, file paths, Prisma and SQL error text. */
const LEAKS: [string, RegExp][] = [
  ["a stack trace", /\n\s+at |\bat [\w$.<>[\]]+ \(|"stacktrace"|"stack"\s*:/],
  ["a file path", /\.(ts|js|mjs|cjs):\d+|node_modules|\/work\/|file:\/\//],
  ["Prisma's error text", /Invalid `|PrismaClient|prisma\.\w+\.\w+\(/],
  ["database error text", /Raw query failed|Database error\. Code|violates .* constraint|relation "|syntax error at or near|SQLSTATE/i],
];

interface GraphQLBody {
  data?: unknown;
  errors?: { message?: unknown; extensions?: { code?: unknown } }[];
}

/** Problems with one error list: every error needs a message and a known code; internal errors are bugs. */
export function errorProblems(errors: unknown): string[] {
  if (!Array.isArray(errors) || errors.length === 0) return ["errors is not a non-empty array"];
  const problems: string[] = [];
  for (const error of errors as GraphQLBody["errors"] & object[]) {
    const code = error?.extensions?.code;
    if (typeof error?.message !== "string") problems.push("an error without a message");
    if (typeof code !== "string") problems.push(`an error without a code: ${JSON.stringify(error).slice(0, 200)}`);
    else if (!KNOWN_CODES.has(code)) problems.push(`code ${code}: ${String(error.message).slice(0, 200)}`);
  }
  return problems;
}

/**
 * Problems with an HTTP answer from /graphql. A NaN or Infinity in data cannot pass: it is
 * not JSON (the parse fails) and graphql-js refuses to serialize it (INTERNAL_SERVER_ERROR).
 */
export function httpProblems(status: number, text: string): string[] {
  const problems = leakProblems(text);
  let body: GraphQLBody;
  try {
    body = JSON.parse(text) as GraphQLBody;
  } catch {
    return [...problems, `status ${status} with a body that is not JSON: ${text.slice(0, 120)}`];
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) return [...problems, "the body is not a JSON object"];
  if (!("data" in body) && !("errors" in body)) problems.push("neither data nor errors");
  if ("errors" in body) problems.push(...errorProblems(body.errors));
  if (status >= 500 && !(status === 503 && body.errors?.every((e) => e.extensions?.code === "SERVICE_UNAVAILABLE"))) {
    problems.push(`status ${status}`);
  }
  return problems;
}

export function leakProblems(text: string): string[] {
  return LEAKS.filter(([, pattern]) => pattern.test(text)).map(([what]) => `leaks ${what}: ${text.slice(0, 300)}`);
}

/** Close codes a graphql-transport-ws server may end a hostile session with (4500 and 1011 mean it broke). */
export const ACCEPTABLE_CLOSE_CODES = new Set([1000, 1005, 1009, 4400, 4401, 4403, 4406, 4408, 4409, 4429]);

/** Problems with what a WebSocket session received. */
export function wsProblems(messages: string[], closeCode: number | null): string[] {
  const problems: string[] = [];
  for (const text of messages) {
    problems.push(...leakProblems(text));
    let message: { type?: unknown; payload?: unknown };
    try {
      message = JSON.parse(text);
    } catch {
      problems.push(`a message that is not JSON: ${text.slice(0, 120)}`);
      continue;
    }
    if (message.type === "error") problems.push(...errorProblems(message.payload));
    if (message.type === "timeout") problems.push(String(message.payload));
    if (message.type === "next") {
      const errors = (message.payload as GraphQLBody | undefined)?.errors;
      if (errors !== undefined) problems.push(...errorProblems(errors));
    }
  }
  if (closeCode !== null && !ACCEPTABLE_CLOSE_CODES.has(closeCode)) problems.push(`closed with ${closeCode}`);
  return problems;
}

/**
 * Problems of an answer in production mode: a "Did you mean" hint names schema fields and
 * types; an operation with introspection (`__schema`, `__type`) must be refused whole.
 */
export function productionProblems(query: string | undefined, texts: string[]): string[] {
  const problems: string[] = [];
  for (const text of texts) {
    if (/Did you mean/.test(text)) problems.push(`suggests a name in production: ${text.slice(0, 300)}`);
  }
  if (query !== undefined && /__schema|__type\b/.test(query) && texts.some(answeredData)) {
    problems.push(`answers introspection in production: ${texts.join(" ").slice(0, 300)}`);
  }
  return problems;
}

/** True when an HTTP body or a WebSocket `next` message carries data. */
function answeredData(text: string): boolean {
  try {
    const body = JSON.parse(text) as { type?: string; payload?: { data?: unknown }; data?: unknown };
    const data = body.type === "next" ? body.payload?.data : body.data;
    return data !== null && data !== undefined;
  } catch {
    return false;
  }
}
