//! napi shims over headroom-core: convert arguments, call the core, convert back. Nothing else.
#![deny(clippy::all)]

use headroom_core::Encoding;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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
    /// Kinds whose compressor is switched off (`json`, `log`, `search`, `diff`).
    pub disabled: Option<Vec<String>>,
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

fn failure(reason: String) -> BlockOutput {
    BlockOutput {
        content: None,
        kind: String::from("text"),
        tokens_before: 0,
        tokens_after: 0,
        strategy: String::from("none"),
        omitted: Vec::new(),
        failure: Some(reason),
    }
}

fn core_inputs(inputs: Vec<BlockInput>) -> Result<Vec<(String, headroom_core::BlockOptions)>> {
    inputs
        .into_iter()
        .map(|i| Ok((i.content, core_options(&i.options)?)))
        .collect()
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

/// The JS side's `timeoutMs` and AbortSignal as a condition checked between blocks.
struct Stop {
    deadline: Option<Instant>,
    cancel: Option<Arc<AtomicBool>>,
}

impl Stop {
    /// `timeout_ms` counts from now (the call on the JS thread, not the start of the work on the
    /// thread pool); absent, NaN or infinite means no deadline.
    fn new(timeout_ms: Option<f64>, cancel: Option<&CancelToken>) -> Self {
        let deadline = timeout_ms.filter(|ms| ms.is_finite()).and_then(|ms| {
            Instant::now().checked_add(Duration::from_secs_f64(ms.clamp(0.0, 1e12) / 1000.0))
        });
        Stop {
            deadline,
            cancel: cancel.map(|c| Arc::clone(&c.flag)),
        }
    }

    fn reached(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
            || self
                .cancel
                .as_ref()
                .is_some_and(|c| c.load(Ordering::Relaxed))
    }
}

/// Fewest bytes per lane worth a thread of its own: below this a batch runs on one thread.
const LANE_MIN_BYTES: usize = 128 * 1024;
/// Most lanes one batch uses (the libuv pool it runs from has four threads by default).
const MAX_LANES: usize = 4;

/// Compresses blocks until `stop`, large batches on several threads. Lanes take blocks in order
/// from one counter and ask `stop` before taking one, so the compressed blocks are always a
/// prefix of the batch, as on one thread. A panic (a bug in the core) is isolated to its own
/// block, which then passes through: napi does not catch panics on the thread pool, so this
/// guard is what keeps one there from taking the process down.
fn run_blocks(inputs: &[(String, headroom_core::BlockOptions)], stop: &Stop) -> Vec<BlockOutput> {
    let bytes: usize = inputs.iter().map(|(c, _)| c.len()).sum();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let lanes = cores
        .min(MAX_LANES)
        .min(inputs.len())
        .min(bytes / LANE_MIN_BYTES)
        .max(1);
    let pairs: Vec<(&str, &headroom_core::BlockOptions)> =
        inputs.iter().map(|(c, o)| (c.as_str(), o)).collect();
    run_lanes(
        &pairs,
        &|| stop.reached(),
        &headroom_core::compress_block,
        lanes,
    )
}

type CompressBlock =
    dyn Fn(&str, &headroom_core::BlockOptions) -> headroom_core::BlockResult + Sync;

fn run_lanes(
    pairs: &[(&str, &headroom_core::BlockOptions)],
    stop: &(dyn Fn() -> bool + Sync),
    compress: &CompressBlock,
    lanes: usize,
) -> Vec<BlockOutput> {
    let next = AtomicUsize::new(0);
    let stopped = AtomicBool::new(false);
    let lane = || {
        let mut done = Vec::new();
        loop {
            if stopped.load(Ordering::Relaxed) || stop() {
                stopped.store(true, Ordering::Relaxed);
                break;
            }
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some((content, options)) = pairs.get(i) else {
                break;
            };
            let out = catch_unwind(AssertUnwindSafe(|| compress(content, options))).map_or_else(
                |p| failure(format!("panic: {}", panic_message(&*p))),
                output,
            );
            done.push((i, out));
        }
        done
    };
    let mut outs: Vec<Option<BlockOutput>> =
        std::iter::repeat_with(|| None).take(pairs.len()).collect();
    let mut place = |done: Vec<(usize, BlockOutput)>| {
        for (i, out) in done {
            outs[i] = Some(out);
        }
    };
    if lanes <= 1 {
        place(lane());
    } else {
        std::thread::scope(|s| {
            // A thread the system refuses is a lane fewer; the lanes that run share the work.
            let others: Vec<_> = (1..lanes)
                .filter_map(|_| std::thread::Builder::new().spawn_scoped(s, lane).ok())
                .collect();
            place(lane());
            for h in others {
                // A lane catches every panic of the core itself, so joining cannot fail.
                if let Ok(done) = h.join() {
                    place(done);
                }
            }
        });
    }
    outs.into_iter()
        .map(|o| o.unwrap_or_else(|| failure(String::from("stopped"))))
        .collect()
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        String::from("unknown panic")
    }
}

