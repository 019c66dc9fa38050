// What kind of content a block is (twin of detect.rs). Deterministic rules over a bounded prefix
// (the first `PREFIX_BYTES` UTF-8 bytes, cut at a character boundary, and at most `PREFIX_LINES`
// of its lines, normalised as the compressors see them); `code` and `text` pass through untouched.

import type { BlockKind } from '../types.js';
import { isAlpha, isDigit, isLower, isUpper, utf8Prefix } from './chars.js';
import { isJson } from './json/index.js';
import { split, splitRaw, tokens } from './lines.js';
import { Class, classifyAll, type LineInfo, timestampLen, tokensHaveValue } from './log.js';
import { lineSignal, Signal } from './signal.js';

/** How much of a block detection reads. */
export const PREFIX_BYTES = 64 * 1024;
export const PREFIX_LINES = 400;
/** A diff's first file header must come within this many lines (a mail's preamble may precede it). */
const DIFF_HEADER_WITHIN = 150;
/** Shares (in percent of the non-empty prefix lines) the rules ask for. */
const DIFF_SHARE = 80;
const SEARCH_SHARE = 70;
const LOG_SHARE = 30;
const CODE_SHARE = 30;

/** Detects the kind of a block. */
export function detect(content: string): BlockKind {
  // JSON: the whole block parses as one JSON value.
  if (isJson(content)) return 'json';
  return detectLines(content);
}

/** Detects the kind of a block known not to be JSON, from the lines of its prefix. */
export function detectLines(content: string): BlockKind {
  const prefix = utf8Prefix(content, PREFIX_BYTES);
  const raw = splitRaw(prefix).lines.slice(0, PREFIX_LINES);
  if (isDiff(raw)) return 'diff';
  if (isSearch(raw)) return 'search';
  const normal = split(prefix).lines.slice(0, PREFIX_LINES);
  return logOrCode(normal);
}

/** `@@ -12,7 +12,8 @@` */
export function isHunkHeader(l: string): boolean {
  return /^@@ -[0-9]+(?:,[0-9]+)? \+[0-9]+(?:,[0-9]+)? @@/.test(l);
}

/** The lines of a git diff's extended header, and a few more a file header may carry. */
export const HEADER_PREFIXES = [
  'index ', 'new file mode', 'deleted file mode', 'old mode', 'new mode', 'similarity index', 'dissimilarity index',
  'rename from', 'rename to', 'copy from', 'copy to', 'Binary files', '=====',
];
const DIFF_PREFIXES = ['diff ', 'Index: ', 'Only in ', 'GIT binary patch', ...HEADER_PREFIXES];

/** Lines a unified or git diff is made of (after its first file header). */
export function isDiffShaped(l: string): boolean {
  if (l.length === 0) return true;
  if (' \t+-@\\'.includes(l[0]!)) return true;
  return DIFF_PREFIXES.some((p) => l.startsWith(p));
}

const GIT_HEADER_FOLLOWERS = ['--- ', 'index ', 'GIT binary patch', 'Binary files', 'rename from', 'similarity index', 'new file mode', 'deleted file mode', 'old mode'];

function isDiff(lines: readonly string[]): boolean {
  const l = (k: number): string => lines[k] ?? '';
  let found = -1;
  for (let k = 0; k < Math.min(lines.length, DIFF_HEADER_WITHIN); k++) {
    const a = l(k);
    if (a.startsWith('--- ') && l(k + 1).startsWith('+++ ') && isHunkHeader(l(k + 2))) {
      found = k;
      break;
    }
    if (a.startsWith('diff --git ')) {
      let follows = false;
      for (let j = k + 1; j < k + 7 && !follows; j++) follows = GIT_HEADER_FOLLOWERS.some((p) => l(j).startsWith(p));
      if (follows) {
        found = k;
        break;
      }
    }
  }
  if (found < 0) return false;
  const rest = lines.slice(found);
  // The base85 lines of a `GIT binary patch` (up to a blank line) belong to the diff too.
  let binary = false;
  let shaped = 0;
  for (const x of rest) {
    binary = (binary && x.length > 0) || x.startsWith('GIT binary patch');
    if (binary || isDiffShaped(x)) shaped++;
  }
  return shaped * 100 >= rest.length * DIFF_SHARE;
}

