// The JSON compressor (twin of json/mod.rs).
//
// Lossless first: the block becomes the shortest, in tokens, of compact JSON and TOON (the input
// as given is the third candidate: `compressBlock` keeps a proposal only when it is shorter).
// Only when that is still above `maxBlockTokens` does lossy selection drop array items and cut
// very long strings, leaving markers, and the result goes through the same choice again.

import type { BlockOptions, Omission } from '../../types.js';
import type { Compressed } from '../index.js';
import { countTokens } from '../tokens.js';
import * as compact from './compact.js';
import { Selection } from './select.js';
import { prefixWithin, utf8Length } from './strings.js';
import * as tape from './tape.js';
import * as toon from './toon.js';
import { View } from './view.js';

/** Lossy rounds: each re-aims the byte budget from the last round's exact token count. */
const LOSSY_ROUNDS = 4;
/** A lossy output within this share of the budget (9/10) is close enough to stop re-aiming. */
const CLOSE_ENOUGH: [number, number] = [9, 10];
/** Token counts of huge candidates are estimated from a prefix this long (bytes). */
const SAMPLE_BYTES = 65536;

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
  const compactLen = utf8Length(compactText);
  const candidates: Candidate[] = [];
  for (const [text, strategy] of [
    [compactText, 'json:compact'],
    [toonText, 'json:toon'],
  ] as const) {
    if (text === undefined || text === content) continue;
    candidates.push({ text, strategy, tokens: count(text) });
  }
  const within = (n: number): boolean => limit === undefined || n <= limit;
  const best = shortest(candidates);
  if (best !== undefined && within(candidates[best]!.tokens!)) return proposal(candidates[best]!, []);
  if (limit === undefined) return undefined;
  // Every lossless candidate is above the budget: unless the input itself fits, go lossy.
  const n = count(content);
  if (n !== undefined && n <= limit) return undefined;
  const sel = new Selection(t, options.query);
  if (!sel.canReduce()) return shortestCounted(candidates, options);
  let bestEstimate: number | undefined;
  for (const c of candidates) {
    const e = c.tokens ?? estimateTokens(c.text, options);
    if (bestEstimate === undefined || e < bestEstimate) bestEstimate = e;
  }
  bestEstimate ??= estimateTokens(content, options);
  const budget = mulDiv(limit, compactLen, Math.max(bestEstimate, 1));
  const result = lossy(t, sel, budget, limit, options);
  // Prefer a lossless candidate known to be no longer.
  if (best !== undefined && result !== undefined && candidates[best]!.tokens! <= result[0]) return proposal(candidates[best]!, []);
  return result?.[1];
}

/** Tokens of `text`, estimated from its first SAMPLE_BYTES when it is longer. */
function estimateTokens(text: string, options: BlockOptions): number {
  const sample = prefixWithin(text, SAMPLE_BYTES);
  return mulDiv(countTokens(sample, options.encoding), utf8Length(text), Math.max(utf8Length(sample), 1));
}

/** `a · b / c`, exact for any sizes (BigInt, as Rust uses u128). */
function mulDiv(a: number, b: number, c: number): number {
  return Number((BigInt(a) * BigInt(b)) / BigInt(Math.max(c, 1)));
}

/** Index of the shortest counted candidate; ties keep the earlier (compact). */
function shortest(candidates: readonly Candidate[]): number | undefined {
  let best: number | undefined;
  candidates.forEach((c, k) => {
    if (c.tokens !== undefined && (best === undefined || c.tokens < candidates[best]!.tokens!)) best = k;
  });
  return best;
}

/** The shortest candidate, counting those that were too large to count before. */
function shortestCounted(candidates: Candidate[], options: BlockOptions): Compressed | undefined {
  for (const c of candidates) c.tokens ??= countTokens(c.text, options.encoding);
  const k = shortest(candidates);
  return k === undefined ? undefined : proposal(candidates[k]!, []);
}

function proposal(c: Candidate, omitted: Omission[]): Compressed {
  return { content: c.text, strategy: c.strategy, omitted };
}

/**
 * Lossy rounds (see mod.rs): pick the cap that fits `budget` bytes, write the selection as compact
 * JSON and as TOON, count both, and re-aim the budget from the shorter one's exact count.
 */
function lossy(t: tape.Tape, sel: Selection, budget: number, m: number, options: BlockOptions): [number, Compressed] | undefined {
  const toonOk = toon.eligible(t);
  const maxK = sel.maxItems();
  const tried: number[] = [];
  const results: [number, Compressed][] = [];
  for (let r = 0; r < LOSSY_ROUNDS; r++) {
    const k = sel.search(budget);
    if (tried.includes(k)) break;
    tried.push(k);
    const [plan, omitted] = sel.plan(k);
    const view = new View(t, plan);
    const round: Candidate[] = [{ text: compact.write(view), strategy: 'json:select+compact', tokens: undefined }];
    if (toonOk) round.push({ text: toon.write(view), strategy: 'json:select+toon', tokens: undefined });
    for (const c of round) c.tokens = countTokens(c.text, options.encoding);
    const b = shortest(round)!;
    const c = round[b]!;
    const n = c.tokens!;
    results.push([n, proposal(c, omitted)]);
    if (n <= m) {
      if (n * CLOSE_ENOUGH[1] >= m * CLOSE_ENOUGH[0] || k >= maxK) break;
      budget = mulDiv(budget, m, Math.max(n, 1));
    } else {
      if (k === 0) break;
      budget = mulDiv(budget, m * 19, n * 20);
    }
  }
  // The fullest result within the budget, else the shortest; ties keep the earlier round.
  let pick: number | undefined;
  results.forEach(([n], i) => {
    if (pick === undefined) {
      pick = i;
      return;
    }
    const b = results[pick]![0];
    const better = n <= m ? (b <= m ? n > b : true) : b <= m ? false : n < b;
    if (better) pick = i;
  });
  return pick === undefined ? undefined : results[pick];
}
