import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leveragedBtcAccount } from "../support/books.js";
import { TEST_DB } from "../support/testDatabase.js";
import { ADMIN_TOKEN, startTestServer, type TestServer } from "../support/testServer.js";

interface Run {
  output: () => string;
  exited: Promise<number | null>;
  interruptAfter(text: string): void;
}

function replay(api: TestServer, args: string[]): Run {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/replay.ts", "--url", api.url, "--token", ADMIN_TOKEN, ...args], {
    cwd: process.cwd(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let interruptOn: string | null = null;
  const collect = (chunk: Buffer) => {
    output += chunk;
    if (interruptOn && output.includes(interruptOn)) {
      interruptOn = null;
      child.kill("SIGINT");
    }
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  return {
    output: () => output,
    exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))),
    interruptAfter(text) {
      interruptOn = text;
    },
  };
}

const BTC = `{ marketState(underlyings: ["BTC"]) { spot volatility rate asOf } }`;

// The drill talks to the API only: one run, on PGlite.
describe.runIf(TEST_DB === "pglite")("replay drill", () => {
  let api: TestServer;
  let before: Record<string, unknown>;

  beforeAll(async () => {
    api = await startTestServer();
    await leveragedBtcAccount(api); // 10 000 USDC and 1 BTC perp at 100 000 ("Lev main" of client "Lev")
    before = (await api.ok<{ marketState: Record<string, unknown>[] }>(BTC)).marketState[0];
  });

  afterAll(async () => {
    await api?.close();
  });

  it("moves today's market through FTX in today's clock, prints the calls by name, then restores the market", { timeout: 60_000 }, async () => {
    const startedMs = Date.now();
    const run = replay(api, ["--from", "2022-11-08", "--to", "2022-11-10", "--step-minutes", "360", "--speed", "1000000"]);
    expect(await run.exited, run.output()).toBe(0);
    const out = run.output();
    const times = [...out.matchAll(/^(\d{4}-\d\d-\d\dT[\d:.]+Z) BTC /gm)].map((m) => Date.parse(m[1]));
    expect(times.length).toBe(9); // 2 days in 6-hour steps, both ends
    expect(times[0]).toBeGreaterThanOrEqual(startedMs - 1000); // asOf from now, not 2022
    expect(times[8] - times[0]).toBe(2 * 86_400_000);
    expect(out).toMatch(/margin call #\d+ .* Lev main \(Lev\): HEALTHY → LIQUIDATION/); // BTC −14 % on 9 November
    expect(out).toContain("market restored");
    expect((await api.ok<{ marketState: Record<string, unknown>[] }>(BTC)).marketState[0]).toEqual(before);
  });

  it("restores the market when interrupted, and leaves it moved with --keep", { timeout: 60_000 }, async () => {
    const interrupted = replay(api, ["--from", "2022-11-06", "--to", "2022-11-12", "--speed", "60"]);
    interrupted.interruptAfter(" BTC ");
    expect(await interrupted.exited, interrupted.output()).toBe(130);
    expect(interrupted.output()).toContain("market restored");
    expect((await api.ok<{ marketState: Record<string, unknown>[] }>(BTC)).marketState[0]).toEqual(before);

    const kept = replay(api, ["--from", "2022-11-08", "--to", "2022-11-09", "--step-minutes", "1440", "--speed", "1000000", "--keep"]);
    expect(await kept.exited, kept.output()).toBe(0);
    const after = (await api.ok<{ marketState: { spot: number }[] }>(BTC)).marketState[0];
    expect(after.spot).toBeLessThan(95_000); // left at the 9 November close relative to 100 000
  });
});
