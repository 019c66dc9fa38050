// What each log line is (twin of log/classify.rs): its leading timestamp, level, whether it
// signals an error or warning, belongs to a stack trace, states a summary (test totals, build
// result, exit code) or opens a section. ASCII-only rules (PRODUCT §9).

import { isAlnum, isAlpha, isDigit, isLower, isUpper } from '../chars.js';
import { isBlank } from '../lines.js';
import { ERROR_WORDS, queryHits, Signal, WARNING_WORDS, wordSignal } from '../select.js';

/** Log levels, in increasing severity (the numbers index count arrays, as in Rust). */
export const Level = { Trace: 0, Debug: 1, Info: 2, Notice: 3, Warn: 4, Error: 5, Fatal: 6 } as const;
export type Level = (typeof Level)[keyof typeof Level];
export const LEVEL_NAMES = ['TRACE', 'DEBUG', 'INFO', 'NOTICE', 'WARN', 'ERROR', 'FATAL'] as const;

const LEVEL_WORDS: ReadonlyMap<string, Level> = new Map<string, Level>([
  ...['TRACE', 'FINEST', 'FINER', 'VERBOSE'].map((w) => [w, Level.Trace] as const),
  ...['DEBUG', 'DBG', 'FINE'].map((w) => [w, Level.Debug] as const),
  ...['INFO', 'INF', 'CONFIG', 'INFORMATION'].map((w) => [w, Level.Info] as const),
  ['NOTICE', Level.Notice],
  ...['WARN', 'WARNING', 'WRN'].map((w) => [w, Level.Warn] as const),
  ...['ERROR', 'ERR', 'SEVERE'].map((w) => [w, Level.Error] as const),
  ...['FATAL', 'FTL', 'CRITICAL', 'CRIT', 'ALERT', 'EMERG', 'EMERGENCY', 'PANIC'].map((w) => [w, Level.Fatal] as const),
]);

/** For each word length, the first letters of the level words of that length. */
const LEVEL_INITIALS: readonly number[] = (() => {
  const masks = new Array<number>(16).fill(0);
  for (const w of LEVEL_WORDS.keys()) masks[w.length]! |= 1 << (w.charCodeAt(0) - 65);
  return masks;
})();

/** What a line is, strongest first; everything but `Plain` is kept verbatim. */
export const Class = { Frame: 0, Error: 1, Warning: 2, Summary: 3, Query: 4, Outlier: 5, Plain: 6 } as const;
export type Class = (typeof Class)[keyof typeof Class];

/** Everything selection needs to know about one line. */
export interface LineInfo {
  /** Length of the leading timestamp (with the separator after it); ASCII, so bytes = units. */
  readonly ts: number;
  /** Blanks between the timestamp and the text. */
  readonly indent: number;
  /** Nothing but the timestamp and blanks. */
  readonly blank: boolean;
  readonly level: Level | undefined;
  readonly cls: Class;
  /** Opens a section (`##[group]`, `> Task :x`, banner lines). */
  readonly header: boolean;
}

/** Shapes that make a line part of a stack trace on its own or with a neighbour. */
const Shape = { None: 0, Frame: 1, PyFile: 2, GoFile: 3, GoFunc: 4, Carets: 5 } as const;
type Shape = (typeof Shape)[keyof typeof Shape];

/** Classifies every line; `terms` are the block's query terms. */
export function classifyAll(lines: readonly string[], terms: readonly string[]): LineInfo[] {
  const out: LineInfo[] = [];
  const shapes: Shape[] = [];
  // Logs repeat themselves: each distinct line is classified once.
  const seen = new Map<string, [LineInfo, Shape]>();
  for (const line of lines) {
    let c = seen.get(line);
    if (c === undefined) {
      c = classify(line, terms);
      seen.set(line, c);
    }
    out.push(c[0]); // shared between equal lines; the pass below replaces, never mutates
    shapes.push(c[1]);
  }
  programLevels(lines, out);
  // Shapes that depend on their neighbours: Python's source echo under `File "…", line N`
  // (and the caret line under it), Go's function line above its `file.go:N` line.
  for (let k = 0; k < out.length; k++) {
    if (shapes[k] === Shape.PyFile) {
      const base = out[k]!.indent;
      let j = k + 1;
      if (j < out.length && shapes[j] === Shape.None && out[j]!.indent > base) {
        out[j] = { ...out[j]!, cls: Class.Frame };
        j++;
        if (j < out.length && shapes[j] === Shape.Carets) out[j] = { ...out[j]!, cls: Class.Frame };
      }
    } else if (shapes[k] === Shape.GoFile && k > 0) {
      const prev = k - 1;
      if (shapes[prev] === Shape.GoFunc && out[prev]!.indent < out[k]!.indent) out[prev] = { ...out[prev]!, cls: Class.Frame };
    }
  }
  return out;
}

/**
 * Fewest lines a program name must lead, each followed by a level word, to count as a log's
 * source (prose has `the error …` now and then, npm's output has hundreds of `npm http …`).
 */
export const PROGRAM_MIN_LINES = 3;

