import { BadInputError } from "./errors.js";

/** Opaque page cursors: base64url of a small JSON object, validated on the way back in. */
export function encodeCursor(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

export function decodeCursor<T>(cursor: string, isValid: (value: unknown) => value is T): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new BadInputError(`cursor ${JSON.stringify(cursor.slice(0, 64))} is not valid`);
  }
  if (!isValid(value)) throw new BadInputError(`cursor ${JSON.stringify(cursor.slice(0, 64))} is not valid`);
  return value;
}
