import { describe, expect, it } from "vitest";
import { deliveryPrice, DELIVERY_WINDOW_MS, EngineInputError, type SpotTick } from "../../../src/engine/index.js";
import { expectClose } from "./helpers.js";

const E = Date.parse("2025-03-28T08:00:00Z");
const at = (hhmm: string) => Date.parse(`2025-03-28T${hhmm}:00Z`);
const tick = (hhmm: string, spot: number): SpotTick => ({ asOfMs: at(hhmm), spot });

describe("delivery price: time-weighted spot over the 30 minutes before expiry", () => {
  it("weights each spot by the minutes it was in force, the tick before the window counting from its start", () => {
    // 07:30–07:37 at 100 (tick of 07:20), 07:37–07:51 at 110, 07:51–08:00 at 104; 08:05 is after expiry.
    // (7·100 + 14·110 + 9·104) / 30 = (700 + 1540 + 936) / 30 = 3176 / 30 = 105.8666…
    const ticks = [tick("07:20", 100), tick("07:37", 110), tick("07:51", 104), tick("08:05", 999)];
    expectClose(deliveryPrice(ticks, E)!, 3176 / 30, 1e-9, "irregular ticks");
    expect(DELIVERY_WINDOW_MS).toBe(1_800_000);
  });

  it("gives the same price whatever order the ticks come in", () => {
    const ticks = [tick("07:51", 104), tick("08:05", 999), tick("07:20", 100), tick("07:37", 110)];
    expectClose(deliveryPrice(ticks, E)!, 3176 / 30, 1e-9, "shuffled ticks");
  });

  it("averages over the covered part of the window when no tick is at or before its start", () => {
    // 07:40–07:52 at 200, 07:52–08:00 at 230: (12·200 + 8·230) / 20 = 4240 / 20 = 212.
    expectClose(deliveryPrice([tick("07:40", 200), tick("07:52", 230)], E)!, 212, 1e-9, "partial window");
  });

  it("gives no weight to a tick replaced before the window opens", () => {
    // 07:00 at 1000 is replaced at 07:30 exactly; 07:30–07:45 at 50, 07:45–08:00 at 80: (15·50 + 15·80)/30 = 65.
    expectClose(deliveryPrice([tick("07:00", 1000), tick("07:30", 50), tick("07:45", 80)], E)!, 65, 1e-9, "window start");
  });

  it("takes the spot of a lone tick exactly at expiry", () => {
    expect(deliveryPrice([tick("08:00", 77)], E)).toBe(77);
  });

  it("lets the later of two ticks with the same time win", () => {
    // 07:30–07:50 at 12 (the second 07:10 tick), 07:50–08:00 at 15: (20·12 + 10·15)/30 = 390/30 = 13.
    expectClose(deliveryPrice([tick("07:10", 11), tick("07:10", 12), tick("07:50", 15)], E)!, 13, 1e-9, "equal times");
  });

  it("has no delivery price without a tick at or before expiry", () => {
    expect(deliveryPrice([], E)).toBeNull();
    expect(deliveryPrice([tick("08:00", 1), tick("08:01", 2)].slice(1), E)).toBeNull();
  });

  it("refuses ticks that are not prices", () => {
    expect(() => deliveryPrice([tick("07:40", 0)], E)).toThrow(EngineInputError);
    expect(() => deliveryPrice([{ asOfMs: Number.NaN, spot: 1 }], E)).toThrow(EngineInputError);
  });
});
