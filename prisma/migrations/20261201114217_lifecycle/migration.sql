-- AlterEnum
ALTER TYPE "LedgerKind" ADD VALUE 'SETTLEMENT';

-- AlterTable
ALTER TABLE "RiskParameters" ADD COLUMN     "deltaRiskWeight" DECIMAL(38,18) NOT NULL DEFAULT 0.25;

-- CreateTable
CREATE TABLE "MarketTick" (
    "id" BIGSERIAL NOT NULL,
    "underlyingId" TEXT NOT NULL,
    "spot" DECIMAL(38,18) NOT NULL,
    "volatility" DECIMAL(38,18) NOT NULL,
    "rate" DECIMAL(38,18) NOT NULL,
    "asOf" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MarketTick_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Settlement" (
    "id" UUID NOT NULL,
    "instrumentId" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "quantity" DECIMAL(38,18) NOT NULL,
    "deliveryPrice" DECIMAL(38,18) NOT NULL,
    "amount" DECIMAL(38,18) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Settlement_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "MarketTick_underlyingId_asOf_idx" ON "MarketTick"("underlyingId", "asOf");

-- CreateIndex
CREATE INDEX "Settlement_accountId_createdAt_idx" ON "Settlement"("accountId", "createdAt");

-- CreateIndex
CREATE INDEX "Settlement_createdAt_idx" ON "Settlement"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Settlement_instrumentId_accountId_key" ON "Settlement"("instrumentId", "accountId");

-- AddForeignKey
ALTER TABLE "MarketTick" ADD CONSTRAINT "MarketTick_underlyingId_fkey" FOREIGN KEY ("underlyingId") REFERENCES "Underlying"("symbol") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Settlement" ADD CONSTRAINT "Settlement_instrumentId_fkey" FOREIGN KEY ("instrumentId") REFERENCES "Instrument"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Settlement" ADD CONSTRAINT "Settlement_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Versions stored before the column existed carry DESIGN's risk weights (BTC 0.15, ETH 0.20, others 0.25).
UPDATE "RiskParameters" SET "deltaRiskWeight" = 0.15 WHERE "underlyingId" = 'BTC';
UPDATE "RiskParameters" SET "deltaRiskWeight" = 0.20 WHERE "underlyingId" = 'ETH';
