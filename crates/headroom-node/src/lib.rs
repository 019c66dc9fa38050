//! napi shims over headroom-core: convert arguments, call the core, convert back. Nothing else.
#![deny(clippy::all)]

use headroom_core::Encoding;
use napi::bindgen_prelude::*;
use napi_derive::napi;

fn encoding(name: &str) -> Result<Encoding> {
    Encoding::from_name(name).ok_or_else(|| {
        Error::new(
            Status::InvalidArg,
            format!("encoding must be 'o200k_base' or 'cl100k_base', got {name:?}"),
        )
    })
}

/// Exact token count of one text.
#[napi(catch_unwind)]
pub fn count_tokens(text: String, encoding_name: String) -> Result<u32> {
    let enc = encoding(&encoding_name)?;
    Ok(headroom_core::count_tokens(&text, enc) as u32)
}

/// Exact token counts of many texts, in one crossing.
#[napi(catch_unwind)]
pub fn count_tokens_many(texts: Vec<String>, encoding_name: String) -> Result<Vec<u32>> {
    let enc = encoding(&encoding_name)?;
    Ok(headroom_core::count_tokens_many(&texts, enc)
        .into_iter()
        .map(|n| n as u32)
        .collect())
}

/// The algorithm version compiled into this binary; the loader compares it with the JS engine's.
#[napi(catch_unwind)]
pub fn algorithm_version() -> u32 {
    headroom_core::ALGORITHM_VERSION
}
