//! What a block is and what becomes of it: the kinds, the options, a compressor's proposal and
//! the outcome (twin of `src/engine/types.ts`). Every module may use these; they use nothing but
//! the encoding names.

use crate::tokens::Encoding;

/// The kinds of content headroom tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Json,
    Log,
    Search,
    Diff,
    Code,
    Text,
    /// Data not to be read line by line: base64, hex dumps, minified code, one giant line.
    Opaque,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Json,
        Kind::Log,
        Kind::Search,
        Kind::Diff,
        Kind::Code,
        Kind::Text,
        Kind::Opaque,
    ];

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Json => "json",
            Kind::Log => "log",
            Kind::Search => "search",
            Kind::Diff => "diff",
            Kind::Code => "code",
            Kind::Text => "text",
            Kind::Opaque => "opaque",
        }
    }
}

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
    /// `items`, `lines`, `matches`, `hunks`, `rows`, `bytes`, `files`.
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
