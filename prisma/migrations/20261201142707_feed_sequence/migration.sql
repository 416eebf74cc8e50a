-- AlterTable
ALTER TABLE "MarketState" ADD COLUMN     "feedSequence" BIGINT;

-- AlterTable
ALTER TABLE "MarketTick" ADD COLUMN     "feedSequence" BIGINT;

-- CreateIndex
CREATE UNIQUE INDEX "MarketTick_feedSequence_key" ON "MarketTick"("feedSequence");
