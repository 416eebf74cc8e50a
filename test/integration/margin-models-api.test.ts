import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, createClient, createInstrument, deposit, setMarket, trade } from "../support/books.js";
import { TEST_DB } from "../support/testDatabase.js";
import { startTestServer, type TestServer } from "../support/testServer.js";

const MARGIN = `query($id: ID!, $model: MarginModel) { account(id: $id) { margin(model: $model) {
  model initial maintenance parameters { underlying version }
  attribution { components { kind underlying instrument asset amount } scenarios { set underlying date spotMoves { underlying spotMove } volBranch pnl } } } } }`;

const sum = (components: { amount: number }[]) => components.reduce((s, c) => s + c.amount, 0);
const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));

describe(`the four margin models on the API on ${TEST_DB}`, () => {
  let api: TestServer;
  let perp: string;
  let pair: string;
  let ethShort: string;

  beforeAll(async () => {
    api = await startTestServer();
    // The bundled history's last day is 2025-01-14; HISTORICAL_ES windows end on the unit's valuation date.
    await setMarket(api, "BTC", 100_000, { asOf: "2025-01-14T00:00:00Z" });
    await setMarket(api, "ETH", 4_000, { asOf: "2025-01-14T00:00:00Z" });
    await createInstrument(api, { symbol: "BTC-PERP", kind: "PERPETUAL", underlying: "BTC" });
    await createInstrument(api, { symbol: "ETH-PERP", kind: "PERPETUAL", underlying: "ETH" });
    const clientId = await createClient(api, "Models");
    perp = await createAccount(api, clientId, "perp");
    await deposit(api, perp, "USDC", 50_000);
    await trade(api, perp, "BTC-PERP", 1, 100_000);
    pair = await createAccount(api, clientId, "pair");
    await deposit(api, pair, "USDC", 50_000);
    await trade(api, pair, "BTC-PERP", 1, 100_000); // long 100 000 USD of BTC
    await trade(api, pair, "ETH-PERP", -25, 4_000); // short 100 000 USD of ETH
    ethShort = await createAccount(api, clientId, "eth short");
    await deposit(api, ethShort, "USDC", 50_000);
    await trade(api, ethShort, "ETH-PERP", -25, 4_000);
  }, 120_000);
  afterAll(async () => api?.close());

  it("gives SENSITIVITY margin by hand: long 1 BTC perp at 100 000 → 0.15 · 100 000 = 15 000, IM 1.25 × that", async () => {
    const { account } = await api.ok(MARGIN, { id: perp, model: "SENSITIVITY" });
    expect(account.margin.model).toBe("SENSITIVITY");
    expect(relative(account.margin.maintenance, 15_000)).toBeLessThan(1e-12);
    expect(relative(account.margin.initial, 18_750)).toBeLessThan(1e-12);
    expect(account.margin.attribution.components).toEqual([{ kind: "DELTA", underlying: "BTC", instrument: null, asset: null, amount: account.margin.maintenance }]);
  });

  it("nets a BTC long against an ETH short: DELTA = √(15 000² + 20 000² − 2·0.8·15 000·20 000) ≈ 12 041.59", async () => {
    const { account } = await api.ok(MARGIN, { id: pair, model: "SENSITIVITY" });
    expect(Math.abs(account.margin.maintenance - Math.sqrt(15_000 ** 2 + 20_000 ** 2 - 2 * 0.8 * 15_000 * 20_000))).toBeLessThan(1e-6);
    expect(relative(sum(account.margin.attribution.components), account.margin.maintenance)).toBeLessThan(1e-9);
  });

  it("answers HISTORICAL_ES on the bundled history with tail scenarios and components that add up to maintenance", async () => {
    const { account } = await api.ok(MARGIN, { id: pair, model: "HISTORICAL_ES" });
    const { maintenance, initial, attribution, parameters } = account.margin;
    expect(maintenance).toBeGreaterThan(0);
    expect(relative(initial, 1.25 * maintenance)).toBeLessThan(1e-12);
    expect(relative(sum(attribution.components), maintenance)).toBeLessThan(1e-9);
    expect(attribution.components.map((c: { instrument: string }) => c.instrument).sort()).toEqual(["BTC-PERP", "ETH-PERP"]);
    // k = ⌈0.025·n − 1e-9⌉ tail scenarios of one set, worst first, dated on or before the valuation date.
    const { scenarios } = attribution;
    expect(scenarios.length).toBeGreaterThan(0);
    expect(new Set(scenarios.map((s: { set: string }) => s.set)).size).toBe(1);
    for (const s of scenarios) expect(s.date <= "2025-01-14").toBe(true);
    for (let i = 1; i < scenarios.length; i++) expect(scenarios[i].pnl).toBeGreaterThanOrEqual(scenarios[i - 1].pnl);
    expect(relative(-scenarios.reduce((t: number, s: { pnl: number }) => t + s.pnl, 0) / scenarios.length, maintenance)).toBeLessThan(1e-9);
    expect(parameters).toEqual([{ underlying: "BTC", version: 1 }, { underlying: "ETH", version: 1 }]);
    // The hedge pays less than its legs margined alone (BTC and ETH move together on most days).
    const btcLeg = (await api.ok(MARGIN, { id: perp, model: "HISTORICAL_ES" })).account.margin.maintenance;
    const ethLeg = (await api.ok(MARGIN, { id: ethShort, model: "HISTORICAL_ES" })).account.margin.maintenance;
    expect(maintenance).toBeLessThan(btcLeg + ethLeg);
  });

  it("attributes STANDARD and PORTFOLIO margin to their positions, adding up to maintenance", async () => {
    const standard = (await api.ok(MARGIN, { id: pair, model: "STANDARD" })).account.margin;
    // mmr 0.01 of each leg's notional: 1 000 + 1 000.
    const byInstrument = standard.attribution.components.map((c: { instrument: string; amount: number }) => [c.instrument, c.amount]).sort();
    expect(byInstrument).toEqual([["BTC-PERP", 1000], ["ETH-PERP", 1000]]);
    const portfolio = (await api.ok(MARGIN, { id: pair, model: "PORTFOLIO" })).account.margin;
    expect(relative(sum(portfolio.attribution.components), portfolio.maintenance)).toBeLessThan(1e-9);
    expect(portfolio.attribution.scenarios.map((s: { set: string; underlying: string }) => [s.set, s.underlying])).toEqual([["GRID", "BTC"], ["GRID", "ETH"]]);
  });

  it("gives whatIf snapshots every model", async () => {
    const data = await api.ok(`query($id: ID!) { whatIf(accountId: $id, trades: [{ instrument: "ETH-PERP", quantity: 25 }]) {
      margin(model: SENSITIVITY) { maintenance } } }`, { id: pair });
    // The ETH short closed: only the BTC long remains, 15 000 as above.
    expect(relative(data.whatIf.margin.maintenance, 15_000)).toBeLessThan(1e-12);
  });
});
