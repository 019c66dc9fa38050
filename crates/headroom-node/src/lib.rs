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

#[napi(object)]
pub struct BlockOptions {
    pub encoding: String,
    pub query: String,
    pub min_tokens: u32,
    /// `Infinity` means lossless only.
    pub max_block_tokens: f64,
}

#[napi(object)]
pub struct BlockInput {
    pub content: String,
    pub options: BlockOptions,
}

#[napi(object)]
pub struct Omission {
    pub unit: String,
    pub count: u32,
    pub summary: String,
}

#[napi(object)]
pub struct BlockOutput {
    /// Absent when the block passes through untouched (its text is not copied back).
    pub content: Option<String>,
    pub kind: String,
    pub tokens_before: u32,
    pub tokens_after: u32,
    pub strategy: String,
    pub omitted: Vec<Omission>,
}

fn core_options(o: &BlockOptions) -> Result<headroom_core::BlockOptions> {
    Ok(headroom_core::BlockOptions {
        encoding: encoding(&o.encoding)?,
        query: o.query.clone(),
        min_tokens: o.min_tokens as usize,
        max_block_tokens: if o.max_block_tokens.is_finite() && o.max_block_tokens >= 0.0 {
            Some(o.max_block_tokens as usize)
        } else {
            None
        },
    })
}

fn output(r: headroom_core::BlockResult) -> BlockOutput {
    BlockOutput {
        content: r.content,
        kind: r.kind.name().to_string(),
        tokens_before: r.tokens_before as u32,
        tokens_after: r.tokens_after as u32,
        strategy: r.strategy,
        omitted: r
            .omitted
            .into_iter()
            .map(|o| Omission {
                unit: o.unit.to_string(),
                count: o.count as u32,
                summary: o.summary,
            })
            .collect(),
    }
}

/// Compresses many blocks in one crossing.
#[napi(catch_unwind)]
pub fn compress_blocks(inputs: Vec<BlockInput>) -> Result<Vec<BlockOutput>> {
    let options = inputs
        .iter()
        .map(|i| core_options(&i.options))
        .collect::<Result<Vec<_>>>()?;
    let pairs: Vec<(&str, &headroom_core::BlockOptions)> = inputs
        .iter()
        .zip(options.iter())
        .map(|(i, o)| (i.content.as_str(), o))
        .collect();
    Ok(headroom_core::compress_blocks(&pairs)
        .into_iter()
        .map(output)
        .collect())
}
