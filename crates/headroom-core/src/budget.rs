//! A cheap token estimate that steers lossy selection toward `max_block_tokens` (twin of
//! `budget.ts`). Exact counting of every candidate line would cost a full tokenizer pass per
//! block; selection only needs relative costs, and the caller rescales them against one exact
//! count of the whole lossless form, then checks the result exactly.

use crate::tokens::{count_tokens, Encoding};

/// Roughly how many BPE tokens `text` costs: letters in fours, digits in threes (o200k and
/// cl100k split digit runs into groups of at most three), punctuation runs in pairs (runs of one
/// repeated character in 32s), runs of spaces beyond one as a token, other UTF-8 bytes in pairs.
pub fn estimate_tokens(text: &str) -> usize {
    let b = text.as_bytes();
    let mut total = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        i += 1;
        if c.is_ascii_alphabetic() {
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            total += (i - start).div_ceil(4);
        } else if c.is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            total += (i - start).div_ceil(3);
        } else if c == b' ' {
            while i < b.len() && b[i] == b' ' {
                i += 1;
            }
            if i - start > 1 {
                total += 1;
            }
        } else if c < 0x80 {
            let mut same = true;
            while i < b.len() && b[i] < 0x80 && !b[i].is_ascii_alphanumeric() && b[i] != b' ' {
                same &= b[i] == c;
                i += 1;
            }
            // A run of one character (`=====`, `-----`) merges into very few tokens.
            total += (i - start).div_ceil(if same { 32 } else { 2 });
        } else {
            while i < b.len() && b[i] >= 0x80 {
                i += 1;
            }
            total += (i - start).div_ceil(2);
        }
    }
    total
}

/// A lossless form estimated above this many times the limit is taken to be above it without an
/// exact count (on realistic text the estimate stays within about 2.5 times the exact count).
pub const SURELY_ABOVE: usize = 4;
/// Estimate units per exact token (in percent) assumed when no exact count was made.
pub const ESTIMATE_PERCENT: usize = 120;
/// A lossy result at least this share of the limit (in percent) is close enough.
pub const CLOSE_ENOUGH_PERCENT: usize = 90;
/// Attempts at steering a selection to the limit.
pub const MAX_ROUNDS: usize = 6;

/// `None` when the lossless form (`estimated` in estimate units) fits within `max` tokens;
/// otherwise the budget, in estimate units, to start lossy selection with.
pub fn lossless_above(
    text: &str,
    estimated: usize,
    max: usize,
    encoding: Encoding,
) -> Option<usize> {
    if estimated / SURELY_ABOVE > max {
        return Some(scale(max, ESTIMATE_PERCENT, 100));
    }
    let exact = count_tokens(text, encoding);
    (exact > max).then(|| scale(max, estimated, exact))
}

/// Steers a lossy selection to land at or just under `max` tokens: `attempt(budget)` selects
/// within `budget` estimate units (of `total` in all) and returns its output and exact token
/// count. Returns the largest output that fits, or the smallest tried when none fits (signal
/// alone is above the limit).
pub fn fit<T>(
    max: usize,
    start: usize,
    total: usize,
    mut attempt: impl FnMut(usize) -> (T, usize),
) -> T {
    let mut budget = start;
    let mut best: Option<(T, usize)> = None;
    let mut over: Option<T> = None;
    let (mut lo, mut hi) = (0usize, usize::MAX);
    let mut over_tokens: Option<usize> = None;
    for _ in 0..MAX_ROUNDS {
        let (out, tokens) = attempt(budget);
        let next = if tokens <= max {
            lo = budget;
            let close = tokens.saturating_mul(100) >= max.saturating_mul(CLOSE_ENOUGH_PERCENT)
                || budget >= total;
            if best.as_ref().is_none_or(|b| tokens > b.1) {
                best = Some((out, tokens));
            }
            if close {
                break;
            }
            scale(budget, max, tokens).max(budget + 1)
        } else {
            hi = budget;
            over = Some(out);
            // In proportion, with a margin so the next round lands under the limit.
            let shrunk = scale(budget, max, tokens);
            let mut next = shrunk.saturating_sub(shrunk / 50);
            // The last cut changed nothing (the selection has slack): halve the distance instead.
            if over_tokens == Some(tokens) {
                next = next.min(lo + (budget - lo) / 2);
            }
            over_tokens = Some(tokens);
            next
        };
        let next = next.min(hi.saturating_sub(1)).max(lo + 1);
        if next >= hi || next <= lo || next == budget {
            break;
        }
        budget = next;
    }
    match (best, over) {
        (Some((out, _)), _) | (None, Some(out)) => out,
        (None, None) => attempt(budget).0,
    }
}

/// Whether `text` is above `max` tokens, counting exactly only when the estimate leaves doubt.
pub fn is_above(text: &str, max: usize, encoding: Encoding) -> bool {
    estimate_tokens(text) / SURELY_ABOVE > max || count_tokens(text, encoding) > max
}

/// `value * num / den` in integers without overflow for any realistic sizes (at least 1 when
/// `value` is).
pub fn scale(value: usize, num: usize, den: usize) -> usize {
    if den == 0 {
        return value;
    }
    let r = (value as u128 * num as u128 / den as u128) as usize;
    if value > 0 {
        r.max(1)
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_are_in_the_right_range() {
        assert_eq!(estimate_tokens(""), 0);
        assert_eq!(estimate_tokens("hello world"), 4);
        assert_eq!(estimate_tokens("2022-04-13T14:53:12.0907779Z"), 17);
        assert!(estimate_tokens("été") >= 2);
    }
}
