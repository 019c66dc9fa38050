//! The JSON compressor (twin: `src/engine/js/json/index.ts`).
//!
//! Lossless first: the block becomes the shortest, in tokens, of compact JSON and TOON (the input
//! as given is the third candidate: `compress_block` keeps a proposal only when it is shorter).
//! Only when that is still above `max_block_tokens` does lossy selection drop array items and cut
//! very long strings, leaving markers, and the result goes through the same choice again.

pub mod columns;
pub mod compact;
pub mod select;
pub mod signal;
pub mod strings;
pub mod summary;
pub mod tape;
pub mod toon;
pub mod view;

use crate::block::{BlockOptions, Compressed, Omission};
use crate::tokens::count_tokens;
use view::View;

/// Lossy rounds: each re-aims the byte budget from the last round's exact token count.
const LOSSY_ROUNDS: usize = 4;
/// A lossy output within this share of the budget (9/10) is close enough to stop re-aiming.
const CLOSE_ENOUGH: (usize, usize) = (9, 10);
/// Tokens per byte of huge documents are estimated from a compact prefix this long (bytes).
const SAMPLE_BYTES: usize = 65536;

/// The longest token of o200k_base and cl100k_base, in bytes: a text longer than `n` times this
/// has more than `n` tokens, so candidates that large need no exact count to be known too big.
pub const LONGEST_TOKEN_BYTES: usize = 128;

/// True when the whole block is one JSON value.
pub fn is_json(text: &str) -> bool {
    tape::is_json(text)
}

/// The lossless encodings of a document, without token counting: compact JSON, and TOON when it
/// can carry the value exactly.
pub fn lossless(t: &tape::Tape) -> (String, Option<String>) {
    let view = View::new(t, None);
    let compact = compact::write(&view);
    let toon = toon::eligible(t)
        .then(|| toon::write(&view))
        .filter(|s| !s.is_empty());
    (compact, toon)
}

/// A candidate output and its token count (`None` when it is certainly above the budget).
struct Candidate {
    text: String,
    strategy: &'static str,
    tokens: Option<usize>,
}

/// A lower bound on the size of any lossless form: the text of every scalar value (strings
/// without quotes; escaped strings count nothing, since unescaping may shorten them).
fn value_bytes(t: &tape::Tape) -> usize {
    t.nodes
        .iter()
        .map(|n| match n.kind {
            tape::Kind::Array | tape::Kind::Object => 0,
            tape::Kind::String if n.flags & tape::ESCAPED != 0 => 0,
            tape::Kind::String => (n.end - n.start) as usize - 2,
            _ => (n.end - n.start) as usize,
        })
        .sum()
}

/// The lossless candidates: compact JSON and TOON, each unless it equals the input.
fn lossless_candidates(
    t: &tape::Tape,
    content: &str,
    count: impl Fn(&str) -> Option<usize>,
) -> Vec<Candidate> {
    let (compact, toon) = lossless(t);
    let mut candidates = Vec::new();
    for (text, strategy) in [(Some(compact), "json:compact"), (toon, "json:toon")] {
        let Some(text) = text.filter(|s| s != content) else {
            continue;
        };
        let tokens = count(&text);
        candidates.push(Candidate {
            text,
            strategy,
            tokens,
        });
    }
    candidates
}

/// Compresses one JSON block, `t` being its parse.
pub fn compress(content: &str, t: &tape::Tape, options: &BlockOptions) -> Option<Compressed> {
    let limit = options.max_block_tokens;
    let count = |text: &str| match limit {
        Some(m) if text.len() > m.saturating_mul(LONGEST_TOKEN_BYTES) => None,
        _ => Some(count_tokens(text, options.encoding)),
    };
    // A document whose values alone are certainly above the budget goes straight to selection,
    // without writing lossless forms that could not be used.
    let huge = limit.is_some_and(|m| value_bytes(t) > m.saturating_mul(LONGEST_TOKEN_BYTES));
    let mut candidates = if huge {
        Vec::new()
    } else {
        lossless_candidates(t, content, count)
    };
    let within = |n: usize| limit.is_none_or(|m| n <= m);
    if let Some(k) = shortest(&candidates).filter(|&k| candidates[k].tokens.is_some_and(within)) {
        return Some(proposal(candidates.swap_remove(k), Vec::new()));
    }
    let m = limit?;
    // Every lossless candidate is above the budget: unless the input itself fits, go lossy.
    if !huge && count(content).is_some_and(|n| n <= m) {
        return None;
    }
    let sel = select::Selection::new(t, &options.query);
    if !sel.can_reduce() {
        if huge {
            candidates = lossless_candidates(t, content, count);
        }
        return shortest_counted(candidates, options);
    }
    // Aim the first round by tokens per compact byte: from the candidates' counts when known,
    // else from a counted sample.
    let known = candidates.iter().filter_map(|c| c.tokens).min();
    let tokens = match known {
        Some(n) => n as u64,
        None => {
            // The writer stops after the value that crosses the limit; one value may be long.
            let written = compact::write_prefix(&View::new(t, None), SAMPLE_BYTES);
            let sample = strings::prefix_within(&written, SAMPLE_BYTES);
            mul_div(
                count_tokens(sample, options.encoding) as u64,
                sel.compact_size(),
                sample.len().max(1) as u64,
            )
        }
    };
    let budget = mul_div(m as u64, sel.compact_size(), tokens.max(1));
    let lossy = lossy(t, sel, budget, m, options);
    // Prefer a lossless candidate known to be no longer.
    if let (Some(k), Some(l)) = (shortest(&candidates), lossy.as_ref()) {
        if candidates[k].tokens.is_some_and(|n| n <= l.0) {
            return Some(proposal(candidates.swap_remove(k), Vec::new()));
        }
    }
    lossy.map(|(_, c)| c)
}

