const SVG = "http://www.w3.org/2000/svg";
const W = 360;
const H = 160;
const PAD = { left: 40, right: 8, top: 8, bottom: 22 };
/** Level thresholds drawn across the chart (DESIGN §4). */
const THRESHOLDS: [number, string][] = [
  [0.7, "WARNING"],
  [0.8, "MARGIN_CALL"],
  [1, "LIQUIDATION"],
];

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

/**
 * Margin ratio (y, capped at 1.5; no ratio = equity gone, drawn at the cap) against the
 * spot of one underlying (x), with the level thresholds and the current spot.
 */
export function ratioChart(underlying: string, spot: number, points: { spot: number; ratio: number | null }[]): HTMLElement {
  const figure = document.createElement("figure");
  figure.className = "chart";
  figure.dataset.testid = "ratio-chart";
  figure.dataset.underlying = underlying;
  const caption = document.createElement("figcaption");
  caption.textContent = `${underlying}: margin ratio against spot (now ${spot.toLocaleString("en-US")})`;
  if (points.length < 2) {
    figure.append(caption);
    return figure;
  }
  const x0 = points[0].spot;
  const x1 = points[points.length - 1].spot;
  const yMax = 1.5;
  const x = (s: number) => PAD.left + ((s - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const y = (r: number) => PAD.top + (1 - Math.min(r, yMax) / yMax) * (H - PAD.top - PAD.bottom);
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", "aria-label": caption.textContent });
  for (const [t, level] of THRESHOLDS) {
    chart.append(svg("line", { x1: PAD.left, x2: W - PAD.right, y1: y(t), y2: y(t), class: `threshold level-${level}` }));
  }
  for (const t of [0, 0.5, 1, 1.5]) {
    const label = svg("text", { x: PAD.left - 4, y: y(t) + 3, "text-anchor": "end", class: "axis" });
    label.textContent = t.toFixed(1);
    chart.append(label);
  }
  for (const [s, anchor] of [[x0, "start"], [spot, "middle"], [x1, "end"]] as const) {
    const label = svg("text", { x: x(s), y: H - 6, "text-anchor": anchor, class: "axis" });
    label.textContent = Math.round(s).toLocaleString("en-US");
    chart.append(label);
  }
  chart.append(svg("line", { x1: x(spot), x2: x(spot), y1: PAD.top, y2: H - PAD.bottom, class: "spot" }));
  const path = points.map((p, i) => `${i === 0 ? "M" : "L"}${x(p.spot).toFixed(1)},${y(p.ratio ?? yMax).toFixed(1)}`).join(" ");
  chart.append(svg("path", { d: path, class: "curve" }));
  figure.append(chart, caption);
  return figure;
}
