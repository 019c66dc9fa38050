//! Byte-pair merging of one piece (twin of the JS engine's `merge.ts`): how many tokens a piece
//! encodes to, exactly as tiktoken merges it.
//!
//! Short pieces (nearly all of real text) use tiktoken's own loop: merge the lowest-ranked adjacent
//! pair, leftmost on ties, until none is left. That loop is quadratic, and so is any way of running
//! the merges one by one on a long run of one character once its working set leaves the CPU cache.
//! Long pieces are therefore not merged but searched for, in time and memory linear in their length:
//!
//! - A pair of tokens `a b` is *compatible* when merging the bytes of `a` followed by those of `b`
//!   gives exactly `a b`. The merges inside a token depend only on its own bytes and on where its
//!   neighbours end, so in the encoding of any text every adjacent pair is compatible (and the
//!   first token is its own encoding); conversely the encoding is the one token sequence with that
//!   property. Long pieces are held to tiktoken's loop by the tests, both engines.
//! - So every prefix of a text has exactly one such sequence, and it is a prefix-closed family: a
//!   depth-first search that extends a sequence with the longest compatible token first, and backs
//!   up when none fits, finds the encoding. A position the search backs out of can never be
//!   continued from (the sequence that reaches it is the only one), so it is marked and never
//!   entered again: each position is entered and left at most once.
//!
//! Compatibility of a pair is worked out with the short loop on at most two tokens' bytes, and
//! memoised per thread (bounded).

use std::collections::HashMap;
use std::sync::OnceLock;

use rustc_hash::FxBuildHasher;

use crate::stop::{Stopped, Watch};

pub(crate) const NO_RANK: u32 = u32::MAX;

/// Pieces up to this many bytes merge with tiktoken's loop; longer ones are searched for.
pub(crate) const SHORT_PIECE: usize = 64;

/// Bound on a thread's memo of pair compatibility (16 bytes an entry: ~2 MB at most).
const PAIR_MEMO_LIMIT: usize = 1 << 17;

/// An encoding's tokens: bytes → rank, rank → bytes, and (built on the first long piece) a trie
/// of them, for finding every token a text starts with.
pub(crate) struct Vocab {
    ranks: HashMap<&'static [u8], u32, FxBuildHasher>,
    tokens: Vec<&'static [u8]>,
    trie: OnceLock<Trie>,
}

/// The tokens as a trie in flat arrays (~12 MB for o200k_base): node `k`'s children are
/// `edge_byte`/`edge_node[first[k]..first[k + 1]]`, in byte order; the root (node 0) has all 256.
struct Trie {
    first: Vec<u32>,
    rank: Vec<u32>,
    edge_byte: Vec<u8>,
    edge_node: Vec<u32>,
}

impl Trie {
    fn new(tokens: &[&'static [u8]]) -> Trie {
        let mut sorted: Vec<u32> = (0..tokens.len() as u32).collect();
        sorted.sort_unstable_by_key(|&t| tokens[t as usize]);
        let mut trie = Trie {
            first: vec![0],
            rank: Vec::new(),
            edge_byte: Vec::new(),
            edge_node: Vec::new(),
        };
        // Nodes are numbered in the order they are made; each is (sorted range, depth), and its
        // children's edges are laid down together when it is taken from the queue.
        let mut queue = std::collections::VecDeque::from([(0usize, sorted.len(), 0usize)]);
        let mut made = 1u32;
        while let Some((mut lo, hi, depth)) = queue.pop_front() {
            let mut rank = NO_RANK;
            if lo < hi && tokens[sorted[lo] as usize].len() == depth {
                rank = sorted[lo];
                lo += 1;
            }
            trie.rank.push(rank);
            while lo < hi {
                let b = tokens[sorted[lo] as usize][depth];
                let end = lo + sorted[lo..hi].partition_point(|&t| tokens[t as usize][depth] <= b);
                trie.edge_byte.push(b);
                trie.edge_node.push(made);
                made += 1;
                queue.push_back((lo, end, depth + 1));
                lo = end;
            }
            trie.first.push(trie.edge_byte.len() as u32);
        }
        trie
    }

    #[inline]
    fn child(&self, node: usize, b: u8) -> Option<usize> {
        let (from, to) = (self.first[node] as usize, self.first[node + 1] as usize);
        let bytes = &self.edge_byte[from..to];
        let k = if node == 0 && bytes.len() == 256 {
            b as usize
        } else {
            bytes.iter().position(|&x| x == b)?
        };
        Some(self.edge_node[from + k] as usize)
    }
}

impl Vocab {
    /// From the table build.rs compiles in: one length byte, then the bytes, for rank 0, 1, 2, …
    pub(crate) fn parse(table: &'static [u8]) -> Vocab {
        let mut ranks = HashMap::with_capacity_and_hasher(200_000, FxBuildHasher);
        let mut tokens = Vec::with_capacity(200_000);
        let mut i = 0;
        while i < table.len() {
            let len = table[i] as usize;
            let bytes = &table[i + 1..i + 1 + len];
            ranks.insert(bytes, tokens.len() as u32);
            tokens.push(bytes);
            i += 1 + len;
        }
        Vocab {
            ranks,
            tokens,
            trie: OnceLock::new(),
        }
    }

