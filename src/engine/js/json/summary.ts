// The short description of a dropped run of array items that goes in its marker (twin of
// json/summary.rs): value counts of low-cardinality fields, ranges of numeric fields (original
// number text of the ends), and time spans, nested fields named by their path (`properties.mag`);
// when no field has anything to say, what kind of values the items are. Never a computed float,
// never empty.

import { utf8Prefix } from '../chars.js';
import { JSON_KINDS, jsonMoreValues, jsonPosition, jsonRange, jsonValueCount } from '../marker.js';
import { categorical, type Column } from './columns.js';
import { Kind, NONE } from './tape.js';
import type { View } from './view.js';

/** At most this many fields are described per marker. */
export const MAX_PARTS = 3;
/** At most this many values are named per field; the rest are counted as `+N more`. */
export const MAX_VALUES = 4;
/** Keys and values longer than this (UTF-8 bytes) are shortened with `…`. */
export const MAX_TEXT_BYTES = 24;

/** Text as shown in a marker: control characters as spaces, at most MAX_TEXT_BYTES. */
export function display(s: string): string {
  const cut = utf8Prefix(s, MAX_TEXT_BYTES);
  const out = cut.replace(/[\u0000-\u001f]/g, ' ');
  return cut.length < s.length ? out + '…' : out;
}

function valueText(view: View, i: number): string {
  const t = view.tape;
  return display(view.kind(i) === Kind.String ? view.string(i) : t.text.slice(t.start[i]!, t.end[i]!));
}

/** Orders strings by code point (JS `<` compares UTF-16 units, which differs past U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate starts a code point above U+FFFF, so it sorts after any other unit.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** The order in which columns are described: categorical, numeric, time spans, identifiers. */
function rank(c: Column): number | undefined {
  if (categorical(c)) return 0;
  if (c.allNumbers && !c.idLike) return 1;
  if (c.allTime) return 2;
  if (c.allNumbers) return 3;
  return undefined;
}

/** A column's name in a marker: its key, with the keys of the objects above it for a nested field (`properties.mag`). */
function fieldName(view: View, cols: readonly Column[], c: Column): string {
  const names: string[] = [];
  for (let at: Column | undefined = c; at !== undefined; at = cols[at.parent]) {
    if (at.label.kind === 'key') names.push(display(view.key(at.label.node)));
  }
  return names.reverse().join('.');
}

/** The summary of items `items[start..end]` of an array with these columns. */
export function run(view: View, cols: readonly Column[], items: readonly number[], start: number, end: number): string {
  const order: [number, number][] = [];
  cols.forEach((c, k) => {
    const r = rank(c);
    if (r !== undefined) order.push([r, k]);
  });
  order.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  // Counts of categories come first, but one part is kept for a numeric range when there is one:
  // "how big" says more than a third category.
  const ranged = order.some(([r]) => r === 1);
  let categories = 0;
  const parts: string[] = [];
  for (const [r, k] of order) {
    if (parts.length === MAX_PARTS) break;
    if (r === 0 && ranged && categories === MAX_PARTS - 1) continue;
    const c = cols[k]!;
    const body = r === 0 ? counts(view, c, start, end) : r === 2 ? span(view, c, start, end) : range(view, c, start, end);
    if (body === undefined) continue;
    if (r === 0) categories++;
    const l = c.label;
    if (l.kind === 'items') parts.push(body);
    else if (l.kind === 'key') parts.push(`${fieldName(view, cols, c)} ${body}`);
    else if (l.kind === 'named') parts.push(`${display(view.string(l.node))} ${body}`);
    else parts.push(`${jsonPosition(l.position)} ${body}`);
  }
  if (parts.length === 0) return kinds(view, items, start, end);
  return parts.join('; ');
}

/** What kind of values the items are: `objects`, or most frequent first `objects×12, nulls×2`. */
function kinds(view: View, items: readonly number[], start: number, end: number): string {
  // In the order of `Kind`, so ties are stable.
  const n = new Array<number>(JSON_KINDS.length).fill(0);
  for (let p = start; p < end; p++) n[view.kind(items[p]!)]!++;
  const seen: [number, number][] = [];
  n.forEach((x, k) => {
    if (x > 0) seen.push([x, k]);
  });
  seen.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  // One kind: the marker's count is its count.
  if (seen.length === 1) return JSON_KINDS[seen[0]![1]]!;
  return seen.map(([x, k]) => jsonValueCount(JSON_KINDS[k]!, x)).join(', ');
}

function counts(view: View, c: Column, start: number, end: number): string | undefined {
  const n = new Array<number>(c.distinct.length).fill(0);
  for (let p = start; p < end; p++) {
    const w = c.which[p]!;
    if (w < n.length) n[w]!++;
  }
  const seen: [number, number][] = [];
  n.forEach((x, k) => {
    if (x > 0) seen.push([x, k]);
  });
  if (seen.length === 0) return undefined;
  // Most frequent first; ties in order of first appearance.
  seen.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const shown = seen.slice(0, MAX_VALUES).map(([x, k]) => jsonValueCount(valueText(view, c.cells[c.distinct[k]!]!), x));
  if (seen.length > MAX_VALUES) shown.push(jsonMoreValues(seen.length - MAX_VALUES));
  return shown.join(', ');
}

/** First index in the sorted `pos` with a value ≥ `p`. */
function lowerBound(pos: readonly number[], p: number): number {
  let lo = 0;
  let hi = pos.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pos[mid]! < p) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function range(view: View, c: Column, start: number, end: number): string | undefined {
  const lo = lowerBound(c.numberPos, start);
  const hi = lowerBound(c.numberPos, end);
  if (lo >= hi) return undefined;
  let min = lo;
  let max = lo;
  for (let k = lo + 1; k < hi; k++) {
    if (c.numberVal[k]! < c.numberVal[min]!) min = k;
    if (c.numberVal[k]! > c.numberVal[max]!) max = k;
  }
  return jsonRange(valueText(view, c.cells[c.numberPos[min]!]!), valueText(view, c.cells[c.numberPos[max]!]!));
}

function span(view: View, c: Column, start: number, end: number): string | undefined {
  let min: [string, number] | undefined;
  let max: [string, number] | undefined;
  for (let p = start; p < end; p++) {
    const v = c.cells[p]!;
    if (v === NONE || view.kind(v) !== Kind.String) continue;
    const s = view.string(v);
    if (min === undefined || compareCodePoints(s, min[0]) < 0) min = [s, v];
    if (max === undefined || compareCodePoints(s, max[0]) > 0) max = [s, v];
  }
  if (min === undefined || max === undefined) return undefined;
  return jsonRange(valueText(view, min[1]), valueText(view, max[1]));
}
