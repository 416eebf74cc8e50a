import { createApiKey } from "../support/apiKeys.js";
import { createAccount, createClient, createInstrument, deposit, setMarket, trade } from "../support/books.js";
import { ADMIN_TOKEN, type TestServer } from "../support/testServer.js";
import type { Tokens } from "./transport.js";
import type { FuzzBook } from "./values.js";

/** Server settings for fuzzing: rate limits high enough that CLIENT requests reach the resolvers. */
export const FUZZ_ENV = { RATE_LIMIT_PER_SECOND: "10000", RATE_LIMIT_BURST: "10000", LOG_LEVEL: "silent" };

/**
 * A small book with something of every kind for the fuzzer to aim at: two clients, CROSS,
 * ISOLATED and PORTFOLIO accounts, a portfolio, perps, a future and options, and keys of
 * every role.
 */
export async function buildFuzzBook(api: TestServer): Promise<{ book: FuzzBook; tokens: Tokens }> {
  await setMarket(api, "BTC", 100_000);
  await setMarket(api, "ETH", 3_000, { volatility: 0.7 });
  const instruments = ["BTC-PERP", "ETH-PERP", "BTC-27JUN25-110000-C", "BTC-27JUN25-90000-P", "BTC-27JUN25"];
  await createInstrument(api, { symbol: "BTC-PERP", kind: "PERPETUAL", underlying: "BTC" });
  await createInstrument(api, { symbol: "ETH-PERP", kind: "PERPETUAL", underlying: "ETH" });
  await createInstrument(api, { symbol: "BTC-27JUN25-110000-C", kind: "OPTION", underlying: "BTC", expiry: "2025-06-27T08:00:00Z", strike: 110_000, optionType: "CALL" });
  await createInstrument(api, { symbol: "BTC-27JUN25-90000-P", kind: "OPTION", underlying: "BTC", expiry: "2025-06-27T08:00:00Z", strike: 90_000, optionType: "PUT" });
  await createInstrument(api, { symbol: "BTC-27JUN25", kind: "FUTURE", underlying: "BTC", expiry: "2025-06-27T08:00:00Z" });

  const clientA = await createClient(api, "Fuzz A");
  const clientB = await createClient(api, "Fuzz B");
  const cross = await createAccount(api, clientA, "cross");
  const isolated = await createAccount(api, clientA, "isolated", "ISOLATED");
  const pm1 = await createAccount(api, clientA, "pm 1", "PORTFOLIO");
  const pm2 = await createAccount(api, clientA, "pm 2", "PORTFOLIO");
  const other = await createAccount(api, clientB, "other");
  for (const [account, asset, amount] of [[cross, "USDC", 50_000], [cross, "BTC", 1], [isolated, "USDC", 20_000], [pm1, "USDC", 30_000], [pm2, "ETH", 10], [other, "USDT", 5_000]] as const) {
    await deposit(api, account, asset, amount);
  }
  await trade(api, cross, "BTC-PERP", 1, 100_000);
  await trade(api, cross, "BTC-27JUN25-110000-C", -2, 3_000);
  await trade(api, isolated, "ETH-PERP", -5, 3_000);
  await trade(api, pm1, "BTC-27JUN25-90000-P", 3, 2_000);
  await trade(api, pm2, "BTC-27JUN25", -0.5, 101_000);
  const portfolio = (await api.ok(`mutation($c: ID!, $a: [ID!]!) { createPortfolio(input: { clientId: $c, name: "pm", accountIds: $a }) { id } }`, { c: clientA, a: [pm1, pm2] })).createPortfolio.id;

  return {
    book: { clientIds: [clientA, clientB], accountIds: [cross, isolated, pm1, pm2, other], portfolioIds: [portfolio], instruments, underlyings: ["BTC", "ETH", "SOL"] },
    tokens: { admin: ADMIN_TOKEN, risk: (await createApiKey(api, "RISK")).secret, client: (await createApiKey(api, "CLIENT", clientA)).secret },
  };
}
