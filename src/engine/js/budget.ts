// A cheap token estimate that steers lossy selection toward `maxBlockTokens` (twin of budget.rs).
// Exact counting of every candidate line would cost a full tokenizer pass per block; selection
// only needs relative costs, and the caller rescales them against one exact count of the whole
// lossless form, then checks the result exactly.

import type { Compressed, EncodingName } from '../types.js';
import { isAlpha, isDigit, utf8Units } from './chars.js';
import { cutSummary, isMarker, linesCut, linesTold, refersAbove } from './marker.js';
import { headAndTail } from './opaque.js';
import { lineSignal, Signal } from './signal.js';
import type { Watch } from './stop.js';
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

/**
 * A block whose best form is above this share (percent) of `maxBlockTokens`, and more than
 * `CUT_SLACK` tokens above it, is far above its budget and is cut by position to it. Short of
 * that, what the lossy stage kept stands: a few thousand tokens over never break a request.
 */
export const CUT_ABOVE_PERCENT = 200;
export const CUT_SLACK = 2000;

/** Whether `tokens` is far above the budget of `max` tokens. */
export function farAbove(tokens: number, max: number): boolean {
  return tokens * 100 > max * CUT_ABOVE_PERCENT && tokens > max + CUT_SLACK;
}

/**
 * Cuts `text` (of `tokens` exact tokens) by position to `max` tokens: every error line (signal is
 * never cut: error lines alone may exceed the budget), then its head and its tail, every run of
 * cut lines replaced by one marker; kept lines are kept whole, byte for byte. A text of which no
 * line fits is cut to its head and tail bytes.
 */
export function cut(text: string, max: number, tokens: number, encoding: EncodingName, watch: Watch, caller: string = text): Compressed {
  const trailing = text.endsWith('\n');
  const lines = (trailing ? text.slice(0, -1) : text).split('\n');
  // Kept lines are emitted as given: from the caller's text, whose lone surrogates `text` has as
  // U+FFFD at the same offsets.
  const given = caller === text ? lines : (trailing ? caller.slice(0, -1) : caller).split('\n');
  const cost: number[] = [];
  const errors: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    watch.tick(l.length + 1);
    cost.push(estimateTokens(l) + 1);
    if (lineSignal(l) === Signal.Error) errors.push(i);
  }
  let total = 0;
  for (const c of cost) total += c;
  const [content, cutLines, original, places] = fit(max, scale(max, total, tokens), total, (units): [[string, number, number, number], number] => {
    const out = render(lines, given, keepWithin(cost, errors, units), errors, trailing);
    return [out, countTokens(out[0], encoding)];
  });
  const n = countTokens(content, encoding);
  if (cutLines === lines.length) {
    // As much as may fit (a token takes at least one byte, often four), else what must.
    let [ends, omitted] = headAndTail(text, 'text', max * 2, max, Number.MAX_SAFE_INTEGER);
    let endsTokens = countTokens(ends, encoding);
    if (endsTokens > max) {
      [ends, omitted] = headAndTail(text, 'text', max, max, max);
      endsTokens = countTokens(ends, encoding);
    }
    return { content: ends, strategy: 'cut', omitted: [{ unit: 'bytes', count: omitted, summary: cutSummary(1) }], tokens: endsTokens };
  }
  return { content, strategy: 'cut', omitted: [{ unit: 'lines', count: original, summary: cutSummary(places) }], tokens: n };
}

/** Which lines a cut keeps within `units` estimate units: every error line, then the head and the tail, half the rest each. */
function keepWithin(cost: readonly number[], errors: readonly number[], units: number): boolean[] {
  const keep = new Array<boolean>(cost.length).fill(false);
  let used = 0;
  for (const i of errors) {
    keep[i] = true;
    used += cost[i]!;
  }
  const rest = Math.max(0, units - used);
  let head = 0;
  for (let i = 0; i < cost.length; i++) {
    if (keep[i]!) continue;
    if (head + cost[i]! > Math.floor(rest / 2)) break;
    keep[i] = true;
    head += cost[i]!;
  }
  let tail = 0;
  for (let i = cost.length - 1; i >= 0; i--) {
    if (keep[i]!) continue;
    if (head + tail + cost[i]! > rest) break;
    keep[i] = true;
    tail += cost[i]!;
  }
  return keep;
}

/** The kept lines in order, each run of cut lines as one marker; the lines cut, those of them that were not markers, and the markers. */
function render(lines: readonly string[], given: readonly string[], kept: readonly boolean[], errors: readonly number[], trailing: boolean): [string, number, number, number] {
  // Lines end in `\r` where the block's do (a kept line keeps it): a marker is read without it.
  const bare = (l: string): string => (l.endsWith('\r') ? l.slice(0, -1) : l);
  // A marker about the lines above it (a repeat) would mislead after a cut: it goes with them.
  const keep = kept.slice();
  for (let i = 0; i < lines.length; i++) if (keep[i] && refersAbove(bare(lines[i]!)) && (i === 0 || !keep[i - 1])) keep[i] = false;
  const out: string[] = [];
  let cutLines = 0;
  let original = 0;
  let places = 0;
  let e = 0;
  let i = 0;
  while (i < lines.length) {
    if (keep[i]!) {
      out.push(given[i]!);
      i++;
      continue;
    }
    const start = i;
    while (i < lines.length && !keep[i]!) i++;
    let errs = 0;
    for (; e < errors.length && errors[e]! < i; e++) if (errors[e]! >= start) errs++;
    // A marker cut with the lines stands for its own: the new marker counts them too, while the
    // omissions already count them.
    let own = 0;
    let told = 0;
    for (let k = start; k < i; k++) {
      if (isMarker(bare(lines[k]!))) told += linesTold(bare(lines[k]!));
      else own++;
    }
    // The marker ends as the last line it stands for did (`\r\n` where the block's lines do).
    out.push(linesCut(own + told, errs) + (lines[i - 1]!.endsWith('\r') ? '\r' : ''));
    cutLines += i - start;
    original += own;
    places++;
  }
  return [out.join('\n') + (trailing ? '\n' : ''), cutLines, original, places];
}
