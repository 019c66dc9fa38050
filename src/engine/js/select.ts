// Shared selection rules: signal detection, relevance scoring, how many items to keep (twin of
// select.rs). ASCII-only character classes and case folding (PRODUCT §9).

import { asciiLower, isAlnum, isLower, isUpper } from './chars.js';

/** How strongly a piece of text signals trouble (ordered: compare with `<`). */
export const Signal = { None: 0, Warning: 1, Error: 2 } as const;
export type Signal = (typeof Signal)[keyof typeof Signal];

/** Words that mark a line or value as error-class (compared lowercase, whole words). */
export const ERROR_WORDS: ReadonlySet<string> = new Set([
  'abort', 'aborted', 'aborting', 'assert', 'assertion', 'crash', 'crashed', 'critical', 'denied',
  'emerg', 'err', 'error', 'errors', 'exception', 'exceptions', 'fail', 'failed', 'failing', 'fails',
  'failure', 'failures', 'fatal', 'forbidden', 'panic', 'panicked', 'refused', 'segfault',
  'stacktrace', 'timeout', 'traceback', 'unauthorized', 'uncaught', 'unhandled',
]);

/** Words that mark a line or value as a warning. */
export const WARNING_WORDS: ReadonlySet<string> = new Set(['deprecated', 'deprecation', 'warn', 'warning', 'warnings']);

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
export function wordSignal(word: string): Signal {
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

/** Words too common to carry a query's meaning. */
const STOP_WORDS = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'can', 'do', 'for', 'from', 'get', 'how', 'i', 'in',
  'is', 'it', 'me', 'my', 'of', 'on', 'or', 'show', 'that', 'the', 'this', 'to', 'was', 'what', 'when',
  'where', 'which', 'why', 'with', 'you',
]);

/**
 * The distinct terms of a relevance query, in order of first appearance: words of two or more
 * characters that are not stop words.
 */
export function queryTerms(query: string): string[] {
  const terms: string[] = [];
  for (const w of words(query)) {
    if (w.length < 2 || STOP_WORDS.has(w) || terms.includes(w)) continue;
    terms.push(w);
  }
  return terms;
}

/** How many of `terms` occur among the words of `text`. */
export function queryHits(text: string, terms: readonly string[]): number {
  if (terms.length === 0) return 0;
  const seen = new Set<string>();
  for (const w of words(text)) if (terms.includes(w)) seen.add(w);
  return seen.size;
}
