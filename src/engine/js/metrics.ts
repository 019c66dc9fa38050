// Metric series (twin of metrics.rs): `timestamp,value` rows as CSV text, with an optional
// header. Above the block's budget a series keeps its first and last rows, its global maximum and
// minimum, a window of rows around each spike, dip and level shift (strongest first), and rows
// spread evenly over the rest; each omitted run leaves a marker with its value range and time
// span. Kept rows are the input's bytes. JSON arrays of time/value records reach `anomalyRows`
// through the JSON selection.
//
// Scores are plain IEEE arithmetic in the same order as the Rust engine, so both rank the same
// rows; no computed float is ever printed.

import type { BlockOptions, Compressed, Omission } from '../types.js';
import { estimateTokens, fit, losslessAbove } from './budget.js';
import * as marker from './marker.js';
import { centerAndScale, medianSorted, slidingMedians } from './stats.js';
import { poll } from './stop.js';
import { countTokens } from './tokens.js';

/** Fewer rows than this are not a series. */
export const MIN_ROWS = 16;
/** A time field is at most this long. */
const MAX_TIME_BYTES = 40;
/** Half the window of the rolling median a spike stands out from. */
const SPIKE_HALF = 5;
/** A spike or dip: this many robust standard deviations of the residuals from the rolling median. */
const SPIKE_Z = 6.0;
/** Window lengths whose medians before and after a row are compared for level shifts. */
const SHIFT_WINDOWS = [6, 24] as const;
/** A level shift: the medians differ by this many robust standard deviations of the series. */
const SHIFT_SIGMAS = 1.5;
/** Rows kept on each side of an anomaly. */
const WINDOW = 2;
/** Budget shares (percent): anomalies first, then even coverage, then the rest of both. */
const ANOMALY_SHARE = 40;
const COVERAGE_SHARE = 75;
/** An omitted run this short is kept: its marker would cost as much as its rows. */
const SHORT_RUN = 2;
/** Anomalies whose windows the JSON selection must keep, strongest first. */
const JSON_EVENTS = 24;

interface Row {
  /** The raw line, its `\r` included. */
  line: string;
  time: string;
  value: string;
  x: number;
}

/** A block parsed as a metric series. */
export interface Series {
  header: string | undefined;
  /** The value column's name in markers (the header's, when it is a plain name). */
  name: string;
  rows: Row[];
  trailingNewline: boolean;
}

const TIME_CHARS = /^[0-9][0-9\-:.TZ+/ ]*$/;
const NUMBER = /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/;
const PLAIN_NAME = /^[A-Za-z0-9_.-]{1,32}$/;

const trimSpaces = (s: string): string => s.replace(/^ +| +$/g, '');
const stripCr = (line: string): string => (line.endsWith('\r') ? line.slice(0, -1) : line);

/** A time field: starts with a digit; digits and `-:.TZ+/` and spaces (ISO dates, epoch seconds). */
function timeLike(t: string): boolean {
  return t.length <= MAX_TIME_BYTES && TIME_CHARS.test(t);
}

/** A decimal number (`-12`, `3.5`, `.5`, `1e-3`), finite. */
export function number(v: string): number | undefined {
  if (!NUMBER.test(v)) return undefined;
  const x = Number(v);
  return Number.isFinite(x) ? x : undefined;
}

/** `time,value` (spaces around either field allowed), or `undefined`. */
function row(line: string): Row | undefined {
  const text = stripCr(line);
  const comma = text.indexOf(',');
  if (comma < 0) return undefined;
  const time = trimSpaces(text.slice(0, comma));
  const value = trimSpaces(text.slice(comma + 1));
  if (!timeLike(time)) return undefined;
  const x = number(value);
  return x === undefined ? undefined : { line, time, value, x };
}

/** A header: two fields, the second not a number. */
function headerLike(line: string): boolean {
  const text = stripCr(line);
  const comma = text.indexOf(',');
  if (comma < 0) return false;
  const v = text.slice(comma + 1);
  return !v.includes(',') && number(trimSpaces(v)) === undefined;
}

