import { askForKey, forgetKey } from "../key.ts";
import { ApiError, followMarginCalls, gql, type MarginCallEvent } from "./api.ts";
import { ratioChart } from "./chart.ts";

/** The risk desk: accounts riskiest first, a live margin-call feed, one account's drill-down. */
const PAGE_SIZE = 25;
const FEED_LENGTH = 200;

interface AccountRow {
  id: string;
  name: string;
  clientId: string;
  marginMode: string;
  equity: number;
  margin: { maintenance: number; ratio: number | null; level: string };
}

interface AccountsPage {
  accounts: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: AccountRow }[];
  };
}

const ACCOUNTS = `query($first: Int, $after: String) {
  accounts(first: $first, after: $after, orderBy: MARGIN_RATIO_DESC) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id name clientId marginMode equity margin { maintenance ratio level } } }
  }
}`;

const DETAIL = `query($id: ID!) {
  account(id: $id) {
    id name marginMode equity
    margin { initial maintenance available ratio level }
    greeks { underlying delta deltaUsd gamma vega theta }
    liquidation { underlying spot lowerPrice upperPrice distance }
  }
  stressScenarios { name from to }
}`;

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });
const num = new Intl.NumberFormat("en-US", { maximumFractionDigits: 4 });
const pct = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1)} %`);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function table(headers: string[], rows: (string | Node)[][]): HTMLTableElement {
  return el(
    "table",
    {},
    el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", {}, h)))),
    el("tbody", {}, ...rows.map((cells) => el("tr", {}, ...cells.map((c) => el("td", {}, c))))),
  );
}

const levelBadge = (level: string) => el("span", { class: `level level-${level}` }, level.replace("_", " "));

const app = document.getElementById("app")!;
const key = await askForKey(app, "Risk desk");

const status = el("span", { class: "status", "data-testid": "feed-status" }, "connecting…");
const forget = el("button", { type: "button" }, "Forget key");
forget.addEventListener("click", () => {
  forgetKey();
  location.reload();
});
const errorBox = el("p", { class: "error", role: "alert", hidden: "" });
const totalBox = el("span", { class: "total" });
const rowsBody = el("tbody", { "data-testid": "account-rows" });
const prev = el("button", { type: "button", disabled: "" }, "‹ Previous");
const next = el("button", { type: "button", disabled: "" }, "Next ›");
const feedList = el("ol", { class: "feed", "data-testid": "margin-calls", reversed: "" });
const detail = el("section", { class: "detail", "data-testid": "account-detail" }, el("p", { class: "hint" }, "Select an account."));

app.append(
  el("header", {}, el("h1", {}, "Risk desk"), status, forget),
  errorBox,
  el(
    "main",
    {},
    el(
      "section",
      { class: "accounts" },
      el("h2", {}, "Accounts, riskiest first ", totalBox),
      el(
        "table",
        { class: "rows" },
        el("thead", {}, el("tr", {}, ...["Account", "Mode", "Equity", "Maintenance", "Ratio", "Level"].map((h) => el("th", {}, h)))),
        rowsBody,
      ),
      el("nav", {}, prev, next),
    ),
    el("section", { class: "side" }, el("h2", {}, "Margin calls"), feedList, detail),
  ),
);

function showError(error: unknown) {
  errorBox.hidden = false;
  errorBox.textContent = error instanceof ApiError && error.code === "UNAUTHENTICATED" ? "The key was refused. Forget it and enter another." : String((error as Error).message ?? error);
}

// ---- accounts, in the API's order ----
const cursors: (string | null)[] = [null]; // the `after` of each page visited
let page = 0;
let selected: string | null = null;
const names = new Map<string, string>();

async function loadPage() {
  const data = await gql<AccountsPage>(key, ACCOUNTS, { first: PAGE_SIZE, after: cursors[page] });
  errorBox.hidden = true;
  const { edges, pageInfo, totalCount } = data.accounts;
  totalBox.textContent = `(${totalCount})`;
  rowsBody.replaceChildren(
    ...edges.map(({ node }) => {
      names.set(node.id, node.name);
      const row = el(
        "tr",
        { "data-testid": "account-row", "data-account-id": node.id, "data-level": node.margin.level, tabindex: "0" },
        el("td", {}, node.name),
        el("td", {}, node.marginMode),
        el("td", { class: "n" }, usd.format(node.equity)),
        el("td", { class: "n" }, usd.format(node.margin.maintenance)),
        el("td", { class: "n" }, pct(node.margin.ratio)),
        el("td", {}, levelBadge(node.margin.level)),
      );
      if (node.id === selected) row.classList.add("selected");
      const open = () => void showAccount(node.id);
      row.addEventListener("click", open);
      row.addEventListener("keydown", (e) => e.key === "Enter" && open());
      return row;
    }),
  );
  cursors[page + 1] = pageInfo.hasNextPage ? pageInfo.endCursor : null;
  prev.disabled = page === 0;
  next.disabled = !pageInfo.hasNextPage;
}

prev.addEventListener("click", () => {
  page = Math.max(0, page - 1);
  loadPage().catch(showError);
});
next.addEventListener("click", () => {
  if (cursors[page + 1] === null || cursors[page + 1] === undefined) return;
  page++;
  loadPage().catch(showError);
});

/** Refreshes the current page once for a burst of margin calls. */
let refreshing: number | undefined;
function refreshSoon() {
  window.clearTimeout(refreshing);
  refreshing = window.setTimeout(() => {
    loadPage().catch(showError);
    if (selected) void showAccount(selected);
  }, 100);
}

// ---- live margin calls ----
/** Names of accounts and portfolios the feed mentions, looked up once each. */
function nameOf(event: MarginCallEvent): Promise<string> | string {
  const [kind, id] = event.accountId ? (["account", event.accountId] as const) : (["portfolio", event.portfolioId ?? ""] as const);
  const known = names.get(`${kind}:${id}`) ?? (kind === "account" ? names.get(id) : undefined);
  if (known) return known;
  return gql<Record<string, { name: string } | null>>(key, `query($id: ID!) { ${kind}(id: $id) { name } }`, { id }).then(
    (data) => {
      const name = data[kind]?.name ?? id;
      names.set(`${kind}:${id}`, kind === "portfolio" ? `portfolio ${name}` : name);
      return names.get(`${kind}:${id}`)!;
    },
    () => id,
  );
}

function addFeedEntry(event: MarginCallEvent) {
  const name = nameOf(event);
  const who = el("span", { class: "who" }, typeof name === "string" ? name : event.accountId ?? `portfolio ${event.portfolioId}`);
  if (typeof name !== "string") void name.then((n) => (who.textContent = n));
  const time = new Date(event.createdAt).toLocaleTimeString();
  const entry = el(
    "li",
    { "data-testid": "margin-call", "data-sequence": String(event.sequence), "data-level": event.level },
    el("span", { class: "seq" }, `#${event.sequence}`),
    ` ${time} `,
    who,
    " ",
    levelBadge(event.previousLevel),
    " → ",
    levelBadge(event.level),
    ` ${pct(event.ratio)}`,
  );
  feedList.prepend(entry);
  while (feedList.children.length > FEED_LENGTH) feedList.lastElementChild!.remove();
}