const PROGRAM_LEVELS = new Map<string, Level>([
  ['silly', Level.Trace],
  ['verbose', Level.Trace],
  ['trace', Level.Trace],
  ['debug', Level.Debug],
  ['timing', Level.Debug],
  ['info', Level.Info],
  ['http', Level.Info],
  ['notice', Level.Notice],
  ['warn', Level.Warn],
  ['warning', Level.Warn],
  ['error', Level.Error],
  ['fatal', Level.Fatal],
]);

/**
 * `npm silly …`, `npm http fetch …`, `gyp info …`: a lowercase program name, then a lowercase
 * level word. Gives such lines their level (and class) when the name leads enough of them.
 */
function programLevels(lines: readonly string[], out: LineInfo[]): void {
  const found: Array<[number, string, Level]> = [];
  for (let k = 0; k < lines.length; k++) {
    const li = out[k]!;
    if (li.level !== undefined || li.indent > 0) continue;
    const p = programLevel(li.ts > 0 ? lines[k]!.slice(li.ts) : lines[k]!);
    if (p !== undefined) found.push([k, p[0], p[1]]);
  }
  if (found.length < PROGRAM_MIN_LINES) return;
  const counts = new Map<string, number>();
  for (const [, name] of found) counts.set(name, (counts.get(name) ?? 0) + 1);
  for (const [k, name, level] of found) {
    if ((counts.get(name) ?? 0) < PROGRAM_MIN_LINES) continue;
    const li = out[k]!;
    const upgraded = level === Level.Error || level === Level.Fatal ? Class.Error : level === Level.Warn ? Class.Warning : li.cls;
    if ((li.cls === Class.Plain || li.cls === Class.Summary || li.cls === Class.Query) && upgraded !== li.cls) {
      out[k] = { ...li, level, cls: upgraded, header: false };
    } else {
      out[k] = { ...li, level };
    }
  }
}

/** The program name and level of `npm http fetch …`: a lowercase name (letters, digits, `-`, `_`), a lowercase level word, then more text. */
function programLevel(msg: string): [string, Level] | undefined {
  // The first three tokens, scanned by hand: this runs on most lines.
  const n = msg.length;
  let e0 = 0;
  while (e0 < n && !isBlank(msg.charCodeAt(e0))) {
    const c = msg.charCodeAt(e0);
    if (!(isLower(c) || isDigit(c) || c === 0x2d || c === 0x5f)) return undefined;
    e0++;
  }
  if (e0 < 2 || e0 > 32 || !isLower(msg.charCodeAt(0))) return undefined;
  let s1 = e0;
  while (s1 < n && isBlank(msg.charCodeAt(s1))) s1++;
  let e1 = s1;
  while (e1 < n && !isBlank(msg.charCodeAt(e1))) e1++;
  let s2 = e1;
  while (s2 < n && isBlank(msg.charCodeAt(s2))) s2++;
  if (e1 === s1 || s2 >= n || e1 - s1 > 7) return undefined;
  const level = PROGRAM_LEVELS.get(msg.slice(s1, e1));
  return level === undefined ? undefined : [msg.slice(0, e0), level];
}

function classify(line: string, terms: readonly string[]): [LineInfo, Shape] {
  const ts = timestampLen(line);
  const msg = ts > 0 ? line.slice(ts) : line;
  let indent = 0;
  while (indent < msg.length && isBlank(msg.charCodeAt(indent))) indent++;
  const level = levelOf(msg, ts > 0);
  const u = indent > 0 ? msg.slice(indent) : msg;
  const shape = frameShape(u, indent);
  let cls: Class;
  if (shape === Shape.Frame || shape === Shape.PyFile || shape === Shape.GoFile) {
    cls = Class.Frame;
  } else {
    const line = lineSignal(msg);
    const http = httpStatusSignal(msg);
    const signal = line > http ? line : http;
    if (signal === Signal.Error || level === Level.Error || level === Level.Fatal || isPytestError(msg) || failurePhrase(msg)) cls = Class.Error;
    else if (signal === Signal.Warning || level === Level.Warn) cls = Class.Warning;
    else if (isSummary(msg)) cls = Class.Summary;
    else if (terms.length > 0 && queryHits(msg, terms) > 0) cls = Class.Query;
    else cls = Class.Plain;
  }
  const header = cls === Class.Plain && isHeader(u);
  return [{ ts, indent, blank: indent === msg.length, level, cls, header }, shape];
}

// Timestamp forms. Each parser takes the text and a start index and returns the index just past
// what it matched, or -1 (the Rust twin uses a restoring cursor; same grammar).

const C_DIGIT0 = 48;
const C_SPACE = 0x20;
const C_COLON = 0x3a;
const C_DOT = 0x2e;
const C_COMMA = 0x2c;
const C_DASH = 0x2d;
const C_PLUS = 0x2b;
const C_SLASH = 0x2f;
const C_BACKSLASH = 0x5c;
const C_EQ = 0x3d;
const C_LBRACKET = 0x5b;
const C_RBRACKET = 0x5d;
const C_LPAREN = 0x28;
const C_PIPE = 0x7c;
const C_T = 0x54;
const C_Z = 0x5a;
const C_UNDERSCORE = 0x5f;

/** A run of `min..=max` digits at `i` (the whole run, or nothing). */
function digits(s: string, i: number, min: number, max: number): number {
  let n = 0;
  while (isDigit(s.charCodeAt(i + n))) n++;
  return n < min || n > max ? -1 : i + n;
}

