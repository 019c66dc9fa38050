// What each log line is (twin of log/classify.rs): its leading timestamp, level, whether it
// signals an error or warning, belongs to a stack trace, states a summary (test totals, build
// result, exit code) or opens a section. ASCII-only rules (PRODUCT §9).

import { isBlank } from '../lines.js';
import { queryHits, Signal, wordSignal } from '../select.js';

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

/** What a line is, strongest first; everything but `Plain` is kept verbatim. */
export const Class = { Frame: 0, Error: 1, Warning: 2, Summary: 3, Query: 4, Plain: 5 } as const;
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

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isLower = (c: number): boolean => c >= 97 && c <= 122;
const isAlpha = (c: number): boolean => isUpper(c) || isLower(c);
const isAlnum = (c: number): boolean => isAlpha(c) || isDigit(c);

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

function classify(line: string, terms: readonly string[]): [LineInfo, Shape] {
  const ts = timestampLen(line);
  const msg = ts > 0 ? line.slice(ts) : line;
  let indent = 0;
  while (indent < msg.length && isBlank(msg.charCodeAt(indent))) indent++;
  const level = levelOf(msg);
  const u = indent > 0 ? msg.slice(indent) : msg;
  const shape = frameShape(u, indent);
  let cls: Class;
  if (shape === Shape.Frame || shape === Shape.PyFile || shape === Shape.GoFile) {
    cls = Class.Frame;
  } else {
    const signal = lineSignal(msg);
    if (signal === Signal.Error || level === Level.Error || level === Level.Fatal || isPytestError(msg)) cls = Class.Error;
    else if (signal === Signal.Warning || level === Level.Warn) cls = Class.Warning;
    else if (isSummary(msg)) cls = Class.Summary;
    else if (terms.length > 0 && queryHits(msg, terms) > 0) cls = Class.Query;
    else cls = Class.Plain;
  }
  const header = cls === Class.Plain && isHeader(u);
  return [{ ts, indent, blank: indent === msg.length, level, cls, header }, shape];
}

/** A small cursor over ASCII structure. */
class Cur {
  i = 0;
  constructor(readonly b: string) {}

  peek(): number {
    return this.i < this.b.length ? this.b.charCodeAt(this.i) : -1;
  }

  eat(c: number): boolean {
    if (this.peek() === c) {
      this.i++;
      return true;
    }
    return false;
  }

  /** Consumes a run of `min..=max` digits (the whole run, or nothing). */
  digits(min: number, max: number): boolean {
    let n = 0;
    while (this.i + n < this.b.length && isDigit(this.b.charCodeAt(this.i + n))) n++;
    if (n < min || n > max) return false;
    this.i += n;
    return true;
  }

  wordIn(list: readonly string[]): boolean {
    for (const w of list) {
      if (this.b.startsWith(w, this.i) && !isAlpha(this.b.charCodeAt(this.i + w.length))) {
        this.i += w.length;
        return true;
      }
    }
    return false;
  }

  spaces(min: number): boolean {
    let n = 0;
    while (this.b.charCodeAt(this.i + n) === 0x20) n++;
    if (n < min) return false;
    this.i += n;
    return true;
  }

