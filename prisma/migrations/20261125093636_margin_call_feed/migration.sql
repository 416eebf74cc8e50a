-- AlterTable
ALTER TABLE "MarginCall" ADD COLUMN     "clientId" UUID NOT NULL;

-- CreateIndex
CREATE INDEX "MarginCall_accountId_sequence_idx" ON "MarginCall"("accountId", "sequence");

-- CreateIndex
CREATE INDEX "MarginCall_portfolioId_sequence_idx" ON "MarginCall"("portfolioId", "sequence");

-- CreateIndex
CREATE INDEX "MarginCall_clientId_sequence_idx" ON "MarginCall"("clientId", "sequence");
