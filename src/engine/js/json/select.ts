// Lossy selection (twin of json/select.rs): which items of large arrays, at any depth, survive
// when the lossless form is above the block's budget. See select.rs for the rules.

import type { Omission } from '../../types.js';
import { utf8Length, utf8Prefix } from '../chars.js';
import { isMarker, jsonItemsOmitted, jsonStringCut } from '../marker.js';
import { queryTerms } from '../query.js';
import { Signal, words } from '../signal.js';
import { categorical, columns, type Column } from './columns.js';
import { keyClass, ownSignal, TextSignals, valueSignal, type KeyClass } from './signal.js';
import { anomalyRows } from '../metrics.js';
import { centerAndScale, outliersAndChanges } from '../stats.js';
import { jsonRaw, jsonValue } from './strings.js';
import { display, run } from './summary.js';
import { children, ESCAPED, KEY_ESCAPED, Kind, NONE, rawKey, type Tape } from './tape.js';
import { View, type Entry, type Plan } from './view.js';

/** Arrays with fewer items are never reduced. */
export const MIN_ITEMS = 8;
/** Strings longer than this many UTF-8 bytes are cut in the lossy stage… */
export const LONG_STRING_BYTES = 2048;
/** …to their first this many bytes (at a character boundary), followed by a marker. */
export const CUT_KEEP_BYTES = 1024;
/** A field is low-cardinality with 2–12 distinct values over at least this many items. */
export const LOW_CARDINALITY_ITEMS = 20;
/** The best query matches kept per array. */
export const QUERY_KEEP = 8;
/** The most extreme outliers, and the largest level shifts, kept per field. */
export const STAT_KEEP = 8;
/** Planning estimate of a marker's size in bytes; a dropped run no larger is kept instead. */
const MARKER_ESTIMATE_BYTES = 96;

interface Reducible {
  node: number;
  items: number[];
  must: Uint8Array;
  mustCount: number;
  /** The item [array index, position] whose subtree holds this array; undefined at top level. */
  owner: [number, number] | undefined;
  cols: Column[];
  /** Per item: how much smaller inner arrays make it (allocated only when inner arrays exist). */
  shrink: Float64Array | undefined;
  /** Positions of the must-keep items, in order. */
  mustPos: number[];
  /** Running sums of item sizes plus one separator each (arrays without inner arrays only). */
  prefix: Float64Array | undefined;
}

/** A document analysed for lossy selection. */
export class Selection {
  readonly view: View;
  private readonly arrays: Reducible[] = [];
  private readonly arrayOf = new Map<number, number>();
  /** Compact JSON size of each node's value, cut strings at their cut size. */
  private readonly size: Float64Array;
  /** Cut strings: node → [replacement value, full length in bytes]. */
  private readonly cuts: Map<number, [string, number]>;

  constructor(tape: Tape, query: string) {
    this.view = new View(tape, undefined);
    this.cuts = longStrings(this.view);
    this.size = sizes(this.view, this.cuts);
    this.findArrays();
    if (this.arrays.length > 0) this.chooseMust(query);
  }

  /** Compact JSON size of the whole document (long strings at their cut size). */
  compactSize(): number {
    return this.size[0]!;
  }

  /** Whether selection can change anything (arrays to reduce or strings to cut). */
  canReduce(): boolean {
    return this.arrays.length > 0 || this.cuts.size > 0;
  }

  /** The largest item count of a reducible array: a cap this high keeps every item. */
  maxItems(): number {
    let m = 0;
    for (const a of this.arrays) m = Math.max(m, a.items.length);
    return m;
  }

