// Lossless folding of log lines into units (twin of log/fold.rs):
// - a run of identical lines becomes its first line, as given, and a marker with the count
//   (where that is shorter than the copies);
// - a block of lines repeated back to back (a stack trace printed 36 times, a recursion) keeps
//   its first copy and one marker for the copies;
// - a run of plain lines that differ only in variable fields (numbers, hex ids, UUIDs,
//   timestamps, paths, dotted names, IPs) becomes one template line with a count and the
//   range or first/last value of each field.
//
// Lines that are kept verbatim (see `Class`), the first and the last line never join a template.

import { estimateTokens } from '../budget.js';
import { isAlnum, isDigit, utf8Length } from '../chars.js';
import { given, isBlank, lineEnd, type Lines, tokens } from '../lines.js';
import * as marker from '../marker.js';
import { poll } from '../stop.js';
import { Class, type LineInfo } from './classify.js';
import { tokenIsLevel } from './level.js';
import { cmpNumber, PieceKind, type Pieces, pieces, sameShape } from './fields.js';

/** Fewest lines a template may stand for. */
export const MIN_TEMPLATE_RUN = 3;
/** Longest block of lines looked for as a back-to-back repeat. */
export const MAX_PERIOD = 200;
/** How many earlier occurrences of a line are tried as the start of a repeat. */
const MAX_CANDIDATES = 4;

/**
 * A run of input lines as it appears in the output:
 * - `line`: `lines[start]`, `len` times in a row;
 * - `template`: a template standing for lines `start..start + len`; `fine` when all of them have
 *   the same fine `looseTemplate` (their fields differ in numbers and ids only);
 * - `repeat`: lines `start..start + len` repeat the `period` lines before them (`copy` is the
 *   index of the first unit of that first copy).
 */
export type Unit =
  | { kind: 'line'; start: number; len: number }
  | { kind: 'template'; start: number; len: number; text: string; fine: boolean }
  | { kind: 'repeat'; start: number; len: number; period: number; copy: number };

/**
 * The unit's output lines, each with its line end: kept lines as given (see `lines.given`), a
 * marker with the line end of the last line it stands for.
 */
export function renderUnit(u: Unit, l: Lines, original: string): string {
  poll(64);
  const last = lineEnd(l, u.start + u.len - 1);
  switch (u.kind) {
    case 'line': {
      const first = given(l, u.start, original);
      if (u.len === 1) return first;
      if (countsRun(u, l.lines)) return first + marker.lineRepeats(u.len) + last;
      // The copies are shorter than the count: they stand as given.
      let out = first;
      for (let k = u.start + 1; k < u.start + u.len; k++) out += given(l, k, original);
      return out;
    }
    case 'template':
      return u.text + last;
    case 'repeat':
      return marker.blockRepeat(u.period, u.len / u.period) + last;
  }
}

/** Whether a run of one line is told by a count (shorter than its copies), or stands as given. */
export function countsRun(u: Unit, lines: readonly string[]): boolean {
  return u.len > 1 && utf8Length(marker.lineRepeats(u.len)) + 1 < (u.len - 1) * (utf8Length(lines[u.start]!) + 1);
}

/** The unit's estimated cost in tokens (`estimateTokens` of each output line, plus one a line): line ends aside. */
export function unitCost(u: Unit, lines: readonly string[]): number {
  poll(64);
  switch (u.kind) {
    case 'line': {
      const line = estimateTokens(lines[u.start]!) + 1;
      if (u.len === 1) return line;
      return countsRun(u, lines) ? line + estimateTokens(marker.lineRepeats(u.len)) + 1 : line * u.len;
    }
    case 'template':
      return estimateTokens(u.text) + 1;
    case 'repeat':
      return estimateTokens(marker.blockRepeat(u.period, u.len / u.period)) + 1;
  }
}

const NONE = -1;

/** Folds `lines` into units, in order, covering every line exactly once. */
export function fold(lines: readonly string[], info: readonly LineInfo[]): Unit[] {
  const n = lines.length;
  const intern = new Map<string, number>();
  const ids = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const l = lines[k]!;
    poll(l.length + 1);
    let id = intern.get(l);
    if (id === undefined) {
      id = intern.size;
      intern.set(l, id);
    }
    ids[k] = id;
  }
  const next = new Int32Array(n).fill(NONE);
  const lastSeen = new Int32Array(intern.size).fill(NONE);
  for (let k = n - 1; k >= 0; k--) {
    const id = ids[k]!;
    next[k] = lastSeen[id]!;
    lastSeen[id] = k;
  }
  const f = new Folder(lines, info, ids, next);
  let i = 0;
  while (i < n) {
    poll(64);
    i = f.step(i, n, true, true);
  }
  return f.units;
}

