// An array's items seen as columns (twin of json/columns.rs): each field of the object items,
// nested fields included (`properties.mag` of GeoJSON features, `attributes.status` of API
// envelopes), each position of tuple rows (items that are arrays of mostly one length, like
// `[ts, value]` samples or SQL result rows), or, for an array of primitives, the items
// themselves; with its distinct values, numbers and kind.

import { isDigit } from '../chars.js';
import { words } from '../signal.js';
import { children, isContainer, Kind, NONE } from './tape.js';
import type { View } from './view.js';

/** Columns beyond this many (items with ever-new keys) are not tracked. */
export const MAX_COLUMNS = 64;
/** A column with more distinct values than this is not low-cardinality. */
export const MAX_DISTINCT = 12;
/** Strings of more digits than this are identifiers, not numbers (beyond f64's exact digits). */
export const MAX_NUMBER_DIGITS = 15;
/** Fields of objects nested in an item are columns down to this many keys from the item (`a.b.c.d`). */
export const MAX_FIELD_DEPTH = 4;
/** Last key words of a sibling that names the positions of tuple rows (`columns`, `fields`; `meta` as in ClickHouse's JSONCompact output). */
const HEADER_WORDS = new Set(['columns', 'fields', 'header', 'headers', 'meta']);
const UNTRACKED = 255;

/** What a column is called. */
export type Label =
  /** The items themselves (an array of primitives). */
  | { kind: 'items' }
  /** An object field: a node carrying the key. */
  | { kind: 'key'; node: number }
  /** A position of tuple rows, unnamed. */
  | { kind: 'position'; position: number }
  /** A position of tuple rows named by a sibling header: the name's string node. */
  | { kind: 'named'; node: number };

export interface Column {
  label: Label;
  /** For a field of an object nested in the item: the column of that object (`properties` for `properties.mag`); NONE otherwise. */
  parent: number;
  /** Per item position: the value node, or NONE when absent. */
  cells: Uint32Array;
  /** Per item position: the index of its value in `distinct` (255 when absent or untracked). */
  which: Uint8Array;
  present: number;
  /** First item position of each distinct value; empty beyond MAX_DISTINCT distinct values. */
  distinct: number[];
  /** Item positions and values of every finite number. */
  numberPos: number[];
  numberVal: number[];
  /** Every value a number, or null (a missing measurement does not make a field a text field), with at least one number. */
  allNumbers: boolean;
  /** Every value a string that starts like an ISO 8601 date (`YYYY-MM-DD`), or null, with at least one such string. */
  allTime: boolean;
  /** The key's last word is `id` or `ids`: no statistics or ranges for identifiers. */
  idLike: boolean;
}

function newColumn(label: Label, n: number, idLike: boolean): Column {
  return {
    label,
    parent: NONE,
    cells: new Uint32Array(n).fill(NONE),
    which: new Uint8Array(n).fill(UNTRACKED),
    present: 0,
    distinct: [],
    numberPos: [],
    numberVal: [],
    allNumbers: true,
    allTime: true,
    idLike,
  };
}

/** Two or more distinct values, at most MAX_DISTINCT. */
export function categorical(c: Column): boolean {
  return c.distinct.length >= 2;
}

/** A value's identity for counting: its kind and text (decoded for strings, raw for numbers). */
export function valueKey(view: View, i: number): string {
  const k = view.kind(i);
  const t = view.tape;
  if (k === Kind.String) return 's' + view.string(i);
  return (k === Kind.Number ? 'n' : 'l') + t.text.slice(t.start[i]!, t.end[i]!);
}

const TIME_LIKE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}/;

function lastWord(text: string): string | undefined {
  let last: string | undefined;
  for (const w of words(text)) last = w;
  return last;
}

function idName(name: string): boolean {
  const last = lastWord(name);
  return last === 'id' || last === 'ids';
}

const NUMBER_LIKE = /^-?(?:0|[1-9][0-9]*)(?:\.([0-9]+))?(?:[eE][+-]?[0-9]+)?$/;

/**
 * Whether a string's whole value is a plain JSON number (`-12`, `0.5`, `1e-3`; no spaces, no `+`,
 * no leading zeros) of at most MAX_NUMBER_DIGITS digits: such strings (Prometheus samples,
 * `"latency": "4800"`) count as numbers for statistics and ranges.
 */
