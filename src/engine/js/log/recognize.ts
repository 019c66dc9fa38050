// Whether lines look like a log (twin of recognize.rs), for detection: what detection asks the
// log compressor. A line looks like a log by its timestamp, level, stack frame, summary or section
// header (as `classify` sees them), or by the shapes tools print without those: CI annotations,
// test runners' status lines, progress verbs, compiler diagnostics.

import { isAlpha, isLower, isUpper, trimSpaceTab } from '../chars.js';
import { tokens } from '../lines.js';
import { isDiagnostic, isDiagnosticGutter } from '../search.js';
import { lineSignal, Signal } from '../signal.js';
import { Class, classifyAll, type LineInfo } from './classify.js';
import { isVariable } from './fold.js';
import { timestampLen } from './timestamp.js';

/** What one line looks like to detection. */
export const Look = {
  /** Nothing but blanks (and a timestamp). */
  Blank: 0,
  Log: 1,
  /** Neither: detection asks whether it looks like code. */
  Other: 2,
} as const;
export type Look = (typeof Look)[keyof typeof Look];

/** How each line looks. */
export function looks(lines: readonly string[]): Look[] {
  const info = classifyAll(lines, []);
  const aligned = rightAlignedVerbs(lines, info);
  return lines.map((l, k): Look => {
    const li = info[k]!;
    if (li.blank) return Look.Blank;
    const u = trimSpaceTab(l.slice(li.ts));
    const log =
      li.ts > 0 ||
      li.level !== undefined ||
      li.cls === Class.Frame ||
      li.cls === Class.Summary ||
      li.header ||
      (li.cls === Class.Error && firstTokenSignals(u)) ||
      aligned[k]! ||
      logShaped(u) ||
      stampAfterFields(u);
    return log ? Look.Log : Look.Other;
  });
}

/** True when some blank-separated token of `s` carries a value (a number, path, dotted name). */
function tokensHaveValue(s: string): boolean {
  for (const [x, y] of tokens(s)) if (isVariable(s.slice(x, y))) return true;
  return false;
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