function digitsAt(l: string, i: number): number {
  let d = 0;
  while (isDigit(l.charCodeAt(i + d))) d++;
  return d;
}

/** `path:12:` (a match) → the end of the path (-1 if none); the path must look like one. */
export function matchPrefix(l: string): number {
  const from = l.length > 2 && isAlpha(l.charCodeAt(0)) && l[1] === ':' && (l[2] === '\\' || l[2] === '/') ? 2 : 0;
  const p = l.indexOf(':', from);
  if (p < 0 || !plausiblePath(l.slice(0, p))) return -1;
  const d = digitsAt(l, p + 1);
  return d >= 1 && d <= 9 && l[p + 1 + d] === ':' && !timeOfDayAt(l, p) ? p : -1;
}

/**
 * A time of day (`13:53:08`) whose first colon is `l[p]`: the end of a name with a stamp in it
 * (`nova-api.log.1.2017-05-16_13:53:08 …`), not a path and line number.
 */
function timeOfDayAt(l: string, p: number): boolean {
  let hour = 0;
  while (hour < p && isDigit(l.charCodeAt(p - 1 - hour))) hour++;
  return hour >= 1 && hour <= 2 && digitsAt(l, p + 1) === 2 && l[p + 3] === ':' && digitsAt(l, p + 4) === 2;
}

/** `path-12-` (a context line) → the end of the path (-1 if none). */
export function contextPrefix(l: string): number {
  let limit = 0;
  while (limit < l.length && pathChar(l.charCodeAt(limit))) limit++;
  const dated = startsWithDate(l);
  let letter = false;
  for (let q = 0; q < limit; q++) {
    if (l[q] === '-' && letter && !dated) {
      const d = digitsAt(l, q + 1);
      if (d >= 1 && d <= 9 && l[q + 1 + d] === '-') return q;
    }
    if (isAlpha(l.charCodeAt(q))) letter = true;
  }
  return -1;
}

function pathChar(c: number): boolean {
  return c >= 0x80 || isAlpha(c) || isDigit(c) || '._/\\@+~#%-:'.includes(String.fromCharCode(c));
}

/** `2024-…` at the start, or a date-time `dddd-dd-ddT` anywhere: a timestamp, not a path. */
function startsWithDate(b: string): boolean {
  return /^[0-9]{4}-/.test(b) || /[0-9]{4}-[0-9]{2}-[0-9]{2}T/.test(b);
}

/** A file path as grep prints it: no blanks or quoting characters, at least one letter, and not the start of a timestamp. */
export function plausiblePath(p: string): boolean {
  if (p.length === 0 || startsWithDate(p)) return false;
  let letter = false;
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (!pathChar(c)) return false;
    if (isAlpha(c)) letter = true;
  }
  return letter;
}

function isSearch(lines: readonly string[]): boolean {
  let matches = 0;
  let diagnostics = 0;
  let others = 0;
  let nonempty = 0;
  for (const l of lines) {
    if (l.length === 0) continue;
    nonempty++;
    if (matchPrefix(l) >= 0) {
      matches++;
      if (isDiagnostic(l)) diagnostics++;
    } else if (l === '--' || contextPrefix(l) >= 0) others++;
  }
  // `path:12:5: error: …` is a compiler's (or linter's) report, not a grep hit.
  return matches >= 2 && diagnostics * 2 <= matches && (matches + others) * 100 >= nonempty * SEARCH_SHARE;
}

/** Words compilers and linters name a diagnostic's severity with. */
const SEVERITIES = ['error', 'fatal', 'help', 'info', 'note', 'remark', 'warning'];

