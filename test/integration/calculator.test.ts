import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DB } from "../support/testDatabase.js";
import { startTestServer, type TestServer } from "../support/testServer.js";

const QUOTE = `query($input: OptionQuoteInput!) { optionQuote(input: $input) { price delta gamma vega theta rho } }`;
const IV = `query($input: ImpliedVolatilityInput!) { impliedVolatility(input: $input) }`;

function near(actual: number, expected: number, tol: number, label: string) {
  expect(Math.abs(actual - expected), `${label}: expected ${expected} ± ${tol}, got ${actual}`).toBeLessThanOrEqual(tol);
}

describe(`option calculator over HTTP on ${TEST_DB}`, () => {
  let api: TestServer;
  beforeAll(async () => {
    api = await startTestServer();
  });
  afterAll(async () => {
    await api?.close();
  });

  it("prices Hull's examples in API units", async () => {
    // Hull, Options Futures and Other Derivatives, Example 15.6: S 42, K 40, r 10 %, σ 20 %, T 0.5.
    const call = (await api.ok(QUOTE, { input: { optionType: "CALL", spot: 42, strike: 40, timeToExpiry: 0.5, volatility: 0.2, rate: 0.1 } })).optionQuote;
    const put = (await api.ok(QUOTE, { input: { optionType: "PUT", spot: 42, strike: 40, timeToExpiry: 0.5, volatility: 0.2, rate: 0.1 } })).optionQuote;
    near(call.price, 4.7594, 5e-5, "call");
    near(put.price, 0.8086, 5e-5, "put");
    // Hull's Greeks example: S 49, K 50, r 5 %, σ 20 %, T 20/52 (vega 12.1 per unit vol, θ −4.31/yr, ρ 8.91 per unit rate).
    const g = (await api.ok(QUOTE, { input: { optionType: "CALL", spot: 49, strike: 50, timeToExpiry: 20 / 52, volatility: 0.2, rate: 0.05 } })).optionQuote;
    near(g.price, 2.4005, 5e-5, "price");
    near(g.delta, 0.5216, 5e-5, "delta");
    near(g.gamma, 0.0655, 5e-5, "gamma");
    near(g.vega, 0.12106, 1e-5, "vega per point");
    near(g.theta, -4.305 / 365, 1e-5, "theta per day");
    near(g.rho, 0.08907, 1e-5, "rho per 1 %");
  });

  it("inverts a price to its implied volatility and answers null outside the no-arbitrage bounds", async () => {
    const vol = (await api.ok(IV, { input: { optionType: "CALL", spot: 42, strike: 40, timeToExpiry: 0.5, price: 4.759422392871532, rate: 0.1 } })).impliedVolatility;
    near(vol, 0.2, 1e-8, "implied vol");
    const above = (await api.ok(IV, { input: { optionType: "CALL", spot: 42, strike: 40, timeToExpiry: 0.5, price: 42.5 } })).impliedVolatility;
    expect(above).toBeNull();
    const below = (await api.ok(IV, { input: { optionType: "PUT", spot: 42, strike: 40, timeToExpiry: 0.5, price: 0 } })).impliedVolatility;
    expect(below).toBeNull();
  });

  it.each([
    ["volatility 0", { volatility: 0 }],
    ["negative volatility", { volatility: -0.2 }],
    ["spot 0", { spot: 0 }],
    ["negative strike", { strike: -1 }],
    ["negative time", { timeToExpiry: -0.1 }],
    ["absurd spot", { spot: 1e300 }],
  ])("refuses %s with BAD_USER_INPUT", async (_name, override) => {
    const input = { optionType: "CALL", spot: 100, strike: 100, timeToExpiry: 1, volatility: 0.5, ...override };
    const result = await api.gql(QUOTE, { input });
    expect(result.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    expect(result.data ?? null).toBeNull();
  });

  it("answers a batch of 10 aliased quotes in one request", async () => {
    const fields = Array.from({ length: 10 }, (_, i) =>
      `q${i}: optionQuote(input: { optionType: PUT, spot: 100, strike: ${90 + 2 * i}, timeToExpiry: 0.25, volatility: 0.6 }) { price }`,
    ).join("\n");
    const data = await api.ok(`{ ${fields} }`);
    const prices = Object.values(data).map((q) => (q as { price: number }).price);
    expect(prices).toHaveLength(10);
    for (let i = 1; i < 10; i++) expect(prices[i]).toBeGreaterThan(prices[i - 1]); // a put rises with its strike
  });
});
