import "reflect-metadata";
import { writeFile } from "node:fs/promises";
import { printSortedSchema } from "../src/graphql/printSchema.js";

/** Writes schema.graphql from the code; a test fails while the committed file is stale. */
await writeFile("schema.graphql", await printSortedSchema());
console.log("schema.graphql written");
