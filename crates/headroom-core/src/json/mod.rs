//! The JSON compressor (twin: `src/engine/js/json/index.ts`).
//!
//! Lossless first: the block becomes the shortest, in tokens, of compact JSON and TOON (the input
//! as given is the third candidate: `compress_block` keeps a proposal only when it is shorter).
//! Only when that is still above `max_block_tokens` does lossy selection drop array items and cut
//! very long strings, leaving markers, and the result goes through the same choice again.

pub mod compact;
pub mod strings;
pub mod tape;
pub mod toon;
pub mod view;

use crate::{count_tokens, BlockOptions, Compressed};
use view::View;

/// The longest token of o200k_base and cl100k_base, in bytes: a text longer than `n` times this
/// has more than `n` tokens, so candidates that large need no exact count to be known too big.
pub const LONGEST_TOKEN_BYTES: usize = 128;

/// True when the whole block is one JSON value.
pub fn is_json(text: &str) -> bool {
    tape::is_json(text)
}

/// The lossless encodings of a document, without token counting: compact JSON, and TOON when it
/// can carry the value exactly.
pub fn lossless(t: &tape::Tape) -> (String, Option<String>) {
    let view = View::new(t, None);
    let compact = compact::write(&view);
    let toon = toon::eligible(t)
        .then(|| toon::write(&view))
        .filter(|s| !s.is_empty());
    (compact, toon)
}

/// A candidate output and its token count (`None` when it is certainly above the budget).
struct Candidate {
    text: String,
    strategy: &'static str,
    tokens: Option<usize>,
}

pub fn compress(content: &str, options: &BlockOptions) -> Option<Compressed> {
    let t = tape::parse(content)?;
    let (compact, toon) = lossless(&t);
    let limit = options.max_block_tokens;
    let count = |text: &str| match limit {
        Some(m) if text.len() > m.saturating_mul(LONGEST_TOKEN_BYTES) => None,
        _ => Some(count_tokens(text, options.encoding)),
    };
    let mut candidates: Vec<Candidate> = Vec::new();
    for (text, strategy) in [(Some(compact), "json:compact"), (toon, "json:toon")] {
        let Some(text) = text.filter(|s| s != content) else {
            continue;
        };
        let tokens = count(&text);
        candidates.push(Candidate {
            text,
            strategy,
            tokens,
        });
    }
    // The shortest counted candidate; ties keep the earlier (compact).
    let best = candidates
        .iter()
        .enumerate()
        .filter_map(|(k, c)| c.tokens.map(|n| (n, k)))
        .min()
        .map(|(_, k)| k);
    let within = |c: &Candidate| match (c.tokens, limit) {
        (Some(n), Some(m)) => n <= m,
        (Some(_), None) => true,
        (None, _) => false,
    };
    if let Some(k) = best.filter(|&k| within(&candidates[k])) {
        let c = candidates.swap_remove(k);
        return Some(Compressed {
            content: c.text,
            strategy: c.strategy.to_string(),
            omitted: Vec::new(),
        });
    }
    // Every lossless candidate is above the budget: unless the input itself fits, go lossy.
    if let (Some(m), Some(n)) = (limit, count(content)) {
        if n <= m {
            return None;
        }
    }
    // Lossy selection comes next; until then the shortest lossless candidate is proposed.
    let k = best?;
    let c = candidates.swap_remove(k);
    Some(Compressed {
        content: c.text,
        strategy: c.strategy.to_string(),
        omitted: Vec::new(),
    })
}
