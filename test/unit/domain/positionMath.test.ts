import { describe, expect, it } from "vitest";
import { Prisma } from "../../../src/generated/prisma/client.js";
import { applyFill, type PositionState } from "../../../src/domain/positionMath.js";

const d = (v: string | number) => new Prisma.Decimal(v);
const flat: PositionState = { quantity: d(0), averagePrice: d(0) };

/** Applies fills in order; contract size 1 unless given. Expected values are worked by hand in each case. */
function run(fills: [qty: string, price: string][], contractSize = "1") {
  let position = flat;
  const realized: string[] = [];
  for (const [qty, price] of fills) {
    const change = applyFill(position, { quantity: d(qty), price: d(price), contractSize: d(contractSize) });
    position = change.position;
    realized.push(change.realizedPnl.toFixed());
  }
  return { quantity: position.quantity.toFixed(), averagePrice: position.averagePrice.toFixed(), realized };
}

describe("ledger position arithmetic", () => {
  it("opens a long at the fill price with nothing realised", () => {
    expect(run([["2", "100"]])).toEqual({ quantity: "2", averagePrice: "100", realized: ["0"] });
  });

  it("averages the price while a position grows: (2·100 + 1·130)/3 = 110", () => {
    expect(run([["2", "100"], ["1", "130"]])).toEqual({ quantity: "3", averagePrice: "110", realized: ["0", "0"] });
  });

  it("keeps the average and realises closed·(price − avg) on a reduction: 1·(120 − 110) = 10", () => {
    expect(run([["2", "100"], ["1", "130"], ["-1", "120"]])).toEqual({ quantity: "2", averagePrice: "110", realized: ["0", "0", "10"] });
  });

  it("realises everything on a close: 2·(90 − 100) = −20", () => {
    const result = run([["2", "100"], ["-2", "90"]]);
    expect(result.quantity).toBe("0");
    expect(result.realized).toEqual(["0", "-20"]);
  });

  it("flips: closes the old side against its average and opens the rest at the fill price", () => {
    // long 2 @ 100, sell 5 @ 110: closes 2 → +20, leaves short 3 @ 110
    expect(run([["2", "100"], ["-5", "110"]])).toEqual({ quantity: "-3", averagePrice: "110", realized: ["0", "20"] });
  });

  it("realises a short's profit when it buys back lower: 4·(50 − 40)·(−1)·… = +40", () => {
    // short 4 @ 50, buy 4 @ 40: closed 4·(40 − 50)·sign(−4) = +40
    expect(run([["-4", "50"], ["4", "40"]]).realized).toEqual(["0", "40"]);
  });

  it("scales realised P&L by the contract size: 3 contracts of 0.1 × (2 100 − 2 000) = 30", () => {
    expect(run([["3", "2000"], ["-3", "2100"]], "0.1").realized).toEqual(["0", "30"]);
  });

  it("averages shorts the same way: (−1·200 − 3·100)/−4 → 125", () => {
    expect(run([["-1", "200"], ["-3", "100"]])).toEqual({ quantity: "-4", averagePrice: "125", realized: ["0", "0"] });
  });
});
