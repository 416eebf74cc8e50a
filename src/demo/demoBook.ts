import { Prisma, type Instrument, type MarginMode } from "../generated/prisma/client.js";
import { blackScholes } from "../engine/blackScholes.js";
import { realizedVolatility } from "../engine/realizedVolatility.js";
import { mulberry32 } from "../lib/mulberry32.js";
import type { Services } from "../services.js";
import { UNDERLYINGS } from "../db/seed/reference.js";

/**
 * The demo book: three clients, thirty accounts in every margin mode, one
 * multi-account portfolio, perpetuals, quarterly futures and BTC/ETH option chains,
 * positions built through the ledger. The market is the bundled history's last day,
 * each underlying's volatility its trailing 30-day realised volatility. Its history holds
 * one settled expiry: a BTC future that expired at 08:00 UTC the day before, traded by
 * two accounts and settled at the 30-minute time-weighted spot of the ticks before it.
 */

/** Underlyings with listed demo instruments; every underlying gets a market. */
const DEMO_UNDERLYINGS = ["BTC", "ETH", "SOL"] as const;
const FUTURE_EXPIRIES = ["2025-03-28", "2025-06-27"];
const OPTION_EXPIRIES: Record<string, string[]> = {
  BTC: ["2025-01-31", "2025-02-28", "2025-03-28"],
  ETH: ["2025-02-28", "2025-03-28"],
};
const STRIKE_STEPS: Record<string, number> = { BTC: 5000, ETH: 200 };
/** Days before the valuation date at which the demo positions were opened (gives them P&L). */
const ENTRY_LAG_DAYS = [3, 7, 14, 30];
const MS_PER_YEAR = 365 * 86_400_000;

const expiryTime = (day: string) => new Date(`${day}T08:00:00Z`);
const compact = (day: string) => {
  const d = new Date(`${day}T00:00:00Z`);
  const month = d.toLocaleString("en-US", { month: "short", timeZone: "UTC" }).toUpperCase();
  return `${String(d.getUTCDate()).padStart(2, "0")}${month}${String(d.getUTCFullYear()).slice(2)}`;
};

interface MarketPoint {
  spot: number;
  volatility: number;
  closes: Map<string, number>;
}

async function loadMarket(services: Services): Promise<{ asOf: Date; points: Map<string, MarketPoint> }> {
  const prisma = services.db.prisma;
  const last = await prisma.priceHistory.findFirst({ where: { underlyingId: "BTC" }, orderBy: { date: "desc" } });
  if (!last) throw new Error("price history is empty; load the reference data first");
  const asOf = last.date;
  const points = new Map<string, MarketPoint>();
  for (const { symbol: underlying } of UNDERLYINGS) {
    const rows = await prisma.priceHistory.findMany({
      where: { underlyingId: underlying, date: { lte: asOf } },
      orderBy: { date: "desc" },
      take: 45,
    });
    rows.reverse();
    const closes = rows.map((r) => r.close.toNumber());
    points.set(underlying, {
      spot: closes.at(-1)!,
      volatility: realizedVolatility(closes, 30),
      closes: new Map(rows.map((r) => [r.date.toISOString().slice(0, 10), r.close.toNumber()])),
    });
  }
  return { asOf, points };
}

async function createInstruments(services: Services, points: Map<string, MarketPoint>): Promise<Instrument[]> {
  const created: Instrument[] = [];
  for (const underlying of DEMO_UNDERLYINGS) {
    created.push(await services.instruments.create({ symbol: `${underlying}-PERP`, kind: "PERPETUAL", underlying }));
    for (const day of FUTURE_EXPIRIES) {
      created.push(await services.instruments.create({ symbol: `${underlying}-${compact(day)}`, kind: "FUTURE", underlying, expiry: expiryTime(day) }));
    }
    const step = STRIKE_STEPS[underlying];
    for (const day of OPTION_EXPIRIES[underlying] ?? []) {
      const atm = Math.round(points.get(underlying)!.spot / step) * step;
      for (let k = -3; k <= 3; k++) {
        const strike = atm + k * step;
        for (const optionType of ["CALL", "PUT"] as const) {
          created.push(
            await services.instruments.create({
              symbol: `${underlying}-${compact(day)}-${strike}-${optionType[0]}`,
              kind: "OPTION",
              underlying,
              expiry: expiryTime(day),
              strike,
              optionType,
            }),
          );
        }
      }
    }
  }
  return created;
}

/** Entry price of a demo trade: the instrument's fair value on an earlier day's close. */
function entryPrice(instrument: Instrument, asOf: Date, point: MarketPoint, lagDays: number): number {
  const day = new Date(asOf.getTime() - lagDays * 86_400_000).toISOString().slice(0, 10);
  const spot = point.closes.get(day) ?? point.spot;
  const t = Math.max(0, (instrument.expiry?.getTime() ?? asOf.getTime()) - asOf.getTime() + lagDays * 86_400_000) / MS_PER_YEAR;
  if (instrument.kind === "PERPETUAL") return spot;
  if (instrument.kind === "FUTURE") return spot;
  return blackScholes({
    optionType: instrument.optionType!,
    spot,
    strike: instrument.strike!.toNumber(),
    timeToExpiry: t,
    volatility: point.volatility,
    rate: 0,
    dividendYield: 0,
  }).price;
}

const round = (value: number, decimals: number) => new Prisma.Decimal(value.toFixed(decimals));

/** Contracts each side of the demo's settled future trades. */
const EXPIRED_FUTURE_QUANTITY = 0.5;
/** Its ticks before expiry: minutes before 08:00 UTC and spot relative to the day's close. */
const EXPIRY_TICKS: [minutesBefore: number, spotFactor: number][] = [[45, 1.001], [20, 1.003], [7, 0.999]];

