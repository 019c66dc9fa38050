// The block's relevance query (twin of query.rs): its terms, and how many of them a text holds.
// Words as `signal.words` cuts them.

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
