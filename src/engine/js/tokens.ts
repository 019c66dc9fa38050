// Exact o200k_base / cl100k_base token counting, the JS twin of headroom-core's tokens.rs.
//
// JS's `\s` and `\p{…}` are not the Rust regex crate's (tiktoken's) classes: `\s` includes U+FEFF
// and lacks U+0085, and `\p{L}` follows whatever Unicode version Node ships. pretokenize.ts
// classifies code points with tables generated from regex-syntax, so every Node splits alike. Each
// piece is merged by merge.ts: long pieces in linear time, so counting is linear in the text
// however it is made. Counts of short pieces are memoised, bounded by bytes, under keys copied out
// of the text (a slice would keep the caller's whole string alive).

import { detached } from '../detach.js';
import type { EncodingName, StopWhen } from '../types.js';
import { Merger, SHORT_PIECE, Vocab } from './merge.js';
import { Pretokenizer } from './pretokenize.js';
import { rankTable } from './ranks.js';
import { currentWatch, Watch } from './stop.js';

/** Bound on the memo of piece → count (UTF-16 units of its keys plus a cost per entry; cleared when full). */
const PIECE_MEMO_UNITS = 2 << 20;
const PIECE_ENTRY_COST = 24;

interface Counter {
  readonly pretokenizer: Pretokenizer;
  readonly merger: Merger;
  readonly memo: Map<string, number>;
  memoUnits: number;
}

const counters = new Map<EncodingName, Counter>();

function counter(encoding: EncodingName): Counter {
  let c = counters.get(encoding);
  if (c === undefined) {
    const vocab = new Vocab(rankTable(encoding));
    c = { pretokenizer: new Pretokenizer(encoding), merger: new Merger(vocab), memo: new Map(), memoUnits: 0 };
    counters.set(encoding, c);
  }
  return c;
}

/**
 * Number of tokens `text` encodes to, equal to tiktoken's `encode_ordinary(text).length`. Inside a
 * compressor (a `within`), the count looks at the compressor's stop too.
 */
export function countTokens(text: string, encoding: EncodingName): number {
  return countTokensWatched(text, encoding, currentWatch());
}

/** `countTokens`, throwing `Stopped` once `stop` is reached (looked at every few milliseconds of work, inside long pieces too). */
export function countTokensUntil(text: string, encoding: EncodingName, stop: StopWhen): number {
  return countTokensWatched(text, encoding, new Watch(stop));
}

/** `countTokens` for a compressor that already has a `Watch` running. */
export function countTokensWatched(text: string, encoding: EncodingName, watch: Watch): number {
  if (text.length === 0) return 0;
  const c = counter(encoding);
  const wellFormed = text.isWellFormed() ? text : text.toWellFormed();
  const pre = c.pretokenizer;
  let total = 0;
  for (let i = 0; i < wellFormed.length; ) {
    const end = pre.next(wellFormed, i);
    watch.tick(end - i);
    total += countPiece(wellFormed.slice(i, end), c, watch);
    i = end;
  }
  return total;
}

export function countTokensMany(texts: readonly string[], encoding: EncodingName): number[] {
  return texts.map((t) => countTokens(t, encoding));
}

function countPiece(piece: string, c: Counter, watch: Watch): number {
  // A piece longer than SHORT_PIECE in UTF-16 units is longer in UTF-8 bytes too.
  const known = piece.length > SHORT_PIECE ? undefined : c.memo.get(piece);
  if (known !== undefined) return known;
  const bytes = utf8Binary(piece);
  if (bytes.length > SHORT_PIECE) return c.merger.countLong(bytes, watch);
  const n = c.merger.countShort(bytes);
  if (c.memoUnits >= PIECE_MEMO_UNITS) {
    c.memo.clear();
    c.memoUnits = 0;
  }
  c.memoUnits += piece.length + PIECE_ENTRY_COST;
  c.memo.set(detached(piece), n);
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

