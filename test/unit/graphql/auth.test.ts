import { describe, expect, it } from "vitest";
import { canSee, clientScope } from "../../../src/graphql/auth.js";
import type { Principal } from "../../../src/graphql/context.js";

const A = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const B = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
const admin: Principal = { role: "ADMIN", clientId: null, keyId: null };
const risk: Principal = { role: "RISK", clientId: null, keyId: "r" };
const clientA: Principal = { role: "CLIENT", clientId: A, keyId: "a" };

describe("row-level visibility", () => {
  it("lets ADMIN and RISK see every client, a CLIENT key its own only", () => {
    expect([admin, risk, clientA].map((p) => [canSee(p, A), canSee(p, B)])).toEqual([[true, true], [true, true], [true, false]]);
  });

  it("narrows a CLIENT key's list to its client, and another client's filter to nothing", () => {
    expect(clientScope(clientA, undefined)).toBe(A);
    expect(clientScope(clientA, A)).toBe(A);
    expect(clientScope(clientA, B)).not.toBe(B);
    expect(clientScope(risk, B)).toBe(B);
    expect(clientScope(risk, undefined)).toBeUndefined();
  });
});
