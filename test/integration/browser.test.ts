import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page, WebSocketRoute } from "playwright-core";
import { createApiKey } from "../support/apiKeys.js";
import { createAccount, createClient, deposit, leveragedBtcAccount, setMarket, trade } from "../support/books.js";
import { launchBrowser, type TestBrowser } from "../support/browser.js";
import { TEST_DB } from "../support/testDatabase.js";
import { startTestServer, type TestServer } from "../support/testServer.js";

// The pages do not depend on the database: one run, on PGlite.
describe.runIf(TEST_DB === "pglite")("the desk and GraphiQL in headless Chromium", () => {
  let api: TestServer;
  let browser: TestBrowser;
  let riskKey: string;
  let leveraged: string;
  let desk: Page;
  const origin = () => new URL(api.url).origin;

  const apiOrder = async () => {
    const data = await api.ok<{ accounts: { edges: { node: { id: string } }[] } }>(`{ accounts(first: 25, orderBy: MARGIN_RATIO_DESC) { edges { node { id } } } }`);
    return data.accounts.edges.map((e) => e.node.id);
  };
  // Browser-side code as strings: the test project has no DOM types.
  const pageOrder = (page: Page) => page.evaluate<string[]>(`[...document.querySelectorAll("[data-testid=account-row]")].map((r) => r.dataset.accountId)`);
  const stored = (page: Page, area: "localStorage" | "sessionStorage") => page.evaluate<Record<string, string>>(`({ ...${area} })`);

  beforeAll(async () => {
    api = await startTestServer();
    ({ accountId: leveraged } = await leveragedBtcAccount(api)); // 10 000 USDC, 1 BTC perp at 100 000: ratio 0.1
    const client = await createClient(api, "Calm");
    for (const [name, usdc, btc] of [["Calm a", 50_000, 1], ["Calm b", 20_000, 1], ["Calm c", 100_000, 0.5], ["Cash only", 5_000, 0]] as const) {
      const id = await createAccount(api, client, name);
      await deposit(api, id, "USDC", usdc);
      if (btc) await trade(api, id, "BTC-PERP", btc, 100_000);
    }
    riskKey = (await createApiKey(api, "RISK")).secret;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it("asks for a key, then lists the accounts in the API's order", async () => {
    desk = await browser.newPage();
    await desk.goto(`${origin()}/desk`);
    await desk.waitForSelector("[data-testid=key-form]");
    expect(await desk.$$("[data-testid=account-row]")).toHaveLength(0);
    await desk.fill("[data-testid=key-form] input", riskKey);
    await desk.click("[data-testid=key-form] button");
    await desk.waitForSelector("[data-testid=account-row]");
    expect(await pageOrder(desk)).toEqual(await apiOrder());
    expect(await desk.getAttribute(`[data-account-id="${leveraged}"]`, "data-level")).toBe("HEALTHY");
    expect(await stored(desk, "localStorage")).toEqual({});
    expect((await stored(desk, "sessionStorage"))["risk-api.key"]).toBe(riskKey);
  });

  it("turns a row's level and adds a feed entry within a second of a market move", async () => {
    await desk.waitForSelector("[data-testid=feed-status].status-live");
    await setMarket(api, "BTC", 91_100); // the leveraged account: equity 1 100, MM 911 → MARGIN_CALL
    const moved = Date.now();
    await desk.waitForSelector(`[data-testid=account-row][data-account-id="${leveraged}"][data-level=MARGIN_CALL]`, { timeout: 1000 });
    const entry = await desk.waitForSelector("[data-testid=margin-call]", { timeout: Math.max(1, 1000 - (Date.now() - moved)) });
    expect(Number(await entry.getAttribute("data-sequence"))).toBeGreaterThan(0);
    expect(await entry.getAttribute("data-level")).toBe("MARGIN_CALL");
    expect(await entry.textContent()).toContain("Lev main");
    expect(await pageOrder(desk)).toEqual(await apiOrder());
  });

  it("drills into an account: Greeks, liquidation, stress and the ratio chart", async () => {
    await desk.click(`[data-testid=account-row][data-account-id="${leveraged}"]`);
    await desk.waitForSelector("[data-testid=account-detail] [data-testid=ratio-chart][data-underlying=BTC] path");
    const text = await desk.textContent("[data-testid=account-detail]");
    for (const name of ["COVID_2020", "LUNA_2022", "FTX_2022", "Greeks per underlying", "Liquidation"]) expect(text).toContain(name);
  });

  it("serves GraphiQL from its own assets and shows no error once it has a key", async () => {
    const page = await browser.newPage();
    await page.goto(`${origin()}/graphql`);
    await page.waitForSelector("[data-testid=key-form]");
    await page.fill("[data-testid=key-form] input", riskKey);
    await page.click("[data-testid=key-form] button");
    await page.waitForSelector(".graphiql-container");
    await page.click(".graphiql-execute-button");
    await page.locator(".result-window", { hasText: "totalCount" }).waitFor({ timeout: 10_000 });
    expect(await page.textContent(".result-window")).not.toContain("errors");
    expect(Object.values(await stored(page, "localStorage")).some((v) => v.includes(riskKey))).toBe(false);
    // A subscription from the same page, over the WebSocket on /graphql.
    await page.click(".graphiql-query-editor .CodeMirror");
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText("subscription { marginCalls { sequence level } }");
    await page.click(".graphiql-execute-button");
    await page.waitForTimeout(500);
    await setMarket(api, "BTC", 100_000); // the leveraged account recovers: MARGIN_CALL → HEALTHY
    await page.locator(".result-window", { hasText: "HEALTHY" }).waitFor({ timeout: 5000 });
    expect(browser.requests.some((u) => u.startsWith("ws://127.0.0.1") && u.endsWith("/graphql"))).toBe(true);
    const assets = browser.requests.filter((u) => u.includes("/assets/"));
    expect(assets.some((u) => u.endsWith("graphiql.js"))).toBe(true);
    expect(assets.some((u) => u.endsWith("graphiql.css"))).toBe(true);
  });

  it("reconnects its feed with afterSequence = the last sequence it showed, missing and repeating nothing", async () => {
    const page = await browser.newPage();
    const sockets: WebSocketRoute[] = [];
    const subscribed: { after?: number | null }[] = [];
    await page.routeWebSocket(/\/graphql$/, (socket) => {
      const server = socket.connectToServer();
      sockets.push(socket);
      socket.onMessage((message) => {
        const parsed = JSON.parse(String(message)) as { type: string; payload?: { variables?: { after?: number | null } } };
        if (parsed.type === "subscribe") subscribed.push(parsed.payload?.variables ?? {});
        server.send(message);
      });
    });
    await page.goto(`${origin()}/desk`);
    await page.fill("[data-testid=key-form] input", riskKey);
    await page.click("[data-testid=key-form] button");
    await page.waitForSelector("[data-testid=feed-status].status-live");
    await setMarket(api, "BTC", 91_100); // HEALTHY → MARGIN_CALL
    const first = Number(await (await page.waitForSelector("[data-testid=margin-call]")).getAttribute("data-sequence"));

    sockets[0].close({ code: 4000, reason: "dropped by the test" });
    await setMarket(api, "BTC", 100_000); // MARGIN_CALL → HEALTHY while the page is away
    const missed = await page.waitForSelector(`[data-testid=margin-call][data-sequence="${first + 1}"]`, { timeout: 10_000 });
    expect(await missed.getAttribute("data-level")).toBe("HEALTHY");
    expect(subscribed.map((v) => v.after ?? null)).toEqual([null, first]);
    expect(await page.$$eval("[data-testid=margin-call]", (entries) => entries.length)).toBe(2);
    await page.close();
  });

  it("never requested anything but 127.0.0.1 and logged no console error", () => {
    expect(browser.requests.length).toBeGreaterThan(0);
    expect(browser.foreign).toEqual([]);
    expect(browser.consoleErrors).toEqual([]);
  });
});
