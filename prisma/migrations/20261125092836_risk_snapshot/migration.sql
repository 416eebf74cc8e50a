-- AlterTable
ALTER TABLE "Account" ADD COLUMN     "marginRatio" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "riskAsOf" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "Portfolio" ADD COLUMN     "marginRatio" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "riskAsOf" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "Account_createdAt_id_idx" ON "Account"("createdAt", "id");

-- CreateIndex
CREATE INDEX "Account_marginRatio_id_idx" ON "Account"("marginRatio" DESC, "id");

-- CreateIndex
CREATE INDEX "Account_clientId_marginRatio_id_idx" ON "Account"("clientId", "marginRatio" DESC, "id");
