/**
 * Risk engine benchmarks, single-threaded: `npx tsx test/bench/engine.bench.ts`.
 *
 * 1. Black–Scholes price + 5 Greeks over 2 M varied inputs, against a C build of the
 *    same formulas and normal CDF (test/bench/bs.c, compiled here with gcc -O2 into a
 *    temporary directory). Both draw the same inputs from the same seeded PRNG and print
 *    a checksum, so the comparison is like for like.
 * 2. PORTFOLIO margin of 10 000 accounts × 20 positions on 500 instruments (perps,
 *    futures, options on BTC/ETH/SOL): scenario-table build, then margining every account.
 *
 * Prints a markdown report (machine, command, results) to paste into BENCHMARKS.md.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  bsPriceGreeksInto,
  createScenarioTable,
  defaultRiskParams,
  portfolioMarginWithTable,
  type InstrumentSpec,
  type MarginUnitInput,
  type Market,
  type OptionGreeks,
} from "../../src/engine/index.js";

const BS_EVALUATIONS = 2_000_000;
const BS_ROUNDS = 7;
const BS_SEED = 12345;
const ACCOUNTS = 10_000;
const POSITIONS_PER_ACCOUNT = 20;
const INSTRUMENTS = 500;
const PORTFOLIO_ROUNDS = 7;
const PORTFOLIO_SEED = 2024;
const DAY_MS = 86_400_000;

/** mulberry32: tiny seeded PRNG, bit-for-bit identical to the one in bs.c. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs `body` `rounds` times after one warm-up run; returns each round's milliseconds. */
function timeRounds(rounds: number, body: () => void): number[] {
  body();
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    body();
    times.push(performance.now() - start);
  }
  return times;
}

// ---------- 1. Black–Scholes throughput, JS vs C ----------

interface ThroughputResult {
  nsPerOp: number;
  checksum: number;
}

function blackScholesJs(): ThroughputResult {
  const random = mulberry32(BS_SEED);
  const isCall = new Uint8Array(BS_EVALUATIONS);
  const strike = new Float64Array(BS_EVALUATIONS);
  const years = new Float64Array(BS_EVALUATIONS);
  const vol = new Float64Array(BS_EVALUATIONS);
  const rate = new Float64Array(BS_EVALUATIONS);
  for (let i = 0; i < BS_EVALUATIONS; i++) {
    // Same draw order as bs.c: moneyness 0.5..2, T 0.005..2 years, σ 5..150 %, r 0..5 %.
    isCall[i] = random() < 0.5 ? 1 : 0;
    strike[i] = 100 * (0.5 + 1.5 * random());
    years[i] = 0.005 + 2 * random();
    vol[i] = 0.05 + 1.45 * random();
    rate[i] = 0.05 * random();
  }
  const out: OptionGreeks = { price: 0, delta: 0, gamma: 0, vega: 0, theta: 0, rho: 0 };
  let checksum = 0;
  const times = timeRounds(BS_ROUNDS, () => {
    let sum = 0;
    for (let i = 0; i < BS_EVALUATIONS; i++) {
      bsPriceGreeksInto(out, isCall[i] === 1, 100, strike[i], years[i], vol[i], rate[i], 0);
      sum += out.price + out.delta + out.gamma + out.vega + out.theta + out.rho;
    }
    checksum = sum;
  });
  return { nsPerOp: (Math.min(...times) * 1e6) / BS_EVALUATIONS, checksum };
}

