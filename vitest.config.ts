import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);
// type-graphql and Apollo load graphql's CommonJS build; make test files use the same
// one, otherwise two graphql "realms" coexist and schema objects are rejected.
const graphqlCjsDir = require.resolve("graphql").replace(/index\.js$/, "");

export default defineConfig({
  resolve: {
    alias: [
      { find: /^graphql$/, replacement: `${graphqlCjsDir}index.js` },
      { find: /^graphql\/(.+)$/, replacement: `${graphqlCjsDir}$1` },
    ],
  },
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The integration suite runs twice: on embedded PGlite and on PostgreSQL.
    projects: [
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      { extends: true, test: { name: "pglite", include: ["test/integration/**/*.test.ts"], env: { TEST_DB: "pglite" } } },
      { extends: true, test: { name: "postgres", include: ["test/integration/**/*.test.ts"], env: { TEST_DB: "postgres" } } },
    ],
  },
});
