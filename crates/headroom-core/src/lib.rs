//! headroom-core: token counting, content detection and the compressors behind headroom.
//! Pure Rust; the napi binding lives in `headroom-node` and the JS engine (`src/engine/js`)
//! mirrors this crate module for module with byte-identical output.
#![deny(clippy::all)]

pub mod batch;
pub mod block;
pub mod budget;
pub mod detect;
pub mod diff;
pub mod json;
pub mod lines;
pub mod log;
pub mod marker;
mod pretokenize;
pub mod query;
pub mod search;
pub mod signal;
pub mod stats;
pub mod tokens;

pub use block::{BlockOptions, BlockResult, Compressed, Kind, Omission};
pub use detect::detect;
pub use tokens::{count_tokens, count_tokens_many, Encoding};

/// Version of the compression algorithm. Output bytes may change only when this changes; the JS
/// engine carries the same number and the loader refuses a native binary that disagrees.
pub const ALGORITHM_VERSION: u32 = 1;

/// Compresses one block of tool output. Never inflates: the result replaces the block only when
/// its token count strictly drops.
pub fn compress_block(content: &str, options: &BlockOptions) -> BlockResult {
    let tokens_before = count_tokens(content, options.encoding);
    // A block that may be compressed is parsed as JSON once, for detection and compression both.
    let try_json = tokens_before >= options.min_tokens && !options.disabled.contains(&Kind::Json);
    let tape = if try_json {
        json::tape::parse(content)
    } else {
        None
    };
    let kind = match (&tape, try_json) {
        (Some(_), _) => Kind::Json,
        (None, true) => detect::detect_lines(content),
        (None, false) => detect(content),
    };
    let untouched = BlockResult {
        content: None,
        kind,
        tokens_before,
        tokens_after: tokens_before,
        strategy: String::from("none"),
        omitted: Vec::new(),
    };
    if tokens_before < options.min_tokens {
        return untouched;
    }
    if options.disabled.contains(&kind) {
        return untouched;
    }
    let proposal = match kind {
        Kind::Json => tape.and_then(|t| json::compress(content, &t, options)),
        Kind::Log => log::compress(content, options),
        Kind::Search => search::compress(content, options),
        Kind::Diff => diff::compress(content, options),
        Kind::Code | Kind::Text => None,
    };
    let Some(proposal) = proposal else {
        return untouched;
    };
    let tokens_after = proposal
        .tokens
        .unwrap_or_else(|| count_tokens(&proposal.content, options.encoding));
    if tokens_after >= tokens_before {
        return untouched;
    }
    BlockResult {
        content: Some(proposal.content),
        kind,
        tokens_before,
        tokens_after,
        strategy: proposal.strategy,
        omitted: proposal.omitted,
    }
}