export function numberLike(s: string): boolean {
  const m = NUMBER_LIKE.exec(s);
  if (m === null) return false;
  const e = s.search(/[eE]/);
  const mantissa = e < 0 ? s.length : e;
  // Digits of the mantissa: its length less the sign and the decimal point.
  const digits = mantissa - (s.charCodeAt(0) === 0x2d ? 1 : 0) - (m[1] === undefined ? 0 : 1);
  return digits <= MAX_NUMBER_DIGITS;
}

/** The number a plain-number string stands for (finite values only). */
function stringNumber(s: string): number | undefined {
  if (!numberLike(s)) return undefined;
  const x = Number(s);
  return Number.isFinite(x) ? x : undefined;
}

/**
 * The length shared by at least three quarters of an array's items when those are arrays of two
 * or more elements: its items are then tuple rows, records with positional fields.
 */
export function tupleWidth(view: View, items: readonly number[]): number | undefined {
  const t = view.tape;
  const len = (i: number): number => (view.kind(i) === Kind.Array ? t.count[i]! : -1);
  // The majority length, if any (Boyer–Moore vote), then checked against the threshold.
  let candidate = -1;
  let votes = 0;
  for (const i of items) {
    const l = len(i);
    if (votes === 0) {
      candidate = l;
      votes = 1;
    } else if (l === candidate) votes++;
    else votes--;
  }
  if (candidate < 2) return undefined;
  let shared = 0;
  for (const i of items) if (len(i) === candidate) shared++;
  return shared * 4 >= items.length * 3 ? candidate : undefined;
}

/**
 * Names of the positions of tuple rows in array `node`, from a sibling field such as
 * `"columns": ["ts", "host", "latency_ms"]` (strings, or objects with a string `name`) of the
 * same length. Optional: tuple rows are columns by position without it.
 */
export function header(view: View, node: number, width: number): number[] | undefined {
  const t = view.tape;
  const parent = t.parent[node]!;
  if (parent === NONE || view.kind(parent) !== Kind.Object) return undefined;
  for (const s of children(t, parent)) {
    if (s === node || view.kind(s) !== Kind.Array || t.count[s] !== width) continue;
    const last = lastWord(view.key(s));
    if (last === undefined || !HEADER_WORDS.has(last)) continue;
    const names: number[] = [];
    for (const c of children(t, s)) {
      const k = view.kind(c);
      const name = k === Kind.String ? c : k === Kind.Object ? children(t, c).find((f) => view.kind(f) === Kind.String && view.key(f) === 'name') : undefined;
      if (name === undefined) break;
      names.push(name);
    }
    if (names.length === width) return names;
  }
  return undefined;
}

