// The JSON reader (twin of json/tape.rs): a flat tape of nodes in document order, built without
// recursion (an explicit stack of open containers). Nodes keep raw slices of the input: numbers
// keep their original text, strings their original spelling, and duplicate keys are all kept.
// Offsets are UTF-16 indices; `extra`/`keyExtra` add what UTF-8 needs beyond them, so byte
// lengths match the Rust engine's exactly. Keys are interned as they are read (by decoded value),
// so every later key comparison is one integer comparison.

import { isDigit } from '../chars.js';
import { poll } from '../stop.js';
import { decode } from './strings.js';

export const Kind = { Null: 0, False: 1, True: 2, Number: 3, String: 4, Array: 5, Object: 6 } as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** The value string contains backslash escapes. */
export const ESCAPED = 1;
/** The key string contains backslash escapes. */
export const KEY_ESCAPED = 2;
/** The value or key string has a `\uD800`–`\uDFFF` escape (possibly a lone surrogate). */
export const SURROGATE = 4;
/** The number may not denote a finite, non-negative-zero double (see tape.rs). */
export const NUMBER_CHECK = 8;
/** No parent. */
export const NONE = 0xffffffff;

export const isContainer = (k: number): boolean => k === Kind.Array || k === Kind.Object;

/** A parsed document: node 0 is the root. Columns indexed by node. */
export interface Tape {
  text: string;
  size: number;
  kind: Uint8Array;
  flags: Uint8Array;
  start: Uint32Array;
  end: Uint32Array;
  keyStart: Uint32Array;
  keyEnd: Uint32Array;
  /** Index of the first node after this node's subtree. */
  next: Uint32Array;
  parent: Uint32Array;
  /** Number of children (containers only). */
  count: Uint32Array;
  /** UTF-8 bytes of the value's raw span beyond its UTF-16 length. */
  extra: Uint32Array;
  keyExtra: Uint32Array;
  /** The key's id (equal ids, equal decoded keys), or NONE. */
  keyId: Uint32Array;
  /** Deepest container nesting (the root container is depth 1). */
  maxDepth: number;
  /** Number of distinct keys (ids are 0..keys). */
  keys: number;
}

/** The raw text of a node's value (strings with their quotes). */
export function raw(t: Tape, i: number): string {
  return t.text.slice(t.start[i]!, t.end[i]!);
}

/** The raw key of a node, quotes included, or undefined when its parent is not an object. */
export function rawKey(t: Tape, i: number): string | undefined {
  const e = t.keyEnd[i]!;
  return e === 0 ? undefined : t.text.slice(t.keyStart[i]!, e);
}

/** The children of a container, in order. */
export function children(t: Tape, i: number): number[] {
  const out: number[] = [];
  const end = t.next[i]!;
  for (let c = t.count[i]! > 0 ? i + 1 : end; c < end; c = t.next[c]!) out.push(c);
  return out;
}

/** True when the whole text is one JSON value (surrounding JSON whitespace allowed). */
export function isJson(text: string): boolean {
  return new Parser(text, false).run();
}

/** Parses `text` as one JSON value; undefined when it is not valid JSON. */
export function parse(text: string): Tape | undefined {
  const p = new Parser(text, true);
  if (!p.run()) return undefined;
  return p.tape();
}

