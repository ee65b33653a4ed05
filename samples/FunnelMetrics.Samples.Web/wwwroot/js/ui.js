// Small helpers the pages share: building elements, formatting the JSON contract's numbers, and the hand-drawn SVG
// charts (no chart library: see the sample's README for why).

const SVG = 'http://www.w3.org/2000/svg';

/** An HTML element: h('div', { class: 'x', onclick: f }, child, 'text', ...). */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttributes(node, attrs);
  append(node, children);
  return node;
}

/** An SVG element, the same way. */
export function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  setAttributes(node, attrs);
  append(node, children);
  return node;
}

function setAttributes(node, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// ---- formatting -------------------------------------------------------------------------------------------------

const integer = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** A count, as the dashboard JSON gives it (an integer): 1234 -> "1,234". */
export const count = (n) => (n === null || n === undefined ? '–' : integer.format(n));

/** An average or an expectation: one decimal. */
export const one = (n) => (n === null || n === undefined || Number.isNaN(n) ? '–' : decimal.format(n));

/** A share 0..1 as a percentage. */
export const percent = (x) => (x === null || x === undefined || Number.isNaN(x) ? '–' : `${Math.round(x * 100)}%`);

/** A money amount in the pipeline's currency, rounded. */
export function money(amount, currency) {
  if (amount === null || amount === undefined) return '–';
  try {
    return new Intl.NumberFormat('en-GB', { style: 'currency', currency: currency || 'EUR', maximumFractionDigits: 0 }).format(amount);
  } catch {
    return integer.format(amount);
  }
}

/**
 * Seconds, as every duration of the JSON contract is, in days or hours: 250000 -> "2.9 d", 7200 -> "2.0 h".
 * (Reads an older "d.hh:mm:ss" string too.)
 */
export function seconds(value) {
  const secs = toSeconds(value);
  if (secs === null) return '–';
  const days = secs / 86400;
  if (Math.abs(days) >= 1) return `${decimal.format(days)} d`;
  const hours = secs / 3600;
  if (Math.abs(hours) >= 1) return `${decimal.format(hours)} h`;
  return `${integer.format(Math.round(secs / 60))} min`;
}

/** A duration of the JSON contract as a number of seconds, or null. */
export function toSeconds(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  const match = /^(-)?(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(String(value));
  if (!match) return null;
  const [, minus, d, hh, mm, ss] = match;
  const total = (Number(d || 0) * 86400) + (Number(hh) * 3600) + (Number(mm) * 60) + Number(ss);
  return minus ? -total : total;
}

/** A duration estimate ({ value } or { moreThan }, both seconds): "2.9 d", or "> 12.0 d" when censored. */
export function estimate(e) {
  if (!e) return '–';
  if (e.value !== undefined && e.value !== null) return seconds(e.value);
  if (e.moreThan !== undefined && e.moreThan !== null) return `> ${seconds(e.moreThan)}`;
  return '–';
}

/** An instant as "Fri 16 Oct 2026, 18:04 UTC" in the pipeline's zone (the dashboard's time zone). */
export function instant(iso, timeZone = 'UTC') {
  if (!iso) return '–';
  const date = new Date(iso);
  try {
    return `${new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone }).format(date)} ${timeZone === 'UTC' ? 'UTC' : ''}`.trim();
  } catch {
    return date.toISOString();
  }
}

/** A day (yyyy-MM-dd) as "Fri 16 Oct 2026". */
export function day(text) {
  if (!text) return '–';
  const [y, m, d] = text.split('-').map(Number);
  return new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)));
}

// ---- numbers that open the clients behind them ------------------------------------------------------------------

/**
 * A number that lists the clients behind it when clicked: a button with the formatted text, its raw value in
 * data-value and its key in data-metric (the tests read both), and the drill-down spec it opens.
 */
export function num(text, { metric, value, spec, title, onDrill, className = '' } = {}) {
  if (!spec || !onDrill) {
    return h('span', { class: `num static ${className}`, 'data-metric': metric, 'data-value': value }, text);
  }
  return h('button', {
    type: 'button',
    class: `num ${className}`,
    'data-metric': metric,
    'data-value': value,
    title: title || 'List the clients behind this number',
    onclick: () => onDrill(spec, title),
  }, text);
}

// ---- charts -----------------------------------------------------------------------------------------------------

/**
 * One horizontal bar, scaled to max, with an optional tick for a comparison value (today against the average):
 * an inline SVG of the given width.
 */
