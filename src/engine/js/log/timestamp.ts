// Leading timestamps of log lines (twin of timestamp.rs): ISO 8601 and its relatives, syslog,
// ctime, compact (HDFS), Common Log Format, bare times, kernel uptimes in brackets.

import { C_COLON, C_COMMA, C_DASH, C_DOT, C_LBRACKET, C_PIPE, C_PLUS, C_RBRACKET, C_SLASH, C_SPACE, C_T, C_UNDERSCORE, C_Z, isAlpha, isDigit, isUpper } from '../chars.js';
import { isBlank } from '../lines.js';

// Timestamp forms. Each parser takes the text and a start index and returns the index just past
// what it matched, or -1 (the Rust twin uses a restoring cursor; same grammar).

/** A run of `min..=max` digits at `i` (the whole run, or nothing). */
export function digits(s: string, i: number, min: number, max: number): number {
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