  private findArrays(): void {
    const t = this.view.tape;
    for (let i = 0; i < t.size; i++) {
      if (t.kind[i] === Kind.Array && t.count[i]! >= MIN_ITEMS) {
        const items = children(t, i);
        this.arrayOf.set(i, this.arrays.length);
        this.arrays.push({ node: i, items, must: new Uint8Array(items.length), mustCount: 0, owner: undefined, cols: [], shrink: undefined, mustPos: [], prefix: undefined });
      }
    }
    // Owners: the nearest ancestor that is an item of a reducible array.
    for (const arr of this.arrays) {
      let x = arr.node;
      for (;;) {
        const p = t.parent[x]!;
        if (p === NONE) break;
        const b = this.arrayOf.get(p);
        if (b !== undefined) {
          const owner = this.arrays[b]!;
          arr.owner = [b, Math.max(0, binarySearch(owner.items, x))];
          owner.shrink ??= new Float64Array(owner.items.length);
          break;
        }
        x = p;
      }
    }
  }

  private chooseMust(query: string): void {
    const view = this.view;
    const t = view.tape;
    // Own signals, once per node; key classes once per distinct key; the words of repeated texts
    // (states, tags) once per distinct text.
    const classes: (KeyClass | undefined)[] = new Array<KeyClass | undefined>(t.keys);
    const texts = new TextSignals();
    const own = new Uint8Array(t.size);
    for (let i = 0; i < t.size; i++) own[i] = ownSignal(view, i, classes, texts);
    // Columns of every array; a named position of tuple rows signals by its name, as an object key
    // would (`"columns": [.., "status"]` makes a row's `"503"` an error).
    for (const arr of this.arrays) {
      arr.cols = columns(view, arr.node, arr.items);
      for (const col of arr.cols) {
        if (col.label.kind !== 'named') continue;
        const c = keyClass(view.string(col.label.node));
        for (const x of col.cells) if (x !== NONE) own[x] = valueSignal(view, x, c, texts);
      }
    }
    // How many arrays enclose each node.
    const arraysAbove = new Uint32Array(t.size);
    for (let i = 1; i < t.size; i++) {
      const p = t.parent[i]!;
      arraysAbove[i] = arraysAbove[p]! + (t.kind[p] === Kind.Array ? 1 : 0);
    }
    const terms = queryTerms(query);
    const covered = new Uint32Array(t.keys).fill(NONE);
    this.arrays.forEach((arr, a) => {
      const n = arr.items.length;
      const must = new Uint8Array(n);
      must[0] = 1;
      must[n - 1] = 1;
      const first = arr.cols[0]?.label.kind;
      const tuples = first === 'position' || first === 'named';
      arr.items.forEach((item, p) => {
        const end = t.next[item]!;
        // Errors anywhere in the item count; warnings only outside its inner arrays, where a tuple
        // row's own fields are not inside an inner array.
        const depth = arraysAbove[item]!;
        const row = tuples && t.kind[item] === Kind.Array;
        for (let x = item; x < end; x++) {
          const sig = own[x]!;
          if (sig === Signal.Error || (sig === Signal.Warning && (arraysAbove[x] === depth || (row && t.parent[x] === item)))) {
            must[p] = 1;
            break;
          }
        }
        if (t.kind[item] === Kind.String && isMarker(view.string(item))) must[p] = 1;
      });
      for (const col of arr.cols) {
        if (categorical(col) && col.present >= LOW_CARDINALITY_ITEMS) for (const p of col.distinct) must[p] = 1;
        if (col.idLike) continue;
        // The largest and the smallest value of a numeric field (the first of each), over as many
        // items as make a field's values statistics.
        if (col.allNumbers && col.numberVal.length >= LOW_CARDINALITY_ITEMS) {
          const [lo, hi] = extremes(col.numberVal);
          must[col.numberPos[lo]!] = 1;
          must[col.numberPos[hi]!] = 1;
        }
        const values = Float64Array.from(col.numberVal);
        const [found, changes] = outliersAndChanges(values);
        let outliers = found;
        if (outliers.length > STAT_KEEP) {
          const med = centerAndScale(values)[0];
          outliers = strongest(outliers, (k) => Math.abs(values[k]! - med));
        }
        for (const k of outliers) must[col.numberPos[k]!] = 1;
        for (const k of strongest(changes, (k) => Math.abs(values[k]! - values[k - 1]!))) {
          must[col.numberPos[k - 1]!] = 1;
          must[col.numberPos[k]!] = 1;
        }
      }
      // Time/value records: a metric series keeps the windows around its anomalies.
      if (arr.cols.some((c) => c.allTime && c.present === n)) {
        for (const col of arr.cols) {
          if (col.idLike || col.numberVal.length !== n) continue;
          for (const k of anomalyRows(col.numberVal)) must[col.numberPos[k]!] = 1;
        }
      }
      if (terms.length > 0) for (const p of queryMatches(view, arr.items, terms)) must[p] = 1;
      // Key coverage: every key in the array's items appears in some kept item.
      const mark = (item: number): boolean => {
        let fresh = false;
        const end = t.next[item]!;
        for (let x = item; x < end; x++) {
          const id = t.keyId[x]!;
          if (id !== NONE && covered[id] !== a) {
            covered[id] = a;
            fresh = true;
          }
        }
        return fresh;
      };
      arr.items.forEach((item, p) => {
        if (must[p]) mark(item);
      });
      arr.items.forEach((item, p) => {
        if (!must[p] && mark(item)) must[p] = 1;
      });
      let count = 0;
      for (let p = 0; p < n; p++) count += must[p]!;
      arr.mustCount = count;
      arr.must = must;
      for (let p = 0; p < n; p++) if (must[p]) arr.mustPos.push(p);
      if (arr.shrink === undefined) {
        const prefix = new Float64Array(n + 1);
        for (let p = 0; p < n; p++) prefix[p + 1] = prefix[p]! + this.size[arr.items[p]!]! + 1;
        arr.prefix = prefix;
      }
    });
  }