class Folder {
  readonly units: Unit[] = [];
  constructor(
    readonly lines: readonly string[],
    readonly info: readonly LineInfo[],
    readonly ids: Int32Array,
    /** Index of the next line with the same text (-1 if none). */
    readonly next: Int32Array,
  ) {}

  /** Folds the run starting at `i` (within `..end`) and returns where the next one starts. */
  step(i: number, end: number, blocks: boolean, templates: boolean): number {
    const [period, copies] = this.bestRepeat(i, end, blocks);
    const covered = period * copies;
    if (templates && this.templateEligible(i)) {
      const t = this.templateRun(i, end);
      if (t >= MIN_TEMPLATE_RUN && t > covered) {
        const found = this.templateText(i, t);
        if (found !== undefined) {
          this.units.push({ kind: 'template', start: i, len: t, text: found[0], fine: found[1] });
          return i + t;
        }
        // Not shorter as a template: the run's lines stand, identical ones folded.
        let k = i;
        while (k < i + t) k = this.step(k, i + t, false, false);
        return k;
      }
    }
    if (period >= 2 && copies >= 2) {
      const copy = this.units.length;
      let k = i;
      while (k < i + period) k = this.step(k, i + period, false, templates);
      this.units.push({ kind: 'repeat', start: i + period, len: period * (copies - 1), period, copy });
      return i + covered;
    }
    this.units.push({ kind: 'line', start: i, len: copies });
    return i + copies;
  }

  /**
   * The back-to-back repeat starting at `i` covering the most lines: `[period, copies]`;
   * period 1 is a run of identical lines, `[1, 1]` means none.
   */
  bestRepeat(i: number, end: number, blocks: boolean): [number, number] {
    const ids = this.ids;
    let run = 1;
    while (i + run < end && ids[i + run] === ids[i]) run++;
    let best: [number, number] = [1, run];
    if (!blocks) return best;
    let j = this.next[i]!;
    let tried = 0;
    while (j !== NONE && j - i <= MAX_PERIOD && tried < MAX_CANDIDATES) {
      const p = j - i;
      tried++;
      if (p >= 2 && i + 2 * p <= end && ids[i + p - 1] === ids[i + 2 * p - 1]) {
        let matched = 0;
        while (i + p + matched < end && ids[i + matched] === ids[i + p + matched]) matched++;
        const copies = 1 + Math.floor(matched / p);
        if (copies >= 2 && p * copies > best[0] * best[1]) best = [p, copies];
      }
      j = this.next[j]!;
    }
    return best;
  }

  templateEligible(k: number): boolean {
    return k !== 0 && k + 1 !== this.lines.length && this.info[k]!.cls === Class.Plain && !this.info[k]!.framed;
  }

  /** How many lines from `i` share line `i`'s template. */
  templateRun(i: number, end: number): number {
    const first = this.lines[i]!;
    let j = i + 1;
    while (j < end && this.templateEligible(j) && this.info[j]!.indent === this.info[i]!.indent && sameTemplate(first, this.lines[j]!)) j++;
    return j - i;
  }

  /**
   * The template line for lines `i..i + t` and whether their fine loose templates agree, or
   * undefined when it would not be shorter.
   */
  templateText(i: number, t: number): [string, boolean] | undefined {
    const first = this.lines[i]!;
    // Timestamp tokens read best whole (`{10:00:00.000 … 10:00:29.000}`).
    const stamp = this.info[i]!.ts;
    const toks = stampedTokens(first, stamp);
    const slots = toks.map(([s, e]) => new Slot(first.slice(s, e), s < stamp));
    const scratch: Pieces = [];
    let total = utf8Length(first) + 1;
    for (let k = i + 1; k < i + t; k++) {
      const line = this.lines[k]!;
      total += utf8Length(line) + 1;
      const lt = stampedTokens(line, this.info[k]!.ts);
      if (lt.length !== slots.length) return undefined;
      for (let q = 0; q < lt.length; q++) slots[q]!.add(line.slice(lt[q]![0], lt[q]![1]), scratch);
    }
    let body = '';
    let prevEnd = 0;
    for (let q = 0; q < slots.length; q++) {
      const [s, e] = toks[q]!;
      body += first.slice(prevEnd, s);
      const slot = slots[q]!;
      body += slot.constant ? first.slice(s, e) : slot.render(scratch);
      prevEnd = e;
    }
    const text = marker.templateLine(t, body);
    // Outside the timestamp, a token's fine form changes only with the words inside it.
    let fine = true;
    for (let q = 0; q < slots.length && fine; q++) {
      const slot = slots[q]!;
      if (toks[q]![0] < stamp || slot.constant) continue;
      const shape = slot.shape;
      if (shape === undefined) fine = false;
      else for (let k = 0; k < shape.length && fine; k += 3) if (slot.varies[k / 3] && shape[k] === PieceKind.Word) fine = false;
    }
    return utf8Length(text) + 1 < total ? [text, fine] : undefined;
  }
}

