//! Exact token counting for OpenAI's o200k_base and cl100k_base encodings.
//!
//! Text is split by our own pre-tokenizer (`pretokenize.rs`, tiktoken's pattern walked by hand;
//! the JS engine has the same file) and each piece is counted by `bpe-openai`, whose backtracking
//! encoder gives tiktoken's tokens in linear time (tiktoken's own merge loop is quadratic on long
//! runs of one character). Special-token text such as `<|endoftext|>` is plain text here.
//! Real text repeats its pieces, so counts are memoised per thread and piece (bounded).

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

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

    fn bpe(self) -> &'static bpe_openai::byte_pair_encoding::BytePairEncoding {
        match self {
            Encoding::O200kBase => &bpe_openai::o200k_base().bpe,
            Encoding::Cl100kBase => &bpe_openai::cl100k_base().bpe,
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

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
    let bpe = encoding.bpe();
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
                    let n = bpe.count(piece.as_bytes());
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
