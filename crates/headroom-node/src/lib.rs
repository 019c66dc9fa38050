//! napi shims over headroom-core: convert arguments, call the core, convert back. Nothing else:
//! batches (order, stopping, threads, panics) are the core's `batch` module.
#![deny(clippy::all)]

use headroom_core::batch::{compress_until, panic_message, Failure, Stop, Threads};
use headroom_core::Encoding;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

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
    Ok(counts(&texts, encoding(&encoding_name)?))
}

fn counts(texts: &[String], enc: Encoding) -> Vec<u32> {
    headroom_core::count_tokens_many(texts, enc)
        .into_iter()
        .map(|n| n as u32)
        .collect()
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
    /// Kinds whose compressor is switched off (`json`, `log`, `search`, `diff`).
    pub disabled: Option<Vec<String>>,
}

#[napi(object)]
pub struct BlockInput {
    /// Taken as the string's UTF-16 units (a copy, the cheapest read of a JS string) and made
    /// UTF-8 by the core's caller: for the async entry on the thread pool, not the event loop.
    #[napi(ts_type = "string")]
    pub content: Utf16String,
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
    /// Why the block passes through without having been compressed: `stopped` (the deadline or the
    /// cancel flag came first) or `panic: …`. Absent for a compressed or untouched block.
    pub failure: Option<String>,
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
        disabled: o
            .disabled
            .iter()
            .flatten()
            .map(|name| {
                headroom_core::Kind::from_name(name).ok_or_else(|| {
                    Error::new(Status::InvalidArg, format!("unknown block kind {name:?}"))
                })
            })
            .collect::<Result<Vec<_>>>()?,
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
        failure: None,
    }
}

fn outcome(o: std::result::Result<headroom_core::BlockResult, Failure>) -> BlockOutput {
    let failure = match o {
        Ok(r) => return output(r),
        Err(Failure::Stopped) => String::from("stopped"),
        Err(Failure::Panic(message)) => format!("panic: {message}"),
    };
    BlockOutput {
        content: None,
        kind: String::from("text"),
        tokens_before: 0,
        tokens_after: 0,
        strategy: String::from("none"),
        omitted: Vec::new(),
        failure: Some(failure),
    }
}

/// The blocks with their options checked; the texts still UTF-16.
type Blocks = Vec<(Utf16String, headroom_core::BlockOptions)>;

fn checked(inputs: Vec<BlockInput>) -> Result<Blocks> {
    inputs
        .into_iter()
        .map(|i| Ok((i.content, core_options(&i.options)?)))
        .collect()
}

/// UTF-8 texts for the core: lone surrogates become U+FFFD, as napi's own conversion does.
fn core_inputs(blocks: Blocks) -> Vec<(String, headroom_core::BlockOptions)> {
    blocks
        .into_iter()
        .map(|(text, options)| (String::from_utf16_lossy(&text), options))
        .collect()
}

/// The JS side's `timeoutMs` and cancel token as the core's stop condition. The timeout counts
/// from now (the call on the JS thread, not the start of the work on the thread pool); absent,
/// NaN or infinite means no deadline.
fn stop(timeout_ms: Option<f64>, cancel: Option<&CancelToken>) -> Stop {
    Stop {
        deadline: timeout_ms.filter(|ms| ms.is_finite()).and_then(|ms| {
            Instant::now().checked_add(Duration::from_secs_f64(ms.clamp(0.0, 1e12) / 1000.0))
        }),
        cancel: cancel.map(|c| Arc::clone(&c.flag)),
    }
}

fn run(
    inputs: &[(String, headroom_core::BlockOptions)],
    stop: &Stop,
    threads: Threads,
) -> Vec<BlockOutput> {
    compress_until(inputs, stop, threads)
        .into_iter()
        .map(outcome)
        .collect()
}

/// A flag the JS side raises (from an AbortSignal) to stop a running task, inside a block or between.
#[napi]
pub struct CancelToken {
    flag: Arc<AtomicBool>,
}

impl Default for CancelToken {
    fn default() -> Self {
        CancelToken {
            flag: Arc::new(AtomicBool::new(false)),
        }
    }
}

#[napi]
impl CancelToken {
    #[napi(constructor)]
    pub fn new() -> Self {
        CancelToken::default()
    }

    #[napi(catch_unwind)]
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::Relaxed);
    }
}

/// Compresses blocks until `timeout_ms` passes, on the calling thread.
#[napi(catch_unwind)]
pub fn compress_blocks_until(
    inputs: Vec<BlockInput>,
    timeout_ms: Option<f64>,
) -> Result<Vec<BlockOutput>> {
    Ok(run(
        &core_inputs(checked(inputs)?),
        &stop(timeout_ms, None),
        Threads::Caller,
    ))
}