/**
 * Blank-separated tokens, the leading timestamp's apart from the message's even where no blank
 * separates them (`2014-04-01 00:05:00,20.5`).
 */
function stampedTokens(line: string, ts: number): Array<[number, number]> {
  if (ts === 0) return tokens(line);
  const out = tokens(line.slice(0, ts));
  for (const [s, e] of tokens(line.slice(ts))) out.push([s + ts, e + ts]);
  return out;
}

/**
 * One token position of a template: constant, or shown piece by piece (see `fields`) with the
 * range of each varying number and the first and last text of each other varying stretch; a
 * token whose lines differ in shape shows its first and last value whole.
 */
class Slot {
  last: string;
  constant = true;
  /** The first token's pieces, while every token so far has the same shape. */
  shape: Pieces | undefined;
  /** Per piece: whether it varies, and the least and greatest value of a number. */
  readonly varies: boolean[] = [];
  readonly min: string[] = [];
  readonly max: string[] = [];

  constructor(
    readonly first: string,
    whole: boolean,
  ) {
    this.last = first;
    if (!whole) {
      const p: Pieces = [];
      pieces(first, p);
      this.shape = p;
      for (let k = 0; k < p.length; k += 3) {
        const text = first.slice(p[k + 1], p[k + 2]);
        this.varies.push(false);
        this.min.push(text);
        this.max.push(text);
      }
    }
  }

  add(tok: string, scratch: Pieces): void {
    this.last = tok;
    if (tok === this.first) return;
    this.constant = false;
    const shape = this.shape;
    if (shape === undefined) return;
    pieces(tok, scratch);
    if (!sameShape(this.first, shape, tok, scratch)) {
      this.shape = undefined;
      return;
    }
    for (let k = 0; k < shape.length; k += 3) {
      const v = tok.slice(scratch[k + 1], scratch[k + 2]);
      const p = k / 3;
      if (v !== this.first.slice(shape[k + 1], shape[k + 2])) this.varies[p] = true;
      if (shape[k] === PieceKind.Number) {
        if (cmpNumber(v, this.min[p]!) < 0) this.min[p] = v;
        if (cmpNumber(v, this.max[p]!) > 0) this.max[p] = v;
      }
    }
  }

  render(scratch: Pieces): string {
    const shape = this.shape;
    if (shape === undefined) return marker.slotSpan(this.first, this.last);
    pieces(this.last, scratch);
    const n = shape.length / 3;
    let out = '';
    let p = 0;
    while (p < n) {
      const kind = shape[3 * p];
      if (!this.varies[p]) {
        out += this.first.slice(shape[3 * p + 1], shape[3 * p + 2]);
        p++;
      } else if (kind === PieceKind.Number) {
        out += marker.slotRange(this.min[p]!, this.max[p]!);
        p++;
      } else {
        // A stretch of varying pieces (punctuation between them kept inside) up to the last
        // varying piece that is not a number.
        let q = p;
        let r = p + 1;
        while (r < n && (this.varies[r] || shape[3 * r] === PieceKind.Punct)) {
          if (this.varies[r] && shape[3 * r] !== PieceKind.Number) q = r;
          r++;
        }
        out += marker.slotSpan(this.first.slice(shape[3 * p + 1], shape[3 * q + 2]), this.last.slice(scratch[3 * p + 1], scratch[3 * q + 2]));
        p = q + 1;
      }
    }
    return out;
  }
}


/**
 * A token that carries a value rather than wording: anything with a digit, a path or URL, a
 * dotted name (`org.example.Foo`, `host.example.com`), or `key=value`.
 */
export function isVariable(t: string): boolean {
  return variableAt(t, 0, t.length);
}

/**
 * A line's loose template: its message with its variable fields as `<*>`, timestamp and level
 * left out, single spaces between tokens.
 */
