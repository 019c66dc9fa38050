//! A cheap token estimate that steers lossy selection toward `max_block_tokens` (twin of
//! `budget.ts`). Exact counting of every candidate line would cost a full tokenizer pass per
//! block; selection only needs relative costs, and the caller rescales them against one exact
//! count of the whole lossless form, then checks the result exactly.

use crate::block::{Compressed, Omission};
use crate::signal::{line_signal, Signal};
use crate::stop::{Stopped, Watch};
use crate::tokens::{count_tokens, Encoding};
use crate::{marker, opaque};

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

/// A block whose best form is above this share (percent) of `max_block_tokens`, and more than
/// `CUT_SLACK` tokens above it, is far above its budget and is cut by position to it. Short of
/// that, what the lossy stage kept stands: a few thousand tokens over never break a request.
pub const CUT_ABOVE_PERCENT: usize = 200;
pub const CUT_SLACK: usize = 2000;

/// Whether `tokens` is far above the budget of `max` tokens.
pub fn far_above(tokens: usize, max: usize) -> bool {
    tokens.saturating_mul(100) > max.saturating_mul(CUT_ABOVE_PERCENT)
        && tokens > max.saturating_add(CUT_SLACK)
}

/// Cuts `text` (of `tokens` exact tokens) by position to `max` tokens: every error line (signal
/// is never cut: error lines alone may exceed the budget), then its head and its tail, every run
/// of cut lines replaced by one marker; kept lines are kept whole, byte for byte. A text of which
/// no line fits is cut to its head and tail bytes.
pub fn cut(
    text: &str,
    max: usize,
    tokens: usize,
    encoding: Encoding,
    watch: &mut Watch<'_>,
) -> Result<Compressed, Stopped> {
    let (body, trailing) = match text.strip_suffix('\n') {
        Some(b) => (b, true),
        None => (text, false),
    };
    let lines: Vec<&str> = body.split('\n').collect();
    let mut cost = Vec::with_capacity(lines.len());
    let mut errors = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        watch.tick(l.len() + 1)?;
        cost.push(estimate_tokens(l) + 1);
        if line_signal(l.as_bytes()) == Signal::Error {
            errors.push(i);
        }
    }
    let total: usize = cost.iter().sum();
    let attempt = |units: usize| {
        let keep = keep_within(&cost, &errors, units);
        let out = render(&lines, &keep, &errors, trailing);
        let n = count_tokens(&out.0, encoding);
        (out, n)
    };
    let ((content, cut_lines, original, places), n) = {
        let out = fit(max, scale(max, total, tokens), total, attempt);
        let n = count_tokens(&out.0, encoding);
        (out, n)
    };
    if cut_lines == lines.len() {
        // As much as may fit (a token takes at least one byte, often four), else what must.
        let mut ends = opaque::head_and_tail(text, "text", max.saturating_mul(2), max, usize::MAX);
        let mut n = count_tokens(&ends.0, encoding);
        if n > max {
            ends = opaque::head_and_tail(text, "text", max, max, max);
            n = count_tokens(&ends.0, encoding);
        }
        return Ok(Compressed {
            content: ends.0,
            strategy: String::from("cut"),
            omitted: vec![Omission {
                unit: "bytes",
                count: ends.1,
                summary: marker::cut_summary(1),
            }],
            tokens: Some(n),
        });
    }
    Ok(Compressed {
        content,
        strategy: String::from("cut"),
        omitted: vec![Omission {
            unit: "lines",
            count: original,
            summary: marker::cut_summary(places),
        }],
        tokens: Some(n),
    })
}

