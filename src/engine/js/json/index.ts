// The JSON compressor (twin of json/mod.rs).
//
// Lossless first: the block becomes the shortest, in tokens, of compact JSON and TOON (the input
// as given is the third candidate: `compressBlock` keeps a proposal only when it is shorter).
// Only when that is still above `maxBlockTokens` does lossy selection drop array items and cut
// very long strings, leaving markers, and the result goes through the same choice again.

import type { BlockOptions } from '../../types.js';
import type { Compressed } from '../index.js';
import { countTokens } from '../tokens.js';
import * as compact from './compact.js';
import { utf8Length } from './strings.js';
import * as tape from './tape.js';
import * as toon from './toon.js';
import { View } from './view.js';

/**
 * The longest token of o200k_base and cl100k_base, in bytes: a text longer than `n` times this
 * has more than `n` tokens, so candidates that large need no exact count to be known too big.
 */
export const LONGEST_TOKEN_BYTES = 128;

/** True when the whole block is one JSON value. */
export function isJson(text: string): boolean {
  return tape.isJson(text);
}

/** The lossless encodings of a document, without token counting: compact JSON, and TOON when it can carry the value exactly. */
export function lossless(t: tape.Tape): [string, string | undefined] {
  const view = new View(t, undefined);
  const c = compact.write(view);
  let s = toon.eligible(t) ? toon.write(view) : undefined;
  if (s === '') s = undefined;
  return [c, s];
}

/** A candidate output and its token count (undefined when it is certainly above the budget). */
interface Candidate {
  text: string;
  strategy: string;
  tokens: number | undefined;
}

export function compress(content: string, options: BlockOptions): Compressed | undefined {
  const t = tape.parse(content);
  if (t === undefined) return undefined;
  const [compactText, toonText] = lossless(t);
  const limit = Number.isFinite(options.maxBlockTokens) && options.maxBlockTokens >= 0 ? Math.floor(options.maxBlockTokens) : undefined;
  const count = (text: string): number | undefined => {
    if (limit !== undefined && utf8Length(text) > limit * LONGEST_TOKEN_BYTES) return undefined;
    return countTokens(text, options.encoding);
  };
  const candidates: Candidate[] = [];
  for (const [text, strategy] of [
    [compactText, 'json:compact'],
    [toonText, 'json:toon'],
  ] as const) {
    if (text === undefined || text === content) continue;
    candidates.push({ text, strategy, tokens: count(text) });
  }
  // The shortest counted candidate; ties keep the earlier (compact).
  let best: number | undefined;
  candidates.forEach((c, k) => {
    if (c.tokens !== undefined && (best === undefined || c.tokens < candidates[best]!.tokens!)) best = k;
  });
  const within = (c: Candidate): boolean => c.tokens !== undefined && (limit === undefined || c.tokens <= limit);
  if (best !== undefined && within(candidates[best]!)) {
    const c = candidates[best]!;
    return { content: c.text, strategy: c.strategy, omitted: [] };
  }
  // Every lossless candidate is above the budget: unless the input itself fits, go lossy.
  if (limit !== undefined) {
    const n = count(content);
    if (n !== undefined && n <= limit) return undefined;
  }
  // Lossy selection comes next; until then the shortest lossless candidate is proposed.
  if (best === undefined) return undefined;
  const c = candidates[best]!;
  return { content: c.text, strategy: c.strategy, omitted: [] };
}
