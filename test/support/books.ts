import type { TestServer } from "./testServer.js";

/** Builders of small hand-worked books through the public mutations. */

export async function setMarket(api: TestServer, underlying: string, spot: number, extra: { volatility?: number; rate?: number; asOf?: string } = {}) {
  await api.ok(`mutation($input: UpdateMarketInput!) { updateMarket(input: $input) { spot } }`, {
    input: { underlying, spot, volatility: extra.volatility ?? 0.5, rate: extra.rate ?? 0, asOf: extra.asOf ?? "2025-01-01T00:00:00Z" },
  });
}

export async function createClient(api: TestServer, name: string): Promise<string> {
  return (await api.ok(`mutation($name: String!) { createClient(input: { name: $name }) { id } }`, { name })).createClient.id;
}

export async function createAccount(api: TestServer, clientId: string, name: string, marginMode = "CROSS"): Promise<string> {
  const data = await api.ok(`mutation($c: ID!, $n: String!, $m: MarginMode!) { createAccount(input: { clientId: $c, name: $n, marginMode: $m }) { id } }`, {
    c: clientId, n: name, m: marginMode,
  });
  return data.createAccount.id;
}

export async function deposit(api: TestServer, accountId: string, asset: string, amount: string | number) {
  await api.ok(`mutation($input: DepositInput!) { deposit(input: $input) { id } }`, { input: { accountId, asset, amount } });
}

export async function createInstrument(api: TestServer, input: Record<string, unknown>) {
  await api.ok(`mutation($input: CreateInstrumentInput!) { createInstrument(input: $input) { symbol } }`, { input });
}

let tradeCounter = 0;
export async function trade(api: TestServer, accountId: string, instrument: string, quantity: string | number, price: string | number) {
  await api.ok(`mutation($input: RecordTradeInput!) { recordTrade(input: $input) { tradeId } }`, {
    input: { accountId, instrument, quantity, price, tradeId: `t-${process.pid}-${Date.now()}-${++tradeCounter}` },
  });
}

/**
 * The leveraged account of the alert tests: 10 000 USDC, long 1 BTC perp at 100 000
 * (default rates imr 0.02, mmr 0.01), so ρ = 0.01·P / (P − 90 000) at spot P.
 */
export async function leveragedBtcAccount(api: TestServer, clientName = "Lev"): Promise<{ clientId: string; accountId: string }> {
  await setMarket(api, "BTC", 100_000);
  await createInstrument(api, { symbol: "BTC-PERP", kind: "PERPETUAL", underlying: "BTC" });
  const clientId = await createClient(api, clientName);
  const accountId = await createAccount(api, clientId, `${clientName} main`);
  await deposit(api, accountId, "USDC", 10_000);
  await trade(api, accountId, "BTC-PERP", 1, 100_000);
  return { clientId, accountId };
}
