// tiktoken's pre-tokenization, hand-written (twin of headroom-core's pretokenize.rs, so both
// engines split identically by construction; tests hold both to tiktoken). A JS RegExp built from
// the generated Unicode ranges was exact but ran at ~1.5 MB/s (V8 handles classes of thousands of
// ranges slowly); walking the pattern by hand with a code point class table is ten times faster.
// Each function below is one alternative of the pattern, with the regex's leftmost-first,
// greedy-with-backtracking semantics.
//
// o200k_base:  [^\r\n\p{L}\p{N}]?[UL]*[LW]+C? | [^\r\n\p{L}\p{N}]?[UL]+[LW]*C? | \p{N}{1,3}
//              | ?[^\s\p{L}\p{N}]+[\r\n/]* | \s*[\r\n]+ | \s+(?!\S) | \s+
// cl100k_base: C | [^\r\n\p{L}\p{N}]?\p{L}+ | \p{N}{1,3} | ?[^\s\p{L}\p{N}]+[\r\n]* | \s*[\r\n]+
//              | \s+(?!\S) | \s+
// where UL = [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}], LW = [\p{Ll}\p{Lm}\p{Lo}\p{M}] and C is the
// case-insensitive contraction `'s|'t|'re|'ve|'m|'ll|'d`.

import type { EncodingName } from '../types.js';
import { LETTER, LOWERISH, NUMBER, UPPERISH, WHITESPACE } from './unicode-classes.js';

const L = 1;
const N = 2;
const WS = 4;
const UL = 8;
const LW = 16;

let table: Uint8Array | undefined;

/** Class bits for every code point, built once from the generated ranges (1.1 MB). */
function classTable(): Uint8Array {
  if (table !== undefined) return table;
  const t = new Uint8Array(0x110000);
  const mark = (ranges: readonly number[], bit: number): void => {
    for (let i = 0; i + 1 < ranges.length; i += 2) {
      for (let cp = ranges[i]!; cp <= ranges[i + 1]!; cp++) t[cp]! |= bit;
    }
  };
  mark(LETTER, L);
  mark(NUMBER, N);
  mark(WHITESPACE, WS);
  mark(UPPERISH, UL);
  mark(LOWERISH, LW);
  table = t;
  return t;
}

/** The code point at `i` of a well-formed string. */
function cpAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 0xd800 || c > 0xdbff) return c;
  return ((c - 0xd800) << 10) + (s.charCodeAt(i + 1) - 0xdc00) + 0x10000;
}

const width = (cp: number): number => (cp > 0xffff ? 2 : 1);

/** Splits text into pieces; `next(text, i)` returns where the piece starting at `i` ends. */
export class Pretokenizer {
  private readonly t = classTable();
  private readonly o200k: boolean;

  constructor(encoding: EncodingName) {
    this.o200k = encoding === 'o200k_base';
  }

  next(s: string, i: number): number {
    const end = this.o200k ? this.nextO200k(s, i) : this.nextCl100k(s, i);
    return end > i ? end : i + width(cpAt(s, i)); // unreachable: every code point matches something
  }

  private nextO200k(s: string, i: number): number {
    let e = this.letters(s, i, true);
    if (e >= 0) return e;
    e = this.letters(s, i, false);
    if (e >= 0) return e;
    e = this.digits(s, i);
    if (e >= 0) return e;
    e = this.punctuation(s, i, true);
    if (e >= 0) return e;
    return this.whitespace(s, i);
  }

  private nextCl100k(s: string, i: number): number {
    let e = contraction(s, i);
    if (e >= 0) return e;
    e = this.word(s, i);
    if (e >= 0) return e;
    e = this.digits(s, i);
    if (e >= 0) return e;
    e = this.punctuation(s, i, false);
    if (e >= 0) return e;
    return this.whitespace(s, i);
  }

  private cls(s: string, i: number): number {
    return i < s.length ? this.t[cpAt(s, i)]! : 0;
  }

  /** End of the run of code points from `i` having any of `bits`. */
  private run(s: string, i: number, bits: number): number {
    while (i < s.length) {
      const cp = cpAt(s, i);
      if ((this.t[cp]! & bits) === 0) break;
      i += width(cp);
    }
    return i;
  }

  /** `[^\r\n\p{L}\p{N}]` at i: the optional one-character prefix of letter pieces. */
  private prefixAt(s: string, i: number): boolean {
    if (i >= s.length) return false;
    const c = s.charCodeAt(i);
    return c !== 10 && c !== 13 && (this.cls(s, i) & (L | N)) === 0;
  }