export function bar(value, max, { width = 220, height = 16, tick = null, tone = 'main', label = '' } = {}) {
  const scale = max > 0 ? (width - 2) / max : 0;
  const svg = s('svg', { class: `bar ${tone}`, width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label || String(value) });
  svg.append(s('rect', { class: 'track', x: 0, y: 0, width, height, rx: 3 }));
  svg.append(s('rect', { class: 'fill', x: 0, y: 0, width: Math.max(value > 0 ? 2 : 0, value * scale), height, rx: 3 }));
  if (tick !== null && tick !== undefined) {
    const x = Math.min(width - 1.5, Math.max(1.5, tick * scale));
    svg.append(s('line', { class: 'tick', x1: x, x2: x, y1: -1, y2: height + 1 }));
  }
  return svg;
}

/** A bar of shares stacked left to right (conversion: advanced, lost, remaining). */
export function stacked(parts, { width = 240, height = 16, label = '' } = {}) {
  const svg = s('svg', { class: 'stacked', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label });
  let x = 0;
  for (const part of parts) {
    const w = Math.max(0, (part.share || 0) * width);
    svg.append(s('rect', { class: part.tone, x, y: 0, width: w, height }, s('title', {}, `${part.name}: ${percent(part.share)}`)));
    x += w;
  }
  return svg;
}

/**
 * A range on a shared axis from 0 to max: a line from low to high with a dot at the middle value (time in stage:
 * median to p90). A censored end ("more than") is drawn open-ended.
 */
export function range(low, high, max, { width = 240, height = 18, lowOpen = false, highOpen = false, label = '' } = {}) {
  const scale = max > 0 ? (width - 8) / max : 0;
  const svg = s('svg', { class: 'range', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label });
  svg.append(s('line', { class: 'axis', x1: 0, x2: width, y1: height / 2, y2: height / 2 }));
  if (low !== null) {
    const x1 = 4 + (low * scale);
    const x2 = 4 + ((high ?? low) * scale);
    svg.append(s('line', { class: `span${highOpen ? ' open' : ''}`, x1, x2, y1: height / 2, y2: height / 2 }));
    svg.append(s('circle', { class: `median${lowOpen ? ' open' : ''}`, cx: x1, cy: height / 2, r: 4 }));
    if (high !== null) svg.append(s('circle', { class: `p90${highOpen ? ' open' : ''}`, cx: x2, cy: height / 2, r: 3 }));
  }
  return svg;
}

/**
 * The month forecast: an axis of wins from 0, the P10–P90 band, the P50 and the expected wins, the wins so far
 * and the target as marks.
 */
export function forecastBand({ p10, p50, p90, expected, wonSoFar = 0, target = null, width = 560, height = 92 }) {
  const max = Math.max(1, p90 + wonSoFar, target ?? 0) * 1.12;
  const pad = 16;
  const x = (v) => pad + ((width - (2 * pad)) * (v / max));
  const svg = s('svg', { class: 'band', width: '100%', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `Month forecast: ${p10} to ${p90} more wins, ${wonSoFar} so far` });
  const axisY = height - 22;
  svg.append(s('line', { class: 'axis', x1: pad, x2: width - pad, y1: axisY, y2: axisY }));
  const step = niceStep(max);
  for (let v = 0; v <= max; v += step) {
    svg.append(s('line', { class: 'grid', x1: x(v), x2: x(v), y1: 10, y2: axisY + 4 }));
    svg.append(s('text', { class: 'axis-label', x: x(v), y: height - 6, 'text-anchor': 'middle' }, String(v)));
  }
  // What is won already, then the band of what the month may still bring on top of it.
  svg.append(s('rect', { class: 'won', x: x(0), y: 24, width: x(wonSoFar) - x(0), height: 26 }, s('title', {}, `Won so far: ${wonSoFar}`)));
  svg.append(s('rect', { class: 'p10p90', x: x(wonSoFar + p10), y: 24, width: Math.max(2, x(wonSoFar + p90) - x(wonSoFar + p10)), height: 26 }, s('title', {}, `P10–P90: ${wonSoFar + p10}–${wonSoFar + p90} wins this month`)));
  svg.append(s('line', { class: 'p50', x1: x(wonSoFar + p50), x2: x(wonSoFar + p50), y1: 20, y2: 54 }, s('title', {}, `P50: ${wonSoFar + p50}`)));
  svg.append(s('circle', { class: 'expected', cx: x(wonSoFar + expected), cy: 37, r: 4 }, s('title', {}, `Expected: ${one(wonSoFar + expected)}`)));
  if (target !== null) {
    svg.append(s('line', { class: 'target', x1: x(target), x2: x(target), y1: 12, y2: axisY }, s('title', {}, `Target: ${target}`)));
    svg.append(s('text', { class: 'target-label', x: x(target), y: 10, 'text-anchor': 'middle' }, `target ${target}`));
  }
  return svg;
}