/** The value column's name, when the header gives a plain one. */
function valueName(header: string): string | undefined {
  const text = stripCr(header);
  const comma = text.indexOf(',');
  if (comma < 0) return undefined;
  const v = trimSpaces(text.slice(comma + 1));
  return PLAIN_NAME.test(v) ? v : undefined;
}

/**
 * Whether the lines of a block's prefix are a metric series (detection's rule): an optional
 * header, then at least `MIN_ROWS` rows; the last line may be cut short by the prefix.
 */
export function isSeries(lines: readonly string[]): boolean {
  const first = lines[0];
  const skip = first !== undefined && row(first) === undefined && headerLike(first) ? 1 : 0;
  const whole = lines.slice(skip, Math.max(skip, lines.length - 1));
  if (lines.length - skip === 0) return false;
  return whole.length >= MIN_ROWS && whole.every((l) => row(l) !== undefined);
}

/** Parses a whole block as a metric series. */
export function parse(content: string): Series | undefined {
  const trailingNewline = content.endsWith('\n');
  const body = trailingNewline ? content.slice(0, -1) : content;
  const lines = body.split('\n');
  const first = lines[0]!;
  const rows: Row[] = [];
  let header: string | undefined;
  const r0 = row(first);
  if (r0 !== undefined) rows.push(r0);
  else if (headerLike(first)) header = first;
  else return undefined;
  for (let k = 1; k < lines.length; k++) {
    poll(lines[k]!.length + 1);
    const r = row(lines[k]!);
    if (r === undefined) return undefined;
    rows.push(r);
  }
  if (rows.length < MIN_ROWS) return undefined;
  return { header, name: (header === undefined ? undefined : valueName(header)) ?? 'value', rows, trailingNewline };
}

/** An anomaly: a row and how far beyond its threshold it is (1 = at the threshold). */
export interface Event {
  at: number;
  strength: number;
}

/** Whether `s[i]` is the largest within `w` either side (ties go to the first). */
function peak(s: Float64Array, i: number, w: number): boolean {
  const lo = Math.max(0, i - w);
  const hi = Math.min(i + w, s.length - 1);
  for (let j = lo; j < i; j++) if (!(s[j]! < s[i]!)) return false;
  for (let j = i + 1; j <= hi; j++) if (!(s[j]! <= s[i]!)) return false;
  return true;
}

/** Spikes and dips: rows far from the median of the rows around them, in units of the residuals' robust spread. */
function spikes(x: Float64Array, out: Event[]): void {
  const n = x.length;
  const residual = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    poll(2 * SPIKE_HALF + 1);
    const window = x.slice(Math.max(0, i - SPIKE_HALF), Math.min(n, i + SPIKE_HALF + 1)).sort();
    residual[i] = x[i]! - medianSorted(window);
  }
  const [, scale] = centerAndScale(residual);
  if (scale <= 0) return;
  const sigma = 1.4826 * scale;
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = Math.abs(residual[i]!) / sigma;
  for (let i = 0; i < n; i++) {
    poll(1);
    if (z[i]! >= SPIKE_Z && peak(z, i, SPIKE_HALF)) out.push({ at: i, strength: z[i]! / SPIKE_Z });
  }
}

/**
 * Level shifts: rows where the median of the `w` rows from there differs from the median of the
 * `w` rows before, in units of the whole series' robust spread; placed at the largest single step
 * near there, where the series actually moved.
 */
export function shifts(x: Float64Array, w: number, sigma: number, out: Event[]): void {
  const n = x.length;
  if (n < 4 * w || sigma <= 0) return;
  const medians = slidingMedians(x, w);
  const d = new Float64Array(n - 2 * w + 1);
  for (let k = w; k <= n - w; k++) d[k - w] = Math.abs(medians[k]! - medians[k - w]!) / sigma;
  for (let j = 0; j < d.length; j++) {
    poll(2 * w + 1);
    if (d[j]! < SHIFT_SIGMAS || !peak(d, j, w)) continue;
    const k = j + w;
    let best = k;
    let step = -1;
    for (let p = Math.max(k + 1 - w, 1); p <= Math.min(k + w - 1, n - 1); p++) {
      const s = Math.abs(x[p]! - x[p - 1]!);
      if (s > step) {
        step = s;
        best = p;
      }
    }
    out.push({ at: best, strength: d[j]! / SHIFT_SIGMAS });
  }
}