const isWs = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** UTF-8 bytes of one UTF-16 unit beyond 1 (a surrogate pair's 4 bytes = 2 units + 2). */
export function extraBytes(c: number): number {
  return c < 0x80 ? 0 : c < 0x800 ? 1 : (c & 0xf800) === 0xd800 ? 1 : 2;
}

class Parser {
  private pos = 0;
  private n = 0;
  private cap: number;
  kind: Uint8Array;
  flags: Uint8Array;
  start: Uint32Array;
  end: Uint32Array;
  keyStart: Uint32Array;
  keyEnd: Uint32Array;
  next: Uint32Array;
  parent: Uint32Array;
  count: Uint32Array;
  extra: Uint32Array;
  keyExtra: Uint32Array;
  keyId: Uint32Array;
  private readonly ids = new Map<string, number>();
  private stack: number[] = [];
  private kinds: boolean[] = [];
  maxDepth = 0;
  // Scratch results of `string()`.
  private sFlags = 0;
  private sExtra = 0;

  constructor(
    private readonly text: string,
    private readonly build: boolean,
  ) {
    this.cap = build ? Math.max(16, text.length >> 3) : 0;
    this.kind = new Uint8Array(this.cap);
    this.flags = new Uint8Array(this.cap);
    this.start = new Uint32Array(this.cap);
    this.end = new Uint32Array(this.cap);
    this.keyStart = new Uint32Array(this.cap);
    this.keyEnd = new Uint32Array(this.cap);
    this.next = new Uint32Array(this.cap);
    this.parent = new Uint32Array(this.cap);
    this.count = new Uint32Array(this.cap);
    this.extra = new Uint32Array(this.cap);
    this.keyExtra = new Uint32Array(this.cap);
    this.keyId = new Uint32Array(this.cap);
  }

  tape(): Tape {
    const n = this.n;
    return {
      text: this.text,
      size: n,
      kind: this.kind.subarray(0, n),
      flags: this.flags.subarray(0, n),
      start: this.start.subarray(0, n),
      end: this.end.subarray(0, n),
      keyStart: this.keyStart.subarray(0, n),
      keyEnd: this.keyEnd.subarray(0, n),
      next: this.next.subarray(0, n),
      parent: this.parent.subarray(0, n),
      count: this.count.subarray(0, n),
      extra: this.extra.subarray(0, n),
      keyExtra: this.keyExtra.subarray(0, n),
      keyId: this.keyId.subarray(0, n),
      maxDepth: this.maxDepth,
      keys: this.ids.size,
    };
  }

  private grow(): void {
    const cap = this.cap * 2;
    const g8 = (a: Uint8Array): Uint8Array => {
      const b = new Uint8Array(cap);
      b.set(a);
      return b;
    };
    const g32 = (a: Uint32Array): Uint32Array => {
      const b = new Uint32Array(cap);
      b.set(a);
      return b;
    };
    this.kind = g8(this.kind);
    this.flags = g8(this.flags);
    this.start = g32(this.start);
    this.end = g32(this.end);
    this.keyStart = g32(this.keyStart);
    this.keyEnd = g32(this.keyEnd);
    this.next = g32(this.next);
    this.parent = g32(this.parent);
    this.count = g32(this.count);
    this.extra = g32(this.extra);
    this.keyExtra = g32(this.keyExtra);
    this.keyId = g32(this.keyId);
    this.cap = cap;
  }

  private ws(): void {
    const t = this.text;
    while (this.pos < t.length && isWs(t.charCodeAt(this.pos))) this.pos++;
  }

  run(): boolean {
    const t = this.text;
    this.ws();
    for (;;) {
      // A value starts here.
      if (this.pos >= t.length) return false;
      const c = t.charCodeAt(this.pos);
      if (c === 123 || c === 91) {
        const isObj = c === 123;
        this.push(isObj ? Kind.Object : Kind.Array, this.pos, this.pos, 0, 0);
        this.pos++;
        this.ws();
        if (this.pos < t.length && t.charCodeAt(this.pos) === (isObj ? 125 : 93)) {
          this.pos++;
          this.close();
        } else {
          if (isObj) {
            if (!this.key()) return false;
          } else {
            this.noKey();
          }
          continue;
        }
      } else if (c === 34) {
        const s = this.pos;
        if (!this.string()) return false;
        this.push(Kind.String, s, this.pos, this.sFlags, this.sExtra);
      } else if (c === 116) {
        if (!this.literal('true', Kind.True)) return false;
      } else if (c === 102) {
        if (!this.literal('false', Kind.False)) return false;
      } else if (c === 110) {
        if (!this.literal('null', Kind.Null)) return false;
      } else {
        const s = this.pos;
        const f = this.number();
        if (f < 0) return false;
        this.push(Kind.Number, s, this.pos, f, 0);
      }
      // After a value: a separator, a close, or the end of the document.
      for (;;) {
        const depth = this.kinds.length;
        if (depth === 0) {
          this.ws();
          return this.pos === t.length;
        }
        const isObj = this.kinds[depth - 1]!;
        this.ws();
        if (this.pos >= t.length) return false;
        const d = t.charCodeAt(this.pos);
        if (d === 44) {
          this.pos++;
          this.ws();
          if (isObj) {
            if (!this.key()) return false;
          } else {
            this.noKey();
          }
          break;
        }
        if ((d === 125 && isObj) || (d === 93 && !isObj)) {
          this.pos++;
          this.close();
          continue;
        }
        return false;
      }
    }
  }

  // The pending key (start, end, flags, extra) for the next value.
  private ks = 0;
  private ke = 0;
  private kf = 0;
  private kx = 0;
  private kid = NONE;

  private noKey(): void {
    this.ks = this.ke = this.kf = this.kx = 0;
    this.kid = NONE;
  }

  /** Reads `"key" :` and leaves `pos` at the value. */
  private key(): boolean {
    const t = this.text;
    if (this.pos >= t.length || t.charCodeAt(this.pos) !== 34) return false;
    const s = this.pos;
    if (!this.string()) return false;
    const e = this.pos;
    this.ws();
    if (this.pos >= t.length || t.charCodeAt(this.pos) !== 58) return false;
    this.pos++;
    this.ws();
    let kf = 0;
    if (this.sFlags & ESCAPED) kf |= KEY_ESCAPED;
    kf |= this.sFlags & SURROGATE;
    this.ks = s;
    this.ke = e;
    this.kf = kf;
    this.kx = this.sExtra;
    if (this.build) this.kid = this.keyIdOf(s, e);
    return true;
  }

  // Recently seen plain keys, by a hash of length and a few characters: keys repeat from object
  // to object, and a hit costs one comparison with the input instead of a slice and a Map lookup.
  private readonly recentRaw: string[] = new Array<string>(256).fill('');
  private readonly recentId = new Uint32Array(256);

  /** The id of the key whose raw text (quotes included) spans `s..e`. */
  private keyIdOf(s: number, e: number): number {
    const t = this.text;
    const escaped = (this.sFlags & ESCAPED) !== 0;
    const len = e - s - 2;
    const slot = escaped || len === 0 ? -1 : (len * 31 + t.charCodeAt(s + 1) * 7 + t.charCodeAt(e - 2) * 13) & 255;
    if (slot >= 0) {
      const raw = this.recentRaw[slot]!;
      if (raw.length === len && t.startsWith(raw, s + 1)) return this.recentId[slot]!;
    }
    const inner = t.slice(s + 1, e - 1);
    const name = escaped ? decode(inner) : inner;
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(name, id);
    }
    if (slot >= 0) {
      this.recentRaw[slot] = inner;
      this.recentId[slot] = id;
    }
    return id;
  }

  private push(kind: Kind, s: number, e: number, flags: number, extra: number): void {
    poll(8);
    const container = kind === Kind.Array || kind === Kind.Object;
    if (this.build) {
      if (this.n === this.cap) this.grow();
      const idx = this.n++;
      const parent = this.stack.length > 0 ? this.stack[this.stack.length - 1]! : NONE;
      if (parent !== NONE) this.count[parent]!++;
      this.kind[idx] = kind;
      this.flags[idx] = flags | this.kf;
      this.start[idx] = s;
      this.end[idx] = e;
      this.keyStart[idx] = this.ks;
      this.keyEnd[idx] = this.ke;
      this.next[idx] = idx + 1;
      this.parent[idx] = parent;
      this.count[idx] = 0;
      this.extra[idx] = extra;
      this.keyExtra[idx] = this.kx;
      this.keyId[idx] = this.kid;
      if (container) this.stack.push(idx);
    }
    if (container) {
      this.kinds.push(kind === Kind.Object);
      if (this.kinds.length > this.maxDepth) this.maxDepth = this.kinds.length;
    }
  }

  private close(): void {
    this.kinds.pop();
    if (this.build) {
      const idx = this.stack.pop();
      if (idx !== undefined) {
        this.end[idx] = this.pos;
        this.next[idx] = this.n;
      }
    }
  }

  private literal(word: string, kind: Kind): boolean {
    if (!this.text.startsWith(word, this.pos)) return false;
    const s = this.pos;
    this.pos += word.length;
    this.push(kind, s, this.pos, 0, 0);
    return true;
  }

  /** Scans a string starting at its opening quote; sets `sFlags` and `sExtra`. */
  private string(): boolean {
    const t = this.text;
    const n = t.length;
    let i = this.pos + 1;
    let flags = 0;
    let extra = 0;
    for (;;) {
      if (i >= n) return false;
      const c = t.charCodeAt(i);
      if (c === 34) {
        this.pos = i + 1;
        this.sFlags = flags;
        this.sExtra = extra;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 92) {
        flags |= ESCAPED;
        if (i + 1 >= n) return false;
        const e = t.charCodeAt(i + 1);
        if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) {
          i += 2;
        } else if (e === 117) {
          if (i + 6 > n) return false;
          let v = 0;
          for (let k = i + 2; k < i + 6; k++) {
            const h = hexValue(t.charCodeAt(k));
            if (h < 0) return false;
            v = v * 16 + h;
          }
          if (v >= 0xd800 && v <= 0xdfff) flags |= SURROGATE;
          i += 6;
        } else {
          return false;
        }
      } else {
        if (c >= 0x80) extra += extraBytes(c);
        i++;
      }
    }
  }

  /** Scans a number; returns its flags, or -1 when it is not one. */
  private number(): number {
    const t = this.text;
    const s = this.pos;
    let i = s;
    let flags = 0;
    const negative = t.charCodeAt(i) === 45;
    if (negative) i++;
    const c = t.charCodeAt(i);
    if (c === 48) {
      i++;
      if (negative) flags |= NUMBER_CHECK;
    } else if (c >= 49 && c <= 57) {
      while (isDigit(t.charCodeAt(i))) i++;
    } else {
      return -1;
    }
    if (t.charCodeAt(i) === 46) {
      i++;
      if (!isDigit(t.charCodeAt(i))) return -1;
      while (isDigit(t.charCodeAt(i))) i++;
    }
    const e = t.charCodeAt(i);
    if (e === 101 || e === 69) {
      flags |= NUMBER_CHECK;
      i++;
      const sign = t.charCodeAt(i);
      if (sign === 43 || sign === 45) i++;
      if (!isDigit(t.charCodeAt(i))) return -1;
      while (isDigit(t.charCodeAt(i))) i++;
    }
    if (i - s > 300) flags |= NUMBER_CHECK;
    this.pos = i;
    return flags;
  }
}