/**
 * A waterfall: the first and last steps are totals drawn from zero, the others float from the running total, up
 * (sign 1) or down (sign -1). Values in the pipeline's money.
 */
export function waterfallChart(steps, { width = 640, height = 150, format = String } = {}) {
  let running = 0;
  const bars = steps.map((st) => {
    if (st.total) { running = st.value; return { ...st, from: 0, to: st.value }; }
    const from = running;
    running += st.sign * st.value;
    return { ...st, from, to: running };
  });
  const max = Math.max(1, ...bars.map((b) => Math.max(b.from, b.to)));
  const top = 14;
  const axisY = height - 28;
  const y = (v) => axisY - ((axisY - top) * (v / max));
  const slot = width / bars.length;
  const svg = s('svg', { class: 'waterfall', width: '100%', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'The waterfall of the open pipeline by value' });
  svg.append(s('line', { class: 'axis', x1: 0, x2: width, y1: axisY, y2: axisY }));
  bars.forEach((b, i) => {
    const x = (i * slot) + (slot * 0.15);
    const low = Math.min(b.from, b.to);
    const high = Math.max(b.from, b.to);
    const tone = b.total ? 'total' : b.sign > 0 ? 'up' : 'down';
    svg.append(s('rect', { class: tone, x, y: y(high), width: slot * 0.7, height: Math.max(1, y(low) - y(high)) }, s('title', {}, `${b.label}: ${format(b.value)}`)));
    svg.append(s('text', { class: 'axis-label', x: x + (slot * 0.35), y: height - 14, 'text-anchor': 'middle' }, b.label));
    svg.append(s('text', { class: 'axis-label', x: x + (slot * 0.35), y: y(high) - 3, 'text-anchor': 'middle' }, b.value ? format(b.value) : ''));
  });
  return svg;
}

/** A small line over a series (nulls leave gaps): the trends per period. */
export function sparkline(values, { width = 120, height = 22, tone = 'main', label = '' } = {}) {
  const known = values.filter((v) => v !== null && v !== undefined);
  const max = Math.max(1e-9, ...known);
  const svg = s('svg', { class: `spark ${tone}`, width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label });
  const step = values.length > 1 ? (width - 4) / (values.length - 1) : 0;
  let path = '';
  values.forEach((v, i) => {
    if (v === null || v === undefined) return;
    const px = 2 + (i * step);
    const py = height - 2 - ((height - 4) * (v / max));
    path += `${path === '' || values[i - 1] === null || values[i - 1] === undefined ? 'M' : 'L'}${px.toFixed(1)},${py.toFixed(1)} `;
  });
  svg.append(s('path', { class: 'line', d: path.trim() }));
  return svg;
}

/** The backtest month by month: per month the forecast's P10–P90 band and expected wins, and the actual wins as a bar. */
export function accuracyChart(points, { width = 640, height = 150 } = {}) {
  const max = Math.max(1, ...points.flatMap((p) => [p.p90, p.actual, p.predicted])) * 1.1;
  const top = 10;
  const axisY = height - 22;
  const y = (v) => axisY - ((axisY - top) * (v / max));
  const slot = width / points.length;
  const svg = s('svg', { class: 'accuracy', width: '100%', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Forecast against actual wins per month' });
  svg.append(s('line', { class: 'axis', x1: 0, x2: width, y1: axisY, y2: axisY }));
  points.forEach((p, i) => {
    const x = i * slot;
    svg.append(s('rect', { class: 'actual', x: x + (slot * 0.2), y: y(p.actual), width: slot * 0.3, height: Math.max(1, axisY - y(p.actual)) }, s('title', {}, `${p.label}: ${p.actual} won`)));
    svg.append(s('rect', { class: 'p10p90', x: x + (slot * 0.55), y: y(p.p90), width: slot * 0.25, height: Math.max(2, y(p.p10) - y(p.p90)) }, s('title', {}, `${p.label}: forecast P10–P90 ${p.p10}–${p.p90}`)));
    svg.append(s('line', { class: 'expected', x1: x + (slot * 0.52), x2: x + (slot * 0.83), y1: y(p.predicted), y2: y(p.predicted) }, s('title', {}, `${p.label}: expected ${one(p.predicted)}`)));
    svg.append(s('text', { class: 'axis-label', x: x + (slot * 0.5), y: height - 6, 'text-anchor': 'middle' }, p.label));
  });
  return svg;
}

function niceStep(max) {
  const raw = max / 6;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((m) => m >= raw) || power * 10;
}

/** Replaces a container's content. */
export function fill(container, ...children) {
  container.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}
