// The level a log line names (twin of level.rs): `INFO`, `[warn]`, `error:`, `level=debug`,
// glog's `I0412`, CI annotations (`##[error]`), header fields before the level (BGL), and a
// program's lowercase level word (`npm warn …`).

import { C_COLON, C_LBRACKET, C_LPAREN, isAlpha, isDigit, isLower, isUpper, startsWithAsciiCi } from '../chars.js';
import { isBlank } from '../lines.js';

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

/** The program name and level of `npm http fetch …`: a lowercase name (letters, digits, `-`, `_`), a lowercase level word, then more text. */
export function programLevel(msg: string): [string, Level] | undefined {
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
const MAX_HEADER_TOKENS = 10;

/** True when the token names a level (`INFO`, `[warn]`, `error:`, `level=debug`; `Info` after a timestamp). */
export function tokenIsLevel(t: string, stamped: boolean): boolean {
  return tokenLevelAt(t, 0, t.length, stamped) !== undefined;
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