/** Every anomaly of a series, strongest first (ties: earlier first). */
function events(x: Float64Array): Event[] {
  const out: Event[] = [];
  if (x.length < MIN_ROWS) return out;
  spikes(x, out);
  const [, scale] = centerAndScale(x);
  for (const w of SHIFT_WINDOWS) shifts(x, w, 1.4826 * scale, out);
  out.sort((a, b) => (b.strength > a.strength ? 1 : b.strength < a.strength ? -1 : a.at - b.at));
  return out;
}

/** First positions of the maximum and the minimum. */
function extremes(x: ArrayLike<number>): [number, number] {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i]! > x[hi]!) hi = i;
    if (x[i]! < x[lo]!) lo = i;
  }
  return [hi, lo];
}

/** The rows of each event's window, in the order they are wanted: the event's row, then outwards. */
export function windowOrder(evs: readonly Event[], n: number): number[] {
  const out: number[] = [];
  for (const e of evs) {
    poll(2 * WINDOW + 1);
    out.push(e.at);
    for (let d = 1; d <= WINDOW; d++) {
      if (e.at >= d) out.push(e.at - d);
      if (e.at + d < n) out.push(e.at + d);
    }
  }
  return out;
}

/** Rows spread evenly in an order whose every prefix is spread evenly: the middle, the quarters, … */
export function coverageOrder(n: number): number[] {
  const out: number[] = [];
  for (let level = 1; level < 63 && 2 ** (level - 1) <= n; level++) {
    const parts = 2 ** level;
    poll(parts / 2);
    for (let k = 1; k < parts; k += 2) out.push(Math.floor((k * n) / parts));
  }
  return out;
}

/**
 * Positions (into `values`) a time series must keep: the maximum, the minimum and a window around
 * each of its strongest anomalies (the JSON selection's hook for time/value records).
 */
export function anomalyRows(values: ArrayLike<number>): number[] {
  if (values.length < MIN_ROWS) return [];
  const x = Float64Array.from(values);
  const evs = events(x).slice(0, JSON_EVENTS);
  const out = [...windowOrder(evs, x.length), ...extremes(x)];
  return [...new Set(out)].sort((a, b) => a - b);
}

/** A selection in progress: kept rows and their estimated cost, markers included. */
class Pick {
  readonly keep: boolean[];
  constructor(
    n: number,
    public cost: number,
    private readonly costs: readonly number[],
    private readonly marker: number,
  ) {
    this.keep = new Array<boolean>(n).fill(false);
  }

  /** Keeps row `i` when the cost stays within `limit`. */
  add(i: number, limit: number): boolean {
    if (this.keep[i]) return true;
    const n = this.keep.length;
    const left = i === 0 || this.keep[i - 1]!;
    const right = i + 1 === n || this.keep[i + 1]!;
    // Keeping a row inside an omitted run splits its marker in two; at the run's end it only
    // shortens the run; the run's last row removes its marker.
    const cost = left && right ? Math.max(0, this.cost + this.costs[i]! - this.marker) : !left && !right ? this.cost + this.costs[i]! + this.marker : this.cost + this.costs[i]!;
    if (cost > limit) return false;
    this.keep[i] = true;
    this.cost = cost;
    return true;
  }

  /** Adds rows of `order` from `next` on until one does not fit; returns where it stopped. */
  fill(order: readonly number[], next: number, limit: number): number {
    while (next < order.length) {
      poll(1);
      if (!this.add(order[next]!, limit)) return next;
      next++;
    }
    return next;
  }
}

export interface Plan {
  series: Series;
  costs: number[];
  headerCost: number;
  markerCost: number;
  musts: number[];
  anomalies: number[];
  coverage: number[];
}