/** `path:12`, `path:12:5`, `path(12)`, `path(12,5)` at the start of `u`: where it ends (-1 if none). */
function locationEnd(u: string): number {
  const from = u.length > 2 && isAlpha(u.charCodeAt(0)) && u[1] === ':' && (u[2] === '\\' || u[2] === '/') ? 2 : 0;
  let p = from;
  while (p < u.length && u[p] !== ':' && u[p] !== '(') p++;
  if (p >= u.length || !plausiblePath(u.slice(0, p))) return -1;
  const d = digitsAt(u, p + 1);
  if (d === 0 || d > 9) return -1;
  let i = p + 1 + d;
  if (u[p] === '(') {
    if (u[i] === ',') {
      const d2 = digitsAt(u, i + 1);
      if (d2 === 0) return -1;
      i += 1 + d2;
    }
    return u[i] === ')' ? i + 1 : -1;
  }
  if (u[i] === ':') {
    const d2 = digitsAt(u, i + 1);
    if (d2 > 0) i += 1 + d2;
  }
  return i;
}

/** `u` has a severity word at `at` (then anything but a letter or digit). */
function severityAt(u: string, at: number): boolean {
  return SEVERITIES.some((w) => u.startsWith(w, at) && !(isAlpha(u.charCodeAt(at + w.length)) || isDigit(u.charCodeAt(at + w.length))));
}

/**
 * A compiler's or linter's diagnostic line: `path:12:5: error: …`, `path:12: note: …`,
 * `path(12,5): error TS2322: …`, `path:12:5 - error TS2322: …`, and rustc's `--> path:12:5`
 * and `= note: …` (all after the line's indentation).
 */
export function isDiagnostic(u: string): boolean {
  for (const arrow of ['--> ', '::: ']) {
    if (u.startsWith(arrow)) {
      const rest = u.slice(arrow.length);
      return locationEnd(rest) === rest.length;
    }
  }
  if (u.startsWith('= ')) return SEVERITIES.some((w) => u.startsWith(w, 2) && u[2 + w.length] === ':');
  const e = locationEnd(u);
  if (e < 0) return false;
  let i: number;
  if (u[e] === ':') i = e + 1;
  else if (u[e] === ' ' && u[e + 1] === '-') i = e + 2;
  else return false;
  let j = i;
  while (u[j] === ' ' || u[j] === '\t') j++;
  return j > i && severityAt(u, j);
}

/**
 * The gutter under a diagnostic's source excerpt: `|`, alone or with carets, dashes or a
 * further `|` under the code (`  |     ^^^ expected i32`), but not a table row (`| a | b |`).
 */
function isDiagnosticGutter(u: string): boolean {
  if (u[0] !== '|') return false;
  const rest = u.slice(1);
  const r = trimSpaceTab(rest);
  if (r.length === 0) return true;
  return r.length < rest.length && '^~-|_'.includes(r[0]!) && !r.endsWith('|');
}

function trimSpaceTab(s: string): string {
  let i = 0;
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  return i > 0 ? s.slice(i) : s;
}

function firstWord(u: string): string {
  let end = 0;
  while (end < u.length && u[end] !== ' ' && u[end] !== '\t') end++;
  return u.slice(0, end);
}

/** How many leading fields may come before a line's timestamp. */
const FIELDS_BEFORE_STAMP = 5;

/**
 * A timestamp with a time of day after a few leading fields: logs whose lines open with a label,
 * an epoch or a host (`- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond[2916]: …`,
 * `nova-api.log.1 2017-05-16 00:00:00.008 25746 INFO …`).
 */
function stampAfterFields(u: string): boolean {
  const toks = tokens(u);
  for (let k = 1; k < toks.length && k <= FIELDS_BEFORE_STAMP; k++) {
    const rest = u.slice(toks[k]![0]);
    const n = timestampLen(rest);
    if (n > 0 && rest.slice(0, n).includes(':')) return true;
  }
  return false;
}

