// The block's relevance query (twin of query.rs): its terms, how rare each is among the block's
// lines, and how many of them a text holds. Words as `signal.words` cuts them.

import { words } from './signal.js';

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

/**
 * A term on more than one line in this many weighs nothing: a word most lines share (`api` in an
 * API's log, grep's own pattern in its output) tells no line from another, and keeping its lines
 * would switch compression off.
 */
export const COMMON_SHARE = 4;

/**
 * How much each term tells the lines of a block apart, BM25's inverse document frequency in
 * integers (both engines must agree, so no floating-point logarithm): `floor(log2(n / df))` for a
 * term on `df` of the `n` texts, and 0 for a term on none of them or on more than one in
 * `COMMON_SHARE`.
 */
export function termWeights(terms: readonly string[], texts: readonly string[]): number[] {
  const df: number[] = new Array<number>(terms.length).fill(0);
  if (terms.length === 0) return df;
  const seen: boolean[] = new Array<boolean>(terms.length).fill(false);
  for (const text of texts) {
    seen.fill(false);
    for (const w of words(text)) {
      const k = terms.indexOf(w);
      if (k >= 0) seen[k] = true;
    }
    for (let k = 0; k < terms.length; k++) if (seen[k]) df[k]!++;
  }
  const n = texts.length;
  return df.map((d) => {
    if (d === 0 || d * COMMON_SHARE > n) return 0;
    let w = 0;
    for (let span = d; span * 2 <= n; span *= 2) w++;
    return w;
  });
}

/** The terms that tell the lines of `texts` apart (weight above 0), in query order. */
export function informativeTerms(terms: readonly string[], texts: readonly string[]): string[] {
  const weights = termWeights(terms, texts);
  return terms.filter((_, k) => weights[k]! > 0);
}

/** The relevance of `text`: the summed weights of the distinct terms it holds. */
export function queryScore(text: string, terms: readonly string[], weights: readonly number[]): number {
  if (terms.length === 0) return 0;
  const seen = new Set<number>();
  for (const w of words(text)) {
    const k = terms.indexOf(w);
    if (k >= 0) seen.add(k);
  }
  let score = 0;
  for (const k of seen) score += weights[k]!;
  return score;
}