/// Which lines a cut keeps within `units` estimate units: every error line, then the head and
/// the tail, half the rest each.
fn keep_within(cost: &[usize], errors: &[usize], units: usize) -> Vec<bool> {
    let mut keep = vec![false; cost.len()];
    let mut used = 0;
    for &i in errors {
        keep[i] = true;
        used += cost[i];
    }
    let rest = units.saturating_sub(used);
    let mut head = 0;
    for (i, &c) in cost.iter().enumerate() {
        if keep[i] {
            continue;
        }
        if head + c > rest / 2 {
            break;
        }
        keep[i] = true;
        head += c;
    }
    let mut tail = 0;
    for i in (0..cost.len()).rev() {
        if keep[i] {
            continue;
        }
        if head + tail + cost[i] > rest {
            break;
        }
        keep[i] = true;
        tail += cost[i];
    }
    keep
}

/// Lines end in `\r` where the block's do (a kept line keeps it): a marker is read without it.
fn bare(l: &str) -> &str {
    l.strip_suffix('\r').unwrap_or(l)
}

/// The kept lines in order, each run of cut lines as one marker; the lines cut, those of them
/// that were not markers, and the markers.
fn render(
    lines: &[&str],
    keep: &[bool],
    errors: &[usize],
    trailing: bool,
) -> (String, usize, usize, usize) {
    // A marker about the lines above it (a repeat) would mislead after a cut: it goes with them.
    let mut keep = keep.to_vec();
    for i in 0..lines.len() {
        if keep[i] && marker::refers_above(bare(lines[i])) && (i == 0 || !keep[i - 1]) {
            keep[i] = false;
        }
    }
    let mut out = String::new();
    let (mut cut, mut original, mut places) = (0, 0, 0);
    let mut e = errors.iter().peekable();
    let mut i = 0;
    while i < lines.len() {
        if i > 0 {
            out.push('\n');
        }
        if keep[i] {
            out.push_str(lines[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && !keep[i] {
            i += 1;
        }
        let mut errs = 0;
        while let Some(&k) = e.next_if(|&&k| k < i) {
            errs += usize::from(k >= start);
        }
        // A marker cut with the lines stands for its own: the new marker counts them too, while
        // the omissions already count them.
        let own = lines[start..i]
            .iter()
            .filter(|l| !marker::is_marker(bare(l)))
            .count();
        let told: usize = lines[start..i]
            .iter()
            .map(|l| marker::lines_told(bare(l)))
            .sum();
        out.push_str(&marker::lines_cut(own + told, errs));
        // The marker ends as the last line it stands for did (`\r\n` where the block's do).
        if lines[i - 1].ends_with('\r') {
            out.push('\r');
        }
        cut += i - start;
        original += own;
        places += 1;
    }
    if trailing {
        out.push('\n');
    }
    (out, cut, original, places)
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

    #[test]
    fn a_cut_keeps_errors_first_then_head_and_tail_within_the_budget() {
        let text: String = (0..20_000)
            .map(|i| {
                if i % 1000 == 500 {
                    format!("{i} ERROR job {i} failed\r\n")
                } else {
                    format!("{i} step {} of the {i} plan\r\n", i * 7919 % 10007)
                }
            })
            .collect();
        let tokens = count_tokens(&text, Encoding::O200kBase);
        let stop = crate::stop::Stop::NEVER;
        let cut = cut(&text, 2000, tokens, Encoding::O200kBase, &mut stop.watch()).unwrap();
        assert!(cut.tokens.is_some_and(|n| n <= 2000));
        let input: std::collections::HashSet<&str> = text.split('\n').collect();
        let out: Vec<&str> = cut.content.split('\n').collect();
        // Kept lines as given; markers end as the lines they stand for (`\r\n`).
        assert!(out
            .iter()
            .all(|l| input.contains(l) || (l.ends_with('\r') && marker::is_marker(bare(l)))));
        assert_eq!(out.iter().filter(|l| l.contains("ERROR")).count(), 20);
        assert!(out[0].starts_with("0 step") && out[out.len() - 2].starts_with("19999 step"));
        assert_eq!(cut.omitted[0].unit, "lines");
        assert_eq!(
            cut.omitted[0].summary,
            "cut by position to fit the budget in 21 places"
        );
    }
}