function logOrCode(lines: readonly string[]): BlockKind {
  const info = classifyAll(lines, []);
  const aligned = rightAlignedVerbs(lines, info);
  let log = 0;
  let code = 0;
  let nonempty = 0;
  for (let k = 0; k < lines.length; k++) {
    const li = info[k]!;
    if (li.blank) continue;
    nonempty++;
    const u = trimSpaceTab(lines[k]!.slice(li.ts));
    if (
      li.ts > 0 ||
      li.level !== undefined ||
      li.cls === Class.Frame ||
      li.cls === Class.Summary ||
      li.header ||
      (li.cls === Class.Error && firstTokenSignals(u)) ||
      aligned[k]! ||
      logShaped(u) ||
      stampAfterFields(u)
    ) {
      log++;
    } else if (codeShaped(u)) {
      code++;
    }
  }
  if (log >= 2 && log * 100 >= nonempty * LOG_SHARE && log > code) return 'log';
  if (code >= 2 && code * 100 >= nonempty * CODE_SHARE) return 'code';
  return 'text';
}

/** Fewest lines that make right-aligned status verbs a tool's output. */
const ALIGNED_MIN_LINES = 3;

/**
 * Status lines of build tools that right-align a capitalised verb after blanks (cargo's
 * `   Compiling x v1.0`, `       Fresh y v2.1`, `    Finished …`): the lines whose verb ends at
 * the column most such lines share, when at least `ALIGNED_MIN_LINES` do and their indents
 * differ (equal indents are just an indented paragraph).
 */
function rightAlignedVerbs(lines: readonly string[], info: readonly LineInfo[]): boolean[] {
  // [line, column where the verb ends, indent]
  const found: Array<[number, number, number]> = [];
  for (let k = 0; k < lines.length; k++) {
    const li = info[k]!;
    if (li.indent === 0 || li.blank) continue;
    const l = lines[k]!;
    const at = li.ts + li.indent;
    let len = 0;
    while (isAlpha(l.charCodeAt(at + len))) len++;
    if (len < 3 || len > 16 || !isUpper(l.charCodeAt(at)) || l[at + len] !== ' ') continue;
    let lower = true;
    for (let i = at + 1; i < at + len && lower; i++) lower = isLower(l.charCodeAt(i));
    if (lower && tokensHaveValue(l.slice(at + len))) found.push([k, li.indent + len, li.indent]);
  }
  const byColumn = new Map<number, [number, number, number]>();
  for (const [, col, indent] of found) {
    const e = byColumn.get(col);
    if (e === undefined) byColumn.set(col, [1, indent, indent]);
    else {
      e[0]++;
      e[1] = Math.min(e[1], indent);
      e[2] = Math.max(e[2], indent);
    }
  }
  let best: [number, [number, number, number]] | undefined;
  for (const col of [...byColumn.keys()].sort((a, b) => a - b)) {
    const c = byColumn.get(col)!;
    if (best === undefined || c[0] > best[1][0]) best = [col, c];
  }
  const out = new Array<boolean>(lines.length).fill(false);
  if (best !== undefined && best[1][0] >= ALIGNED_MIN_LINES && best[1][1] !== best[1][2]) {
    for (const [k, c] of found) out[k] = c === best[0];
  }
  return out;
}

/** `ValueError: …`, `FAILED tests/x.py::t`, `panic: …`: an error named up front. */
function firstTokenSignals(u: string): boolean {
  return lineSignal(firstWord(u)) === Signal.Error;
}

/** Progress verbs build tools and package managers start their lines with. */
const PROGRESS_VERBS = new Set([
  'Building', 'Checking', 'Cloning', 'Collecting', 'Compiling', 'Created', 'Creating', 'Downloaded', 'Downloading',
  'Executing', 'Extracting', 'Fetching', 'Finished', 'Generating', 'Installing', 'Linking', 'Loaded', 'Loading',
  'Obtaining', 'Preparing', 'Processing', 'Pulling', 'Pushing', 'Removing', 'Requirement', 'Resolving', 'Retrying',
  'Running', 'Started', 'Starting', 'Stopped', 'Stopping', 'Successfully', 'Unpacking', 'Updating', 'Uploaded',
  'Uploading', 'Using', 'Waiting',
]);

const LOG_PREFIXES = [
  '##[', 'npm ERR!', 'npm WARN', 'npm notice', '> Task :', '[Pipeline]', 'make[', 'make: ', '--- PASS', '--- FAIL',
  '--- SKIP', '=== RUN', '=== CONT', '=== PAUSE', 'ok  ', 'FAIL\t', 'collected ', 'platform ',
];

