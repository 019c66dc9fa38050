//! headroom-core: token counting, content detection and the compressors behind headroom.
//! Pure Rust; the napi binding lives in `headroom-node` and the JS engine (`src/engine/js`)
//! mirrors this crate module for module with byte-identical output.
#![deny(clippy::all)]

pub mod budget;
pub mod detect;
pub mod diff;
pub mod json;
pub mod lines;
pub mod log;
pub mod marker;
mod pretokenize;
pub mod search;
pub mod select;
pub mod stats;
pub mod tokens;

pub use detect::{detect, Kind};
pub use tokens::{count_tokens, count_tokens_many, Encoding};

/// Version of the compression algorithm. Output bytes may change only when this changes; the JS
/// engine carries the same number and the loader refuses a native binary that disagrees.
pub const ALGORITHM_VERSION: u32 = 1;

/// How one block is compressed.
#[derive(Clone, Debug)]
pub struct BlockOptions {
    pub encoding: Encoding,
    /// The block's stable relevance query (the producing tool call and the user turn before it).
    pub query: String,
    /// Blocks with fewer tokens pass through untouched.
    pub min_tokens: usize,
    /// Above this many tokens (after lossless encoding) lossy selection may apply; `None` means
    /// lossless only.
    pub max_block_tokens: Option<usize>,
    /// Kinds whose compressor is switched off: such blocks pass through untouched (still counted).
    pub disabled: Vec<Kind>,
}

impl Default for BlockOptions {
    fn default() -> Self {
        BlockOptions {
            encoding: Encoding::O200kBase,
            query: String::new(),
            min_tokens: 200,
            max_block_tokens: Some(4000),
            disabled: Vec::new(),
        }
    }
}

/// What was left out of a block, in the unit the compressor dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Omission {
    /// `items`, `lines`, `matches`, `hunks`, `rows`, `bytes`.
    pub unit: &'static str,
    pub count: usize,
    pub summary: String,
}

/// A compressor's proposal for a block; `compress_block` keeps it only if it has fewer tokens.
#[derive(Clone, Debug)]
pub struct Compressed {
    pub content: String,
    /// Short stable tag naming what was done, e.g. `json:table`.
    pub strategy: String,
    pub omitted: Vec<Omission>,
}

/// The outcome for one block.
#[derive(Clone, Debug)]
pub struct BlockResult {
    /// The compressed text, or `None` when the block passes through untouched.
    pub content: Option<String>,
    pub kind: Kind,
    pub tokens_before: usize,
    pub tokens_after: usize,
    pub strategy: String,
    pub omitted: Vec<Omission>,
}

impl BlockResult {
    pub fn modified(&self) -> bool {
        self.content.is_some()
    }
}

/// Compresses one block of tool output. Never inflates: the result replaces the block only when
/// its token count strictly drops.
pub fn compress_block(content: &str, options: &BlockOptions) -> BlockResult {
    let tokens_before = count_tokens(content, options.encoding);
    let kind = detect(content);
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
        Kind::Json => json::compress(content, options),
        Kind::Log => log::compress(content, options),
        Kind::Search => search::compress(content, options),
        Kind::Diff => diff::compress(content, options),
        Kind::Code | Kind::Text => None,
    };
    let Some(proposal) = proposal else {
        return untouched;
    };
    let tokens_after = count_tokens(&proposal.content, options.encoding);
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

/// Compresses many blocks in one call, so a binding crosses into Rust once per request.
pub fn compress_blocks(inputs: &[(&str, &BlockOptions)]) -> Vec<BlockResult> {
    inputs
        .iter()
        .map(|(content, options)| compress_block(content, options))
        .collect()
}

/// Compresses blocks in order, asking `stop` before each one; from the first `true` on, the
/// remaining blocks come back `None` (not reached: they pass through untouched). `stop` is where a
/// binding puts its deadline or cancel flag, so this crate reads no clock; with a `stop` that never
/// fires the results equal `compress_blocks`.
pub fn compress_blocks_until(
    inputs: &[(&str, &BlockOptions)],
    stop: &dyn Fn() -> bool,
) -> Vec<Option<BlockResult>> {
    let mut stopped = false;
    inputs
        .iter()
        .map(|(content, options)| {
            stopped = stopped || stop();
            (!stopped).then(|| compress_block(content, options))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn compress_blocks_until_stops_for_good_at_the_first_stop() {
        let options = BlockOptions::default();
        let inputs: Vec<(&str, &BlockOptions)> = ["a", "b", "c", "d"]
            .iter()
            .map(|c| (*c, &options))
            .collect();
        let asked = Cell::new(0);
        // Answers true only on the second question: the third and fourth blocks must stay unreached.
        let stop = || {
            asked.set(asked.get() + 1);
            asked.get() == 2
        };
        let out = compress_blocks_until(&inputs, &stop);
        let reached: Vec<bool> = out.iter().map(Option::is_some).collect();
        assert_eq!(reached, [true, false, false, false]);

        let all = compress_blocks_until(&inputs, &|| false);
        let plain = compress_blocks(&inputs);
        assert_eq!(all.len(), plain.len());
        for (a, b) in all.iter().zip(plain.iter()) {
            let a = a
                .as_ref()
                .map(|r| (r.content.clone(), r.tokens_before, r.tokens_after));
            assert_eq!(
                a,
                Some((b.content.clone(), b.tokens_before, b.tokens_after))
            );
        }
    }
}
