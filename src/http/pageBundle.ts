import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** Project root: the nearest folder above this file with a package.json (src/http from source, dist/src/http once built). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) || !existsSync(join(dir, "web"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("page sources (web/) not found above src/http");
    dir = parent;
  }
  return dir;
}
const ROOT = projectRoot();
/** Page sources: plain TS + DOM for the desk, GraphiQL's React entry. */
export const WEB_DIR = join(ROOT, "web");
/** Built bundles, one directory per content stamp (never rewritten once built). */
export const PAGES_CACHE_DIR = join(ROOT, "dist", "pages");

/** npm packages bundled into the pages; their installed versions are part of the stamp. */
const BUNDLED_PACKAGES = ["graphiql", "@graphiql/react", "@graphiql/toolkit", "graphql", "graphql-ws", "react", "react-dom", "esbuild"];

export interface PageBundle {
  /** Directory holding graphiql.js, graphiql.css, desk.js, desk.css. */
  dir: string;
  stamp: string;
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? files(path) : [path];
  });
}

function installedVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "missing";
  }
}

/** Digest of the page sources and the bundled packages' versions: a new one means a new bundle. */
export function bundleStamp(): string {
  const hash = createHash("sha256");
  for (const path of files(WEB_DIR).sort()) hash.update(relative(WEB_DIR, path)).update("\0").update(readFileSync(path)).update("\0");
  for (const name of BUNDLED_PACKAGES) hash.update(`${name}@${installedVersion(name)}\0`);
  return hash.digest("hex").slice(0, 16);
}

/**
 * Bundles the pages with esbuild (the project's own toolchain; tsx runs on it) into
 * dist/pages/<stamp>, unless that stamp is built already. Everything the browser loads
 * comes out of node_modules and web/ here: no CDN, nothing fetched at run time. Builds
 * into a temporary directory and renames it, so concurrent servers never see half a bundle.
 */
export async function ensurePageBundle(): Promise<PageBundle> {
  const stamp = bundleStamp();
  const dir = join(PAGES_CACHE_DIR, stamp);
  if (existsSync(join(dir, "done"))) return { dir, stamp };
  const { build } = await import("esbuild");
  mkdirSync(PAGES_CACHE_DIR, { recursive: true });
  const tmp = join(PAGES_CACHE_DIR, `.tmp-${stamp}-${process.pid}-${Date.now()}`);
  try {
    await build({
      entryPoints: { graphiql: join(WEB_DIR, "graphiql", "main.js"), desk: join(WEB_DIR, "desk", "main.ts") },
      outdir: tmp,
      bundle: true,
      format: "esm",
      target: "es2022",
      platform: "browser",
      minify: true,
      sourcemap: false,
      legalComments: "none",
      define: { "process.env.NODE_ENV": '"production"' },
      loader: { ".woff2": "dataurl", ".woff": "dataurl", ".png": "dataurl", ".svg": "dataurl" },
      logLevel: "silent",
    });
    // Page styles beside the bundles' own CSS (graphiql.css is GraphiQL's, from the import in its entry).
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(tmp, "desk.css"), readFileSync(join(WEB_DIR, "desk", "desk.css")));
    writeFileSync(join(tmp, "graphiql-page.css"), readFileSync(join(WEB_DIR, "graphiql", "page.css")));
    writeFileSync(join(tmp, "done"), stamp);
    try {
      renameSync(tmp, dir);
    } catch (error) {
      if (!existsSync(join(dir, "done"))) throw error; // another process built the same stamp first
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  pruneOldBundles(stamp);
  return { dir, stamp };
}

/** Keeps the current bundle and the most recent other one (a server still running may serve it). */
function pruneOldBundles(current: string): void {
  const others = readdirSync(PAGES_CACHE_DIR)
    .filter((name) => name !== current && !name.startsWith("."))
    .map((name) => ({ name, mtime: statSync(join(PAGES_CACHE_DIR, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { name } of others.slice(1)) rmSync(join(PAGES_CACHE_DIR, name), { recursive: true, force: true });
}
