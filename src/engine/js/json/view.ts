// A document as the writers see it (twin of json/view.rs): the tape, plus (after lossy selection)
// a plan saying which items of which arrays are kept, where omission markers go, and which long
// strings are cut.

import { decode } from './strings.js';
import { ESCAPED, rawKey, type Tape } from './tape.js';

/** One element of a reduced array: a kept item (node index), or a marker string. */
export type Entry = number | string;

/** The outcome of lossy selection. */
export interface Plan {
  /** Reduced arrays: node → its entries. */
  arrays: Map<number, Entry[]>;
  /** Cut strings: node → the value that replaces it (a prefix and a marker). */
  strings: Map<number, string>;
}

export class View {
  constructor(
    readonly tape: Tape,
    readonly plan: Plan | undefined,
  ) {}

  kind(i: number): number {
    return this.tape.kind[i]!;
  }

  /** The elements of an array (kept items and markers) or the fields of an object. */
  children(i: number): Entry[] {
    const entries = this.plan?.arrays.get(i);
    if (entries !== undefined) return entries;
    const t = this.tape;
    const out: number[] = [];
    const end = t.next[i]!;
    for (let c = t.count[i]! > 0 ? i + 1 : end; c < end; c = t.next[c]!) out.push(c);
    return out;
  }

  /** How many elements `children` yields. */
  len(i: number): number {
    const entries = this.plan?.arrays.get(i);
    return entries !== undefined ? entries.length : this.tape.count[i]!;
  }

  /** The string that replaces a cut string node, if any. */
  cut(i: number): string | undefined {
    return this.plan?.strings.get(i);
  }

  /** The value of a string node (decoded, or its cut replacement). */
  string(i: number): string {
    const c = this.cut(i);
    if (c !== undefined) return c;
    const t = this.tape;
    const inner = t.text.slice(t.start[i]! + 1, t.end[i]! - 1);
    return (t.flags[i]! & ESCAPED) !== 0 ? decode(inner) : inner;
  }

  /** The decoded key of a node (empty when it has none). */
  key(i: number): string {
    const raw = rawKey(this.tape, i);
    return raw === undefined ? '' : decode(raw.slice(1, -1));
  }

  /** Whether two nodes have the same key. */
  keyEq(a: number, b: number): boolean {
    return this.tape.keyId[a] === this.tape.keyId[b];
  }

  /** Whether a string node's raw text has escapes. */
  escaped(i: number): boolean {
    return (this.tape.flags[i]! & ESCAPED) !== 0;
  }
}