  /**
   * Which items of array `a` are kept under cap `k`: the must-keep items, up to `k` in all with
   * the rest spread evenly, and every dropped run that would be smaller than its marker.
   */
  private kept(a: number, k: number): Uint8Array {
    const arr = this.arrays[a]!;
    const n = arr.items.length;
    const rest = n - arr.mustCount;
    const fill = Math.min(Math.max(0, k - arr.mustCount), rest);
    const m = Math.max(rest, 1);
    const half = Math.floor(m / 2);
    const keep = new Uint8Array(n);
    let rank = 0;
    for (let p = 0; p < n; p++) {
      if (arr.must[p]) {
        keep[p] = 1;
        continue;
      }
      // Ranks spread evenly: rank r is picked when ⌊(r·fill + m/2)/m⌋ steps up.
      if (Math.floor(((rank + 1) * fill + half) / m) > Math.floor((rank * fill + half) / m)) keep[p] = 1;
      rank++;
    }
    let p = 0;
    while (p < n) {
      if (keep[p]) {
        p++;
        continue;
      }
      const start = p;
      let bytes = 0;
      while (p < n && !keep[p]) {
        bytes += this.size[arr.items[p]!]! + 1;
        p++;
      }
      if (bytes <= MARKER_ESTIMATE_BYTES) keep.fill(1, start, p);
    }
    return keep;
  }

  /** Compact size of the whole document under cap `k` (markers estimated). */
  sizeAt(k: number): number {
    for (const arr of this.arrays) arr.shrink?.fill(0);
    let rootShrink = 0;
    for (let a = this.arrays.length - 1; a >= 0; a--) {
      const arr = this.arrays[a]!;
      const measured = arr.prefix === undefined ? this.measureKept(a, this.kept(a, k)) : this.measureFast(a, k);
      const body = measured[0];
      const markers = measured[2];
      const parts = measured[1] + markers;
      const reduced = 2 + body + Math.max(parts - 1, 0) + markers * MARKER_ESTIMATE_BYTES;
      const delta = this.size[arr.node]! - reduced;
      if (arr.owner !== undefined) this.arrays[arr.owner[0]]!.shrink![arr.owner[1]]! += delta;
      else rootShrink += delta;
    }
    return Math.max(0, this.size[0]! - rootShrink);
  }