/**
 * Replays the day before the valuation date for BTC: the market goes back to that day's
 * close, a future expiring at 08:00 that day is listed and traded long by one account and
 * short by another, ticks arrive before expiry, and the return to today's market settles it.
 */
async function seedSettledExpiry(services: Services, asOf: Date, point: MarketPoint, longId: string, shortId: string): Promise<void> {
  const day = new Date(asOf.getTime() - 86_400_000).toISOString().slice(0, 10);
  const close = point.closes.get(day) ?? point.spot;
  const volatility = Number(point.volatility.toFixed(6));
  const expiry = expiryTime(day);
  await services.market.update({ underlying: "BTC", spot: close, volatility, rate: 0, asOf: new Date(`${day}T00:00:00Z`) });
  const future = await services.instruments.create({ symbol: `BTC-${compact(day)}`, kind: "FUTURE", underlying: "BTC", expiry });
  for (const [accountId, side] of [[longId, 1], [shortId, -1]] as const) {
    await services.ledger.recordTrade({
      accountId,
      instrument: future.symbol,
      quantity: round(side * EXPIRED_FUTURE_QUANTITY, 3),
      price: round(close, 2),
      tradeId: `demo-expiry-${accountId.slice(0, 8)}`,
    });
  }
  for (const [minutes, factor] of EXPIRY_TICKS) {
    await services.market.update({ underlying: "BTC", spot: Number((close * factor).toFixed(2)), asOf: new Date(expiry.getTime() - minutes * 60_000) });
  }
  await services.market.update({ underlying: "BTC", spot: point.spot, volatility, rate: 0, asOf });
}

export async function seedDemoBook(services: Services): Promise<{ clients: number; accounts: number; trades: number }> {
  const { asOf, points } = await loadMarket(services);
  for (const [underlying, point] of points) {
    await services.market.update({ underlying, spot: point.spot, volatility: Number(point.volatility.toFixed(6)), rate: 0, asOf });
  }
  const instruments = await createInstruments(services, points);
  const linear = instruments.filter((i) => i.kind !== "OPTION");
  const options = instruments.filter((i) => i.kind === "OPTION");
  // Deterministic, so every fresh database holds the same book.
  const random = mulberry32(20250114);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];

  const clientNames = ["Aurora Capital", "Borealis Trading", "Cygnus Fund"];
  const modes: MarginMode[] = ["CROSS", "CROSS", "ISOLATED", "PORTFOLIO"];
  let accounts = 0;
  let trades = 0;
  const portfolioCandidates: string[] = [];
  const expiryTraders: string[] = [];
  for (const [c, clientName] of clientNames.entries()) {
    const client = await services.accounts.createClient({ name: clientName });
    for (let a = 0; a < 10; a++) {
      const marginMode = modes[(a + c) % modes.length];
      const account = await services.accounts.createAccount({ clientId: client.id, name: `${clientName.split(" ")[0]} ${marginMode.toLowerCase()} ${a + 1}`, marginMode });
      accounts++;
      if (c === 0 && marginMode === "CROSS") portfolioCandidates.push(account.id);
      // The settled expiry's traders: Borealis's first CROSS and first ISOLATED accounts.
      if (c === 1 && a < 2) expiryTraders.push(account.id);
      // Collateral from 50k to 2M USDC, a third of the accounts also hold BTC or ETH.
      const usdc = Math.round(50_000 * Math.exp(random() * Math.log(40)));
      await services.ledger.deposit({ accountId: account.id, asset: "USDC", amount: new Prisma.Decimal(usdc), idempotencyKey: `demo-${account.id}-usdc` });
      if (random() < 0.33) {
        const asset = random() < 0.6 ? "BTC" : "ETH";
        const units = asset === "BTC" ? round(0.5 + random() * 4, 3) : round(5 + random() * 60, 2);
        await services.ledger.deposit({ accountId: account.id, asset, amount: units, idempotencyKey: `demo-${account.id}-${asset}` });
      }
      // Leverage spread so the book holds healthy and stretched accounts alike.
      const leverage = 0.5 + random() * random() * 18;
      const budget = usdc * leverage;
      const legs = 2 + Math.floor(random() * 4);
      for (let leg = 0; leg < legs; leg++) {
        const optionLeg = marginMode !== "ISOLATED" && random() < 0.45;
        const instrument = optionLeg ? pick(options) : pick(linear);
        const point = points.get(instrument.underlyingId)!;
        const side = random() < 0.55 ? 1 : -1;
        const notional = (budget / legs) * (optionLeg ? 0.3 : 1);
        const contracts = Math.max(notional / point.spot / instrument.contractSize.toNumber(), 0.01);
        // ISOLATED positions stand on a thin 2 % margin: open them at today's close.
        const lag = marginMode === "ISOLATED" ? 0 : pick(ENTRY_LAG_DAYS);
        const price = entryPrice(instrument, asOf, point, lag);
        if (!(price > 0.01)) continue;
        await services.ledger.recordTrade({
          accountId: account.id,
          instrument: instrument.symbol,
          quantity: round(side * contracts, 3),
          price: round(price, 2),
          tradeId: `demo-${account.id.slice(0, 8)}-${leg}`,
        });
        trades++;
      }
    }
  }
  await seedSettledExpiry(services, asOf, points.get("BTC")!, expiryTraders[0], expiryTraders[1]);
  trades += expiryTraders.length;
  await services.accounts.createPortfolio({
    clientId: (await services.db.prisma.account.findUniqueOrThrow({ where: { id: portfolioCandidates[0] } })).clientId,
    name: "Aurora macro book",
    accountIds: portfolioCandidates.slice(0, 3),
  });
  return { clients: clientNames.length, accounts, trades };
}