    #[inline]
    pub(crate) fn rank(&self, bytes: &[u8]) -> u32 {
        self.ranks.get(bytes).copied().unwrap_or(NO_RANK)
    }

    /// The tokens `text` starts with, shortest first, into `out`.
    fn prefixes(&self, text: &[u8], out: &mut Vec<u32>) {
        out.clear();
        let trie = self.trie.get_or_init(|| Trie::new(&self.tokens));
        let mut node = 0;
        for &b in text {
            let Some(next) = trie.child(node, b) else {
                break;
            };
            node = next;
            if trie.rank[node] != NO_RANK {
                out.push(trie.rank[node]);
            }
        }
    }
}

/// A thread's merging state: the memo of which token pairs are compatible (keyed `a << 32 | b`;
/// `a == NO_RANK` asks whether `b` is its own encoding) and scratch space for the merge loop.
#[derive(Default)]
pub(crate) struct Merger {
    pairs: HashMap<u64, bool, FxBuildHasher>,
    bytes: Vec<u8>,
    starts: Vec<usize>,
    pair_ranks: Vec<u32>,
}

/// tiktoken's merge loop, repeatedly merging the lowest-ranked adjacent pair (leftmost first):
/// where each part of the merged `bytes` begins, then their end, into `starts`.
fn merge(bytes: &[u8], vocab: &Vocab, starts: &mut Vec<usize>, pr: &mut Vec<u32>) {
    starts.clear();
    starts.extend(0..=bytes.len());
    let pair_rank = |starts: &[usize], k: usize| {
        if k + 2 < starts.len() {
            vocab.rank(&bytes[starts[k]..starts[k + 2]])
        } else {
            NO_RANK
        }
    };
    pr.clear();
    pr.extend((0..starts.len() - 1).map(|k| pair_rank(starts, k)));
    loop {
        let mut best = NO_RANK;
        let mut at = usize::MAX;
        for (k, &r) in pr.iter().enumerate().take(pr.len().saturating_sub(1)) {
            if r < best {
                best = r;
                at = k;
            }
        }
        if at == usize::MAX {
            break;
        }
        starts.remove(at + 1);
        pr.remove(at + 1);
        pr[at] = pair_rank(starts, at);
        if at > 0 {
            pr[at - 1] = pair_rank(starts, at - 1);
        }
    }
}

impl Merger {
    /// Number of tokens a non-empty piece of at most `SHORT_PIECE` bytes encodes to.
    pub(crate) fn count_short(&mut self, bytes: &[u8], vocab: &Vocab) -> usize {
        if vocab.rank(bytes) != NO_RANK {
            return 1;
        }
        merge(bytes, vocab, &mut self.starts, &mut self.pair_ranks);
        self.starts.len() - 1
    }

    fn compatible(&mut self, vocab: &Vocab, a: u32, b: u32) -> bool {
        let key = (u64::from(a) << 32) | u64::from(b);
        if let Some(&known) = self.pairs.get(&key) {
            return known;
        }
        self.bytes.clear();
        if a != NO_RANK {
            self.bytes.extend_from_slice(vocab.tokens[a as usize]);
        }
        let split = self.bytes.len();
        self.bytes.extend_from_slice(vocab.tokens[b as usize]);
        merge(&self.bytes, vocab, &mut self.starts, &mut self.pair_ranks);
        let fits = if a == NO_RANK {
            self.starts.len() == 2
        } else {
            self.starts.len() == 3 && self.starts[1] == split
        };
        if self.pairs.len() >= PAIR_MEMO_LIMIT {
            self.pairs.clear();
        }
        self.pairs.insert(key, fits);
        fits
    }

