import { ensurePageBundle } from "../src/http/pageBundle.js";

/** Bundles GraphiQL and the desk page into dist/pages (also done by the server when missing). */
const started = Date.now();
const { dir } = await ensurePageBundle();
console.log(`pages bundled in ${dir} (${Date.now() - started} ms)`);
