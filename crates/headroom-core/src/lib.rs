//! headroom-core: token counting, content detection and the compressors behind headroom.
//! Pure Rust; the napi binding lives in `headroom-node` and the JS engine mirrors this crate.
#![deny(clippy::all)]

pub mod tokens;

pub use tokens::{count_tokens, count_tokens_many, Encoding};

/// Version of the compression algorithm. Output bytes may change only when this changes; the JS
/// engine carries the same number and the loader refuses a native binary that disagrees.
pub const ALGORITHM_VERSION: u32 = 1;