  /** Runs `f`; on failure restores the position. */
  attempt(f: (c: Cur) => boolean): boolean {
    const save = this.i;
    if (f(this)) return true;
    this.i = save;
    return false;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const ch = (s: string): number => s.charCodeAt(0);

/** `H:MM`, `HH:MM:SS`, with a fraction after `.`, `,` or `:`; `full` demands seconds. */
function time(c: Cur, full: boolean): boolean {
  return c.attempt((c) => {
    if (!(c.digits(1, 2) && c.eat(ch(':')) && c.digits(2, 2))) return false;
    const seconds = c.attempt((c) => c.eat(ch(':')) && c.digits(2, 2));
    if (full && !seconds) return false;
    if (seconds) c.attempt((c) => (c.eat(ch('.')) || c.eat(ch(',')) || c.eat(ch(':'))) && c.digits(1, 9));
    return true;
  });
}

/** `Z`, `+02:00`, `-0700` right after a time. */
function zone(c: Cur): void {
  if (c.eat(ch('Z'))) return;
  c.attempt(
    (c) =>
      (c.eat(ch('+')) || c.eat(ch('-'))) &&
      c.digits(2, 2) &&
      (c.attempt((c) => {
        c.eat(ch(':'));
        return c.digits(2, 2);
      }),
      true),
  );
}

/** `2022-04-13T14:53:12.09Z`, `17/06/09 20:10:40`, `03-17 16:13:38.811`, `2005.06.03`, … */
function dateTime(c: Cur): boolean {
  return c.attempt((c) => {
    const start = c.i;
    if (!c.digits(2, 4)) return false;
    const year4 = c.i - start === 4;
    const sep = c.peek();
    if (sep !== ch('-') && sep !== ch('/') && sep !== ch('.')) return false;
    c.i++;
    if (!c.digits(1, 2)) return false;
    const three = c.attempt((c) => c.eat(sep) && c.digits(1, 2));
    const timed = c.attempt((c) => {
      const p = c.peek();
      if (p !== ch('T') && p !== ch(' ') && p !== ch('_') && p !== ch('-') && p !== ch(':')) return false;
      c.i++;
      return time(c, false);
    });
    if (timed) {
      zone(c);
      return true;
    }
    return three && year4;
  });
}

/** Syslog `Dec 10 06:55:46`. */
function syslog(c: Cur): boolean {
  return c.attempt((c) => c.wordIn(MONTHS) && c.spaces(1) && c.digits(1, 2) && c.spaces(1) && time(c, true));
}

/** ctime `Sun Dec 04 04:47:44 2005`. */
function ctime(c: Cur): boolean {
  return c.attempt(
    (c) =>
      c.wordIn(WEEKDAYS) &&
      c.spaces(1) &&
      syslog(c) &&
      (c.attempt((c) => c.spaces(1) && c.digits(4, 4)), true),
  );
}

/** `081109 203615` (HDFS), `20171223-22:15:29:606`. */
function compact(c: Cur): boolean {
  return c.attempt((c) => {
    if (!c.digits(6, 8)) return false;
    const p = c.peek();
    if (p !== ch('-') && p !== ch(' ') && p !== ch('T')) return false;
    c.i++;
    return time(c, true) || c.digits(6, 6);
  });
}

/** Common Log Format `10/Oct/2000:13:55:36 -0700`. */
function clf(c: Cur): boolean {
  return c.attempt(
    (c) =>
      c.digits(1, 2) &&
      c.eat(ch('/')) &&
      c.wordIn(MONTHS) &&
      c.eat(ch('/')) &&
      c.digits(4, 4) &&
      c.eat(ch(':')) &&
      time(c, true) &&
      (c.attempt((c) => c.eat(ch(' ')) && (c.eat(ch('+')) || c.eat(ch('-'))) && c.digits(4, 4)), true),
  );
}

/**
 * Length of a leading timestamp (optionally in brackets) and the one blank or `|` after it; 0
 * when the line does not start with one.
 */
export function timestampLen(b: string): number {
  const c = new Cur(b);
  const bracket = c.eat(ch('['));
  if (bracket) c.spaces(0);
  const found =
    ctime(c) ||
    syslog(c) ||
    dateTime(c) ||
    compact(c) ||
    clf(c) ||
    time(c, true) ||
    (bracket && c.attempt((c) => c.digits(1, 12) && c.eat(ch('.')) && c.digits(1, 9)));
  if (!found || (bracket && !c.eat(ch(']')))) return 0;
  // One separator after the stamp; further blanks are the message's indentation.
  const p = c.peek();
  if (p < 0) return c.i;
  if (p === ch('|') || isBlank(p)) return c.i + 1;
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

/** The first `limit` tokens (without scanning the rest of a long line). */
function firstTokens(b: string, limit: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const n = b.length;
  let i = 0;
  while (i < n && out.length < limit) {
    while (i < n && isBlank(b.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isBlank(b.charCodeAt(i))) i++;
    out.push([start, i]);
  }
  return out;
}

const asciiUpper = (s: string): string => s.replace(/[a-z]+/g, (m) => m.toUpperCase());
const startsWithCi = (b: string, prefix: string): boolean =>
  b.length >= prefix.length && asciiUpper(b.slice(0, prefix.length)) === asciiUpper(prefix);

const PREFIX_LEVELS: ReadonlyArray<[string, Level]> = [
  ['##[error]', Level.Error],
  ['##[warning]', Level.Warn],
  ['##[notice]', Level.Notice],
  ['##[debug]', Level.Debug],
  ['::error', Level.Error],
  ['::warning', Level.Warn],
];

/** The level named among the first tokens of a message (after its timestamp). */
export function levelOf(msg: string): Level | undefined {
  for (const [prefix, lvl] of PREFIX_LEVELS) if (msg.startsWith(prefix)) return lvl;
  const toks = firstTokens(msg, 4);
  for (let k = 0; k < toks.length; k++) {
    const [s, e] = toks[k]!;
    const t = msg.slice(s, e);
    if (k === 0 && t.length >= 5 && 'IWEF'.includes(t[0]!)) {
      // glog: `I0412 12:00:00.000 …`
      if (isDigit(t.charCodeAt(1)) && isDigit(t.charCodeAt(2)) && isDigit(t.charCodeAt(3)) && isDigit(t.charCodeAt(4))) {
        return t[0] === 'I' ? Level.Info : t[0] === 'W' ? Level.Warn : t[0] === 'E' ? Level.Error : Level.Fatal;
      }
    }
    const l = tokenLevel(t);
    if (l !== undefined) return l;
  }
  return undefined;
}

/** True when the token names a level (`INFO`, `[warn]`, `error:`, `level=debug`). */
export function tokenIsLevel(t: string): boolean {
  return tokenLevel(t) !== undefined;
}

function tokenLevel(t: string): Level | undefined {
  for (const key of ['level=', 'lvl=', 'severity=']) {
    if (startsWithCi(t, key)) {
      let v = t.slice(key.length);
      if (v.startsWith('"')) v = v.slice(1);
      let end = 0;
      while (end < v.length && isAlpha(v.charCodeAt(end))) end++;
      return LEVEL_WORDS.get(asciiUpper(v.slice(0, end)));
    }
  }
  let word: string;
  let anyCase: boolean;
  const f = t.charCodeAt(0);
  if (f === ch('[') || f === ch('<') || f === ch('(')) {
    let end = 1;
    while (end < t.length && !']>)'.includes(t[end]!)) end++;
    word = t.slice(1, end);
    anyCase = true;
  } else {
    let end = 0;
    while (end < t.length && t[end] !== ':' && t[end] !== '!') end++;
    word = t.slice(0, end);
    anyCase = end < t.length;
  }
  if (word.length === 0 || word.length > 11) return undefined;
  for (let i = 0; i < word.length; i++) if (!isAlpha(word.charCodeAt(i))) return undefined;
  if (!anyCase) for (let i = 0; i < word.length; i++) if (!isUpper(word.charCodeAt(i))) return undefined;
  return LEVEL_WORDS.get(asciiUpper(word));
}

/**
 * The strongest signal of a line, by its words, skipping words that only name things: paths
 * and URLs, command-line flags, keys of `key=value`, package parts of dotted names, the inner
 * words of identifiers (`TestErrorHandling` is a name; `NullPointerException` and
 * `AssertionError` end in an error), and counters at zero (`Failures: 0`, `0 errors`).
 */
export function lineSignal(msg: string): Signal {
  let signal: Signal = Signal.None;
  const toks = tokens(msg);
  for (let k = 0; k < toks.length; k++) {
    const [s, e] = toks[k]!;
    let t = msg.slice(s, e);
    if (t.includes('/') || t.includes('\\')) continue;
    if (t.length > 1 && t[0] === '-' && (t[1] === '-' || isAlpha(t.charCodeAt(1)))) continue;
    const eq = t.indexOf('=');
    if (eq >= 0) t = t.slice(eq + 1);
    const found = tokenSignal(t);
    if (found === Signal.None) continue;
    const prev = toks[k - 1];
    const next = toks[k + 1];
    const zeroBefore = prev !== undefined && isZero(msg.slice(prev[0], prev[1]));
    const zeroAfter = next !== undefined && isZero(msg.slice(next[0], next[1]));
    if (zeroBefore || zeroAfter) continue;
    if (found === Signal.Error) return Signal.Error;
    signal = Signal.Warning;
  }
  return signal;
}

/** `0`, `0,`, `(0`: a counter at zero. */
function isZero(t: string): boolean {
  let i = 0;
  while (i < t.length && (t[i] === '(' || t[i] === '[')) i++;
  if (t[i] !== '0') return false;
  const n = t.charCodeAt(i + 1);
  return !(isDigit(n) || n === ch('.'));
}

/** True when `t` has a dot between two letters or digits (`org.example.Foo`, `a.b`). */
function isDotted(t: string): boolean {
  for (let k = 1; k + 1 < t.length; k++) {
    if (t.charCodeAt(k) === 0x2e && isAlnum(t.charCodeAt(k - 1)) && isAlnum(t.charCodeAt(k + 1))) return true;
  }
  return false;
}

/**
 * Signal of the last word of each alphanumeric segment of a token (of the last segment only
 * for a dotted name), see `lineSignal`.
 */
function tokenSignal(t: string): Signal {
  let signal: Signal = Signal.None;
  const dotted = isDotted(t);
  let segments: string[] = [];
  let i = 0;
  while (i < t.length) {
    if (!isAlnum(t.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < t.length && isAlnum(t.charCodeAt(i))) i++;
    segments.push(t.slice(start, i));
  }
  if (dotted && segments.length > 1) segments = segments.slice(segments.length - 1);
  for (const seg of segments) {
    const w = lastWord(seg);
    if (w.length < 3 || w.length > 12) continue;
    const s = wordSignal(w.toLowerCase()); // ASCII only: `w` is letters and digits
    if (s === Signal.Error) return Signal.Error;
    if (s === Signal.Warning) signal = Signal.Warning;
  }
  return signal;
}

/**
 * The last camel-case word of an alphanumeric segment: splits before an uppercase letter that
 * follows a lowercase one (`assertionError`) or that starts a word after an acronym
 * (`IOException` → `Exception`).
 */
function lastWord(seg: string): string {
  let start = 0;
  for (let k = 1; k < seg.length; k++) {
    const p = seg.charCodeAt(k - 1);
    const c = seg.charCodeAt(k);
    const nextLower = k + 1 < seg.length && isLower(seg.charCodeAt(k + 1));
    if (isUpper(c) && (isLower(p) || isDigit(p) || (isUpper(p) && nextLower))) start = k;
  }
  return seg.slice(start);
}

/** pytest's failure detail lines: `E       assert 1 == 2`. */
function isPytestError(msg: string): boolean {
  if (!(msg.length > 3 && msg[0] === 'E' && msg[1] === ' ' && msg[2] === ' ')) return false;
  for (let i = 1; i < msg.length; i++) if (!isBlank(msg.charCodeAt(i))) return true;
  return false;
}

const TRACE_PREFIXES = ['Caused by: ', 'Caused: ', 'Suppressed: ', 'Traceback (most recent call last)', 'stack backtrace:', 'created by '];

function frameShape(u: string, indent: number): Shape {
  if (indent > 0 && u.startsWith('at ')) {
    const f = u.charCodeAt(3);
    if (u.length > 3 && !isBlank(f) && /[(.:]/.test(u.slice(3))) return Shape.Frame;
  }
  if (u.startsWith('... ')) {
    const c = new Cur(u);
    c.i = 4;
    if (c.digits(1, 9) && (u.startsWith(' more', c.i) || u.startsWith(' common', c.i))) return Shape.Frame;
  }
  for (const p of TRACE_PREFIXES) if (u.startsWith(p)) return Shape.Frame;
  if (u.startsWith('goroutine ')) {
    const c = new Cur(u);
    c.i = 10;
    if (c.digits(1, 12) && u.startsWith(' [', c.i)) return Shape.Frame;
  }
  if (u.startsWith('File "') && u.includes('", line ')) return Shape.PyFile;
  if (indent > 0) {
    const p = u.indexOf('.go:');
    if (p >= 0 && isDigit(u.charCodeAt(p + 4))) return Shape.GoFile;
    if (indent >= 2) {
      // Rust backtrace frames: `  12: core::panicking::panic`
      const c = new Cur(u);
      if (c.digits(1, 4) && u.startsWith(': ', c.i) && u.length > c.i + 2) return Shape.Frame;
    }
  }
  if (u.startsWith('from ') && u.includes(':in ')) return Shape.Frame;
  if (u.charCodeAt(0) === ch('#')) {
    const c = new Cur(u);
    c.i = 1;
    if (c.digits(1, 4) && c.eat(ch(' ')) && (u.includes('): ') || u.includes('{main}'))) return Shape.Frame;
  }
  if (u.length > 0 && /^[\^~ ]+$/.test(u)) return Shape.Carets;
  if (indent === 0 && u.endsWith(')')) {
    const p = u.indexOf('(');
    if (p > 0) {
      const name = u.slice(0, p);
      let blank = false;
      for (let i = 0; i < name.length; i++) if (isBlank(name.charCodeAt(i))) blank = true;
      if (!blank && name.includes('.')) return Shape.GoFunc;
    }
  }
  return Shape.None;
}

/** Alphanumeric words (no camel-case split), at most `limit` of them. */
function alnumWords(b: string, limit: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < b.length && out.length < limit) {
    if (!isAlnum(b.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < b.length && isAlnum(b.charCodeAt(i))) i++;
    out.push(b.slice(start, i));
  }
  return out;
}

const isWord = (w: string | undefined, list: readonly string[]): boolean =>
  w !== undefined && list.includes(w.toLowerCase()); // ASCII: `w` is letters and digits

const TOTAL_WORDS = [
  'passed', 'failed', 'skipped', 'errors', 'error', 'failures', 'tests', 'total', 'pending', 'ignored', 'xfailed',
  'xpassed', 'succeeded', 'deselected', 'warnings', 'passing', 'failing', 'run', 'executed',
];
const COUNTED_WORDS = ['passed', 'failed', 'passing', 'failing', 'tests', 'errors', 'error', 'warnings', 'warning', 'skipped', 'failures'];

/** Test totals, build results, exit codes. */
export function isSummary(msg: string): boolean {
  const words = alnumWords(msg, 48);
  for (let k = 0; k + 1 < words.length; k++) {
    if (isWord(words[k], ['build']) && isWord(words[k + 1], ['success', 'successful', 'failure', 'failed', 'succeeded'])) return true;
  }
  if (!/[0-9]/.test(msg)) return false;
  const distinct: string[] = [];
  for (let k = 0; k < words.length; k++) {
    const w = words[k]!;
    const next = words[k + 1];
    if (isWord(w, ['exit', 'return']) && isWord(next, ['code', 'status', 'value'])) return true;
    if (isWord(w, ['exited', 'exitcode']) || (isWord(w, ['non']) && isWord(next, ['zero'])) || (isWord(w, ['total']) && isWord(next, ['time']))) {
      return true;
    }
    if (/^[0-9]+$/.test(w) && isWord(next, COUNTED_WORDS)) return true;
    const lower = w.toLowerCase();
    if (TOTAL_WORDS.includes(lower) && !distinct.includes(lower)) distinct.push(lower);
  }
  return distinct.length >= 2;
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
