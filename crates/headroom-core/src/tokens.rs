//! Exact token counting for OpenAI's o200k_base and cl100k_base encodings (twin of the JS
//! engine's tokens.ts).
//!
//! Text is split by our own pre-tokenizer (`pretokenize.rs`, tiktoken's pattern walked by hand)
//! and each piece is merged with OpenAI's published ranks (`data/`, compiled in by build.rs).
//! Long pieces are counted in linear time and memory (`merge.rs`), so counting is linear in the
//! text however it is made. Special-token text such as `<|endoftext|>` is plain text here. Real
//! text repeats its pieces, so counts of short pieces are memoised per thread (bounded by bytes,
//! keys copied: nothing of the caller's text is held).

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use rustc_hash::FxBuildHasher;

use crate::merge::{Merger, Vocab, SHORT_PIECE};
use crate::pretokenize::Pretokenizer;
use crate::stop::{self, Stop, Stopped, Watch, WATCH_UNITS};

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

    #[cfg(test)]
    pub(crate) fn vocab_for_tests(self) -> &'static Vocab {
        self.vocab()
    }

    fn vocab(self) -> &'static Vocab {
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

static O200K_BASE: LazyLock<Vocab> = LazyLock::new(|| {
    Vocab::parse(include_bytes!(concat!(
        env!("OUT_DIR"),
        "/o200k_base.ranks"
    )))
});
static CL100K_BASE: LazyLock<Vocab> = LazyLock::new(|| {
    Vocab::parse(include_bytes!(concat!(
        env!("OUT_DIR"),
        "/cl100k_base.ranks"
    )))
});

/// Bound on the bytes each thread's memo of piece → token count holds (cleared when full): keys
/// plus a fixed cost per entry. Only short pieces are remembered: a long one is counted in linear
/// time anyway, and holding it would cost its whole length.
const PIECE_MEMO_BYTES: usize = 4 << 20;
const PIECE_ENTRY_COST: usize = 48;

#[derive(Default)]
struct Memo {
    pieces: HashMap<Box<str>, u32, FxBuildHasher>,
    bytes: usize,
    merger: Merger,
}

thread_local! {
    static MEMOS: RefCell<[Memo; 2]> = RefCell::new(Default::default());
}

/// Number of tokens `text` encodes to, equal to tiktoken's `encode_ordinary(text).len()`.
/// Inside a compressor (a `stop::within`), the count looks at the compressor's stop too.
pub fn count_tokens(text: &str, encoding: Encoding) -> usize {
    if text.len() <= WATCH_UNITS {
        stop::poll(text.len());
        return count_tokens_until(text, encoding, &Stop::NEVER).unwrap_or(0);
    }
    match count_tokens_until(text, encoding, &stop::current()) {
        Ok(n) => n,
        Err(Stopped) => stop::stopped(),
    }
}

/// `count_tokens`, giving up with `Stopped` once `stop` is reached (looked at every few
/// milliseconds of work at most, inside long pieces too).
pub fn count_tokens_until(text: &str, encoding: Encoding, stop: &Stop) -> Result<usize, Stopped> {
    count_tokens_watched(text, encoding, &mut stop.watch())
}

/// `count_tokens` for a compressor that already has a `Watch` running.
pub fn count_tokens_watched(
    text: &str,
    encoding: Encoding,
    watch: &mut Watch<'_>,
) -> Result<usize, Stopped> {
    if text.is_empty() {
        return Ok(0);
    }
    let vocab = encoding.vocab();
    let pre = Pretokenizer::new(text, encoding == Encoding::O200kBase);
    MEMOS.with_borrow_mut(|memos| {
        let memo = &mut memos[encoding as usize];
        let mut total = 0;
        let mut i = 0;
        while i < text.len() {
            let end = pre.next(i);
            let piece = &text[i..end];
            watch.tick(piece.len())?;
            total += if piece.len() > SHORT_PIECE {
                memo.merger.count_long(piece.as_bytes(), vocab, watch)?
            } else if let Some(&n) = memo.pieces.get(piece) {
                n as usize
            } else {
                let n = memo.merger.count_short(piece.as_bytes(), vocab);
                if memo.bytes >= PIECE_MEMO_BYTES {
                    memo.pieces.clear();
                    memo.bytes = 0;
                }
                memo.bytes += piece.len() + PIECE_ENTRY_COST;
                memo.pieces.insert(piece.into(), n as u32);
                n
            };
            i = end;
        }
        Ok(total)
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
    fn long_single_character_runs() {
        // tiktoken: a run of `a` is `aaaaaaaa` tokens.
        assert_eq!(
            count_tokens(&"a".repeat(1_000_000), Encoding::O200kBase),
            125_000
        );
    }

    #[test]
    fn a_stop_is_seen_inside_one_long_piece() {
        use std::sync::atomic::AtomicBool;
        use std::sync::Arc;
        let raised = Stop {
            deadline: None,
            cancel: Some(Arc::new(AtomicBool::new(true))),
        };
        let run = "a".repeat(1 << 20);
        assert_eq!(
            count_tokens_until(&run, Encoding::O200kBase, &raised),
            Err(Stopped)
        );
        assert_eq!(
            count_tokens_until("short", Encoding::O200kBase, &raised),
            Ok(1)
        );
        assert_eq!(
            count_tokens_until(&run, Encoding::O200kBase, &Stop::NEVER),
            Ok(1 << 17)
        );
    }
}
