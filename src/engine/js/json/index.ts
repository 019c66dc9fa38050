// The JSON compressor (twin of json/mod.rs).
//
// Lossless first: the block becomes the shortest, in tokens, of compact JSON and TOON (the input
// as given is the third candidate: `compressBlock` keeps a proposal only when it is shorter).
// Only when that is still above `maxBlockTokens` does lossy selection drop array items and cut
// very long strings, leaving markers, and the result goes through the same choice again.

import type { BlockOptions, Compressed, Omission } from '../../types.js';
import { utf8Length, utf8Prefix } from '../chars.js';
import { countTokens } from '../tokens.js';
import * as compact from './compact.js';
import { Selection } from './select.js';
import * as tape from './tape.js';
import * as toon from './toon.js';
import { View } from './view.js';

/** Lossy rounds: each re-aims the byte budget from the last round's exact token count. */
const LOSSY_ROUNDS = 4;
/** A lossy output within this share of the budget (9/10) is close enough to stop re-aiming. */
const CLOSE_ENOUGH: [number, number] = [9, 10];
/** Tokens per byte of huge documents are estimated from a compact prefix this long (bytes). */
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

/** Exact token count of a text in the block's encoding. */
export type Counter = (text: string) => number;

/**
 * A lower bound on the size of any lossless form: the text of every scalar value (strings without
 * quotes; escaped strings count nothing, since unescaping may shorten them).
 */
function valueBytes(t: tape.Tape): number {
  let n = 0;
  for (let i = 0; i < t.size; i++) {
    const k = t.kind[i]!;
    if (k === tape.Kind.Array || k === tape.Kind.Object) continue;
    if (k === tape.Kind.String) {
      if ((t.flags[i]! & tape.ESCAPED) === 0) n += t.end[i]! - t.start[i]! + t.extra[i]! - 2;
    } else {
      n += t.end[i]! - t.start[i]!;
    }
  }
  return n;
}

/** The lossless candidates: compact JSON and TOON, each unless it equals the input. */
function losslessCandidates(t: tape.Tape, content: string, count: (text: string) => number | undefined): Candidate[] {
  const [compactText, toonText] = lossless(t);
  const candidates: Candidate[] = [];
  for (const [text, strategy] of [
    [compactText, 'json:compact'],
    [toonText, 'json:toon'],
  ] as const) {
    if (text === undefined || text === content) continue;
    candidates.push({ text, strategy, tokens: count(text) });
  }
  return candidates;
}

/**
 * Compresses one JSON block, `t` being its parse. `counter` exists for the benchmark, which
 * records what is counted so it can time compression apart from token counting; it must count
 * exactly.
 */
export function compress(
  content: string,
  t: tape.Tape,
  options: BlockOptions,
  counter: Counter = (text) => countTokens(text, options.encoding),
): Compressed | undefined {
  const limit = Number.isFinite(options.maxBlockTokens) && options.maxBlockTokens >= 0 ? Math.floor(options.maxBlockTokens) : undefined;
  const count = (text: string): number | undefined => {
    if (limit !== undefined && utf8Length(text) > limit * LONGEST_TOKEN_BYTES) return undefined;
    return counter(text);
  };
  // A document whose values alone are certainly above the budget goes straight to selection,
  // without writing lossless forms that could not be used.
  const huge = limit !== undefined && valueBytes(t) > limit * LONGEST_TOKEN_BYTES;
  let candidates = huge ? [] : losslessCandidates(t, content, count);
  const within = (n: number): boolean => limit === undefined || n <= limit;
  const best = shortest(candidates);
  if (best !== undefined && within(candidates[best]!.tokens!)) return proposal(candidates[best]!, []);
  if (limit === undefined) return undefined;
  // Every lossless candidate is above the budget: unless the input itself fits, go lossy.
  if (!huge) {
    const n = count(content);
    if (n !== undefined && n <= limit) return undefined;
  }
  const sel = new Selection(t, options.query);
  if (!sel.canReduce()) {
    if (huge) candidates = losslessCandidates(t, content, count);
    return shortestCounted(candidates, counter);
  }
  // Aim the first round by tokens per compact byte: from the candidates' counts when known, else
  // from a counted sample.
  let known: number | undefined;
  for (const c of candidates) if (c.tokens !== undefined && (known === undefined || c.tokens < known)) known = c.tokens;
  let tokens: number;
  if (known !== undefined) {
    tokens = known;
  } else {
    // The writer stops after the value that crosses the limit; one value may be long.
    const sample = utf8Prefix(compact.writePrefix(new View(t, undefined), SAMPLE_BYTES), SAMPLE_BYTES);
    tokens = mulDiv(counter(sample), sel.compactSize(), Math.max(utf8Length(sample), 1));
  }
  const budget = mulDiv(limit, sel.compactSize(), Math.max(tokens, 1));
  const result = lossy(t, sel, budget, limit, counter);
  // Prefer a lossless candidate known to be no longer.
  if (best !== undefined && result !== undefined && candidates[best]!.tokens! <= result[0]) return proposal(candidates[best]!, []);
  return result?.[1];
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
function shortestCounted(candidates: Candidate[], counter: Counter): Compressed | undefined {
  for (const c of candidates) c.tokens ??= counter(c.text);
  const k = shortest(candidates);
  return k === undefined ? undefined : proposal(candidates[k]!, []);
}

function proposal(c: Candidate, omitted: Omission[]): Compressed {
  return { content: c.text, strategy: c.strategy, omitted, ...(c.tokens === undefined ? {} : { tokens: c.tokens }) };
}

/**
 * Lossy rounds (see mod.rs): pick the cap that fits `budget` bytes, write the selection as compact
 * JSON and as TOON, count both, and re-aim the budget from the shorter one's exact count.
 */
function lossy(t: tape.Tape, sel: Selection, budget: number, m: number, counter: Counter): [number, Compressed] | undefined {
  const toonOk = toon.eligible(t);
  const maxK = sel.maxItems();
  const tried: number[] = [];
  const results: [number, Compressed][] = [];
  // Caps known to be too small or too large bound the next round's search.
  let lo = 0;
  let hi = maxK;
  for (let r = 0; r < LOSSY_ROUNDS; r++) {
    const k = sel.search(budget, lo, hi);
    if (tried.includes(k)) break;
    tried.push(k);
    const [plan, omitted] = sel.plan(k);
    const view = new View(t, plan);
    const round: Candidate[] = [{ text: compact.write(view), strategy: 'json:select+compact', tokens: undefined }];
    if (toonOk) round.push({ text: toon.write(view), strategy: 'json:select+toon', tokens: undefined });
    for (const c of round) c.tokens = counter(c.text);
    const b = shortest(round)!;
    const c = round[b]!;
    const n = c.tokens!;
    results.push([n, proposal(c, omitted)]);
    if (n <= m) {
      if (n * CLOSE_ENOUGH[1] >= m * CLOSE_ENOUGH[0] || k >= maxK) break;
      budget = mulDiv(budget, m, Math.max(n, 1));
      lo = k;
    } else {
      if (k === 0) break;
      budget = mulDiv(budget, m * 19, n * 20);
      hi = k;
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
