// Byte-pair merging of one piece (twin of headroom-core's merge.rs): how many tokens a piece
// encodes to, exactly as tiktoken merges it. Pieces are byte strings (code units 0–255).
//
// Short pieces (nearly all of real text) use tiktoken's own loop: merge the lowest-ranked adjacent
// pair, leftmost on ties, until none is left. That loop is quadratic, and so is any way of running
// the merges one by one on a long run of one character once its working set leaves the CPU cache.
// Long pieces are therefore not merged but searched for, in time and memory linear in their length:
//
// - A pair of tokens `a b` is *compatible* when merging the bytes of `a` followed by those of `b`
//   gives exactly `a b`. The merges inside a token depend only on its own bytes and on where its
//   neighbours end, so in the encoding of any text every adjacent pair is compatible (and the first
//   token is its own encoding); conversely the encoding is the one token sequence with that
//   property. Long pieces are held to tiktoken's loop by the tests, both engines.
// - So every prefix of a text has exactly one such sequence, and they form a prefix-closed family:
//   a depth-first search that extends a sequence with the longest compatible token first, and
//   backs up when none fits, finds the encoding. A position the search backs out of can never be
//   continued from (the sequence that reaches it is the only one), so it is marked and never
//   entered again: each position is entered and left at most once.
//
// Compatibility of a pair is worked out with the short loop on at most two tokens' bytes, and
// memoised (bounded).

import type { Watch } from './stop.js';

const NO_RANK = -1;

/** Pieces up to this many bytes merge with tiktoken's loop; longer ones are searched for. */
export const SHORT_PIECE = 64;

/** Bound on the memo of pair compatibility (entries; a few MB at most). */
const PAIR_MEMO_LIMIT = 1 << 17;

/** The tokens as a trie in flat arrays: node k's children are `edgeByte`/`edgeNode[first[k]..first[k + 1]]`. */
interface Trie {
  first: Int32Array;
  rank: Int32Array;
  edgeByte: Uint8Array;
  edgeNode: Int32Array;
}

/** An encoding's tokens: bytes → rank, rank → bytes, and (built on the first long piece) a trie. */
export class Vocab {
  private readonly tokens: string[] = [];
  private trie: Trie | undefined;

  constructor(readonly ranks: Map<string, number>) {
    for (const [bytes, rank] of ranks) this.tokens[rank] = bytes;
  }

  rank(bytes: string): number {
    return this.ranks.get(bytes) ?? NO_RANK;
  }

  token(rank: number): string {
    return this.tokens[rank] ?? '';
  }

  /** The tokens `text` starts with at `from`, shortest first, into `out`. */
  prefixes(text: string, from: number, out: number[]): void {
    out.length = 0;
    const trie = (this.trie ??= buildTrie(this.tokens));
    let node = 0;
    for (let i = from; i < text.length; i++) {
      const b = text.charCodeAt(i);
      const lo = trie.first[node]!;
      const hi = trie.first[node + 1]!;
      let k = -1;
      if (node === 0 && hi - lo === 256) k = lo + b;
      else {
        for (let e = lo; e < hi; e++) {
          if (trie.edgeByte[e] === b) {
            k = e;
            break;
          }
        }
      }
      if (k < 0) break;
      node = trie.edgeNode[k]!;
      const r = trie.rank[node]!;
      if (r !== NO_RANK) out.push(r);
    }
  }
}

function buildTrie(tokens: readonly string[]): Trie {
  const sorted: number[] = [];
  tokens.forEach((t, r) => {
    if (t.length > 0) sorted.push(r);
  });
  sorted.sort((x, y) => (tokens[x]! < tokens[y]! ? -1 : tokens[x]! > tokens[y]! ? 1 : 0));
  const first: number[] = [0];
  const rank: number[] = [];
  const edgeByte: number[] = [];
  const edgeNode: number[] = [];
  // Nodes are numbered in the order they are made; each is (sorted range, depth), and its
  // children's edges are laid down together when it is taken from the queue.
  const queue: number[] = [0, sorted.length, 0];
  let made = 1;
  for (let q = 0; q < queue.length; q += 3) {
    let lo = queue[q]!;
    const hi = queue[q + 1]!;
    const depth = queue[q + 2]!;
    let r = NO_RANK;
    if (lo < hi && tokens[sorted[lo]!]!.length === depth) r = sorted[lo++]!;
    rank.push(r);
    while (lo < hi) {
      const b = tokens[sorted[lo]!]!.charCodeAt(depth);
      let end = lo + 1;
      while (end < hi && tokens[sorted[end]!]!.charCodeAt(depth) === b) end++;
      edgeByte.push(b);
      edgeNode.push(made++);
      queue.push(lo, end, depth + 1);
      lo = end;
    }
    first.push(edgeByte.length);
  }
  return { first: Int32Array.from(first), rank: Int32Array.from(rank), edgeByte: Uint8Array.from(edgeByte), edgeNode: Int32Array.from(edgeNode) };
}