function blackScholesC(): ThroughputResult & { compiler: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "risk-bench-"));
  try {
    const binary = path.join(dir, "bs");
    execFileSync("gcc", ["-O2", "-o", binary, path.join(import.meta.dirname, "bs.c"), "-lm"]);
    const [nsPerOp, checksum] = execFileSync(binary, [String(BS_EVALUATIONS), String(BS_ROUNDS), String(BS_SEED)], {
      encoding: "utf8",
    })
      .trim()
      .split(" ")
      .map(Number);
    const compiler = execFileSync("gcc", ["--version"], { encoding: "utf8" }).split("\n")[0];
    return { nsPerOp, checksum, compiler };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------- 2. PORTFOLIO margin of many accounts ----------

const SPOTS: Record<string, number> = { BTC: 100000, ETH: 3500, SOL: 180 };

function benchMarket(): Market {
  return {
    asOfMs: Date.UTC(2025, 0, 1),
    quotes: new Map([
      ["BTC", { spot: SPOTS.BTC, volatility: 0.55, rate: 0.04 }],
      ["ETH", { spot: SPOTS.ETH, volatility: 0.7, rate: 0.04 }],
      ["SOL", { spot: SPOTS.SOL, volatility: 0.9, rate: 0.04 }],
    ]),
  };
}

/** Per underlying: 1 perp, 4 futures, then options over 6 expiries × strikes × call/put, 500 in all. */
function benchInstruments(asOfMs: number): InstrumentSpec[] {
  const base = { contractSize: 1, initialMarginRate: null, maintenanceMarginRate: null, markVolatility: null };
  const instruments: InstrumentSpec[] = [];
  const underlyings = Object.keys(SPOTS);
  for (const underlying of underlyings) {
    instruments.push({ ...base, symbol: `${underlying}-PERP`, kind: "PERPETUAL", underlying, expiryMs: null, strike: null, optionType: null });
    for (const days of [30, 60, 90, 180]) {
      instruments.push({
        ...base,
        symbol: `${underlying}-FUT-${days}`,
        kind: "FUTURE",
        underlying,
        expiryMs: asOfMs + days * DAY_MS,
        strike: null,
        optionType: null,
      });
    }
  }
  const expiries = [7, 14, 30, 60, 90, 180];
  for (let k = 0; instruments.length < INSTRUMENTS; k++) {
    const underlying = underlyings[k % underlyings.length];
    const slot = Math.floor(k / underlyings.length);
    const days = expiries[slot % expiries.length];
    const optionType = Math.floor(slot / expiries.length) % 2 === 0 ? "CALL" : "PUT";
    const strike = Math.round(SPOTS[underlying] * (0.6 + 0.075 * Math.floor(slot / (2 * expiries.length))) * 100) / 100;
    instruments.push({
      ...base,
      symbol: `${underlying}-${days}D-${strike}-${optionType[0]}`,
      kind: "OPTION",
      underlying,
      expiryMs: asOfMs + days * DAY_MS,
      strike,
      optionType,
    });
  }
  return instruments;
}

function benchAccounts(instruments: InstrumentSpec[]): MarginUnitInput[] {
  const random = mulberry32(PORTFOLIO_SEED);
  return Array.from({ length: ACCOUNTS }, () => ({
    mode: "PORTFOLIO" as const,
    collateral: [
      { asset: "USDC", amount: 1e5 + 1e6 * random(), haircut: 0, underlying: null },
      { asset: "BTC", amount: 2 * random(), haircut: 0.05, underlying: "BTC" },
    ],
    positions: Array.from({ length: POSITIONS_PER_ACCOUNT }, () => {
      const instrument = instruments[Math.floor(random() * instruments.length)];
      const quantity = Math.round((random() - 0.5) * 40) / 2 || 1;
      return { instrument, quantity, averagePrice: 0, isolatedMargin: 0 };
    }),
  }));
}

function portfolioBench() {
  const market = benchMarket();
  const instruments = benchInstruments(market.asOfMs);
  const accounts = benchAccounts(instruments);
  const tableTimes = timeRounds(PORTFOLIO_ROUNDS, () => createScenarioTable(instruments, market, defaultRiskParams));
  const table = createScenarioTable(instruments, market, defaultRiskParams);
  let total = 0;
  const marginTimes = timeRounds(PORTFOLIO_ROUNDS, () => {
    let sum = 0;
    for (const account of accounts) sum += portfolioMarginWithTable(account, table).maintenance;
    total = sum;
  });
  const options = instruments.filter((i) => i.kind === "OPTION").length;
  return { instruments: instruments.length, options, tableTimes, marginTimes, total };
}

// ---------- report ----------

function cpuModel(): string {
  const line = readFileSync("/proc/cpuinfo", "utf8")
    .split("\n")
    .find((l) => l.startsWith("model name"));
  return line ? line.split(":")[1].trim() : os.cpus()[0]?.model ?? "unknown";
}

const js = blackScholesJs();
const c = blackScholesC();
const pm = portfolioBench();
const fmt = (x: number, digits = 1) => x.toFixed(digits);

console.log(`## Risk engine benchmark

Machine: ${os.availableParallelism()} cores (\`nproc\`), ${cpuModel()}, Node ${process.version}, ${c.compiler}; one core used.
Command: \`npx tsx test/bench/engine.bench.ts\` (best of ${BS_ROUNDS} rounds after a warm-up unless noted).

### Black–Scholes price + 5 Greeks, ${BS_EVALUATIONS.toLocaleString("en-US")} varied inputs

| implementation | ns / evaluation | evaluations / s | checksum |
|---|---:|---:|---:|
| JavaScript (bsPriceGreeksInto) | ${fmt(js.nsPerOp)} | ${fmt(1e3 / js.nsPerOp, 2)} M | ${js.checksum.toPrecision(15)} |
| C, gcc -O2 (test/bench/bs.c) | ${fmt(c.nsPerOp)} | ${fmt(1e3 / c.nsPerOp, 2)} M | ${c.checksum.toPrecision(15)} |

JS speed relative to C: **${fmt(c.nsPerOp / js.nsPerOp, 2)}×** (goal ≥ 0.5×).

### PORTFOLIO margin: ${ACCOUNTS.toLocaleString("en-US")} accounts × ${POSITIONS_PER_ACCOUNT} positions on ${pm.instruments} instruments (${pm.options} options)

| step | best ms | median ms |
|---|---:|---:|
| createScenarioTable (${pm.instruments} instruments × 39 scenarios) | ${fmt(Math.min(...pm.tableTimes), 2)} | ${fmt(median(pm.tableTimes), 2)} |
| portfolioMarginWithTable, all accounts | ${fmt(Math.min(...pm.marginTimes), 2)} | ${fmt(median(pm.marginTimes), 2)} |
| total | ${fmt(Math.min(...pm.tableTimes) + Math.min(...pm.marginTimes), 2)} | ${fmt(median(pm.tableTimes) + median(pm.marginTimes), 2)} |

Goal < 100 ms. Σ maintenance margin over all accounts: ${pm.total.toFixed(2)} USD (a checksum).
`);