/** The rows kept within `budget` estimate units. */
export function select(p: Plan, budget: number): boolean[] {
  const n = p.costs.length;
  const pick = new Pick(n, p.headerCost + p.markerCost, p.costs, p.markerCost);
  for (const i of p.musts) pick.add(i, Number.MAX_SAFE_INTEGER);
  let a = pick.fill(p.anomalies, 0, Math.floor((budget * ANOMALY_SHARE) / 100));
  let c = pick.fill(p.coverage, 0, Math.floor((budget * COVERAGE_SHARE) / 100));
  a = pick.fill(p.anomalies, a, budget);
  c = pick.fill(p.coverage, c, budget);
  const keep = pick.keep;
  let i = 0;
  while (i < n) {
    const start = i;
    while (i < n && !keep[i]) i++;
    poll(i - start + 1);
    if (i > start && i - start <= SHORT_RUN) keep.fill(true, start, i);
    i++;
  }
  return keep;
}

/** The kept rows and a marker in place of each omitted run. */
export function render(p: Plan, keep: readonly boolean[]): [string, Omission[]] {
  const rows = p.series.rows;
  const out: string[] = [];
  if (p.series.header !== undefined) out.push(p.series.header);
  let omitted = 0;
  let markers = 0;
  let i = 0;
  while (i < rows.length) {
    poll(rows[i]!.line.length + 1);
    if (keep[i]) {
      out.push(rows[i]!.line);
      i++;
      continue;
    }
    const start = i;
    let lo = i;
    let hi = i;
    while (i < rows.length && !keep[i]) {
      poll(1);
      if (rows[i]!.x < rows[lo]!.x) lo = i;
      if (rows[i]!.x > rows[hi]!.x) hi = i;
      i++;
    }
    // Rows keep their own `\r\n`: the marker ends as the last row it stands for.
    const end = rows[i - 1]!.line.endsWith('\r') ? '\r' : '';
    out.push(marker.metricRowsOmitted(i - start, p.series.name, rows[lo]!.value, rows[hi]!.value, rows[start]!.time, rows[i - 1]!.time) + end);
    omitted += i - start;
    markers++;
  }
  let text = out.join('\n');
  if (p.series.trailingNewline) text += '\n';
  return [text, omitted === 0 ? [] : [{ unit: 'rows', count: omitted, summary: marker.metricOmissionSummary(markers) }]];
}

/**
 * Compresses a metric series: untouched within the budget (or without one), else the selection
 * steered to land just under `maxBlockTokens`.
 */
export function compress(series: Series, content: string, options: BlockOptions): Compressed | undefined {
  if (!Number.isFinite(options.maxBlockTokens) || options.maxBlockTokens < 0) return undefined;
  const max = Math.floor(options.maxBlockTokens);
  const rows = series.rows;
  const n = rows.length;
  const costs = rows.map((r) => estimateTokens(r.line) + 1);
  const headerCost = series.header === undefined ? 0 : estimateTokens(series.header) + 1;
  let total = headerCost;
  for (const c of costs) total += c;
  const start = losslessAbove(content, total, max, options.encoding);
  if (start === undefined) return undefined;
  const x = Float64Array.from(rows, (r) => r.x);
  const [hi, lo] = extremes(x);
  const whole = marker.metricRowsOmitted(n, series.name, rows[lo]!.value, rows[hi]!.value, rows[0]!.time, rows[n - 1]!.time);
  const plan: Plan = {
    series,
    costs,
    headerCost,
    markerCost: estimateTokens(whole) + 1,
    musts: [0, n - 1, hi, lo],
    anomalies: windowOrder(events(x), n),
    coverage: coverageOrder(n),
  };
  const [text, omitted, tokens] = fit(max, start, total, (budget): [[string, Omission[], number], number] => {
    const [t, o] = render(plan, select(plan, budget));
    const k = countTokens(t, options.encoding);
    return [[t, o, k], k];
  });
  return { content: text, strategy: 'metrics:select', omitted, tokens };
}
