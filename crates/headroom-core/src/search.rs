//! Scaffold: the search compressor proposes nothing yet.

use crate::{BlockOptions, Compressed};

pub fn compress(content: &str, options: &BlockOptions) -> Option<Compressed> {
    let _ = (content, options);
    None
}
