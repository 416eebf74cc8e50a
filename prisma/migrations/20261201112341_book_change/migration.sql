-- DropIndex
DROP INDEX "Account_marginRatio_id_idx";

-- DropIndex
DROP INDEX "Account_clientId_marginRatio_id_idx";

-- AlterTable
ALTER TABLE "Account" DROP COLUMN "marginRatio",
DROP COLUMN "riskAsOf",
ADD COLUMN     "levelBookVersion" BIGINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Portfolio" DROP COLUMN "marginRatio",
DROP COLUMN "riskAsOf",
ADD COLUMN     "levelBookVersion" BIGINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "MarginCall" ADD COLUMN     "bookVersion" BIGINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "BookChange" (
    "version" BIGINT NOT NULL,
    "accounts" UUID[],
    "portfolios" UUID[],
    "clients" UUID[],
    "instruments" UUID[],
    "underlyings" TEXT[],
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BookChange_pkey" PRIMARY KEY ("version")
);
