import { lexicographicSortSchema, printSchema } from "graphql";
import { getSchema } from "./schema.js";

/** The SDL as committed in schema.graphql: sorted, so diffs show only real changes. */
export async function printSortedSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await getSchema()))}\n`;
}