    /// Number of tokens a piece longer than `SHORT_PIECE` encodes to: the search described
    /// above. Memory: the marks (a bit per byte) and the sequence being built (4 bytes a token).
    pub(crate) fn count_long(
        &mut self,
        bytes: &[u8],
        vocab: &Vocab,
        watch: &mut Watch<'_>,
    ) -> Result<usize, Stopped> {
        let n = bytes.len();
        let mut dead = vec![0u64; n / 64 + 1];
        let is_dead = |dead: &[u64], p: usize| dead[p / 64] >> (p % 64) & 1 == 1;
        let mut tokens: Vec<u32> = Vec::new();
        let mut candidates = Vec::new();
        let mut pos = 0;
        // Tokens tried at `pos` must be shorter than this (after backing out of a longer one).
        let mut shorter_than = usize::MAX;
        loop {
            watch.tick(16)?;
            vocab.prefixes(&bytes[pos..], &mut candidates);
            let last = tokens.last().copied().unwrap_or(NO_RANK);
            let next = candidates.iter().rev().copied().find(|&t| {
                let len = vocab.tokens[t as usize].len();
                len < shorter_than && !is_dead(&dead, pos + len) && self.compatible(vocab, last, t)
            });
            if let Some(t) = next {
                tokens.push(t);
                pos += vocab.tokens[t as usize].len();
                shorter_than = usize::MAX;
                if pos == n {
                    return Ok(tokens.len());
                }
                continue;
            }
            dead[pos / 64] |= 1 << (pos % 64);
            let Some(t) = tokens.pop() else {
                // Unreachable while the encoding is a BPE vocabulary (every byte is a token);
                // the loop itself is the definition, so fall back to it rather than fail.
                merge(bytes, vocab, &mut self.starts, &mut self.pair_ranks);
                return Ok(self.starts.len() - 1);
            };
            shorter_than = vocab.tokens[t as usize].len();
            pos -= shorter_than;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stop::Stop;
    use crate::tokens::Encoding;

    /// A deterministic xorshift stream, so the generated pieces are the same every run.
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    fn reference(bytes: &[u8], vocab: &Vocab) -> usize {
        let (mut starts, mut pr) = (Vec::new(), Vec::new());
        merge(bytes, vocab, &mut starts, &mut pr);
        starts.len() - 1
    }

    /// Long pieces of the kinds text makes (runs of one character, words of a few letters, CJK,
    /// punctuation) and some it cannot (random bytes): the search counts what tiktoken's loop does.
    #[test]
    fn the_search_counts_what_the_loop_merges() {
        let alphabets: [&[&str]; 9] = [
            &["a"],
            &[" "],
            &["\n"],
            &["["],
            &["a", "b"],
            &["A", "a", "B"],
            &["的", "是", "了", "中", "国"],
            &["{", "[", "\"", ":", ",", "}", "]", "="],
            &["e", "t", "a", "o", "i", "n", "s", "h", "r", "d", "l", "u"],
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for enc in Encoding::ALL {
            let vocab = enc.vocab_for_tests();
            let mut merger = Merger::default();
            for alphabet in alphabets {
                for _ in 0..40 {
                    let len = SHORT_PIECE + 1 + rng.below(400);
                    let mut piece = String::new();
                    while piece.len() < len {
                        piece.push_str(alphabet[rng.below(alphabet.len())]);
                    }
                    let want = reference(piece.as_bytes(), vocab);
                    let got = merger.count_long(piece.as_bytes(), vocab, &mut Stop::NEVER.watch());
                    assert_eq!(got, Ok(want), "{enc} {piece:?}");
                }
            }
            for _ in 0..200 {
                let bytes: Vec<u8> = (0..SHORT_PIECE + 1 + rng.below(200))
                    .map(|_| [0x20, 0x61, 0xe4, 0xb8, 0x80, 0xff][rng.below(6)])
                    .collect();
                let want = reference(&bytes, vocab);
                let got = merger.count_long(&bytes, vocab, &mut Stop::NEVER.watch());
                assert_eq!(got, Ok(want), "{enc} {bytes:?}");
            }
        }
    }

    #[test]
    fn prefixes_are_every_token_the_text_starts_with() {
        let vocab = Encoding::O200kBase.vocab_for_tests();
        let text = b"interestingly";
        let mut out = Vec::new();
        vocab.prefixes(text, &mut out);
        let want: Vec<u32> = (1..=text.len())
            .map(|k| vocab.rank(&text[..k]))
            .filter(|&r| r != NO_RANK)
            .collect();
        assert_eq!(out, want);
        assert!(out.len() >= 3);
    }
}