  /** [kept bytes, kept items, markers] of array `a` for a kept set. */
  private measureKept(a: number, kept: Uint8Array): [number, number, number] {
    const arr = this.arrays[a]!;
    let body = 0;
    let parts = 0;
    let markers = 0;
    let inRun = false;
    for (let p = 0; p < arr.items.length; p++) {
      if (kept[p]) {
        body += this.size[arr.items[p]!]! - (arr.shrink?.[p] ?? 0);
        parts++;
        inRun = false;
      } else if (!inRun) {
        markers++;
        inRun = true;
      }
    }
    return [body, parts, markers];
  }

  /**
   * `measureKept` of `kept(a, k)` for an array without inner arrays, visiting only what it keeps
   * (see select.rs: must-keep positions merged with the fill picks, runs by prefix sums).
   */
  private measureFast(a: number, k: number): [number, number, number] {
    const arr = this.arrays[a]!;
    const prefix = arr.prefix!;
    const mustPos = arr.mustPos;
    const n = arr.items.length;
    const rest = n - arr.mustCount;
    const fill = Math.min(Math.max(0, k - arr.mustCount), rest);
    const m = Math.max(rest, 1);
    const half = Math.floor(m / 2);
    let body = 0;
    let parts = 0;
    let markers = 0;
    let last = -1;
    const keep = (p: number): void => {
      const start = last + 1;
      if (p > start) {
        const bytes = prefix[p]! - prefix[start]!;
        if (bytes <= MARKER_ESTIMATE_BYTES) {
          body += bytes - (p - start);
          parts += p - start;
        } else {
          markers++;
        }
      }
      body += prefix[p + 1]! - prefix[p]! - 1;
      parts++;
      last = p;
    };
    let c = 0;
    for (let j = 0; j <= fill; j++) {
      // The next fill pick's position (none after the last), then the must-keep items before it.
      let pick = -1;
      if (j < fill) {
        const r = Math.max(0, Math.ceil(((j + 1) * m - half) / fill) - 1);
        let below = c;
        while (below < mustPos.length && mustPos[below]! <= r + below) below++;
        pick = r + below;
      }
      while (c < mustPos.length && (pick < 0 || mustPos[c]! < pick)) keep(mustPos[c++]!);
      if (pick >= 0) keep(pick);
    }
    return [body, parts, markers];
  }

