import { Prisma, type PrismaClient } from "../../generated/prisma/client.js";
import { loadPriceHistoryFile } from "../priceHistoryFile.js";

/** Underlyings the service prices, with their default margin parameters (DESIGN §4, §7.2): version 1 of each. */
export const UNDERLYINGS = [
  { symbol: "BTC", name: "Bitcoin", portfolioRange: "0.15", deltaRiskWeight: "0.15" },
  { symbol: "ETH", name: "Ether", portfolioRange: "0.20", deltaRiskWeight: "0.20" },
  { symbol: "SOL", name: "Solana", portfolioRange: "0.25", deltaRiskWeight: "0.25" },
  { symbol: "XRP", name: "XRP", portfolioRange: "0.25", deltaRiskWeight: "0.25" },
  { symbol: "DOGE", name: "Dogecoin", portfolioRange: "0.25", deltaRiskWeight: "0.25" },
] as const;

/** Collateral assets: stablecoins at price 1 and no haircut; BTC/ETH 5 %, others 10 %. */
export const ASSETS = [
  { symbol: "USDC", haircut: "0", underlyingId: null },
  { symbol: "USDT", haircut: "0", underlyingId: null },
  { symbol: "USD", haircut: "0", underlyingId: null },
  { symbol: "BTC", haircut: "0.05", underlyingId: "BTC" },
  { symbol: "ETH", haircut: "0.05", underlyingId: "ETH" },
  { symbol: "SOL", haircut: "0.10", underlyingId: "SOL" },
  { symbol: "XRP", haircut: "0.10", underlyingId: "XRP" },
  { symbol: "DOGE", haircut: "0.10", underlyingId: "DOGE" },
] as const;

const DEFAULT_IMR = "0.02";
const DEFAULT_MMR = "0.01";

/** Inserts what is missing of the reference data; never changes existing rows. */
export async function ensureReferenceData(prisma: PrismaClient): Promise<void> {
  await prisma.underlying.createMany({
    data: UNDERLYINGS.map(({ symbol, name }) => ({ symbol, name })),
    skipDuplicates: true,
  });
  await prisma.asset.createMany({
    data: ASSETS.map((a) => ({ ...a, haircut: new Prisma.Decimal(a.haircut) })),
    skipDuplicates: true,
  });
  await prisma.riskParameters.createMany({
    data: UNDERLYINGS.map((u) => ({
      underlyingId: u.symbol,
      version: 1,
      initialMarginRate: new Prisma.Decimal(DEFAULT_IMR),
      maintenanceMarginRate: new Prisma.Decimal(DEFAULT_MMR),
      portfolioRange: new Prisma.Decimal(u.portfolioRange),
      deltaRiskWeight: new Prisma.Decimal(u.deltaRiskWeight),
      changedBy: "initial defaults",
    })),
    skipDuplicates: true,
  });
  if ((await prisma.priceHistory.count()) === 0) {
    const rows = await loadPriceHistoryFile();
    await prisma.priceHistory.createMany({
      data: rows.map((r) => ({ underlyingId: r.underlying, date: new Date(`${r.date}T00:00:00Z`), close: new Prisma.Decimal(r.close) })),
      skipDuplicates: true,
    });
  }
}