/// `a · b / c` without overflow (the JS twin uses BigInt).
fn mul_div(a: u64, b: u64, c: u64) -> u64 {
    (a as u128 * b as u128 / c.max(1) as u128).min(u64::MAX as u128) as u64
}

/// Index of the shortest counted candidate; ties keep the earlier (compact).
fn shortest(candidates: &[Candidate]) -> Option<usize> {
    candidates
        .iter()
        .enumerate()
        .filter_map(|(k, c)| c.tokens.map(|n| (n, k)))
        .min()
        .map(|(_, k)| k)
}

/// The shortest candidate, counting those that were too large to count before.
fn shortest_counted(mut candidates: Vec<Candidate>, options: &BlockOptions) -> Option<Compressed> {
    for c in &mut candidates {
        if c.tokens.is_none() {
            c.tokens = Some(count_tokens(&c.text, options.encoding));
        }
    }
    let k = shortest(&candidates)?;
    Some(proposal(candidates.swap_remove(k), Vec::new()))
}

fn proposal(c: Candidate, omitted: Vec<Omission>) -> Compressed {
    Compressed {
        content: c.text,
        strategy: c.strategy.to_string(),
        omitted,
        tokens: c.tokens,
    }
}

/// Lossy rounds: pick the cap that fits `budget` bytes, write the selection as compact JSON and
/// as TOON, count both, and re-aim the budget from the shorter one's exact count. The result is
/// the fullest output within `m` tokens, or else the shortest; with its token count.
fn lossy(
    t: &tape::Tape,
    mut sel: select::Selection,
    mut budget: u64,
    m: usize,
    options: &BlockOptions,
) -> Option<(usize, Compressed)> {
    let toon_ok = toon::eligible(t);
    let max_k = sel.max_items();
    let mut tried: Vec<usize> = Vec::new();
    let mut results: Vec<(usize, Compressed)> = Vec::new();
    // Caps known to be too small or too large bound the next round's search.
    let (mut lo, mut hi) = (0, max_k);
    for _ in 0..LOSSY_ROUNDS {
        let k = sel.search(budget, lo, hi);
        if tried.contains(&k) {
            break;
        }
        tried.push(k);
        let (plan, omitted) = sel.plan(k);
        let view = View::new(t, Some(&plan));
        let mut round = vec![Candidate {
            text: compact::write(&view),
            strategy: "json:select+compact",
            tokens: None,
        }];
        if toon_ok {
            round.push(Candidate {
                text: toon::write(&view),
                strategy: "json:select+toon",
                tokens: None,
            });
        }
        for c in &mut round {
            c.tokens = Some(count_tokens(&c.text, options.encoding));
        }
        let best = shortest(&round)?;
        let c = round.swap_remove(best);
        let n = c.tokens.unwrap_or(usize::MAX);
        results.push((n, proposal(c, omitted)));
        if n <= m {
            if n * CLOSE_ENOUGH.1 >= m * CLOSE_ENOUGH.0 || k >= max_k {
                break;
            }
            budget = mul_div(budget, m as u64, n.max(1) as u64);
            lo = k;
        } else {
            if k == 0 {
                break;
            }
            budget = mul_div(budget, m as u64 * 19, n as u64 * 20);
            hi = k;
        }
    }
    // The fullest result within the budget, else the shortest; ties keep the earlier round.
    let mut pick: Option<usize> = None;
    for (i, (n, _)) in results.iter().enumerate() {
        let better = match pick {
            None => true,
            Some(j) => {
                let b = results[j].0;
                match (*n <= m, b <= m) {
                    (true, true) => *n > b,
                    (true, false) => true,
                    (false, true) => false,
                    (false, false) => *n < b,
                }
            }
        };
        if better {
            pick = Some(i);
        }
    }
    pick.map(|i| results.swap_remove(i))
}