/// A flag the JS side raises (from an AbortSignal) to stop a running task between blocks.
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
    let stop = Stop::new(timeout_ms, None);
    Ok(run_blocks(&core_inputs(inputs)?, &stop))
}

pub struct CompressTask {
    inputs: Vec<(String, headroom_core::BlockOptions)>,
    stop: Stop,
}

impl Task for CompressTask {
    type Output = Vec<BlockOutput>;
    type JsValue = Vec<BlockOutput>;

    fn compute(&mut self) -> Result<Self::Output> {
        catch_unwind(AssertUnwindSafe(|| run_blocks(&self.inputs, &self.stop)))
            .map_err(|p| Error::from_reason(format!("panic: {}", panic_message(&*p))))
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
    let stop = Stop::new(timeout_ms, cancel);
    Ok(AsyncTask::new(CompressTask {
        inputs: core_inputs(inputs)?,
        stop,
    }))
}

/// The detected kind of each text (`json`, `log`, `search`, `diff`, `code`, `text`), in one crossing.
#[napi(catch_unwind)]
pub fn detect_kinds(texts: Vec<String>) -> Vec<String> {
    texts
        .iter()
        .map(|t| headroom_core::detect(t).name().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_block_fails_alone() {
        let options = headroom_core::BlockOptions::default();
        let pairs: Vec<(&str, &headroom_core::BlockOptions)> = ["ok", "boom", "fine"]
            .iter()
            .map(|c| (*c, &options))
            .collect();
        let compress = |content: &str, options: &headroom_core::BlockOptions| {
            assert!(content != "boom", "compressor bug");
            headroom_core::compress_block(content, options)
        };
        for lanes in [1, 2] {
            let out = run_lanes(&pairs, &|| false, &compress, lanes);
            let failures: Vec<Option<&str>> = out.iter().map(|o| o.failure.as_deref()).collect();
            assert_eq!(failures, [None, Some("panic: compressor bug"), None]);
            assert_eq!(out[2].tokens_before, 1);
        }
    }

    #[test]
    fn lanes_stopped_midway_leave_a_compressed_prefix() {
        let options = headroom_core::BlockOptions::default();
        let texts: Vec<String> = (0..200).map(|i| format!("block {i}")).collect();
        let pairs: Vec<(&str, &headroom_core::BlockOptions)> =
            texts.iter().map(|c| (c.as_str(), &options)).collect();
        for lanes in [1, 2, 4] {
            let asked = AtomicUsize::new(0);
            let stop = || asked.fetch_add(1, Ordering::Relaxed) >= 40;
            let out = run_lanes(&pairs, &stop, &headroom_core::compress_block, lanes);
            let done = out.iter().take_while(|o| o.failure.is_none()).count();
            assert!((40 - lanes..=40).contains(&done), "{lanes} lanes: {done}");
            assert!(out[done..]
                .iter()
                .all(|o| o.failure.as_deref() == Some("stopped")));
            let seven = headroom_core::count_tokens("block 7", Encoding::O200kBase);
            assert_eq!(out[7].tokens_before as usize, seven);
        }
    }

    #[test]
    fn a_past_deadline_stops_before_the_first_block() {
        let stop = Stop::new(Some(0.0), None);
        let inputs = vec![(String::from("a"), headroom_core::BlockOptions::default())];
        let out = run_blocks(&inputs, &stop);
        assert_eq!(out[0].failure.as_deref(), Some("stopped"));
        let none = Stop::new(Some(f64::INFINITY), None);
        assert_eq!(run_blocks(&inputs, &none)[0].failure, None);
    }

    #[test]
    fn a_raised_cancel_token_stops() {
        let token = CancelToken::new();
        let stop = Stop::new(None, Some(&token));
        assert!(!stop.reached());
        token.cancel();
        assert!(stop.reached());
    }
}