function spaces(s: string, i: number, min: number): number {
  let n = 0;
  while (s.charCodeAt(i + n) === C_SPACE) n++;
  return n < min ? -1 : i + n;
}

function wordIn(s: string, i: number, list: readonly string[]): number {
  if (i < 0) return -1;
  for (const w of list) if (s.startsWith(w, i) && !isAlpha(s.charCodeAt(i + w.length))) return i + w.length;
  return -1;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** `H:MM`, `HH:MM:SS`, with a fraction after `.`, `,` or `:`; `full` demands seconds. */
function time(s: string, i: number, full: boolean): number {
  if (i < 0) return -1;
  let j = digits(s, i, 1, 2);
  if (j < 0 || s.charCodeAt(j) !== C_COLON) return -1;
  j = digits(s, j + 1, 2, 2);
  if (j < 0) return -1;
  const sec = s.charCodeAt(j) === C_COLON ? digits(s, j + 1, 2, 2) : -1;
  if (full && sec < 0) return -1;
  if (sec >= 0) {
    j = sec;
    const c = s.charCodeAt(j);
    if (c === C_DOT || c === C_COMMA || c === C_COLON) {
      const f = digits(s, j + 1, 1, 9);
      // `…:00,19.76` or `…:00,19` at the end: a CSV's next field, not milliseconds.
      const next = s.charCodeAt(f);
      if (f >= 0 && !(c === C_COMMA && (f >= s.length || next === C_DOT || next === C_COMMA))) j = f;
    }
  }
  return j;
}

/** `Z`, `+02:00`, `-0700` right after a time. */
function zone(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === C_Z) return i + 1;
  if (c !== C_PLUS && c !== C_DASH) return i;
  const k = digits(s, i + 1, 2, 2);
  if (k < 0) return i;
  const m = digits(s, s.charCodeAt(k) === C_COLON ? k + 1 : k, 2, 2);
  return m >= 0 ? m : k;
}

/** `2022-04-13T14:53:12.09Z`, `17/06/09 20:10:40`, `03-17 16:13:38.811`, `2005.06.03`, … */
function dateTime(s: string, i: number): number {
  const j = digits(s, i, 2, 4);
  if (j < 0) return -1;
  const year4 = j - i === 4;
  const sep = s.charCodeAt(j);
  if (sep !== C_DASH && sep !== C_SLASH && sep !== C_DOT) return -1;
  let k = digits(s, j + 1, 1, 2);
  if (k < 0) return -1;
  let three = false;
  if (s.charCodeAt(k) === sep) {
    const m = digits(s, k + 1, 1, 2);
    if (m >= 0) {
      k = m;
      three = true;
    }
  }
  const p = s.charCodeAt(k);
  if (p === C_T || p === C_SPACE || p === C_UNDERSCORE || p === C_DASH || p === C_COLON) {
    const t = time(s, k + 1, false);
    if (t >= 0) return zone(s, t);
  }
  return three && year4 ? k : -1;
}

/** Syslog `Dec 10 06:55:46`. */
function syslog(s: string, i: number): number {
  let j = wordIn(s, i, MONTHS);
  if (j < 0) return -1;
  j = spaces(s, j, 1);
  if (j < 0) return -1;
  j = digits(s, j, 1, 2);
  if (j < 0) return -1;
  j = spaces(s, j, 1);
  return j < 0 ? -1 : time(s, j, true);
}

/** ctime `Sun Dec 04 04:47:44 2005`. */
function ctime(s: string, i: number): number {
  let j = wordIn(s, i, WEEKDAYS);
  if (j < 0) return -1;
  j = spaces(s, j, 1);
  if (j < 0) return -1;
  j = syslog(s, j);
  if (j < 0) return -1;
  const y = spaces(s, j, 1);
  const year = y < 0 ? -1 : digits(s, y, 4, 4);
  return year >= 0 ? year : j;
}

/** `081109 203615` (HDFS), `20171223-22:15:29:606`. */
function compact(s: string, i: number): number {
  const j = digits(s, i, 6, 8);
  if (j < 0) return -1;
  const p = s.charCodeAt(j);
  if (p !== C_DASH && p !== C_SPACE && p !== C_T) return -1;
  const t = time(s, j + 1, true);
  return t >= 0 ? t : digits(s, j + 1, 6, 6);
}

/** Common Log Format `10/Oct/2000:13:55:36 -0700`. */
function clf(s: string, i: number): number {
  let j = digits(s, i, 1, 2);
  if (j < 0 || s.charCodeAt(j) !== C_SLASH) return -1;
  j = wordIn(s, j + 1, MONTHS);
  if (j < 0 || s.charCodeAt(j) !== C_SLASH) return -1;
  j = digits(s, j + 1, 4, 4);
  if (j < 0 || s.charCodeAt(j) !== C_COLON) return -1;
  j = time(s, j + 1, true);
  if (j < 0) return -1;
  if (s.charCodeAt(j) === C_SPACE) {
    const p = s.charCodeAt(j + 1);
    if (p === C_PLUS || p === C_DASH) {
      const z = digits(s, j + 2, 4, 4);
      if (z >= 0) return z;
    }
  }
  return j;
}

