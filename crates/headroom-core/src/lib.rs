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

/// The default options with `max_block_tokens` set: what the compressors' unit tests run with.
#[cfg(test)]
pub(crate) fn test_options(max_block_tokens: Option<usize>) -> BlockOptions {
    BlockOptions {
        max_block_tokens,
        ..BlockOptions::default()
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
    /// The content's exact token count, when the compressor has already made it.
    pub tokens: Option<usize>,
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

/// Compresses many blocks in one call, so a binding crosses into Rust once per request.
pub fn compress_blocks(inputs: &[(&str, &BlockOptions)]) -> Vec<BlockResult> {
    inputs
        .iter()
        .map(|(content, options)| compress_block(content, options))
        .collect()
}
