// Lines that carry statistical outliers or change points (twin of log/outliers.rs).
//
// Plain lines of one shape (the same words and punctuation, fields of the same kinds; see
// `fields`) form a series for each of their numbers: `GET /api/orders/<n> 200
// duration_ms=<d>` gives one series of `n` and one of `d`. A line whose value is an outlier for
// its series (median and MAD, see `stats`), or on either side of a level shift, is signal: it
// stays verbatim (it never joins a template) and lossy selection keeps it. Ids, timestamps,
// counters and other monotone fields are not measurements, and are left out.

import { isDigit } from '../chars.js';
import { tokens } from '../lines.js';
import { words } from '../signal.js';
import { poll } from '../stop.js';
import { centerAndScale, changePoints, changeWindow, MIN_VALUES, outliers, sharpenChange } from '../stats.js';
import { Class, type LineInfo } from './classify.js';
import { PieceKind, type Pieces, pieces } from './fields.js';
import { isVariable } from './fold.js';

/** At most one line in this many (and at least `MIN_KEPT_OUTLIERS`) is kept as an outlier of one field (see `farthestOutliers`). */
export const OUTLIER_SHARE = 50;
export const MIN_KEPT_OUTLIERS = 3;
/** A number with more integer digits than this is an id or an epoch time, not a measurement. */
export const MAX_MEASURE_DIGITS = 12;
/**
 * A level shift must separate the values on its two sides (up to `SIDE_WINDOWS` change windows
 * each): at least `SEPARATED_PERCENT` of each side on its own side of the midpoint between the
 * two sides' medians. Random draws from a few levels (thread ids, status codes) move window
 * medians too, but leave both sides mixed alike.
 */
export const SIDE_WINDOWS = 3;
export const SEPARATED_PERCENT = 80;
/**
 * More than one value in `TAIL_SHARE` past the outlier cut-off is a heavy tail (or a second
 * mode), not a few anomalies: only its `MIN_KEPT_OUTLIERS` farthest values are kept.
 */
export const TAIL_SHARE = 20;
/** A monotone field moves back in at most one step in `MONOTONE_BACK` and forward in at least one in `MONOTONE_FORWARD` (see `monotone`). */
const MONOTONE_BACK = 20;
const MONOTONE_FORWARD = 4;

interface Series {
  lines: number[];
  /** Values, line by line (`slots` per line). */
  values: number[];
  slots: number;
  /** Per slot: an id (its word is `id`) or too long a number to be a measurement. */
  skip: boolean[];
}

const hasDigit = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) return true;
  }
  return false;
};

/** Marks plain lines that carry an outlier or a change point as `Class.Outlier`. */
export function mark(lines: readonly string[], info: LineInfo[]): void {
  const index = new Map<string, number>();
  const series: Series[] = [];
  const scratch: Pieces = [];
  for (let k = 0; k < lines.length; k++) {
    poll(lines[k]!.length + 1);
    const li = info[k]!;
    if (li.cls !== Class.Plain) continue;
    const msg = li.ts > 0 ? lines[k]!.slice(li.ts) : lines[k]!;
    if (!hasDigit(msg)) continue;
    const [key, values, skip] = shapeOf(msg, scratch);
    if (values.length === 0) continue;
    let s = index.get(key);
    if (s === undefined) {
      s = series.length;
      index.set(key, s);
      series.push({ lines: [], values: [], slots: values.length, skip: new Array<boolean>(values.length).fill(false) });
    }
    const ser = series[s]!;
    // A `#` or `*` written in a line could make two shapes spell the same key.
    if (ser.slots !== values.length) continue;
    ser.lines.push(k);
    for (const v of values) ser.values.push(v);
    for (let j = 0; j < skip.length; j++) if (skip[j]) ser.skip[j] = true;
  }
  const flagged: number[] = [];
  for (const ser of series) {
    const m = ser.lines.length;
    if (m < MIN_VALUES) continue;
    for (let j = 0; j < ser.slots; j++) {
      if (ser.skip[j]) continue;
      const column = new Float64Array(m);
      for (let r = 0; r < m; r++) column[r] = ser.values[r * ser.slots + j]!;
      if (monotone(column)) continue;
      for (const r of signalPositions(column)) flagged.push(ser.lines[r]!);
    }
  }
  for (const k of flagged) info[k] = { ...info[k]!, cls: Class.Outlier };
}

/**
 * The shape key of a message (variable tokens with numbers as `#`, other fields as `*`), its
 * numbers' values, and for each number whether it is an id or too long to measure anything.
 */
