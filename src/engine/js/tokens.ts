// Exact o200k_base / cl100k_base token counting, the JS twin of headroom-core's tokens.rs.
//
// Two things make JS tokenizers inexact or slow, and both are handled here:
// - JS's `\s` and `\p{…}` are not the Rust regex crate's (tiktoken's) classes: `\s` includes U+FEFF
//   and lacks U+0085, and `\p{L}` follows whatever Unicode version Node ships. pretokenize.ts
//   classifies code points with tables generated from regex-syntax, so every Node splits alike.
// - tiktoken's merge loop rescans the whole piece after every merge, quadratic on long runs of one
//   character. Long pieces here merge through a heap keyed by (rank, start), which picks the same
//   pair tiktoken picks (lowest rank, leftmost on ties) in O(n log n).

import type { EncodingName } from '../types.js';
import { Pretokenizer } from './pretokenize.js';
import { rankTable } from './ranks.js';

/** Pieces longer than this merge through the heap; shorter ones use tiktoken's own loop. */
const HEAP_THRESHOLD = 64;
/** Bound on the per-encoding memo of piece → token count (cleared when full). */
const PIECE_CACHE_LIMIT = 50_000;

interface Counter {
  readonly pretokenizer: Pretokenizer;
  readonly ranks: Map<string, number>;
  readonly cache: Map<string, number>;
}

const counters = new Map<EncodingName, Counter>();

function counter(encoding: EncodingName): Counter {
  let c = counters.get(encoding);
  if (c === undefined) {
    c = { pretokenizer: new Pretokenizer(encoding), ranks: rankTable(encoding), cache: new Map() };
    counters.set(encoding, c);
  }
  return c;
}

/** Number of tokens `text` encodes to, equal to tiktoken's `encode_ordinary(text).length`. */
export function countTokens(text: string, encoding: EncodingName): number {
  if (text.length === 0) return 0;
  const c = counter(encoding);
  const wellFormed = text.isWellFormed() ? text : text.toWellFormed();
  const pre = c.pretokenizer;
  let total = 0;
  for (let i = 0; i < wellFormed.length; ) {
    const end = pre.next(wellFormed, i);
    total += countPiece(wellFormed.slice(i, end), c);
    i = end;
  }
  return total;
}

export function countTokensMany(texts: readonly string[], encoding: EncodingName): number[] {
  return texts.map((t) => countTokens(t, encoding));
}

function countPiece(piece: string, c: Counter): number {
  const cached = c.cache.get(piece);
  if (cached !== undefined) return cached;
  const bytes = utf8Binary(piece);
  let n: number;
  if (c.ranks.has(bytes)) n = 1;
  else if (bytes.length <= HEAP_THRESHOLD) n = mergeShort(bytes, c.ranks);
  else n = mergeLong(bytes, c.ranks);
  if (c.cache.size >= PIECE_CACHE_LIMIT) c.cache.clear();
  c.cache.set(piece, n);
  return n;
}

/** The UTF-8 bytes of `s` as a string of code units 0–255 (the rank table's key form). */
function utf8Binary(s: string): string {
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return s;
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) out += ch;
    else if (cp < 0x800) out += String.fromCharCode(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000)
      out += String.fromCharCode(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else
      out += String.fromCharCode(
        0xf0 | (cp >> 18),
        0x80 | ((cp >> 12) & 0x3f),
        0x80 | ((cp >> 6) & 0x3f),
        0x80 | (cp & 0x3f),
      );
  }
  return out;
}

const NO_RANK = Number.MAX_SAFE_INTEGER;

/** tiktoken's merge loop: repeatedly merge the lowest-ranked adjacent pair, leftmost first. */
function mergeShort(bytes: string, ranks: Map<string, number>): number {
  // starts[k] is where part k begins; parts end where the next begins.
  const starts: number[] = [];
  for (let i = 0; i <= bytes.length; i++) starts.push(i);
  const pairRank = (k: number): number =>
    k + 2 < starts.length ? (ranks.get(bytes.slice(starts[k]!, starts[k + 2]!)) ?? NO_RANK) : NO_RANK;
  const pr: number[] = [];
  for (let k = 0; k < starts.length - 1; k++) pr.push(pairRank(k));
  for (;;) {
    let best = NO_RANK;
    let at = -1;
    for (let k = 0; k < pr.length - 1; k++) {
      if (pr[k]! < best) {
        best = pr[k]!;
        at = k;
      }
    }
    if (at < 0) break;
    starts.splice(at + 1, 1);
    pr.splice(at + 1, 1);
    pr[at] = pairRank(at);
    if (at > 0) pr[at - 1] = pairRank(at - 1);
  }
  return starts.length - 1;
}

/**
 * The same merges in O(n log n): a binary heap of (rank, start) keys with lazy deletion. A popped
 * key is current when the pair now starting at `start` still has that rank; ranks identify byte
 * strings, so a changed pair can never carry the old rank.
 */
function mergeLong(bytes: string, ranks: Map<string, number>): number {
  const n = bytes.length;
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
  }
  const end = (start: number): number => (start < n ? next[start]! : n);
  const heap = new KeyHeap();
  const rankAt = (start: number): number => {
    const mid = next[start]!;
    if (mid >= n) return NO_RANK;
    return ranks.get(bytes.slice(start, end(mid))) ?? NO_RANK;
  };
  const push = (start: number): void => {
    const r = rankAt(start);
    if (r !== NO_RANK) heap.push(r * 0x1_0000_0000 + start);
  };
  for (let i = 0; i < n - 1; i++) push(i);
  let parts = n;
  while (heap.size > 0) {
    const key = heap.pop();
    const start = key % 0x1_0000_0000;
    const rank = (key - start) / 0x1_0000_0000;
    if (prev[start] === -2 || rankAt(start) !== rank) continue;
    const mid = next[start]!;
    const after = next[mid]!;
    next[start] = after;
    if (after < n) prev[after] = start;
    prev[mid] = -2; // merged away
    parts--;
    push(start);
    if (prev[start]! >= 0) push(prev[start]!);
  }
  return parts;
}

/** Min-heap of non-negative safe integers. */
class KeyHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(key: number): void {
    const a = this.items;
    let i = a.length;
    a.push(key);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= key) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = key;
  }

  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && a[r]! < a[l]! ? r : l;
        if (a[c]! >= last) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
