// A cheap token estimate that steers lossy selection toward `maxBlockTokens` (twin of budget.rs).
// Exact counting of every candidate line would cost a full tokenizer pass per block; selection
// only needs relative costs, and the caller rescales them against one exact count of the whole
// lossless form, then checks the result exactly.

import type { EncodingName } from '../types.js';
import { isAlpha, isDigit, utf8Units } from './chars.js';
import { countTokens } from './tokens.js';

/**
 * A lossless form estimated above this many times the limit is taken to be above it without an
 * exact count (on realistic text the estimate stays within about 2.5 times the exact count).
 */
export const SURELY_ABOVE = 4;
/** Estimate units per exact token (in percent) assumed when no exact count was made. */
export const ESTIMATE_PERCENT = 120;
/** A lossy result at least this share of the limit (in percent) is close enough. */
export const CLOSE_ENOUGH_PERCENT = 90;
/** Attempts at steering a selection to the limit. */
export const MAX_ROUNDS = 6;

const ceilDiv = (a: number, b: number): number => Math.floor((a + b - 1) / b);

/**
 * Roughly how many BPE tokens `text` costs: letters in fours, digits in threes (o200k and
 * cl100k split digit runs into groups of at most three), punctuation runs in pairs (runs of one
 * repeated character in 32s), runs of spaces beyond one as a token, other UTF-8 bytes in pairs.
 */
export function estimateTokens(text: string): number {
  let total = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    const start = i;
    i++;
    if (isAlpha(c)) {
      while (i < n && isAlpha(text.charCodeAt(i))) i++;
      total += ceilDiv(i - start, 4);
    } else if (isDigit(c)) {
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      total += ceilDiv(i - start, 3);
    } else if (c === 0x20) {
      while (i < n && text.charCodeAt(i) === 0x20) i++;
      if (i - start > 1) total += 1;
    } else if (c < 0x80) {
      let same = true;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d >= 0x80 || isAlpha(d) || isDigit(d) || d === 0x20) break;
        if (d !== c) same = false;
        i++;
      }
      // A run of one character (`=====`, `-----`) merges into very few tokens.
      total += ceilDiv(i - start, same ? 32 : 2);
    } else {
      let bytes = utf8Units(c);
      while (i < n && text.charCodeAt(i) >= 0x80) bytes += utf8Units(text.charCodeAt(i++));
      total += ceilDiv(bytes, 2);
    }
  }
  return total;
}

/** `value * num / den` in integers (at least 1 when `value` is). */
export function scale(value: number, num: number, den: number): number {
  if (den === 0) return value;
  const r = Number((BigInt(value) * BigInt(num)) / BigInt(den));
  return value > 0 ? Math.max(r, 1) : 0;
}

/**
 * `undefined` when the lossless form (`estimated` in estimate units) fits within `max` tokens;
 * otherwise the budget, in estimate units, to start lossy selection with.
 */
export function losslessAbove(text: string, estimated: number, max: number, encoding: EncodingName): number | undefined {
  if (Math.floor(estimated / SURELY_ABOVE) > max) return scale(max, ESTIMATE_PERCENT, 100);
  const exact = countTokens(text, encoding);
  return exact > max ? scale(max, estimated, exact) : undefined;
}

/** Whether `text` is above `max` tokens, counting exactly only when the estimate leaves doubt. */
export function isAbove(text: string, max: number, encoding: EncodingName): boolean {
  return Math.floor(estimateTokens(text) / SURELY_ABOVE) > max || countTokens(text, encoding) > max;
}

/**
 * Steers a lossy selection to land at or just under `max` tokens: `attempt(budget)` selects
 * within `budget` estimate units (of `total` in all) and returns its output and exact token
 * count. Returns the largest output that fits, or the smallest tried when none fits (signal
 * alone is above the limit).
 */
export function fit<T>(max: number, start: number, total: number, attempt: (budget: number) => [T, number]): T {
  let budget = start;
  let best: [T, number] | undefined;
  let over: T | undefined;
  let lo = 0;
  let hi = Number.MAX_SAFE_INTEGER;
  let overTokens = -1;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const [out, tokens] = attempt(budget);
    let next: number;
    if (tokens <= max) {
      lo = budget;
      const close = tokens * 100 >= max * CLOSE_ENOUGH_PERCENT || budget >= total;
      if (best === undefined || tokens > best[1]) best = [out, tokens];
      if (close) break;
      next = Math.max(scale(budget, max, tokens), budget + 1);
    } else {
      hi = budget;
      over = out;
      // In proportion, with a margin so the next round lands under the limit.
      const shrunk = scale(budget, max, tokens);
      next = Math.max(0, shrunk - Math.floor(shrunk / 50));
      // The last cut changed nothing (the selection has slack): halve the distance instead.
      if (tokens === overTokens) next = Math.min(next, lo + Math.floor((budget - lo) / 2));
      overTokens = tokens;
    }
    next = Math.max(Math.min(next, Math.max(0, hi - 1)), lo + 1);
    if (next >= hi || next <= lo || next === budget) break;
    budget = next;
  }
  if (best !== undefined) return best[0];
  if (over !== undefined) return over;
  return attempt(budget)[0];
}