  /** The largest cap in `lo..=hi` whose estimated output fits `budget` bytes (`lo` when none does), by bisection. */
  search(budget: number, lo: number, hi: number): number {
    hi = Math.min(hi, this.maxItems());
    if (lo >= hi || this.sizeAt(hi) <= budget) return Math.max(hi, lo);
    while (lo + 1 < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (this.sizeAt(mid) <= budget) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /** The plan for cap `k`, and what it leaves out. */
  plan(k: number): [Plan, Omission[]] {
    const view = this.view;
    const t = view.tape;
    const kept = this.arrays.map((_, a) => this.kept(a, k));
    const plan: Plan = { arrays: new Map(), strings: new Map() };
    const itemsByPath: [string, number][] = [];
    let cutCount = 0;
    let cutBytes = 0;
    // Walk what the output shows, in document order.
    const stack: number[] = [0];
    for (;;) {
      const x = stack.pop();
      if (x === undefined) break;
      const kind = t.kind[x]!;
      if (kind === Kind.String) {
        const cut = this.cuts.get(x);
        if (cut !== undefined) {
          plan.strings.set(x, cut[0]);
          cutCount++;
          cutBytes += cut[1] - (utf8Length(cut[0]) - utf8Length(jsonStringCut(cut[1])));
        }
      } else if (kind === Kind.Array || kind === Kind.Object) {
        const a = this.arrayOf.get(x);
        if (a === undefined) {
          const kids = children(t, x);
          for (let c = kids.length - 1; c >= 0; c--) stack.push(kids[c]!);
          continue;
        }
        const arr = this.arrays[a]!;
        const keep = kept[a]!;
        const entries: Entry[] = [];
        let dropped = 0;
        let p = 0;
        while (p < arr.items.length) {
          if (keep[p]) {
            entries.push(arr.items[p]!);
            p++;
            continue;
          }
          const start = p;
          while (p < arr.items.length && !keep[p]) p++;
          entries.push(jsonItemsOmitted(p - start, run(view, arr.cols, arr.items, start, p)));
          dropped += p - start;
        }
        for (let e = entries.length - 1; e >= 0; e--) {
          const entry = entries[e]!;
          if (typeof entry === 'number') stack.push(entry);
        }
        if (dropped > 0) {
          const path = pathOf(view, x);
          const found = itemsByPath.find(([q]) => q === path);
          if (found !== undefined) found[1] += dropped;
          else itemsByPath.push([path, dropped]);
          plan.arrays.set(x, entries);
        }
      }
    }
    const omitted: Omission[] = itemsByPath.map(([path, count]) => ({ unit: 'items', count, summary: path }));
    if (cutCount > 0) {
      omitted.push({ unit: 'bytes', count: cutBytes, summary: `${cutCount} long ${cutCount === 1 ? 'string' : 'strings'} cut` });
    }
    return [plan, omitted];
  }
}

/**
 * At most `STAT_KEEP` of `found` (positions into a field's numbers), the heaviest by `weight`,
 * the first of equal ones. A field that flags more is heavy-tailed or grouped rather than
 * anomalous: keeping them all would fill the block with one field's ordinary values, and the
 * rest still show in the markers' ranges.
 */
function strongest(found: number[], weight: (k: number) => number): number[] {
  if (found.length <= STAT_KEEP) return found;
  // A NaN (∞ − ∞) weighs nothing, so both engines order the same.
  const w = (k: number): number => {
    const x = weight(k);
    return Number.isNaN(x) ? 0 : x;
  };
  const ranked = found.map((k) => [w(k), k] as const);
  ranked.sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] > b[0] ? -1 : 1));
  return ranked.slice(0, STAT_KEEP).map(([, k]) => k);
}

/** Indices of the first smallest and the first largest value (of a non-empty list). */
function extremes(values: readonly number[]): [number, number] {
  let lo = 0;
  let hi = 0;
  for (let k = 1; k < values.length; k++) {
    if (values[k]! < values[lo]!) lo = k;
    if (values[k]! > values[hi]!) hi = k;
  }
  return [lo, hi];
}

function binarySearch(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo] === x ? lo : -1;
}

/** Strings longer than LONG_STRING_BYTES, with their cut replacement and full length. */
function longStrings(view: View): Map<number, [string, number]> {
  const t = view.tape;
  const cuts = new Map<number, [string, number]>();
  for (let i = 0; i < t.size; i++) {
    if (t.kind[i] !== Kind.String || t.end[i]! - t.start[i]! + t.extra[i]! <= LONG_STRING_BYTES) continue;
    const value = view.string(i);
    const bytes = utf8Length(value);
    if (bytes <= LONG_STRING_BYTES) continue;
    cuts.set(i, [utf8Prefix(value, CUT_KEEP_BYTES) + jsonStringCut(bytes), bytes]);
  }
  return cuts;
}