/**
 * tiktoken's merge loop, repeatedly merging the lowest-ranked adjacent pair (leftmost first):
 * where each part of the merged `bytes` begins, then their end.
 */
function merge(bytes: string, vocab: Vocab): number[] {
  const starts: number[] = [];
  for (let i = 0; i <= bytes.length; i++) starts.push(i);
  const pairRank = (k: number): number =>
    k + 2 < starts.length ? vocab.rank(bytes.slice(starts[k]!, starts[k + 2]!)) : NO_RANK;
  const pr: number[] = [];
  for (let k = 0; k < starts.length - 1; k++) pr.push(pairRank(k));
  for (;;) {
    let best = NO_RANK;
    let at = -1;
    for (let k = 0; k < pr.length - 1; k++) {
      const r = pr[k]!;
      if (r !== NO_RANK && (best === NO_RANK || r < best)) {
        best = r;
        at = k;
      }
    }
    if (at < 0) break;
    starts.splice(at + 1, 1);
    pr.splice(at + 1, 1);
    pr[at] = pairRank(at);
    if (at > 0) pr[at - 1] = pairRank(at - 1);
  }
  return starts;
}

/** Merging state: the memo of which token pairs are compatible (`a === NO_RANK` asks whether `b` is its own encoding). */
export class Merger {
  private readonly pairs = new Map<number, boolean>();

  constructor(private readonly vocab: Vocab) {}

  /** Number of tokens a non-empty piece of at most SHORT_PIECE bytes encodes to. */
  countShort(bytes: string): number {
    if (this.vocab.rank(bytes) !== NO_RANK) return 1;
    return merge(bytes, this.vocab).length - 1;
  }

  private compatible(a: number, b: number): boolean {
    const key = (a + 1) * 0x40000 + b;
    const known = this.pairs.get(key);
    if (known !== undefined) return known;
    const left = a === NO_RANK ? '' : this.vocab.token(a);
    const starts = merge(left + this.vocab.token(b), this.vocab);
    const fits = a === NO_RANK ? starts.length === 2 : starts.length === 3 && starts[1] === left.length;
    if (this.pairs.size >= PAIR_MEMO_LIMIT) this.pairs.clear();
    this.pairs.set(key, fits);
    return fits;
  }

  /**
   * Number of tokens a piece longer than SHORT_PIECE encodes to: the search described above.
   * Memory: the marks (a bit per byte) and the sequence being built (one number a token).
   */
  countLong(bytes: string, watch: Watch): number {
    const vocab = this.vocab;
    const n = bytes.length;
    const dead = new Uint32Array((n >>> 5) + 1);
    const tokens: number[] = [];
    const candidates: number[] = [];
    let pos = 0;
    // Tokens tried at `pos` must be shorter than this (after backing out of a longer one).
    let shorterThan = Infinity;
    for (;;) {
      watch.tick(16);
      vocab.prefixes(bytes, pos, candidates);
      const last = tokens.length === 0 ? NO_RANK : tokens[tokens.length - 1]!;
      let next = NO_RANK;
      for (let c = candidates.length - 1; c >= 0; c--) {
        const t = candidates[c]!;
        const end = pos + vocab.token(t).length;
        if (end - pos >= shorterThan || (dead[end >>> 5]! >>> (end & 31)) & 1) continue;
        if (this.compatible(last, t)) {
          next = t;
          break;
        }
      }
      if (next !== NO_RANK) {
        tokens.push(next);
        pos += vocab.token(next).length;
        shorterThan = Infinity;
        if (pos === n) return tokens.length;
        continue;
      }
      dead[pos >>> 5]! |= 1 << (pos & 31);
      const t = tokens.pop();
      // Unreachable while the encoding is a BPE vocabulary (every byte is a token); the loop
      // itself is the definition, so fall back to it rather than fail.
      if (t === undefined) return merge(bytes, vocab).length - 1;
      shorterThan = vocab.token(t).length;
      pos -= shorterThan;
    }
  }
}
