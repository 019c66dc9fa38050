// How strongly a line or a value signals trouble (twin of signal.rs): the error and warning
// words, the rules that read them in a log line (skipping words that only name things), HTTP
// statuses and the failure phrases tools use without an error word. Every compressor and
// detection read signals here. ASCII-only character classes and case folding (PRODUCT §9).

import { asciiLower, C_BACKSLASH, C_DASH, C_DIGIT0, C_DOT, C_EQ, C_LBRACKET, C_LPAREN, C_SLASH, isAlnum, isAlpha, isDigit, isLower, isUpper, startsWithAsciiCi } from './chars.js';
import { isBlank, tokens } from './lines.js';

/** How strongly a piece of text signals trouble (ordered: compare with `<`). */
export const Signal = { None: 0, Warning: 1, Error: 2 } as const;
export type Signal = (typeof Signal)[keyof typeof Signal];

/** Words that mark a line or value as error-class (compared lowercase, whole words). */
const ERROR_WORDS: ReadonlySet<string> = new Set([
  'abort', 'aborted', 'aborting', 'assert', 'assertion', 'crash', 'crashed', 'critical', 'denied',
  'emerg', 'err', 'error', 'errors', 'exception', 'exceptions', 'fail', 'failed', 'failing', 'fails',
  'failure', 'failures', 'fatal', 'forbidden', 'panic', 'panicked', 'refused', 'segfault',
  'stacktrace', 'timeout', 'traceback', 'unauthorized', 'uncaught', 'unhandled',
]);

/** Words that mark a line or value as a warning. */
const WARNING_WORDS: ReadonlySet<string> = new Set(['deprecated', 'deprecation', 'warn', 'warning', 'warnings']);

/**
 * The words of `text`: maximal runs of ASCII letters and digits, split again where a lowercase
 * letter is followed by an uppercase one (`TypeError` → `Type`, `Error`), lowercased.
 */
export function* words(text: string): Generator<string> {
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && !isAlnum(text.charCodeAt(i))) i++;
    if (i >= n) return;
    const start = i;
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (!isAlnum(c) || (isUpper(c) && isLower(text.charCodeAt(i - 1)))) break;
      i++;
    }
    yield asciiLower(text.slice(start, i));
  }
}

/** The signal of one lowercase word. */
function wordSignal(word: string): Signal {
  if (ERROR_WORDS.has(word)) return Signal.Error;
  if (WARNING_WORDS.has(word)) return Signal.Warning;
  return Signal.None;
}

/** The strongest signal among the words of `text`. */
export function textSignal(text: string): Signal {
  let signal: Signal = Signal.None;
  for (const w of words(text)) {
    const s = wordSignal(w);
    if (s === Signal.Error) return Signal.Error;
    if (s === Signal.Warning) signal = Signal.Warning;
  }
  return signal;
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
  let prev = '';
  for (const [s, e] of tokens(msg)) {
    if (namesPath(msg, s, e)) {
      prev = '';
      continue;
    }
    let k = s;
    while (k < e) {
      if (!isAlnum(msg.charCodeAt(k))) {
        k++;
        continue;
      }
      const ws = k;
      while (k < e && isAlnum(msg.charCodeAt(k))) k++;
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

/** The token `msg[s..e]` holds a `/` or `\`: a path or URL, whose words only name things. */
function namesPath(msg: string, s: number, e: number): boolean {
  for (let k = s; k < e; k++) {
    const c = msg.charCodeAt(k);
    if (c === C_SLASH || c === C_BACKSLASH) return true;
  }
  return false;
}
