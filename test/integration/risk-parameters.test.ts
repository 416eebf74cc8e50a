import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, createClient, createInstrument, deposit, leveragedBtcAccount, setMarket, trade } from "../support/books.js";
import { createApiKey } from "../support/apiKeys.js";
import { expectClose as expectNear } from "../unit/engine/helpers.js";
import { TEST_DB } from "../support/testDatabase.js";
import { startTestServer, type TestServer } from "../support/testServer.js";

const PARAMS = `initialMarginRate maintenanceMarginRate portfolioRange deltaRiskWeight`;
const CURRENT = `query($u: String!) { riskParameters(underlying: $u) { underlying version ${PARAMS} changedBy createdAt } }`;
const HISTORY = `query($u: String!) { riskParameterHistory(underlying: $u) { version ${PARAMS} } }`;
const SET = `mutation($input: SetRiskParametersInput!) { setRiskParameters(input: $input) { underlying version ${PARAMS} changedBy } }`;
const MARGIN = `query($id: ID!, $model: MarginModel) { account(id: $id) { margin(model: $model) { initial maintenance ratio level parameters { underlying version } } } }`;


describe(`versioned risk parameters on ${TEST_DB}`, () => {
  let api: TestServer;
  /** 10 000 USDC, long 1 BTC perp at 100 000, spot 100 000. */
  let leveraged: string;
  /** PORTFOLIO: 100 000 USDC, long 1 BTC perp at 100 000. */
  let portfolio: string;
  /** 100 000 USDC, long 1 of a BTC perp with its own rates (imr 0.1, mmr 0.05). */
  let ownRates: string;
  let clientId: string;

  beforeAll(async () => {
    api = await startTestServer();
    ({ accountId: leveraged, clientId } = await leveragedBtcAccount(api));
    await setMarket(api, "ETH", 3_000);
    await createInstrument(api, { symbol: "BTC-PERP-OWN", kind: "PERPETUAL", underlying: "BTC", initialMarginRate: 0.1, maintenanceMarginRate: 0.05 });
    const desk = await createClient(api, "Desk");
    portfolio = await createAccount(api, desk, "portfolio", "PORTFOLIO");
    await deposit(api, portfolio, "USDC", 100_000);
    await trade(api, portfolio, "BTC-PERP", 1, 100_000);
    ownRates = await createAccount(api, desk, "own rates");
    await deposit(api, ownRates, "USDC", 100_000);
    await trade(api, ownRates, "BTC-PERP-OWN", 1, 100_000);
  });

  afterAll(async () => {
    await api?.close();
  });

  it("starts every underlying at version 1, the methodology's defaults", async () => {
    const expected: [string, number, number][] = [["BTC", 0.15, 0.15], ["ETH", 0.2, 0.2], ["SOL", 0.25, 0.25], ["DOGE", 0.25, 0.25]];
    for (const [u, range, weight] of expected) {
      const { riskParameters } = await api.ok(CURRENT, { u });
      expect(riskParameters).toMatchObject({ underlying: u, version: 1, initialMarginRate: 0.02, maintenanceMarginRate: 0.01, portfolioRange: range, deltaRiskWeight: weight });
    }
    // STANDARD at version 1: MM = 0.01·100 000 = 1 000, IM = 2 000, ρ = 1 000 / 10 000 = 0.1.
    const { account } = await api.ok(MARGIN, { id: leveraged });
    expect(account.margin).toMatchObject({ initial: 2_000, maintenance: 1_000, level: "HEALTHY", parameters: [{ underlying: "BTC", version: 1 }] });
    // PORTFOLIO at version 1: worst grid P&L −R·S = −15 000, plus 0.01·|Δ|·S = 1 000: MM 16 000, IM 20 000.
    const pm = (await api.ok(MARGIN, { id: portfolio })).account.margin;
    expectNear(pm.maintenance, 16_000, 1e-6, "PORTFOLIO MM at R = 0.15");
    expectNear(pm.initial, 20_000, 1e-6, "PORTFOLIO IM at R = 0.15");
  });

  it("refuses RISK and CLIENT keys", async () => {
    const risk = await createApiKey(api, "RISK");
    const client = await createApiKey(api, "CLIENT", clientId);
    for (const key of [risk.secret, client.secret]) {
      const refused = await api.gql(SET, { input: { underlying: "BTC", maintenanceMarginRate: 0.005 } }, key);
      expect(refused.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    }
    // Both may read the parameters in force.
    expect((await api.ok(CURRENT, { u: "BTC" }, client.secret)).riskParameters.version).toBe(1);
  });

  it("raises a margin call with no market move when a tighter rate takes effect", async () => {
    const { setRiskParameters } = await api.ok(SET, { input: { underlying: "BTC", initialMarginRate: 0.1, maintenanceMarginRate: 0.085 } });
    // Omitted fields keep version 1's values.
    expect(setRiskParameters).toMatchObject({ underlying: "BTC", version: 2, initialMarginRate: 0.1, maintenanceMarginRate: 0.085, portfolioRange: 0.15, deltaRiskWeight: 0.15, changedBy: "admin token" });
    // MM = 0.085·100 000 = 8 500, IM = 10 000, ρ = 8 500 / 10 000 = 0.85 → MARGIN_CALL.
    const { account } = await api.ok(MARGIN, { id: leveraged });
    expect(account.margin.level).toBe("MARGIN_CALL");
    expectNear(account.margin.maintenance, 8_500, 1e-9, "MM at mmr 0.085");
    expectNear(account.margin.initial, 10_000, 1e-9, "IM at imr 0.1");
    expectNear(account.margin.ratio, 0.85, 1e-12, "ratio");
    expect(account.margin.parameters).toEqual([{ underlying: "BTC", version: 2 }]);
    const { marginCalls } = await api.ok(`query($id: ID) { marginCalls(accountId: $id) { previousLevel level ratio } }`, { id: leveraged });
    expect(marginCalls.map((e: { previousLevel: string; level: string }) => `${e.previousLevel}→${e.level}`)).toEqual(["HEALTHY→MARGIN_CALL"]);
    expectNear(marginCalls[0].ratio, 0.85, 1e-12, "event ratio");
    // An instrument's own rates still win: MM = 0.05·100 000 = 5 000, IM = 10 000.
    const own = (await api.ok(MARGIN, { id: ownRates })).account.margin;
    expect(own).toMatchObject({ maintenance: 5_000, initial: 10_000 });
  });

  it("reads PORTFOLIO's range from the current version, and keeps every earlier version readable", async () => {
    const { setRiskParameters } = await api.ok(SET, { input: { underlying: "BTC", portfolioRange: 0.1 } });
    expect(setRiskParameters).toMatchObject({ version: 3, initialMarginRate: 0.1, maintenanceMarginRate: 0.085, portfolioRange: 0.1 });
    // Worst grid P&L −0.10·100 000 = −10 000, plus 1 000: MM 11 000, IM 13 750.
    const pm = (await api.ok(MARGIN, { id: portfolio })).account.margin;
    expectNear(pm.maintenance, 11_000, 1e-6, "PORTFOLIO MM at R = 0.10");
    expectNear(pm.initial, 13_750, 1e-6, "PORTFOLIO IM at R = 0.10");
    expect(pm.parameters).toEqual([{ underlying: "BTC", version: 3 }]);
    const { riskParameterHistory } = await api.ok(HISTORY, { u: "BTC" });
    expect(riskParameterHistory).toEqual([
      { version: 3, initialMarginRate: 0.1, maintenanceMarginRate: 0.085, portfolioRange: 0.1, deltaRiskWeight: 0.15 },
      { version: 2, initialMarginRate: 0.1, maintenanceMarginRate: 0.085, portfolioRange: 0.15, deltaRiskWeight: 0.15 },
      { version: 1, initialMarginRate: 0.02, maintenanceMarginRate: 0.01, portfolioRange: 0.15, deltaRiskWeight: 0.15 },
    ]);
    // Other underlyings are untouched.
    expect((await api.ok(CURRENT, { u: "ETH" })).riskParameters.version).toBe(1);
  });

  it("refuses parameters outside their bounds and writes no version", async () => {
    const refused: Record<string, unknown>[] = [
      { maintenanceMarginRate: 0.2 }, // above the current imr 0.1
      { initialMarginRate: 1.5, maintenanceMarginRate: 0.1 },
      { maintenanceMarginRate: 0 },
      { maintenanceMarginRate: -0.01 },
      { initialMarginRate: 0.05 }, // below the current mmr 0.085
      { portfolioRange: 0 },
      { portfolioRange: 0.95 },
      { deltaRiskWeight: 0 },
      { deltaRiskWeight: 1.2 },
    ];
    for (const change of refused) {
      const result = await api.gql(SET, { input: { underlying: "BTC", ...change } });
      expect(result.errors?.[0].extensions?.code, JSON.stringify(change)).toBe("BAD_USER_INPUT");
    }
    expect((await api.gql(SET, { input: { underlying: "NOPE", portfolioRange: 0.2 } })).errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    expect((await api.ok(HISTORY, { u: "BTC" })).riskParameterHistory.length).toBe(3);
    // The bounds themselves are allowed: R = 0.9, RW = 1, mmr = imr = 1.
    const edge = await api.ok(SET, { input: { underlying: "ETH", portfolioRange: 0.9, deltaRiskWeight: 1, initialMarginRate: 1, maintenanceMarginRate: 1 } });
    expect(edge.setRiskParameters).toMatchObject({ version: 2, portfolioRange: 0.9, deltaRiskWeight: 1, initialMarginRate: 1, maintenanceMarginRate: 1 });
  });

  it("records every change in the audit log, with its arguments", async () => {
    const { auditLog } = await api.ok(`query { auditLog(first: 100) { edges { node { operation errorCode input } } } }`);
    const changes = auditLog.edges
      .map((e: { node: { operation: string; errorCode: string | null; input: string } }) => e.node)
      .filter((n: { operation: string }) => n.operation === "setRiskParameters");
    const ok = changes.filter((n: { errorCode: string | null }) => n.errorCode === null);
    expect(ok.length).toBe(3);
    expect(JSON.parse(ok.at(-1).input)).toMatchObject({ input: { underlying: "BTC", initialMarginRate: 0.1, maintenanceMarginRate: 0.085 } });
    expect(changes.filter((n: { errorCode: string | null }) => n.errorCode === "FORBIDDEN").length).toBe(2);
    expect(changes.filter((n: { errorCode: string | null }) => n.errorCode === "BAD_USER_INPUT").length).toBe(10);
  });
});
