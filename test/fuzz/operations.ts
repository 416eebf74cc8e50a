import { RawJson, type Gen } from "./values.js";

/** One GraphQL operation to send, with what the runner needs to check the ledger afterwards. */
export interface FuzzOperation {
  name: string;
  query: string;
  variables?: unknown;
  operationName?: unknown;
  /** A cash move the ledger shows if (and only if) the mutation succeeds. */
  cash?: { field: "deposit" | "withdraw"; input: Record<string, unknown> };
  /** Every variant of this operation has a refused field: success is a finding. */
  mustFail?: boolean;
}

/** GraphQL literal text of a value (RawJson numbers as written, so `1e999` reaches the parser). */
export function literal(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    return `{ ${Object.entries(value).map(([k, v]) => `${/^[_A-Za-z][_0-9A-Za-z]*$/.test(k) ? k : "bad"}: ${literal(v)}`).join(", ")} }`;
  }
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "1e999";
  return JSON.stringify(value) ?? "null";
}

const MARGIN = `margin(model: $model) { model initial maintenance available ratio level }`;
const RISK = `equity ${MARGIN} greeks { underlying delta deltaUsd gamma vega theta } liquidation { underlying spot lowerPrice upperPrice distance }`;
const ACCOUNT = `id name clientId marginMode portfolioId balances { asset amount } positions { quantity averagePrice isolatedMargin instrument { symbol kind strike expiry optionType contractSize } }`;

const cursor = (g: Gen) =>
  g.rng.pick([
    Buffer.from(JSON.stringify({ t: g.rng.pick([1e400, -1, "x", null]), i: g.text(8) })).toString("base64url"),
    Buffer.from(JSON.stringify({ r: "NaN", i: "00000000-0000-4000-8000-000000000000" })).toString("base64url"),
    g.text(),
    "",
  ]);

const tradeInput = (g: Gen) => ({ instrument: g.instrument(), quantity: g.decimal(() => g.rng.pick(["1", "-0.5", "2", "-3"])), price: g.rng.chance(0.5) ? g.decimal(() => "1000") : undefined });

