//! Exact token counting for OpenAI's o200k_base and cl100k_base encodings (twin of the JS
//! engine's tokens.ts).
//!
//! Text is split by our own pre-tokenizer (`pretokenize.rs`, tiktoken's pattern walked by hand)
//! and each piece is merged with OpenAI's published ranks (`data/`, compiled in by build.rs).
//! tiktoken's merge loop rescans the whole piece after every merge, quadratic on long runs of one
//! character; long pieces here merge through a heap keyed by (rank, start), which picks the same
//! pair tiktoken picks (lowest rank, leftmost on ties) in O(n log n). Special-token text such as
//! `<|endoftext|>` is plain text here. Real text repeats its pieces, so counts are memoised per
//! thread and piece (bounded).

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::fmt;
use std::sync::LazyLock;

use rustc_hash::FxBuildHasher;

use crate::pretokenize::Pretokenizer;

/// A BPE encoding headroom can count exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    O200kBase,
    Cl100kBase,
}

impl Encoding {
    pub const ALL: [Encoding; 2] = [Encoding::O200kBase, Encoding::Cl100kBase];

    pub fn name(self) -> &'static str {
        match self {
            Encoding::O200kBase => "o200k_base",
            Encoding::Cl100kBase => "cl100k_base",
        }
    }

    pub fn from_name(name: &str) -> Option<Encoding> {
        Encoding::ALL.into_iter().find(|e| e.name() == name)
    }

    fn ranks(self) -> &'static Ranks {
        match self {
            Encoding::O200kBase => &O200K_BASE,
            Encoding::Cl100kBase => &CL100K_BASE,
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Token bytes → rank, keyed into the table build.rs compiled in (one length byte, then the bytes,
/// for rank 0, 1, 2, …).
struct Ranks(HashMap<&'static [u8], u32, FxBuildHasher>);

impl Ranks {
    fn parse(table: &'static [u8]) -> Ranks {
        let mut map = HashMap::with_capacity_and_hasher(200_000, FxBuildHasher);
        let mut i = 0;
        while i < table.len() {
            let len = table[i] as usize;
            map.insert(&table[i + 1..i + 1 + len], map.len() as u32);
            i += 1 + len;
        }
        Ranks(map)
    }

    #[inline]
    fn get(&self, bytes: &[u8]) -> u32 {
        self.0.get(bytes).copied().unwrap_or(NO_RANK)
    }
}

static O200K_BASE: LazyLock<Ranks> = LazyLock::new(|| {
    Ranks::parse(include_bytes!(concat!(
        env!("OUT_DIR"),
        "/o200k_base.ranks"
    )))
});
static CL100K_BASE: LazyLock<Ranks> = LazyLock::new(|| {
    Ranks::parse(include_bytes!(concat!(
        env!("OUT_DIR"),
        "/cl100k_base.ranks"
    )))
});

const NO_RANK: u32 = u32::MAX;
/// Pieces longer than this merge through the heap; shorter ones use tiktoken's own loop.
const HEAP_THRESHOLD: usize = 64;

/// Bound on each thread's memo of piece → token count (cleared when full).
const PIECE_CACHE_LIMIT: usize = 50_000;

type PieceCache = HashMap<String, u32, FxBuildHasher>;

thread_local! {
    static PIECE_CACHES: RefCell<[PieceCache; 2]> = RefCell::new(Default::default());
}

/// Number of tokens `text` encodes to, equal to tiktoken's `encode_ordinary(text).len()`.
pub fn count_tokens(text: &str, encoding: Encoding) -> usize {
    if text.is_empty() {
        return 0;
    }
    let ranks = encoding.ranks();
    let pre = Pretokenizer::new(text, encoding == Encoding::O200kBase);
    PIECE_CACHES.with_borrow_mut(|caches| {
        let cache = &mut caches[encoding as usize];
        let mut total = 0;
        let mut i = 0;
        while i < text.len() {
            let end = pre.next(i);
            let piece = &text[i..end];
            total += match cache.get(piece) {
                Some(&n) => n as usize,
                None => {
                    let n = count_piece(piece.as_bytes(), ranks);
                    if cache.len() >= PIECE_CACHE_LIMIT {
                        cache.clear();
                    }
                    cache.insert(piece.to_owned(), n as u32);
                    n
                }
            };
            i = end;
        }
        total
    })
}

fn count_piece(bytes: &[u8], ranks: &Ranks) -> usize {
    if ranks.get(bytes) != NO_RANK {
        1
    } else if bytes.len() <= HEAP_THRESHOLD {
        merge_short(bytes, ranks)
    } else {
        merge_long(bytes, ranks)
    }
}

/// tiktoken's merge loop: repeatedly merge the lowest-ranked adjacent pair, leftmost first.
fn merge_short(bytes: &[u8], ranks: &Ranks) -> usize {
    // starts[k] is where part k begins; parts end where the next begins.
    let mut starts: Vec<usize> = (0..=bytes.len()).collect();
    let pair_rank = |starts: &[usize], k: usize| {
        if k + 2 < starts.len() {
            ranks.get(&bytes[starts[k]..starts[k + 2]])
        } else {
            NO_RANK
        }
    };
    let mut pr: Vec<u32> = (0..starts.len() - 1)
        .map(|k| pair_rank(&starts, k))
        .collect();
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
        pr[at] = pair_rank(&starts, at);
        if at > 0 {
            pr[at - 1] = pair_rank(&starts, at - 1);
        }
    }
    starts.len() - 1
}

/// The same merges in O(n log n): a heap of (rank, start) keys with lazy deletion. A popped key is
/// current when the pair now starting at `start` still has that rank; ranks identify byte strings,
/// so a changed pair can never carry the old rank.
fn merge_long(bytes: &[u8], ranks: &Ranks) -> usize {
    const MERGED: usize = usize::MAX;
    let n = bytes.len();
    let mut next: Vec<usize> = (1..=n).collect();
    // prev[i] + 1, so 0 means "no previous part"; MERGED marks a part merged into its left neighbour.
    let mut prev: Vec<usize> = (0..n).collect();
    let end = |next: &[usize], start: usize| if start < n { next[start] } else { n };
    let rank_at = |next: &[usize], start: usize| {
        let mid = next[start];
        if mid >= n {
            NO_RANK
        } else {
            ranks.get(&bytes[start..end(next, mid)])
        }
    };
    let mut heap = BinaryHeap::new();
    let key = |rank: u32, start: usize| Reverse(((rank as u64) << 32) | start as u64);
    for i in 0..n.saturating_sub(1) {
        let r = rank_at(&next, i);
        if r != NO_RANK {
            heap.push(key(r, i));
        }
    }
    let mut parts = n;
    while let Some(Reverse(k)) = heap.pop() {
        let start = (k & 0xffff_ffff) as usize;
        let rank = (k >> 32) as u32;
        if prev[start] == MERGED || rank_at(&next, start) != rank {
            continue;
        }
        let mid = next[start];
        let after = next[mid];
        next[start] = after;
        if after < n {
            prev[after] = start + 1;
        }
        prev[mid] = MERGED;
        parts -= 1;
        let r = rank_at(&next, start);
        if r != NO_RANK {
            heap.push(key(r, start));
        }
        if prev[start] > 0 {
            let left = prev[start] - 1;
            let r = rank_at(&next, left);
            if r != NO_RANK {
                heap.push(key(r, left));
            }
        }
    }
    parts
}

/// Counts for many texts; one call so a binding crosses into Rust once.
pub fn count_tokens_many<S: AsRef<str>>(texts: &[S], encoding: Encoding) -> Vec<usize> {
    texts
        .iter()
        .map(|t| count_tokens(t.as_ref(), encoding))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_names_round_trip() {
        for e in Encoding::ALL {
            assert_eq!(Encoding::from_name(e.name()), Some(e));
        }
        assert_eq!(Encoding::from_name("p50k_base"), None);
    }

    #[test]
    fn known_counts() {
        // Reference values from tiktoken.
        assert_eq!(count_tokens("", Encoding::O200kBase), 0);
        assert_eq!(count_tokens("hello world", Encoding::O200kBase), 2);
        assert_eq!(count_tokens("hello world", Encoding::Cl100kBase), 2);
        assert_eq!(count_tokens("<|endoftext|>", Encoding::Cl100kBase), 7);
    }

    #[test]
    fn long_single_character_runs_are_linear() {
        let text = "a".repeat(1_000_000);
        let n = count_tokens(&text, Encoding::O200kBase);
        assert!(n > 0 && n < 1_000_000);
    }
}