function shapeOf(msg: string, scratch: Pieces): [string, number[], boolean[]] {
  let key = '';
  const values: number[] = [];
  const skip: boolean[] = [];
  let word = '';
  for (const [s, e] of tokens(msg)) {
    const tok = msg.slice(s, e);
    if (key.length > 0) key += ' ';
    pieces(tok, scratch);
    const variable = isVariable(tok);
    for (let p = 0; p < scratch.length; p += 3) {
      const kind = scratch[p];
      const text = tok.slice(scratch[p + 1], scratch[p + 2]);
      if (kind === PieceKind.Word) word = text;
      else if (variable && kind === PieceKind.Number) {
        key += '#';
        values.push(Number(text));
        const dot = text.indexOf('.');
        skip.push((dot < 0 ? text.length : dot) > MAX_MEASURE_DIGITS || isIdWord(word));
        continue;
      } else if (variable && (kind === PieceKind.Ident || kind === PieceKind.Compound)) {
        key += '*';
        continue;
      }
      key += text;
    }
  }
  return [key, values, skip];
}

/** `id`, `ids`, `reqId`, `job_id` name identifiers (the rule of the JSON compressor's columns). */
function isIdWord(w: string): boolean {
  let last: string | undefined;
  for (const x of words(w)) last = x;
  return last === 'id' || last === 'ids';
}

/** The first index of sorted `a` where `pred` stops holding. */
function partitionPoint(a: Float64Array, pred: (y: number) => boolean): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(a[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A counter, a clock or an id sequence: it moves one way in at least a quarter of its steps and back in at most one step in twenty. */
function monotone(v: Float64Array): boolean {
  let up = 0;
  let down = 0;
  for (let k = 1; k < v.length; k++) {
    if (v[k]! > v[k - 1]!) up++;
    else if (v[k]! < v[k - 1]!) down++;
  }
  const steps = Math.max(0, v.length - 1);
  return (down * MONOTONE_BACK <= steps && up * MONOTONE_FORWARD >= steps) || (up * MONOTONE_BACK <= steps && down * MONOTONE_FORWARD >= steps);
}

/**
 * Positions of the values to keep: both sides of each change point, and within each level
 * between them (a shifted level is not a run of outliers) the farthest outliers.
 */
function signalPositions(v: Float64Array): number[] {
  const candidates: number[] = [];
  for (const c of changePoints(v)) {
    const s = sharpenChange(v, c);
    if (candidates.length === 0 || candidates[candidates.length - 1] !== s) candidates.push(s);
  }
  const span = SIDE_WINDOWS * changeWindow(v.length);
  const changes = candidates.filter((c, i) => {
    const from = i > 0 ? candidates[i - 1]! : 0;
    const to = i + 1 < candidates.length ? candidates[i + 1]! : v.length;
    return separates(v.subarray(Math.max(from, c - span), c), v.subarray(c, Math.min(to, c + span)));
  });
  const out: number[] = [];
  let from = 0;
  for (const end of [...changes, v.length]) {
    for (const r of farthestOutliers(v.subarray(from, end))) out.push(from + r);
    from = end;
  }
  for (const c of changes) out.push(c - 1, c);
  return out;
}

/** Whether most of `left` lies on one side of the midpoint between the sides' medians and most of `right` on the other (see `SEPARATED_PERCENT`). */
function separates(left: Float64Array, right: Float64Array): boolean {
  if (left.length === 0 || right.length === 0) return false;
  const [ml] = centerAndScale(left);
  const [mr] = centerAndScale(right);
  const mid = (ml + mr) / 2;
  const count = (s: Float64Array, below: boolean): number => {
    let n = 0;
    for (const x of s) if (below ? x < mid : x > mid) n++;
    return n;
  };
  const [l, r] = ml < mr ? [count(left, true), count(right, false)] : [count(left, false), count(right, true)];
  return l * 100 >= left.length * SEPARATED_PERCENT && r * 100 >= right.length * SEPARATED_PERCENT;
}

/**
 * The outliers of `v` whose value is rare (a value that one line in `OUTLIER_SHARE` has is one
 * of the field's usual levels), at most one in `OUTLIER_SHARE` (at least `MIN_KEPT_OUTLIERS`,
 * and only that many of a heavy tail, see `TAIL_SHARE`), the farthest first.
 */
function farthestOutliers(v: Float64Array): number[] {
  let found = outliers(v);
  if (found.length === 0) return found;
  const sorted = v.slice().sort();
  const rare = Math.max(Math.floor(v.length / OUTLIER_SHARE), 1);
  found = found.filter((k) => {
    const x = v[k]!;
    return partitionPoint(sorted, (y) => y <= x) - partitionPoint(sorted, (y) => y < x) <= rare;
  });
  const cap = found.length * TAIL_SHARE > v.length ? MIN_KEPT_OUTLIERS : Math.max(Math.floor(v.length / OUTLIER_SHARE), MIN_KEPT_OUTLIERS);
  if (found.length > cap) {
    const [med] = centerAndScale(v);
    // Farthest first; among equals the earliest.
    found = found.sort((a, b) => Math.abs(v[b]! - med) - Math.abs(v[a]! - med) || a - b).slice(0, cap);
  }
  return found;
}
