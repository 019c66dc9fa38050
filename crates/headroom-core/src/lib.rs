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
mod merge;
pub mod metrics;
pub mod opaque;
mod pretokenize;
pub mod query;
pub mod search;
pub mod signal;
pub mod stats;
pub mod stop;
pub mod tokens;

pub use block::{BlockOptions, BlockResult, Compressed, Kind, Omission};
pub use detect::detect;
pub use stop::{Stop, Stopped};
use tokens::count_tokens_watched;
pub use tokens::{count_tokens, count_tokens_many, count_tokens_until, Encoding};

/// Version of the compression algorithm. Output bytes may change only when this changes; the JS
/// engine carries the same number and the loader refuses a native binary that disagrees.
pub const ALGORITHM_VERSION: u32 = 2;

/// Compresses one block of tool output. Never inflates: the result replaces the block only when
/// its token count strictly drops.
pub fn compress_block(content: &str, options: &BlockOptions) -> BlockResult {
    match compress_block_until(content, options, &Stop::NEVER) {
        Ok(result) => result,
        Err(Stopped) => unreachable!("a stop that never comes was reached"),
    }
}

/// `compress_block`, giving up with `Stopped` once `stop` is reached: token counting and the
/// compressors look at it inside their loops, every few milliseconds of work at most.
pub fn compress_block_until(
    content: &str,
    options: &BlockOptions,
    stop: &Stop,
) -> Result<BlockResult, Stopped> {
    stop::within(stop, || compress_block_within(content, options, stop))?
}

fn compress_block_within(
    content: &str,
    options: &BlockOptions,
    stop: &Stop,
) -> Result<BlockResult, Stopped> {
    let mut watch = stop.watch();
    let tokens_before = count_tokens_watched(content, options.encoding, &mut watch)?;
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
    if tokens_before < options.min_tokens || options.disabled.contains(&kind) {
        return Ok(untouched);
    }
    let max = options.max_block_tokens;
    let proposal = match kind {
        Kind::Json => tape.and_then(|t| json::compress(content, &t, options)),
        // A metric series is a log whose rows are numbers: its own selection keeps its anomalies.
        Kind::Log => match metrics::parse(content) {
            Some(series) => metrics::compress(&series, content, options),
            None => log::compress(content, options),
        },
        Kind::Search => search::compress(content, options),
        Kind::Diff => diff::compress(content, options),
        Kind::Opaque => max
            .filter(|&m| tokens_before > m)
            .and_then(|m| Some(opaque::compress(content, detect::opaque_form(content)?, m))),
        Kind::Code | Kind::Text => None,
    };
    let mut best = match proposal {
        Some(p) => {
            let tokens = match p.tokens {
                Some(n) => n,
                None => count_tokens_watched(&p.content, options.encoding, &mut watch)?,
            };
            (tokens < tokens_before).then_some((p, tokens))
        }
        None => None,
    };
    // The budget is a ceiling on unstructured output: what is still far above it is cut by
    // position. JSON (kept valid) and diffs (every change kept) keep their compressors' rules.
    // A block holding marker lines is compressed output already: cutting it again would break
    // idempotence (a compressed diff may detect as text).
    let structured = matches!(kind, Kind::Json | Kind::Diff);
    if let (Some(m), false) = (max, structured) {
        let tokens = best.as_ref().map_or(tokens_before, |b| b.1);
        if budget::far_above(tokens, m) && !marker::has_marker_line(content) {
            let text = best.as_ref().map_or(content, |b| b.0.content.as_str());
            let mut cut = budget::cut(text, m, tokens, options.encoding, &mut watch)?;
            let cut_tokens = match cut.tokens {
                Some(n) => n,
                None => count_tokens_watched(&cut.content, options.encoding, &mut watch)?,
            };
            if let Some((p, _)) = &best {
                cut.strategy = format!("{}+{}", p.strategy, cut.strategy);
                cut.omitted.splice(0..0, p.omitted.iter().cloned());
            }
            if cut_tokens < tokens {
                best = Some((cut, cut_tokens));
            }
        }
    }
    let Some((proposal, tokens_after)) = best else {
        return Ok(untouched);
    };
    Ok(BlockResult {
        content: Some(proposal.content),
        kind,
        tokens_before,
        tokens_after,
        strategy: proposal.strategy,
        omitted: proposal.omitted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    /// A block of each line-based kind, 2 MB or so: far more work than one look's worth.
    fn blocks() -> Vec<(&'static str, String)> {
        let rows = |f: &dyn Fn(usize) -> String| (0..40_000).map(f).collect::<Vec<_>>().join("\n");
        vec![
            (
                "log",
                rows(&|i| {
                    format!(
                        "2024-01-01T00:00:{:02}Z INFO worker-{} handled r{i:x} in {}ms",
                        i % 60,
                        i % 17,
                        i % 900
                    )
                }),
            ),
            (
                "search",
                rows(&|i| {
                    format!(
                        "src/mod{}/f{}.ts:{i}:  const v{i:x} = find(k{});",
                        i % 300,
                        i % 41,
                        i * 7
                    )
                }),
            ),
            (
                "metrics",
                format!(
                    "timestamp,value\n{}",
                    rows(&|i| format!(
                        "2024-01-01 {:02}:{:02}:{:02},{}.{}",
                        i / 3600 % 24,
                        i / 60 % 60,
                        i % 60,
                        50 + i % 7,
                        i % 997
                    ))
                ),
            ),
            (
                "json",
                format!(
                    "[{}]",
                    rows(&|i| format!(
                        "{{\"id\":{i},\"name\":\"n{i:x}\",\"kind\":\"{}\"}},",
                        ["a", "b"][i % 2]
                    ))
                    .trim_end_matches(',')
                ),
            ),
            (
                "diff",
                format!(
                    "--- a/src/f.rs\n+++ b/src/f.rs\n{}",
                    (0..5_000)
                        .map(|i| {
                            let a = i * 10 + 1;
                            let context = |from: usize| {
                                (from..from + 3)
                                    .map(|k| format!(" line {k} of the unchanged body of f{i}\n"))
                                    .collect::<String>()
                            };
                            format!(
                                "@@ -{a},7 +{a},7 @@ fn f{i}()\n{}-    old({i});\n+    new({i});\n{}",
                                context(a),
                                context(a + 4)
                            )
                        })
                        .collect::<String>()
                ),
            ),
        ]
    }

    #[test]
    fn a_stop_raised_after_counting_is_seen_inside_each_compressor() {
        let options = BlockOptions::default();
        for (name, content) in blocks() {
            assert!(
                compress_block(&content, &options).content.is_some(),
                "{name} compresses"
            );
            let flag = Arc::new(AtomicBool::new(false));
            let stop = Stop {
                deadline: None,
                cancel: Some(Arc::clone(&flag)),
            };
            // The count of the whole block is done before the flag goes up: only the compressor's
            // own looks can see it.
            let tokens = std::cell::Cell::new(0);
            let out = stop::within(&stop, || {
                tokens.set(count_tokens(&content, options.encoding));
                flag.store(true, Ordering::Relaxed);
                compress_block(&content, &options)
            });
            assert!(tokens.get() > 0);
            assert_eq!(out.map(|_| ()), Err(Stopped), "{name}");
            assert_eq!(
                compress_block_until(&content, &options, &stop).map(|_| ()),
                Err(Stopped)
            );
        }
    }
}