/** The columns of an array's items (`node` is the array). */
export function columns(view: View, node: number, items: readonly number[]): Column[] {
  const t = view.tape;
  const n = items.length;
  const cols: Column[] = [];
  const primitives = items.every((i) => !isContainer(view.kind(i)));
  const width = primitives ? undefined : tupleWidth(view, items);
  if (primitives) {
    const c = newColumn({ kind: 'items' }, n, false);
    items.forEach((i, p) => (c.cells[p] = i));
    cols.push(c);
  } else if (width !== undefined) {
    const names = header(view, node, width);
    for (let j = 0; j < Math.min(width, MAX_COLUMNS); j++) {
      const s = names?.[j];
      cols.push(s !== undefined ? newColumn({ kind: 'named', node: s }, n, idName(view.string(s))) : newColumn({ kind: 'position', position: j }, n, false));
    }
    for (let p = 0; p < n; p++) {
      const item = items[p]!;
      if (view.kind(item) !== Kind.Array) continue;
      const end = t.next[item]!;
      let j = 0;
      for (let c = t.count[item]! > 0 ? item + 1 : end; c < end && j < cols.length; c = t.next[c]!, j++) cols[j]!.cells[p] = c;
    }
  } else {
    // Columns by (column of the enclosing object or NONE, key id).
    const byKey = new Map<string, number>();
    // Column of each field position (in document order, nested fields included) in the previous
    // object item: rows mostly share a layout.
    const hints: number[] = [];
    // The objects open at the current field: nodes and their columns, the item first.
    const openNode: number[] = [];
    const openCol: number[] = [];
    for (let p = 0; p < n; p++) {
      const item = items[p]!;
      if (view.kind(item) !== Kind.Object) continue;
      const end = t.next[item]!;
      openNode.length = 0;
      openCol.length = 0;
      openNode.push(item);
      openCol.push(NONE);
      let j = 0;
      let c = item + 1;
      while (c < end) {
        // Fields are visited in document order, so the parent is an open object.
        while (openNode.length > 1 && openNode[openNode.length - 1] !== t.parent[c]) {
          openNode.pop();
          openCol.pop();
        }
        const parent = openCol[openCol.length - 1]!;
        let col: number | undefined = hints[j];
        if (col !== undefined) {
          const h = cols[col]!;
          if (h.parent !== parent || h.label.kind !== 'key' || !view.keyEq(c, h.label.node)) col = undefined;
        }
        if (col === undefined) {
          const key = `${parent}:${t.keyId[c]!}`;
          col = byKey.get(key);
          if (col === undefined && cols.length < MAX_COLUMNS) {
            col = cols.length;
            const made = newColumn({ kind: 'key', node: c }, n, idName(view.key(c)));
            made.parent = parent;
            cols.push(made);
            byKey.set(key, col);
          }
        }
        if (col !== undefined) {
          hints[j] = col;
          const cells = cols[col]!.cells;
          if (cells[p] === NONE) cells[p] = c;
        }
        j++;
        // Into a nested object's fields (arrays are not columns); past anything else.
        if (col !== undefined && t.kind[c] === Kind.Object && t.count[c]! > 0 && openNode.length < MAX_FIELD_DEPTH) {
          openNode.push(c);
          openCol.push(col);
          c++;
        } else {
          c = t.next[c]!;
        }
      }
    }
  }
  // Row by row, so each item's values are read together (the tape keeps them side by side).
  const fillers = cols.map(() => new Filler());
  for (let p = 0; p < n; p++) for (let j = 0; j < cols.length; j++) fillers[j]!.cell(view, cols[j]!, p);
  cols.forEach((col, j) => fillers[j]!.finish(col));
  return cols;
}

/** Distinct values, numbers and kind of a column, gathered one cell at a time. */
class Filler {
  distinct: string[] = [];
  overflow = false;
  /** A time-like string was seen. */
  timed = false;

  cell(view: View, col: Column, p: number): void {
    const t = view.tape;
    const v = col.cells[p]!;
    if (v === NONE) return;
    col.present++;
    const kind = view.kind(v);
    let x: number | undefined;
    if (kind === Kind.Number) {
      x = Number(t.text.slice(t.start[v]!, t.end[v]!));
      if (!Number.isFinite(x)) x = undefined;
    } else if (kind === Kind.String) {
      // Most strings are ruled out by their first character, without decoding.
      const c = t.text.charCodeAt(t.start[v]! + 1);
      if (c === 0x2d || c === 0x5c || isDigit(c)) x = stringNumber(view.string(v));
    }
    if (x !== undefined) {
      col.numberPos.push(p);
      col.numberVal.push(x);
    } else if (kind !== Kind.Null) {
      col.allNumbers = false;
    }
    // Judged on the raw text, as the Rust engine does.
    if (kind === Kind.String && TIME_LIKE.test(t.text.slice(t.start[v]! + 1, t.start[v]! + 11))) this.timed = true;
    else if (kind !== Kind.Null) col.allTime = false;
    if (isContainer(kind)) this.overflow = true;
    if (this.overflow) return;
    const key = valueKey(view, v);
    const k = this.distinct.indexOf(key);
    if (k >= 0) {
      col.which[p] = k;
    } else if (this.distinct.length < MAX_DISTINCT) {
      col.which[p] = this.distinct.length;
      this.distinct.push(key);
      col.distinct.push(p);
    } else {
      this.overflow = true;
    }
  }

  finish(col: Column): void {
    if (this.overflow) {
      col.distinct = [];
      col.which.fill(UNTRACKED);
    }
    if (col.numberPos.length === 0) col.allNumbers = false;
    if (!this.timed) col.allTime = false;
  }
}