/**
 * Length of a leading timestamp (optionally in brackets) and the one blank or `|` (or `, `) after
 * it; 0 when the line does not start with one.
 */
export function timestampLen(b: string): number {
  let i = 0;
  const bracket = b.charCodeAt(0) === C_LBRACKET;
  if (bracket) {
    i = 1;
    while (b.charCodeAt(i) === C_SPACE) i++;
  }
  // Every form starts with a digit or a capitalised month or weekday.
  const first = b.charCodeAt(i);
  if (!(isDigit(first) || isUpper(first))) return 0;
  let e = ctime(b, i);
  if (e < 0) e = syslog(b, i);
  if (e < 0) e = dateTime(b, i);
  if (e < 0) e = compact(b, i);
  if (e < 0) e = clf(b, i);
  if (e < 0) e = time(b, i, true);
  if (e < 0 && bracket) {
    const d = digits(b, i, 1, 12);
    e = d >= 0 && b.charCodeAt(d) === C_DOT ? digits(b, d + 1, 1, 9) : -1;
  }
  if (e < 0) return 0;
  if (bracket) {
    if (b.charCodeAt(e) !== C_RBRACKET) return 0;
    e++;
  }
  // One separator after the stamp; further blanks are the message's indentation.
  if (e >= b.length) return e;
  const p = b.charCodeAt(e);
  if (p === C_PIPE || isBlank(p)) return e + 1;
  // `2016-09-28 04:30:30, Info …`
  if ((p === C_COMMA || p === 0x3b) && e + 1 < b.length && isBlank(b.charCodeAt(e + 1))) return e + 2;
  // A CSV series: `2014-04-01 00:05:00,20.5`
  if (p === C_COMMA && e + 1 < b.length && (isDigit(b.charCodeAt(e + 1)) || b.charCodeAt(e + 1) === 0x2d)) return e + 1;
  return 0;
}