/** Compact JSON size of every node's value (cut strings at their cut size). */
function sizes(view: View, cuts: Map<number, [string, number]>): Float64Array {
  const t = view.tape;
  const size = new Float64Array(t.size);
  for (let i = t.size - 1; i >= 0; i--) {
    const kind = t.kind[i]!;
    let own: number;
    if (kind === Kind.Array || kind === Kind.Object) {
      own = 2 + size[i]! + Math.max(t.count[i]! - 1, 0);
    } else if (kind === Kind.String) {
      const cut = cuts.get(i);
      if (cut !== undefined) own = utf8Length(jsonValue(cut[0]));
      else if ((t.flags[i]! & ESCAPED) === 0) own = t.end[i]! - t.start[i]! + t.extra[i]!;
      else own = utf8Length(jsonRaw(t.text.slice(t.start[i]!, t.end[i]!), true));
    } else {
      own = t.end[i]! - t.start[i]!;
    }
    size[i] = own;
    const parent = t.parent[i]!;
    if (parent !== NONE) {
      let key = 0;
      if (t.keyEnd[i] !== 0) {
        key =
          (t.flags[i]! & KEY_ESCAPED) === 0
            ? t.keyEnd[i]! - t.keyStart[i]! + t.keyExtra[i]! + 1
            : utf8Length(jsonRaw(rawKey(t, i)!, true)) + 1;
      }
      size[parent] = size[parent]! + own + key;
    }
  }
  return size;
}

/** Where an array is, as a path with `[*]` for array steps (at most 8 steps shown). */
function pathOf(view: View, node: number): string {
  const t = view.tape;
  const steps: string[] = [];
  let x = node;
  let more = false;
  for (;;) {
    const p = t.parent[x]!;
    if (p === NONE) break;
    if (steps.length === 8) {
      more = true;
      break;
    }
    steps.push(t.kind[p] === Kind.Object ? '.' + display(view.key(x)) : '[*]');
    x = p;
  }
  steps.reverse();
  return (more ? '$…' : '$') + steps.join('');
}

/**
 * BM25-style matching of items against query terms: positions of the best QUERY_KEEP items with
 * a positive score. Integer arithmetic throughout, so both engines rank identically.
 */
function queryMatches(view: View, items: readonly number[], terms: readonly string[]): number[] {
  const t = view.tape;
  const n = items.length;
  const tf: number[][] = [];
  const len: number[] = [];
  const df = new Array<number>(terms.length).fill(0);
  for (const item of items) {
    const f = new Array<number>(terms.length).fill(0);
    let l = 0;
    const end = t.next[item]!;
    for (let x = item; x < end; x++) {
      const kind = t.kind[x]!;
      let text: string;
      if (kind === Kind.String) text = view.string(x);
      else if (kind === Kind.Number) text = t.text.slice(t.start[x]!, t.end[x]!);
      else continue;
      for (const w of words(text)) {
        l++;
        const k = terms.indexOf(w);
        if (k >= 0) f[k]!++;
      }
    }
    f.forEach((c, k) => {
      if (c > 0) df[k]!++;
    });
    tf.push(f);
    len.push(Math.min(l, 1_000_000));
  }
  let total = 0;
  for (const l of len) total += l;
  const avg = Math.max(1, Math.floor(total / Math.max(n, 1)));
  // idf ≈ log2((N − df + ½) / (df + ½)), as the bit length of the integer ratio.
  const idf = df.map((d) => {
    const q = Math.floor(Math.max(0, 2 * n + 1 - 2 * d) / (2 * d + 1));
    return q <= 1 ? 0 : 32 - Math.clz32(q);
  });
  const scored: [number, number][] = [];
  tf.forEach((f, p) => {
    // k1 = 1.2, b = 0.75, in thousandths.
    const norm = 250 + Math.floor((750 * len[p]!) / avg);
    let score = 0;
    f.forEach((c0, k) => {
      const c = Math.min(c0, 1000);
      if (c === 0 || idf[k] === 0) return;
      score += idf[k]! * Math.floor((c * 2200 * 1000) / (c * 1000 + Math.floor((1200 * norm) / 1000)));
    });
    if (score > 0) scored.push([score, p]);
  });
  scored.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  return scored.slice(0, QUERY_KEEP).map(([, p]) => p);
}