pub struct CompressTask {
    blocks: Option<Blocks>,
    stop: Stop,
}

impl Task for CompressTask {
    type Output = Vec<BlockOutput>;
    type JsValue = Vec<BlockOutput>;

    fn compute(&mut self) -> Result<Self::Output> {
        let blocks = self.blocks.take().unwrap_or_default();
        on_pool(|| run(&core_inputs(blocks), &self.stop, Threads::Shared))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> Result<Self::JsValue> {
        Ok(output)
    }
}

/// Compresses blocks on the libuv thread pool (the event loop stays free) until `timeout_ms`
/// passes or `cancel` is raised; resolves with one output per block.
#[napi(catch_unwind, ts_return_type = "Promise<Array<BlockOutput>>")]
pub fn compress_blocks_async(
    inputs: Vec<BlockInput>,
    timeout_ms: Option<f64>,
    cancel: Option<&CancelToken>,
) -> Result<AsyncTask<CompressTask>> {
    Ok(AsyncTask::new(CompressTask {
        blocks: Some(checked(inputs)?),
        stop: stop(timeout_ms, cancel),
    }))
}

/// The detected kind of each text (`json`, `log`, `search`, `diff`, `code`, `text`), in one crossing.
#[napi(catch_unwind)]
pub fn detect_kinds(texts: Vec<String>) -> Vec<String> {
    kinds(&texts)
}

fn kinds(texts: &[String]) -> Vec<String> {
    texts
        .iter()
        .map(|t| headroom_core::detect(t).name().to_string())
        .collect()
}

/// Runs a task's work on the thread pool; a panic rejects its promise.
fn on_pool<T>(work: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(work))
        .map_err(|p| Error::from_reason(format!("panic: {}", panic_message(&*p))))
}

/// Texts taken as UTF-16 (a copy on the event loop), made UTF-8 on the thread pool.
fn core_texts(texts: Vec<Utf16String>) -> Vec<String> {
    texts.iter().map(|t| String::from_utf16_lossy(t)).collect()
}

pub struct CountTask {
    texts: Vec<Utf16String>,
    encoding: Encoding,
}

impl Task for CountTask {
    type Output = Vec<u32>;
    type JsValue = Vec<u32>;

    fn compute(&mut self) -> Result<Self::Output> {
        let texts = core_texts(std::mem::take(&mut self.texts));
        on_pool(|| counts(&texts, self.encoding))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> Result<Self::JsValue> {
        Ok(output)
    }
}

/// `count_tokens_many` on the libuv thread pool.
#[napi(catch_unwind, ts_return_type = "Promise<Array<number>>")]
pub fn count_tokens_many_async(
    #[napi(ts_arg_type = "Array<string>")] texts: Vec<Utf16String>,
    encoding_name: String,
) -> Result<AsyncTask<CountTask>> {
    Ok(AsyncTask::new(CountTask {
        texts,
        encoding: encoding(&encoding_name)?,
    }))
}

pub struct DetectTask {
    texts: Vec<Utf16String>,
}

impl Task for DetectTask {
    type Output = Vec<String>;
    type JsValue = Vec<String>;

    fn compute(&mut self) -> Result<Self::Output> {
        let texts = core_texts(std::mem::take(&mut self.texts));
        on_pool(|| kinds(&texts))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> Result<Self::JsValue> {
        Ok(output)
    }
}

/// `detect_kinds` on the libuv thread pool.
#[napi(catch_unwind, ts_return_type = "Promise<Array<string>>")]
pub fn detect_kinds_async(
    #[napi(ts_arg_type = "Array<string>")] texts: Vec<Utf16String>,
) -> Result<AsyncTask<DetectTask>> {
    Ok(AsyncTask::new(DetectTask { texts }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_is_a_deadline_from_now_and_a_non_finite_one_none() {
        assert!(stop(Some(0.0), None).reached());
        assert!(stop(Some(-5.0), None).reached());
        assert!(!stop(Some(60_000.0), None).reached());
        for none in [None, Some(f64::INFINITY), Some(f64::NAN)] {
            assert!(stop(none, None).deadline.is_none());
        }
    }

    #[test]
    fn a_raised_cancel_token_stops() {
        let token = CancelToken::new();
        let stop = stop(None, Some(&token));
        assert!(!stop.reached());
        token.cancel();
        assert!(stop.reached());
    }
}