const QUERIES: ((g: Gen) => FuzzOperation)[] = [
  (g) => ({
    name: "account",
    query: `query($id: ID!, $model: MarginModel, $c: Float, $h: Int, $l: Int, $m: VarMethod) { account(id: $id) { ${ACCOUNT} ${RISK}
      valueAtRisk(confidence: $c, horizonDays: $h, lookbackDays: $l, method: $m) { value expectedShortfall method } } }`,
    variables: {
      id: g.id(),
      model: g.pick(["STANDARD", "PORTFOLIO"]),
      c: g.float(() => g.rng.pick([0.95, 0.99, 0.5])),
      h: g.int(() => g.rng.int(1, 30)),
      l: g.int(() => g.rng.int(2, 400)),
      m: g.pick(["HISTORICAL", "PARAMETRIC"]),
    },
  }),
  (g) => ({
    name: "accounts",
    query: `query($first: Int, $after: String, $clientId: ID, $order: AccountOrder, $model: MarginModel) { accounts(first: $first, after: $after, clientId: $clientId, orderBy: $order) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id clientId equity ${MARGIN} } } } }`,
    variables: { first: g.int(() => g.rng.int(0, 20)), after: g.rng.chance(0.3) ? cursor(g) : null, clientId: g.rng.chance(0.5) ? g.id("client") : null, order: g.pick(["MARGIN_RATIO_DESC"]), model: null },
  }),
  (g) => ({
    name: "portfolio",
    query: `query($id: ID!, $model: MarginModel) { portfolio(id: $id) { id name accounts { id equity } ${RISK} } }`,
    variables: { id: g.id("portfolio"), model: g.pick(["STANDARD", "PORTFOLIO"]) },
  }),
  (g) => ({ name: "client", query: `query($id: ID!) { client(id: $id) { id name } }`, variables: { id: g.id("client") } }),
  (g) => ({
    name: "whatIf",
    query: `query($id: ID!, $trades: [TradeInput!]!, $model: MarginModel) { whatIf(accountId: $id, trades: $trades) { ${RISK} } }`,
    variables: {
      id: g.id(),
      trades: g.rng.chance(0.9) ? Array.from({ length: g.rng.pick([0, 1, 2, 5, 101]) }, () => tradeInput(g)) : g.any(),
      model: null,
    },
  }),
  (g) => ({
    name: "stressTest",
    query: `query($id: ID!, $scenario: StressScenarioInput!) { stressTest(accountId: $id, scenario: $scenario) { pnl equity maintenance ratio level } }`,
    variables: {
      id: g.id(),
      scenario: {
        name: g.rng.chance(0.5) ? g.pick(["COVID_2020", "LUNA_2022", "FTX_2022"]) : undefined,
        shocks: g.rng.chance(0.6)
          ? Array.from({ length: g.rng.int(0, 3) }, () => ({ underlying: g.underlying(), spotMove: g.float(() => g.rng.pick([-0.5, 0.2, -0.99])), volMove: g.float(() => 0.5) }))
          : undefined,
      },
    },
  }),
  (g) => calculator(g, "optionQuote", `{ price delta gamma vega theta rho }`, { volatility: g.float(() => g.rng.pick([0.2, 0.8, 3])) }),
  (g) => calculator(g, "impliedVolatility", "", { price: g.float(() => g.rng.pick([1, 10, 50])) }),
  (g) => ({
    name: "reference",
    query: `query($u: [String!], $k: InstrumentKind, $s: String!, $under: String) { marketState(underlyings: $u) { underlying spot volatility rate asOf }
      instruments(underlying: $under, kind: $k) { symbol } instrument(symbol: $s) { symbol expiry } stressScenarios { name shocks { underlying spotMove } } }`,
    variables: { u: g.rng.chance(0.5) ? [g.underlying()] : null, k: g.pick(["OPTION", "FUTURE", "PERPETUAL"]), s: g.instrument(), under: g.underlying() },
  }),
  (g) => ({
    name: "marginCalls",
    query: `query($id: ID, $after: Int, $first: Int) { marginCalls(accountId: $id, afterSequence: $after, first: $first) { sequence accountId portfolioId level previousLevel ratio equity maintenance createdAt } }`,
    variables: { id: g.rng.chance(0.5) ? g.id() : null, after: g.int(() => 0), first: g.int(() => 10) },
  }),
  (g) => ({
    name: "admin reads",
    query: `query($first: Int, $after: String, $c: ID) { auditLog(first: $first, after: $after) { edges { node { operation errorCode } } pageInfo { endCursor } } apiKeys(clientId: $c) { id prefix role } }`,
    variables: { first: g.int(() => 5), after: g.rng.chance(0.3) ? cursor(g) : null, c: g.rng.chance(0.3) ? g.id("client") : null },
  }),
];

