import { greeksAt, markAt, pricingTerms, type InstrumentGreeks, type PricingTerms } from "./instruments.js";
import type { SharedScenarioTable } from "./scenarioTable.js";
import type { InstrumentSpec, Market, OptionType, RiskParamsLookup, UnderlyingQuote } from "./types.js";

/**
 * Per-market memo of instrument pricing, so that valuing many units on one market (the
 * margin monitor's tick, an API page) prices each instrument once instead of once per
 * position: its pricing terms, mark and Greeks, and (scenarioTable.ts) its PORTFOLIO
 * grid row. Invisible to callers: every result is what direct pricing gives.
 *
 * Keyed by the Market object (a WeakMap, so a memo lives exactly as long as its market);
 * markets are treated as values, and shocked or moved markets are new objects anyway
 * (withQuotes, withSpot, applyShocks). Two guards keep a stale entry from ever being
 * used:
 * - the market: each access compares its valuation time and every quote (object and
 *   values) with what the memo was built on; any change starts a new memo;
 * - the instrument: an entry is found by symbol and used only for the spec object it
 *   was priced from, or another one whose fields the mark depends on (kind, underlying,
 *   expiry, strike, option type, markVolatility) are equal; otherwise it is re-priced and
 *   replaced (applyShocks, for one, gives options a new markVolatility under the same
 *   symbol). Like markets, instrument specs are values: not edited in place while in use.
 * Inputs that do not price (bad spec or quote) are never stored, so they throw every time.
 */

/** An instrument priced on one market. Shared between callers: frozen. */
export interface PricedInstrument {
  readonly terms: PricingTerms;
  /** USD per underlying unit. */
  readonly mark: number;
}

interface Entry extends PricedInstrument {
  /** The spec object first priced; the same object again is the same spec (inputs are values, not edited in place). */
  spec: InstrumentSpec;
  kind: InstrumentSpec["kind"];
  underlying: string;
  expiryMs: number | null;
  strike: number | null;
  optionType: OptionType | null;
  markVolatility: number | null;
  /** Computed on first use (unitGreeks); frozen. */
  greeks: InstrumentGreeks | null;
}

interface QuoteSnapshot {
  name: string;
  quote: UnderlyingQuote;
  spot: number;
  volatility: number;
  rate: number;
  asOfMs: number | undefined;
}

export interface MarketMemo {
  asOfMs: number;
  quotesMap: Market["quotes"];
  quotes: QuoteSnapshot[];
  /** By symbol. */
  instruments: Map<string, Entry>;
  /** PORTFOLIO grid rows per risk-parameter lookup (see scenarioTableFor). */
  scenarioTables: Map<RiskParamsLookup, SharedScenarioTable>;
}

const memos = new WeakMap<Market, MarketMemo>();

function snapshot(market: Market): MarketMemo {
  const quotes: QuoteSnapshot[] = [];
  for (const [name, quote] of market.quotes) {
    quotes.push({ name, quote, spot: quote.spot, volatility: quote.volatility, rate: quote.rate, asOfMs: quote.asOfMs });
  }
  return { asOfMs: market.asOfMs, quotesMap: market.quotes, quotes, instruments: new Map(), scenarioTables: new Map() };
}

function unchanged(memo: MarketMemo, market: Market): boolean {
  if (memo.asOfMs !== market.asOfMs || memo.quotesMap !== market.quotes || memo.quotes.length !== market.quotes.size) {
    return false;
  }
  for (const q of memo.quotes) {
    const quote = market.quotes.get(q.name);
    if (
      quote !== q.quote ||
      quote.spot !== q.spot ||
      quote.volatility !== q.volatility ||
      quote.rate !== q.rate ||
      quote.asOfMs !== q.asOfMs
    ) {
      return false;
    }
  }
  return true;
}

/** The memo of `market`, new if there was none or the market changed since. Call once per unit, not per position. */
export function marketMemo(market: Market): MarketMemo {
  let memo = memos.get(market);
  if (!memo || !unchanged(memo, market)) {
    memo = snapshot(market);
    memos.set(market, memo);
  }
  return memo;
}

function sameSpec(entry: Entry, instrument: InstrumentSpec): boolean {
  return (
    entry.kind === instrument.kind &&
    entry.underlying === instrument.underlying &&
    entry.expiryMs === instrument.expiryMs &&
    entry.strike === instrument.strike &&
    entry.optionType === instrument.optionType &&
    entry.markVolatility === instrument.markVolatility
  );
}

/** Terms and mark of `instrument` on the memo's market (pricingTerms + markAt once per instrument). */
export function pricedInstrument(memo: MarketMemo, instrument: InstrumentSpec, market: Market): PricedInstrument {
  return entryFor(memo, instrument, market);
}

/** Greeks of `instrument` (greeksAt once per instrument); frozen. */
export function pricedGreeks(memo: MarketMemo, instrument: InstrumentSpec, market: Market): InstrumentGreeks {
  const entry = entryFor(memo, instrument, market);
  entry.greeks ??= Object.freeze(greeksAt(entry.terms));
  return entry.greeks;
}

function entryFor(memo: MarketMemo, instrument: InstrumentSpec, market: Market): Entry {
  const cached = memo.instruments.get(instrument.symbol);
  if (cached && (cached.spec === instrument || sameSpec(cached, instrument))) return cached;
  const terms = Object.freeze(pricingTerms(instrument, market)); // validates; throws before anything is stored
  const entry: Entry = {
    terms,
    mark: markAt(terms, terms.spot),
    spec: instrument,
    kind: instrument.kind,
    underlying: instrument.underlying,
    expiryMs: instrument.expiryMs,
    strike: instrument.strike,
    optionType: instrument.optionType,
    markVolatility: instrument.markVolatility,
    greeks: null,
  };
  memo.instruments.set(instrument.symbol, entry);
  return entry;
}