/** Blank-separated tokens of `b` as [start, end) index pairs. */
export function tokens(b: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const n = b.length;
  let i = 0;
  while (i < n) {
    while (i < n && isBlank(b.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isBlank(b.charCodeAt(i))) i++;
    out.push([start, i]);
  }
  return out;
}

const PREFIX_LEVELS: ReadonlyArray<[string, Level]> = [
  ['##[error]', Level.Error],
  ['##[warning]', Level.Warn],
  ['##[notice]', Level.Notice],
  ['##[debug]', Level.Debug],
  ['::error', Level.Error],
  ['::warning', Level.Warn],
];

/**
 * The level named among the first tokens of a message (after its timestamp; after one, a
 * capitalised `Info`/`Warning`/`Error` counts too).
 */
export function levelOf(msg: string, stamped: boolean): Level | undefined {
  const first = msg.charCodeAt(0);
  if (first === 0x23 || first === C_COLON) for (const [prefix, lvl] of PREFIX_LEVELS) if (msg.startsWith(prefix)) return lvl;
  const n = msg.length;
  let i = 0;
  // Header fields without lowercase letters (`- 1117838570 2005.06.03 R02-M1-N0 … RAS KERNEL
  // INFO`, BGL) may put the level further in.
  let header = true;
  for (let k = 0; k < MAX_HEADER_TOKENS; k++) {
    while (i < n && isBlank(msg.charCodeAt(i))) i++;
    if (i >= n) break;
    const s = i;
    let upper = true;
    let lower = false;
    while (i < n && !isBlank(msg.charCodeAt(i))) {
      const c = msg.charCodeAt(i);
      if (isLower(c)) lower = true;
      if (!isUpper(c)) upper = false;
      i++;
    }
    if (k >= 4) {
      if (!header) break;
      if (upper) {
        const l = upperLevel(msg.slice(s, i));
        if (l !== undefined) return l;
      }
      header = !lower;
      continue;
    }
    if (lower) header = false;
    if (k === 0 && i - s >= 5) {
      // glog: `I0412 12:00:00.000 …`
      const c = msg[s];
      if ((c === 'I' || c === 'W' || c === 'E' || c === 'F') && isDigit(msg.charCodeAt(s + 1)) && isDigit(msg.charCodeAt(s + 2)) && isDigit(msg.charCodeAt(s + 3)) && isDigit(msg.charCodeAt(s + 4))) {
        return c === 'I' ? Level.Info : c === 'W' ? Level.Warn : c === 'E' ? Level.Error : Level.Fatal;
      }
    }
    const l = tokenLevelAt(msg, s, i, stamped);
    if (l !== undefined) return l;
  }
  return undefined;
}

/** How many leading tokens may hold a level when all before it are header fields. */
export const MAX_HEADER_TOKENS = 10;

/** True when the token names a level (`INFO`, `[warn]`, `error:`, `level=debug`; `Info` after a timestamp). */
export function tokenIsLevel(t: string, stamped: boolean): boolean {
  return tokenLevelAt(t, 0, t.length, stamped) !== undefined;
}

/** `t[s..e]` starts with the lowercase ASCII `prefix`, ignoring ASCII case. */
function startsWithAsciiCi(t: string, s: number, e: number, prefix: string): boolean {
  if (e - s < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    const c = t.charCodeAt(s + i);
    if ((isUpper(c) ? c | 0x20 : c) !== prefix.charCodeAt(i)) return false;
  }
  return true;
}

/** The level an ASCII word names, in any case. */
const upperLevel = (word: string): Level | undefined => (word.length > 11 ? undefined : LEVEL_WORDS.get(word.toUpperCase()));

/** The level the token `m[s..e]` names (`INFO`, `[warn]`, `error:`, `level=debug`). */
function tokenLevelAt(m: string, s: number, e: number, stamped: boolean): Level | undefined {
  const f = m.charCodeAt(s);
  if (f === 0x6c || f === 0x4c || f === 0x73 || f === 0x53) {
    // `level=`, `lvl=`, `severity=` in any case
    for (const key of ['level=', 'lvl=', 'severity=']) {
      if (startsWithAsciiCi(m, s, e, key)) {
        let i = s + key.length;
        if (m[i] === '"' && i < e) i++;
        let end = i;
        while (end < e && isAlpha(m.charCodeAt(end))) end++;
        return upperLevel(m.slice(i, end));
      }
    }
  }
  let end: number;
  let from = s;
  let anyCase: boolean;
  if (f === C_LBRACKET || f === 0x3c || f === C_LPAREN) {
    from = s + 1;
    end = from;
    while (end < e && m[end] !== ']' && m[end] !== '>' && m[end] !== ')') end++;
    anyCase = true;
  } else {
    end = s;
    while (end < e && m[end] !== ':' && m[end] !== '!') end++;
    anyCase = end < e;
  }
  const len = end - from;
  if (len === 0 || len > 11) return undefined;
  const c0 = m.charCodeAt(from) & ~0x20;
  if (c0 < 65 || c0 > 90 || (LEVEL_INITIALS[len]! & (1 << (c0 - 65))) === 0) return undefined;
  let upper = true;
  let title = stamped && isUpper(m.charCodeAt(from));
  for (let i = from; i < end; i++) {
    const c = m.charCodeAt(i);
    if (!isAlpha(c)) return undefined;
    if (!isUpper(c)) upper = false;
    if (i > from && !isLower(c)) title = false;
  }
  if (!anyCase && !upper && !title) return undefined;
  return LEVEL_WORDS.get(m.slice(from, end).toUpperCase());
}

/**
 * The strongest signal of a line, by its words, skipping words that only name things: paths
 * and URLs, command-line flags, keys of `key=value`, package parts of dotted names, the inner
 * words of identifiers (`TestErrorHandling` is a name; `NullPointerException` and
 * `AssertionError` end in an error), and counters at zero (`Failures: 0`, `0 errors`).
 */
export function lineSignal(msg: string): Signal {
  // Most lines hold no signal word at all; a compiled search says so without walking the words.
  if (!SIGNAL_SUBSTRINGS.test(msg)) return Signal.None;
  let signal: Signal = Signal.None;
  const n = msg.length;
  let prevS = 0;
  let prevE = 0;
  let i = 0;
  while (i < n) {
    while (i < n && isBlank(msg.charCodeAt(i))) i++;
    if (i >= n) break;
    const s = i;
    while (i < n && !isBlank(msg.charCodeAt(i))) i++;
    const e = i;
    const bs = prevS;
    const be = prevE;
    prevS = s;
    prevE = e;
    let slash = false;
    let eq = -1;
    for (let k = s; k < e; k++) {
      const c = msg.charCodeAt(k);
      if (c === C_SLASH || c === C_BACKSLASH) {
        slash = true;
        break;
      }
      if (eq < 0 && c === C_EQ) eq = k;
    }
    if (slash) continue;
    if (e - s > 1 && msg.charCodeAt(s) === C_DASH) {
      const c1 = msg.charCodeAt(s + 1);
      if (c1 === C_DASH || isAlpha(c1)) continue;
    }
    const found = tokenSignal(msg, eq >= 0 ? eq + 1 : s, e);
    if (found === Signal.None) continue;
    if (isZero(msg, bs, be)) continue;
    let j = i;
    while (j < n && isBlank(msg.charCodeAt(j))) j++;
    let je = j;
    while (je < n && !isBlank(msg.charCodeAt(je))) je++;
    if (j < n && isZero(msg, j, je)) continue;
    if (found === Signal.Error) return Signal.Error;
    signal = Signal.Warning;
  }
  return signal;
}

/** `0`, `0,`, `(0`: a counter at zero (the token `msg[s..e]`). */
function isZero(msg: string, s: number, e: number): boolean {
  let k = s;
  while (k < e && (msg.charCodeAt(k) === C_LPAREN || msg.charCodeAt(k) === C_LBRACKET)) k++;
  if (k >= e || msg.charCodeAt(k) !== C_DIGIT0) return false;
  if (k + 1 >= e) return true;
  const n = msg.charCodeAt(k + 1);
  return !(isDigit(n) || n === C_DOT);
}

/**
 * Signal of the last word of each alphanumeric segment of the token `t[s..e]` (of the last
 * segment only for a dotted name such as `org.example.errors.BindingTest`), see `lineSignal`.
 */
function tokenSignal(t: string, s: number, e: number): Signal {
  let best: Signal = Signal.None;
  let last: Signal = Signal.None;
  let dotted = false;
  let i = s;
  while (i < e) {
    if (!isAlnum(t.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < e && isAlnum(t.charCodeAt(i))) i++;
    if (start - s > 1 && t.charCodeAt(start - 1) === C_DOT && isAlnum(t.charCodeAt(start - 2))) dotted = true;
    last = segmentSignal(t, start, i);
    if (last > best) best = last;
  }
  return dotted ? last : best;
}

/** Any signal word as a substring (a superset of the word rule: only a cheap first test). */
const SIGNAL_SUBSTRINGS = new RegExp([...ERROR_WORDS, ...WARNING_WORDS].join('|'), 'i');

/** For each word length, the first letters the signal words of that length start with. */
const SIGNAL_INITIALS: readonly number[] = (() => {
  const masks = new Array<number>(16).fill(0);
  for (const w of [...ERROR_WORDS, ...WARNING_WORDS]) {
    const c = w.charCodeAt(0);
    if (w.length < 16 && isLower(c)) masks[w.length]! |= 1 << (c - 97);
  }
  return masks;
})();

/** The signal of the last camel-case word of the segment `t[s..e]`. */
function segmentSignal(t: string, s: number, e: number): Signal {
  const w = lastWord(t, s, e);
  const len = e - w;
  if (len < 3 || len > 12) return Signal.None;
  const c = t.charCodeAt(w);
  if (!isAlpha(c) || (SIGNAL_INITIALS[len]! & (1 << ((c | 0x20) - 97))) === 0) return Signal.None;
  return wordSignal(t.slice(w, e).toLowerCase()); // ASCII letters and digits only
}

/**
 * Where the last camel-case word of the segment `seg[s..e]` starts: before an uppercase letter
 * that follows a lowercase one (`assertionError`) or that starts a word after an acronym
 * (`IOException` → `Exception`).
 */
function lastWord(seg: string, s: number, e: number): number {
  let start = s;
  for (let k = s + 1; k < e; k++) {
    const p = seg.charCodeAt(k - 1);
    const c = seg.charCodeAt(k);
    const nextLower = k + 1 < e && isLower(seg.charCodeAt(k + 1));
    if (isUpper(c) && (isLower(p) || isDigit(p) || (isUpper(p) && nextLower))) start = k;
  }
  return start;
}

/**
 * HTTP statuses in access and service logs: 5xx is an error, 4xx a warning. Read after
 * `HTTP/1.1" ` (common log format) and after `status=`, `status:`, `status_code=`.
 */
export function httpStatusSignal(msg: string): Signal {
  if (!/HTTP\/|status/i.test(msg)) return Signal.None; // a cheap first test: a superset of the rule
  const status = (k: number): Signal => {
    let d = 0;
    while (isDigit(msg.charCodeAt(k + d))) d++;
    if (d !== 3) return Signal.None;
    const c = msg[k];
    return c === '5' ? Signal.Error : c === '4' ? Signal.Warning : Signal.None;
  };
  let signal: Signal = Signal.None;
  const n = msg.length;
  for (let k = 0; k < n && signal !== Signal.Error; k++) {
    const c = msg[k];
    if (c !== 'H' && c !== 's' && c !== 'S') continue;
    let found: Signal = Signal.None;
    if (msg.startsWith('HTTP/', k)) {
      // `HTTP/1.1" 503` or `HTTP/2" 404`
      let q = -1;
      for (let j = k; j < Math.min(n, k + 12); j++) {
        if (msg[j] === '"') {
          q = j;
          break;
        }
      }
      if (q >= 0) {
        let a = q + 1;
        while (a < n && isBlank(msg.charCodeAt(a))) a++;
        if (a > q + 1) found = status(a);
      }
    } else if (startsWithAsciiCi(msg, k, n, 'status') && (k === 0 || !isAlnum(msg.charCodeAt(k - 1)))) {
      let j = k + 6;
      if (startsWithAsciiCi(msg, j, n, '_code')) j += 5;
      else if (startsWithAsciiCi(msg, j, n, 'code')) j += 4;
      if (msg[j] === '=' || msg[j] === ':') {
        j++;
        while (msg[j] === ' ' || msg[j] === '"') j++;
        found = status(j);
      }
    }
    if (found > signal) signal = found;
  }
  return signal;
}

const PHRASE_HINT = /cannot|not|unable|undefined|such|fault|dumped|memory/i;
const PAIRS: ReadonlyArray<[string, string]> = [
  ['could', 'not'],
  ['can', 'not'],
  ['unable', 'to'],
  ['undefined', 'reference'],
  ['undefined', 'symbol'],
  ['no', 'such'],
  ['not', 'found'],
  ['segmentation', 'fault'],
  ['core', 'dumped'],
  ['of', 'memory'],
];

/**
 * Failures tools state without an error word: `cannot …`, `could not …`, `unable to …`,
 * `undefined reference`, `no such file`, `… not found`, `segmentation fault`, `core dumped`,
 * `out of memory` (words in paths and URLs do not count).
 */
export function failurePhrase(msg: string): boolean {
  if (!PHRASE_HINT.test(msg)) return false; // a cheap first test: a superset of the rule
  const n = msg.length;
  let prev = '';
  let i = 0;
  while (i < n) {
    while (i < n && isBlank(msg.charCodeAt(i))) i++;
    if (i >= n) break;
    const s = i;
    let path = false;
    while (i < n && !isBlank(msg.charCodeAt(i))) {
      const c = msg.charCodeAt(i);
      if (c === C_SLASH || c === C_BACKSLASH) path = true;
      i++;
    }
    if (path) {
      prev = '';
      continue;
    }
    let k = s;
    while (k < i) {
      if (!isAlnum(msg.charCodeAt(k))) {
        k++;
        continue;
      }
      const ws = k;
      while (k < i && isAlnum(msg.charCodeAt(k))) k++;
      // ASCII letters and digits only: toLowerCase is ASCII lowercase here.
      const w = k - ws <= 12 ? msg.slice(ws, k).toLowerCase() : '';
      const p = prev;
      prev = w;
      if (w === 'cannot') return true;
      for (const [a, b] of PAIRS) if (p === a && w === b) return true;
    }
  }
  return false;
}

/** pytest's failure detail lines: `E       assert 1 == 2`. */
function isPytestError(msg: string): boolean {
  if (!(msg.length > 3 && msg[0] === 'E' && msg[1] === ' ' && msg[2] === ' ')) return false;
  for (let i = 1; i < msg.length; i++) if (!isBlank(msg.charCodeAt(i))) return true;
  return false;
}

const TRACE_PREFIXES = ['Caused by: ', 'Caused: ', 'Suppressed: ', 'Traceback (most recent call last)', 'stack backtrace:', 'created by '];

function frameShape(u: string, indent: number): Shape {
  const first = u[0];
  if (indent > 0 && u.startsWith('at ') && u.length > 3 && !isBlank(u.charCodeAt(3))) {
    for (let i = 3; i < u.length; i++) {
      const c = u.charCodeAt(i);
      if (c === C_LPAREN || c === C_DOT || c === C_COLON) return Shape.Frame;
    }
  }
  if (u.startsWith('... ')) {
    const d = digits(u, 4, 1, 9);
    if (d >= 0 && (u.startsWith(' more', d) || u.startsWith(' common', d))) return Shape.Frame;
  }
  if (first === 'C' || first === 'S' || first === 'T' || first === 's' || first === 'c') {
    for (const p of TRACE_PREFIXES) if (u.startsWith(p)) return Shape.Frame;
  }
  if (u.startsWith('goroutine ')) {
    const d = digits(u, 10, 1, 12);
    if (d >= 0 && u.startsWith(' [', d)) return Shape.Frame;
  }
  if (u.startsWith('File "') && u.includes('", line ')) return Shape.PyFile;
  if (indent > 0) {
    const p = u.indexOf('.go:');
    if (p >= 0 && isDigit(u.charCodeAt(p + 4))) return Shape.GoFile;
    if (indent >= 2) {
      // Rust backtrace frames: `  12: core::panicking::panic`
      const d = digits(u, 0, 1, 4);
      if (d >= 0 && u.startsWith(': ', d) && u.length > d + 2) return Shape.Frame;
    }
  }
  if (u.startsWith('from ') && u.includes(':in ')) return Shape.Frame;
  if (first === '#') {
    const d = digits(u, 1, 1, 4);
    if (d >= 0 && u.charCodeAt(d) === C_SPACE && (u.includes('): ') || u.includes('{main}'))) return Shape.Frame;
  }
  if (first === '^' || first === '~') {
    let carets = true;
    for (let i = 0; i < u.length && carets; i++) {
      const c = u[i];
      carets = c === '^' || c === '~' || c === ' ';
    }
    if (carets) return Shape.Carets;
  }
  if (indent === 0 && u.endsWith(')')) {
    const p = u.indexOf('(');
    if (p > 0) {
      let blank = false;
      let dot = false;
      for (let i = 0; i < p; i++) {
        const c = u.charCodeAt(i);
        if (isBlank(c)) blank = true;
        if (c === C_DOT) dot = true;
      }
      if (!blank && dot) return Shape.GoFunc;
    }
  }
  return Shape.None;
}

/** What a word means to the summary rule. */
const W = { Other: 0, Digits: 1, Build: 2, BuildResult: 3, Exit: 4, ExitKind: 5, Exited: 6, Non: 7, Zero: 8, Total: 9, Time: 10, Counted: 11, TotalOnly: 12 } as const;
type SummaryWord = (typeof W)[keyof typeof W];

const SUMMARY_WORDS: ReadonlyMap<string, SummaryWord> = new Map<string, SummaryWord>([
  ['build', W.Build],
  ...['success', 'successful', 'failure', 'succeeded'].map((w) => [w, W.BuildResult] as const),
  ...['exit', 'return'].map((w) => [w, W.Exit] as const),
  ...['code', 'status', 'value'].map((w) => [w, W.ExitKind] as const),
  ...['exited', 'exitcode'].map((w) => [w, W.Exited] as const),
  ['non', W.Non],
  ['zero', W.Zero],
  ['total', W.Total],
  ['time', W.Time],
  ...['passed', 'failed', 'passing', 'failing', 'tests', 'errors', 'error', 'warnings', 'warning', 'skipped', 'failures'].map((w) => [w, W.Counted] as const),
  ...['pending', 'ignored', 'xfailed', 'xpassed', 'deselected', 'run', 'executed'].map((w) => [w, W.TotalOnly] as const),
]);

/** Any summary word as a substring. */
const SUMMARY_SUBSTRINGS = new RegExp([...SUMMARY_WORDS.keys()].join('|'), 'i');

/** For each word length, the first letters of the summary words of that length. */
const SUMMARY_INITIALS: readonly number[] = (() => {
  const masks = new Array<number>(16).fill(0);
  for (const w of SUMMARY_WORDS.keys()) masks[w.length]! |= 1 << (w.charCodeAt(0) - 97);
  return masks;
})();

/** Test totals, build results, exit codes (words in paths and URLs do not count). */
export function isSummary(msg: string): boolean {
  const n = msg.length;
  // Paths and URLs (`tests/test_api.py::test_x PASSED`) name things; they hold no totals:
  // `spans` are the other tokens.
  const spans: number[] = [];
  let digit = false;
  let i = 0;
  while (i < n) {
    while (i < n && isBlank(msg.charCodeAt(i))) i++;
    if (i >= n) break;
    const s = i;
    let path = false;
    let d = false;
    while (i < n && !isBlank(msg.charCodeAt(i))) {
      const c = msg.charCodeAt(i);
      if (c === C_SLASH || c === C_BACKSLASH) path = true;
      else if (isDigit(c)) d = true;
      i++;
    }
    if (!path) {
      spans.push(s, i);
      digit ||= d;
    }
  }
  // Without a digit only `build …` can match; with one, some summary word must occur (cheap
  // first tests: they only ever let through lines the word rules then decide).
  if (!digit) {
    if (!/build/i.test(msg)) return false;
  } else if (!SUMMARY_SUBSTRINGS.test(msg)) return false;
  const distinct: string[] = [];
  let prev: SummaryWord = W.Other;
  let words = 0;
  for (let t = 0; t < spans.length && words < 48; t += 2) {
    const e = spans[t + 1]!;
    i = spans[t]!;
    // A number inside a name (`test_values[13] PASSED`) counts nothing.
    let named = false;
    for (let k = i; k < e && !named; k++) named = isAlpha(msg.charCodeAt(k));
    while (i < e && words < 48) {
      if (!isAlnum(msg.charCodeAt(i))) {
        i++;
        continue;
      }
      const s = i;
      let allDigits = true;
      while (i < e && isAlnum(msg.charCodeAt(i))) {
        if (!isDigit(msg.charCodeAt(i))) allDigits = false;
        i++;
      }
      words++;
      const len = i - s;
      const c = msg.charCodeAt(s) | 0x20;
      const candidate = !allDigits && len >= 3 && len <= 10 && c >= 97 && (SUMMARY_INITIALS[len]! & (1 << (c - 97))) !== 0;
      // ASCII letters and digits only: toLowerCase is ASCII lowercase here.
      const lower = candidate ? msg.slice(s, i).toLowerCase() : '';
      const tag: SummaryWord = allDigits ? (named ? W.Other : W.Digits) : (SUMMARY_WORDS.get(lower) ?? W.Other);
      const p = prev;
      prev = tag;
      if (p === W.Build && (tag === W.BuildResult || lower === 'failed')) return true;
      if (!digit) continue;
      if ((p === W.Exit && tag === W.ExitKind) || tag === W.Exited || (p === W.Non && tag === W.Zero) || (p === W.Total && tag === W.Time) || (p === W.Digits && tag === W.Counted)) {
        return true;
      }
      const total = tag === W.TotalOnly || tag === W.Total || (tag === W.Counted && lower !== 'warning') || lower === 'succeeded';
      if (total && !distinct.includes(lower)) {
        distinct.push(lower);
        if (distinct.length === 2) return true;
      }
    }
  }
  return false;
}

const HEADER_PREFIXES = ['##[group]', '::group::', '##[section]', '> Task :', '==> ', 'Step '];

/**
 * Lines that open a section: CI groups, build tool tasks, banners such as
 * `===== FAILURES =====` or `[INFO] --- maven-compiler-plugin:3.1:compile (default) @ app ---`.
 */
export function isHeader(u: string): boolean {
  for (const p of HEADER_PREFIXES) {
    if (u.startsWith(p)) return p !== 'Step ' || isDigit(u.charCodeAt(5));
  }
  let body = u;
  if (body[0] === '[') {
    // A short ASCII tag such as `[INFO]` before the banner.
    let close = -1;
    for (let i = 0; i < Math.min(12, body.length) && body.charCodeAt(i) < 0x80; i++) {
      if (body[i] === ']') {
        close = i;
        break;
      }
    }
    if (close >= 0) {
      body = body.slice(close + 1);
      let skip = 0;
      while (skip < body.length && isBlank(body.charCodeAt(skip))) skip++;
      body = body.slice(skip);
    }
  }
  if (body.length === 0) return false;
  const first = body[0]!;
  if (!'-=_*#~'.includes(first)) return false;
  let lead = 0;
  while (lead < body.length && body[lead] === first) lead++;
  let trail = 0;
  while (trail < body.length && body[body.length - 1 - trail] === first) trail++;
  if (!(lead >= 3 && trail >= 3 && lead < body.length)) return false;
  for (let i = lead; i < body.length - trail; i++) if (isAlnum(body.charCodeAt(i))) return true;
  return false;
}