/** Shapes of tool output that carry no timestamp or level. */
function logShaped(u: string): boolean {
  if (LOG_PREFIXES.some((p) => u.startsWith(p))) return true;
  if (u === 'PASS' || u === 'FAIL') return true;
  if (isDiagnostic(u) || isDiagnosticGutter(u)) return true;
  if (u.startsWith('::') && /^[a-z]$/.test(u[2] ?? '')) return true;
  if (u.startsWith('+ ') && u.length > 2 && u[2] !== ' ' && u[2] !== '\t') return true;
  if (u.startsWith('{"') && u.endsWith('}')) return true; // one JSON object per line
  // An access log's request: `"GET /path HTTP/1.1" 200`.
  const http = u.indexOf(' HTTP/');
  if (http >= 0 && u.slice(http, http + 12).includes('"')) return true;
  if (u.endsWith('%]') || u.endsWith(' ... ok') || u.endsWith(' PASSED') || u.endsWith(' FAILED')) return true;
  if (u[0] === '[') {
    // `[tag] text`: a short ASCII tag without blanks.
    let k = -1;
    for (let i = 1; i < Math.min(u.length, 41); i++) {
      const c = u.charCodeAt(i);
      if (c >= 0x80 || c === 0x5d || c === 0x5b || c === 0x20 || c === 0x09) {
        k = i - 1;
        break;
      }
    }
    if (k > 0 && u[1 + k] === ']' && (u[2 + k] === ' ' || u[2 + k] === '\t')) return true;
  }
  if (PROGRESS_VERBS.has(firstWord(u))) return tokensHaveValue(u);
  return false;
}

const CODE_KEYWORDS = new Set([
  '#define', '#import', '#include', 'async', 'await', 'case', 'catch', 'class', 'const', 'def', 'elif', 'else', 'enum',
  'except', 'export', 'finally', 'fn', 'for', 'from', 'func', 'function', 'if', 'impl', 'import', 'interface', 'let',
  'module', 'namespace', 'package', 'private', 'protected', 'pub', 'public', 'raise', 'return', 'static', 'struct',
  'switch', 'throw', 'trait', 'try', 'type', 'use', 'using', 'var', 'while', 'with', 'yield',
]);

/** Shapes of source code (and of numbered source listings). */
function codeShaped(u: string): boolean {
  if (u.length === 0) return false;
  if (u.endsWith('{') || u.endsWith('}') || u.endsWith(';')) return true;
  if ([')', ']', 'end', 'fi', 'done', 'esac'].includes(u)) return true;
  if (u.startsWith('//') || u.startsWith('/*') || u.startsWith('* ') || u.startsWith('*/') || u.startsWith('#!')) return true;
  if (u[0] === '@' && isAlpha(u.charCodeAt(1))) return true;
  // `12:import re` (an editor's numbered view), `  12 | code`.
  const d = digitsAt(u, 0);
  if (d > 0) {
    if (u[d] === ':') return true;
    let j = d;
    while (u[j] === ' ') j++;
    if (u[j] === '|') return true;
  }
  let wordEnd = 0;
  while (wordEnd < u.length) {
    const c = u.charCodeAt(wordEnd);
    if (!(isAlpha(c) || isDigit(c) || c === 0x5f || c === 0x23)) break;
    wordEnd++;
  }
  if (wordEnd < u.length && ' (:<'.includes(u[wordEnd]!) && CODE_KEYWORDS.has(u.slice(0, wordEnd))) return true;
  // `name = value`, `self.x = y`
  let lhs = 0;
  while (lhs < u.length) {
    const c = u.charCodeAt(lhs);
    if (!(isAlpha(c) || isDigit(c) || c === 0x5f || c === 0x2e || c === 0x5b || c === 0x5d)) break;
    lhs++;
  }
  return lhs > 0 && isAlpha(u.charCodeAt(0)) && (u.startsWith(' = ', lhs) || u.startsWith(' += ', lhs));
}
