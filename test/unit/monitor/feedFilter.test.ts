import { describe, expect, it } from "vitest";
import { matches, type FeedFilter } from "../../../src/monitor/marginCallFeed.js";
import type { MarginCallEvent } from "../../../src/monitor/events.js";

const A = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const B = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
const event = (clientId: string, accountId: string | null, portfolioId: string | null): MarginCallEvent => ({
  sequence: 1, clientId, accountId, portfolioId, unitVersion: 1, bookVersion: 1, level: "WARNING", previousLevel: "HEALTHY",
  ratio: 0.7, equity: 1, maintenance: 0.7, asOf: new Date(0), createdAt: new Date(0),
});
const everything: FeedFilter = { accountIds: null, portfolioIds: [], clientId: null };
const clientA: FeedFilter = { accountIds: null, portfolioIds: [], clientId: A };
const accountA1: FeedFilter = { accountIds: ["a1"], portfolioIds: ["pa"], clientId: A };

describe("margin-call feed filter", () => {
  it.each([
    ["ADMIN/RISK feed, any event", everything, event(B, "b1", null), true],
    ["CLIENT feed, own account's event", clientA, event(A, "a1", null), true],
    ["CLIENT feed, own portfolio's event", clientA, event(A, null, "pa"), true],
    ["CLIENT feed, another client's event", clientA, event(B, "b1", null), false],
    ["one account, its own event", accountA1, event(A, "a1", null), true],
    ["one account, its portfolio's event", accountA1, event(A, null, "pa"), true],
    ["one account, a sibling account's event", accountA1, event(A, "a2", null), false],
    ["one account, another client's event naming the same id", accountA1, event(B, "a1", null), false],
  ] as const)("%s", (_name, filter, e, expected) => {
    expect(matches(filter, e)).toBe(expected);
  });
});