/** The calculator, with its numbers sent as variables or inlined as literals (where `1e999` is legal syntax). */
function calculator(g: Gen, field: string, selection: string, extra: Record<string, unknown>): FuzzOperation {
  const input = {
    optionType: g.pick(["CALL", "PUT"]),
    spot: g.float(() => 100),
    strike: g.float(() => g.rng.pick([50, 100, 150])),
    timeToExpiry: g.float(() => g.rng.pick([0.01, 1, 10])),
    rate: g.rng.chance(0.3) ? g.float(() => 0.05) : undefined,
    dividendYield: g.rng.chance(0.2) ? g.float(() => 0) : undefined,
    ...extra,
  };
  const typeName = field === "optionQuote" ? "OptionQuoteInput" : "ImpliedVolatilityInput";
  if (g.rng.chance(0.5)) return { name: field, query: `query($input: ${typeName}!) { ${field}(input: $input) ${selection} }`, variables: { input } };
  const inline = Object.entries(input).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${k === "optionType" && typeof v === "string" && /^[A-Z]+$/.test(v) ? v : literal(v)}`);
  return { name: `${field} (literals)`, query: `{ ${field}(input: { ${inline.join(", ")} }) ${selection} }` };
}

const MUTATIONS: ((g: Gen) => FuzzOperation)[] = [
  (g) => cashMove(g, "deposit"),
  (g) => cashMove(g, "withdraw"),
  (g) => {
    // One field at least is refused: an unknown account, an unknown instrument, or a bad quantity or price.
    const input: Record<string, unknown> = { accountId: g.id(), instrument: g.instrument(), quantity: g.decimal(() => "1"), price: g.decimal(() => "100000"), tradeId: g.text(20) };
    const broken = g.rng.pick(["accountId", "instrument", "quantity", "price"] as const);
    input[broken] = broken === "accountId" ? g.rng.pick([`${g.book.accountIds[0]}x`, "00000000-0000-4000-8000-000000000000", ""])
      : broken === "instrument" ? `NOPE-${g.text(4)}` : g.badDecimal();
    return { name: "recordTrade", query: `mutation($input: RecordTradeInput!) { recordTrade(input: $input) { tradeId quantity price realizedPnl } }`, variables: { input }, mustFail: true };
  },
  (g) => ({
    name: "createInstrument",
    query: `mutation($input: CreateInstrumentInput!) { createInstrument(input: $input) { symbol kind strike expiry contractSize } }`,
    variables: {
      input: {
        symbol: g.rng.chance(0.5) ? `FZ-${g.rng.string(6, "ABCDEFGH0123456789")}` : g.text(),
        kind: g.pick(["PERPETUAL", "FUTURE", "OPTION"]),
        underlying: g.underlying(),
        expiry: g.rng.chance(0.6) ? g.date() : undefined,
        strike: g.rng.chance(0.5) ? g.float(() => 100000) : undefined,
        optionType: g.rng.chance(0.5) ? g.pick(["CALL", "PUT"]) : undefined,
        contractSize: g.rng.chance(0.5) ? g.float(() => 1) : undefined,
        initialMarginRate: g.rng.chance(0.3) ? g.float(() => 0.05) : undefined,
        maintenanceMarginRate: g.rng.chance(0.3) ? g.float(() => 0.03) : undefined,
      },
    },
  }),
  (g) => {
    const input = { underlying: g.underlying(), spot: g.float(() => g.rng.pick([90_000, 100_000, 110_000])), volatility: g.rng.chance(0.5) ? g.float(() => 0.5) : undefined, rate: g.rng.chance(0.3) ? g.float(() => 0.03) : undefined, asOf: g.rng.chance(0.3) ? g.date() : undefined };
    if (g.rng.chance(0.3)) return { name: "updateMarket (literals)", query: `mutation { updateMarket(input: ${literal(input)}) { spot volatility } }` };
    if (g.rng.chance(0.5)) return { name: "updateMarkets", query: `mutation($inputs: [UpdateMarketInput!]!) { updateMarkets(inputs: $inputs) { spot } }`, variables: { inputs: [input, { ...input }] } };
    return { name: "updateMarket", query: `mutation($input: UpdateMarketInput!) { updateMarket(input: $input) { spot volatility rate asOf } }`, variables: { input } };
  },
  (g) => ({ name: "createClient", query: `mutation($name: String!) { createClient(input: { name: $name }) { id name } }`, variables: { name: g.text() } }),
  (g) => ({
    name: "createAccount",
    query: `mutation($input: CreateAccountInput!) { createAccount(input: $input) { id } }`,
    variables: { input: { clientId: g.id("client"), name: g.text(), marginMode: g.pick(["CROSS", "ISOLATED", "PORTFOLIO"]) } },
  }),
  (g) => ({
    name: "createPortfolio",
    query: `mutation($input: CreatePortfolioInput!) { createPortfolio(input: $input) { id accounts { id } } }`,
    variables: { input: { clientId: g.id("client"), name: g.text(), accountIds: Array.from({ length: g.rng.int(0, 3) }, () => g.id()) } },
  }),
  (g) => ({
    name: "apiKeys",
    query: g.rng.chance(0.5)
      ? `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { id role clientId } }`
      : `mutation($input: ID!) { revokeApiKey(id: $input) { id } }`,
    variables: { input: g.rng.chance(0.5) ? { role: g.pick(["ADMIN", "RISK", "CLIENT"]), clientId: g.rng.chance(0.5) ? g.id("client") : null, expiresAt: g.rng.chance(0.3) ? g.date() : null } : g.id() },
  }),
];

function cashMove(g: Gen, field: "deposit" | "withdraw"): FuzzOperation {
  const input = {
    accountId: g.id(),
    asset: g.pick(["USDC", "USDT", "BTC", "ETH"]),
    amount: g.decimal(() => g.rng.pick(["1", "0.5", "12.345678", "100"])),
    idempotencyKey: g.rng.chance(0.5) ? g.text(30) : undefined,
  };
  const typeName = field === "deposit" ? "DepositInput" : "WithdrawInput";
  return { name: field, query: `mutation($input: ${typeName}!) { ${field}(input: $input) { id balances { asset amount } } }`, variables: { input }, cash: { field, input } };
}

export function queryOperation(g: Gen): FuzzOperation {
  return g.rng.pick(QUERIES)(g);
}

export function mutationOperation(g: Gen): FuzzOperation {
  return g.rng.pick(MUTATIONS)(g);
}