export interface LooseTemplate {
  /** The whole template: the line's shape, to group lines by. */
  shape: string;
  /** The template cut (with ` …`) before `maxLen` UTF-8 bytes, to quote. */
  quoted: string;
  /**
   * With `fine`, and where it differs from `quoted`: the fine form, cut the same way, with a
   * token's words and punctuation around its numbers and ids written out (`test_values[<*>]`,
   * `duration_ms=<*>`; paths and URLs stay wholly `<*>`), clearer to read but too fine to group
   * lines by.
   */
  fine: string | undefined;
}

/** The loose template of a line, its three forms in one pass (see `LooseTemplate`). */
export function looseTemplate(line: string, li: LineInfo, maxLen: number, fine: boolean): LooseTemplate {
  const msg = li.ts > 0 ? line.slice(li.ts) : line;
  const shape = new Cut(Infinity);
  const coarse = new Cut(maxLen);
  const detailed = new Cut(maxLen);
  detailed.done = !fine;
  let levelSkipped = li.level === undefined;
  const toks = tokens(msg);
  const scratch: Pieces = [];
  for (let k = 0; k < toks.length; k++) {
    const t = msg.slice(toks[k]![0], toks[k]![1]);
    if (!levelSkipped && k < 4 && tokenIsLevel(t, li.ts > 0)) {
      levelSkipped = true;
      continue;
    }
    const variable = isVariable(t);
    const plain = variable ? '<*>' : t;
    shape.push(plain);
    coarse.push(plain);
    if (!detailed.done) detailed.push(variable ? fineToken(t, scratch) : t);
  }
  return { shape: shape.out, quoted: coarse.out, fine: fine && detailed.out !== coarse.out ? detailed.out : undefined };
}

/** Pieces joined by single spaces, cut (with ` …`) before the first that would reach `max` bytes. */
class Cut {
  out = '';
  bytes = 0;
  done = false;
  constructor(readonly max: number) {}

  push(piece: string): void {
    if (this.done) return;
    const n = utf8Length(piece);
    if (this.bytes + n + 1 > this.max) {
      this.out += ' …';
      this.done = true;
      return;
    }
    if (this.out.length > 0) {
      this.out += ' ';
      this.bytes += 1;
    }
    this.out += piece;
    this.bytes += n;
  }
}

/** A variable token as the fine form of `looseTemplate` writes it. */
function fineToken(tok: string, scratch: Pieces): string {
  if (tok.includes('/') || tok.includes('\\')) return '<*>';
  pieces(tok, scratch);
  const n = scratch.length / 3;
  const field = (p: number): boolean => scratch[3 * p] !== PieceKind.Word && scratch[3 * p] !== PieceKind.Punct;
  let out = '';
  let p = 0;
  while (p < n) {
    if (!field(p)) {
      out += tok.slice(scratch[3 * p + 1], scratch[3 * p + 2]);
      p++;
      continue;
    }
    // Fields with only punctuation between them are one field (`1.2.3-rc4`).
    let end = p + 1;
    for (;;) {
      let k = end;
      while (k < n && scratch[3 * k] === PieceKind.Punct) k++;
      if (k < n && field(k)) end = k + 1;
      else break;
    }
    out += '<*>';
    p = end;
  }
  return out;
}

/** Same number of tokens, each equal or both variable (no allocation: this is the hot path). */
export function sameTemplate(a: string, b: string): boolean {
  let i = 0;
  let j = 0;
  const n = a.length;
  const m = b.length;
  for (;;) {
    while (i < n && isBlank(a.charCodeAt(i))) i++;
    while (j < m && isBlank(b.charCodeAt(j))) j++;
    if (i >= n || j >= m) return i >= n && j >= m;
    const s1 = i;
    const s2 = j;
    while (i < n && !isBlank(a.charCodeAt(i))) i++;
    while (j < m && !isBlank(b.charCodeAt(j))) j++;
    if (!(i - s1 === j - s2 && a.startsWith(b.slice(s2, j), s1)) && !(variableAt(a, s1, i) && variableAt(b, s2, j))) return false;
  }
}

/** `isVariable` of `t[s..e]`. */
function variableAt(t: string, s: number, e: number): boolean {
  for (let k = s; k < e; k++) {
    const c = t.charCodeAt(k);
    if (isDigit(c) || c === 0x2f || c === 0x5c) return true;
    if ((c === 0x2e || c === 0x3d) && k > s && k + 1 < e) {
      if (c === 0x3d || (isAlnum(t.charCodeAt(k - 1)) && isAlnum(t.charCodeAt(k + 1)))) return true;
    }
  }
  return false;
}