followMarginCalls(
  key,
  (event) => {
    addFeedEntry(event);
    refreshSoon();
  },
  (s) => {
    status.textContent = s === "live" ? "● live" : s === "reconnecting" ? "reconnecting…" : "feed refused the key";
    status.className = `status status-${s}`;
  },
);

// ---- drill-down ----
interface Detail {
  account: {
    id: string;
    name: string;
    marginMode: string;
    equity: number;
    margin: { initial: number; maintenance: number; available: number; ratio: number | null; level: string };
    greeks: { underlying: string; delta: number; deltaUsd: number; gamma: number; vega: number; theta: number }[];
    liquidation: { underlying: string; spot: number; lowerPrice: number | null; upperPrice: number | null; distance: number | null }[];
  } | null;
  stressScenarios: { name: string; from: string; to: string }[];
}
type Stress = { pnl: number; equity: number; maintenance: number; ratio: number | null; level: string };
type Curve = { spot: number; ratio: number | null }[];

let detailRequest = 0;
async function showAccount(id: string) {
  selected = id;
  for (const row of rowsBody.querySelectorAll<HTMLElement>("[data-testid=account-row]")) row.classList.toggle("selected", row.dataset.accountId === id);
  const request = ++detailRequest;
  try {
    const { account, stressScenarios } = await gql<Detail>(key, DETAIL, { id });
    if (request !== detailRequest) return;
    if (!account) {
      detail.replaceChildren(el("p", {}, "Account not found."));
      return;
    }
    // One request for every named scenario and every underlying's curve (aliases).
    const stressFields = stressScenarios.map((s, i) => `s${i}: stressTest(accountId: $id, scenario: { name: ${JSON.stringify(s.name)} }) { pnl equity maintenance ratio level }`);
    const curveFields = account.liquidation.map(
      (l, i) => `c${i}: ratioCurve(underlying: ${JSON.stringify(l.underlying)}, from: ${l.spot * 0.5}, to: ${l.spot * 1.5}, points: 61) { spot ratio }`,
    );
    const extra =
      stressFields.length + curveFields.length > 0
        ? await gql<{ account: Record<string, Curve> } & Record<string, Stress>>(
            key,
            `query($id: ID!) { ${stressFields.join(" ")} account(id: $id) { id ${curveFields.join(" ")} } }`,
            { id },
          )
        : { account: {} as Record<string, Curve> };
    if (request !== detailRequest) return;
    const m = account.margin;
    detail.replaceChildren(
      el("h2", {}, account.name, " ", levelBadge(m.level)),
      el(
        "p",
        { class: "summary" },
        `${account.marginMode} · equity ${usd.format(account.equity)} · initial ${usd.format(m.initial)} · maintenance ${usd.format(m.maintenance)} · available ${usd.format(m.available)} · ratio ${pct(m.ratio)}`,
      ),
      el("h3", {}, "Greeks per underlying"),
      table(
        ["Underlying", "Delta", "Delta USD", "Gamma", "Vega /pt", "Theta /day"],
        account.greeks.map((g) => [g.underlying, num.format(g.delta), usd.format(g.deltaUsd), num.format(g.gamma), usd.format(g.vega), usd.format(g.theta)]),
      ),
      el("h3", {}, "Liquidation"),
      table(
        ["Underlying", "Spot", "Lower", "Upper", "Distance"],
        account.liquidation.map((l) => [
          l.underlying,
          usd.format(l.spot),
          l.lowerPrice === null ? "—" : usd.format(l.lowerPrice),
          l.upperPrice === null ? "—" : usd.format(l.upperPrice),
          pct(l.distance),
        ]),
      ),
      el("h3", {}, "Stress"),
      table(
        ["Scenario", "P&L", "Equity", "Maintenance", "Ratio", "Level"],
        stressScenarios.map((s, i) => {
          const r = (extra as unknown as Record<string, Stress>)[`s${i}`];
          return [`${s.name} (${s.from} → ${s.to})`, usd.format(r.pnl), usd.format(r.equity), usd.format(r.maintenance), pct(r.ratio), levelBadge(r.level)];
        }),
      ),
      el("h3", {}, "Margin ratio against spot"),
      ...account.liquidation.map((l, i) => ratioChart(l.underlying, l.spot, extra.account[`c${i}`] ?? [])),
    );
  } catch (error) {
    if (request === detailRequest) detail.replaceChildren(el("p", { class: "error" }, String((error as Error).message)));
  }
}

loadPage().catch(showError);