  /** o200k's two letter alternatives: `P?[UL]*[LW]+C?` (lowerTail) or `P?[UL]+[LW]*C?`. */
  private letters(s: string, i: number, lowerTail: boolean): number {
    if (this.prefixAt(s, i)) {
      const e = lowerTail ? this.upperLower(s, i + width(cpAt(s, i))) : this.upperThenLower(s, i + width(cpAt(s, i)));
      if (e >= 0) return e;
    }
    return lowerTail ? this.upperLower(s, i) : this.upperThenLower(s, i);
  }

  /** `[UL]*[LW]+C?`: the greedy UL run gives back characters until an LW one can follow. */
  private upperLower(s: string, st: number): number {
    let lastLw = -1;
    let p = st;
    while (p < s.length) {
      const cp = cpAt(s, p);
      const c = this.t[cp]!;
      if ((c & UL) === 0) break;
      if ((c & LW) !== 0) lastLw = p;
      p += width(cp);
    }
    let end: number;
    if ((this.cls(s, p) & LW) !== 0) end = this.run(s, p, LW);
    else if (lastLw >= 0) end = lastLw + width(cpAt(s, lastLw));
    else return -1;
    const c = contraction(s, end);
    return c >= 0 ? c : end;
  }

  /** `[UL]+[LW]*C?` */
  private upperThenLower(s: string, st: number): number {
    const e = this.run(s, st, UL);
    if (e === st) return -1;
    const end = this.run(s, e, LW);
    const c = contraction(s, end);
    return c >= 0 ? c : end;
  }

  /** cl100k's `[^\r\n\p{L}\p{N}]?\p{L}+` */
  private word(s: string, i: number): number {
    if (this.prefixAt(s, i)) {
      const j = i + width(cpAt(s, i));
      if ((this.cls(s, j) & L) !== 0) return this.run(s, j, L);
    }
    return (this.cls(s, i) & L) !== 0 ? this.run(s, i, L) : -1;
  }

  /** `\p{N}{1,3}` */
  private digits(s: string, i: number): number {
    let p = i;
    for (let k = 0; k < 3 && p < s.length; k++) {
      const cp = cpAt(s, p);
      if ((this.t[cp]! & N) === 0) break;
      p += width(cp);
    }
    return p > i ? p : -1;
  }

  /** ` ?[^\s\p{L}\p{N}]+[\r\n/]*` (o200k) or ` ?[^\s\p{L}\p{N}]+[\r\n]*` (cl100k). */
  private punctuation(s: string, i: number, slash: boolean): number {
    const st = s.charCodeAt(i) === 32 ? i + 1 : i;
    let p = st;
    while (p < s.length) {
      const cp = cpAt(s, p);
      if ((this.t[cp]! & (WS | L | N)) !== 0) break;
      p += width(cp);
    }
    if (p === st) return -1;
    while (p < s.length) {
      const c = s.charCodeAt(p);
      if (c !== 10 && c !== 13 && !(slash && c === 47)) break;
      p++;
    }
    return p;
  }

  /** `\s*[\r\n]+ | \s+(?!\S) | \s+` (every White_Space code point is in the BMP). */
  private whitespace(s: string, i: number): number {
    const e = this.run(s, i, WS);
    if (e === i) return -1;
    for (let p = e - 1; p >= i; p--) {
      const c = s.charCodeAt(p);
      if (c === 10 || c === 13) return p + 1;
    }
    if (e === s.length || e - i === 1) return e;
    return e - 1;
  }
}

/** The case-insensitive forms of the contraction letters (Unicode simple folding: `ſ` is an `s`). */
function folds(cp: number, letter: string): boolean {
  const lower = cp >= 65 && cp <= 90 ? cp + 32 : cp === 0x17f ? 115 : cp;
  return lower === letter.charCodeAt(0);
}

/** `'s|'t|'re|'ve|'m|'ll|'d`, case-insensitively. */
function contraction(s: string, i: number): number {
  if (i + 1 >= s.length || s.charCodeAt(i) !== 39) return -1;
  const a = cpAt(s, i + 1);
  const j = i + 1 + width(a);
  if (folds(a, 's') || folds(a, 't') || folds(a, 'm') || folds(a, 'd')) return j;
  if (j >= s.length) return -1;
  const b = cpAt(s, j);
  const pair = ((folds(a, 'r') || folds(a, 'v')) && folds(b, 'e')) || (folds(a, 'l') && folds(b, 'l'));
  return pair ? j + width(b) : -1;
}
