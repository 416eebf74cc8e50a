import { join } from "node:path";
import type { Express, Request, Response } from "express";
import type { Logger } from "pino";
import type { Config } from "../config.js";
import { ensurePageBundle, type PageBundle } from "./pageBundle.js";

/** Files the pages load, all from the server's own bundle. */
const ASSETS = new Set(["graphiql.js", "graphiql.css", "graphiql-page.css", "desk.js", "desk.css"]);
const CONTENT_TYPES: Record<string, string> = { js: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8" };

/** The pages may load and connect to this server only; the key form posts nowhere. */
function contentSecurityPolicy(req: Request): string {
  const host = req.headers.host ?? "";
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ws://${host} wss://${host}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

function page(title: string, bundle: PageBundle, name: "graphiql" | "desk", rootId: string): string {
  const asset = (file: string) => `/assets/${bundle.stamp}/${file}`;
  const styles = name === "graphiql" ? ["graphiql.css", "graphiql-page.css"] : ["desk.css"];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
${styles.map((s) => `<link rel="stylesheet" href="${asset(s)}">`).join("\n")}
</head>
<body>
<div id="${rootId}"></div>
<script type="module" src="${asset(`${name}.js`)}"></script>
</body>
</html>
`;
}

/** A browser navigating to the URL, not a GraphQL client (which asks for JSON or sends a query). */
function wantsHtml(req: Request): boolean {
  return req.accepts(["application/json", "text/html"]) === "text/html" && req.query.query === undefined;
}

/**
 * GraphiQL on GET /graphql (browsers only; POST, WebSocket and GET queries go on to the
 * API) and the risk desk on GET /desk, both from the bundle built by the project's own
 * esbuild (see pageBundle.ts), served with a policy that keeps every request on this
 * server. Each is off unless enabled (on by default outside production).
 */
export function mountPages(app: Express, config: Pick<Config, "graphiql" | "desk">, logger: Logger): void {
  if (!config.graphiql && !config.desk) return;
  const bundle = ensurePageBundle();
  bundle.then(
    ({ dir }) => logger.debug({ dir }, "pages bundled"),
    (error: unknown) => logger.error({ err: error }, "pages could not be bundled"),
  );
  const send = async (res: Response, req: Request, render: (b: PageBundle) => string) => {
    let built: PageBundle;
    try {
      built = await bundle;
    } catch {
      res.status(503).type("text/plain").send("pages unavailable: the bundle could not be built (see the server log)");
      return;
    }
    res.set({ "content-security-policy": contentSecurityPolicy(req), "cache-control": "no-store", "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" });
    res.type("html").send(render(built));
  };

  app.get("/assets/:stamp/:file", async (req, res) => {
    const { stamp, file } = req.params;
    let built: PageBundle;
    try {
      built = await bundle;
    } catch {
      res.status(503).end();
      return;
    }
    if (stamp !== built.stamp || !ASSETS.has(file)) {
      res.status(404).end();
      return;
    }
    res.set({ "content-type": CONTENT_TYPES[file.split(".").pop()!], "cache-control": "public, max-age=31536000, immutable", "x-content-type-options": "nosniff" });
    res.sendFile(join(built.dir, file));
  });
  app.get("/favicon.ico", (_req, res) => {
    res.status(204).end();
  });
  if (config.graphiql) {
    app.get("/graphql", (req, res, next) => {
      if (!wantsHtml(req)) return next();
      void send(res, req, (b) => page("Risk API · GraphiQL", b, "graphiql", "root"));
    });
  }
  if (config.desk) {
    app.get(["/desk", "/desk/"], (req, res) => {
      void send(res, req, (b) => page("Risk desk", b, "desk", "app"));
    });
  }
}
