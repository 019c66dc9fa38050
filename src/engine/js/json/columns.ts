// An array's items seen as columns (twin of json/columns.rs): each field of the object items (or,
// for an array of primitives, the items themselves), with its distinct values, numbers and kind.

import { words } from '../select.js';
import { isContainer, Kind, NONE } from './tape.js';
import type { View } from './view.js';

/** Columns beyond this many (items with ever-new keys) are not tracked. */
export const MAX_COLUMNS = 64;
/** A column with more distinct values than this is not low-cardinality. */
export const MAX_DISTINCT = 12;
const UNTRACKED = 255;

export interface Column {
  /** A node carrying the column's key, or NONE for an array of primitives. */
  key: number;
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
  allNumbers: boolean;
  /** Every value a string that starts like an ISO 8601 date (`YYYY-MM-DD`). */
  allTime: boolean;
  /** The key's last word is `id` or `ids`: no statistics or ranges for identifiers. */
  idLike: boolean;
}

function newColumn(key: number, n: number, idLike: boolean): Column {
  return {
    key,
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

function idLike(view: View, key: number): boolean {
  let last: string | undefined;
  for (const w of words(view.key(key))) last = w;
  return last === 'id' || last === 'ids';
}

/** The columns of an array's items. */
export function columns(view: View, items: readonly number[]): Column[] {
  const t = view.tape;
  const n = items.length;
  const cols: Column[] = [];
  if (items.every((i) => !isContainer(view.kind(i)))) {
    const c = newColumn(NONE, n, false);
    items.forEach((i, p) => (c.cells[p] = i));
    cols.push(c);
  } else {
    const byKey = new Map<number, number>();
    // Column of each field position in the previous object item: rows mostly share a layout.
    const hints: number[] = [];
    for (let p = 0; p < n; p++) {
      const item = items[p]!;
      if (view.kind(item) !== Kind.Object) continue;
      const end = t.next[item]!;
      let j = 0;
      for (let c = t.count[item]! > 0 ? item + 1 : end; c < end; c = t.next[c]!, j++) {
        let col = hints[j];
        if (col === undefined || !view.keyEq(c, cols[col]!.key)) {
          const key = t.keyId[c]!;
          col = byKey.get(key);
          if (col === undefined) {
            if (cols.length >= MAX_COLUMNS) continue;
            col = cols.length;
            cols.push(newColumn(c, n, idLike(view, c)));
            byKey.set(key, col);
          }
        }
        hints[j] = col;
        const cells = cols[col]!.cells;
        if (cells[p] === NONE) cells[p] = c;
      }
    }
  }
  for (const col of cols) fill(view, col);
  return cols;
}

/** Distinct values, numbers and kind of a column whose cells are set. */
function fill(view: View, col: Column): void {
  const t = view.tape;
  const distinct: string[] = [];
  let overflow = false;
  for (let p = 0; p < col.cells.length; p++) {
    const v = col.cells[p]!;
    if (v === NONE) continue;
    col.present++;
    const kind = view.kind(v);
    if (kind === Kind.Number) {
      const x = Number(t.text.slice(t.start[v]!, t.end[v]!));
      if (Number.isFinite(x)) {
        col.numberPos.push(p);
        col.numberVal.push(x);
      } else {
        col.allNumbers = false;
      }
    } else {
      col.allNumbers = false;
    }
    // Judged on the raw text, as the Rust engine does.
    if (kind !== Kind.String || !TIME_LIKE.test(t.text.slice(t.start[v]! + 1, t.start[v]! + 11))) col.allTime = false;
    if (isContainer(kind)) overflow = true;
    if (overflow) continue;
    const key = valueKey(view, v);
    const k = distinct.indexOf(key);
    if (k >= 0) {
      col.which[p] = k;
    } else if (distinct.length < MAX_DISTINCT) {
      col.which[p] = distinct.length;
      distinct.push(key);
      col.distinct.push(p);
    } else {
      overflow = true;
    }
  }
  if (overflow) {
    col.distinct = [];
    col.which.fill(UNTRACKED);
  }
  if (col.present === 0) {
    col.allNumbers = false;
    col.allTime = false;
  }
}
