import "reflect-metadata";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { printSortedSchema } from "../../../src/graphql/printSchema.js";

describe("schema.graphql", () => {
  it("matches the schema the code builds (run `npm run schema` after changing types)", async () => {
    expect(readFileSync("schema.graphql", "utf8")).toBe(await printSortedSchema());
  });

  it.runIf(existsSync("../shared/contract/check.mjs"))("is a compatible superset of the public contract", () => {
    const output = execFileSync("node", ["../shared/contract/check.mjs", "schema.graphql"], { encoding: "utf8" });
    expect(output).not.toMatch(/missing|breaks|incompatible/i);
  });
});
