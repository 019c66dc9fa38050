//! Lines that carry statistical outliers or change points (twin of `log/outliers.ts`).
//!
//! Plain lines of one shape (the same words and punctuation, fields of the same kinds; see
//! `fields`) form a series for each of their numbers: `GET /api/orders/<n> 200
//! duration_ms=<d>` gives one series of `n` and one of `d`. A line whose value is an outlier for
//! its series (median and MAD, see `stats`), or on either side of a level shift, is signal: it
//! stays verbatim (it never joins a template) and lossy selection keeps it. Ids, timestamps,
//! counters and other monotone fields are not measurements, and are left out.

use super::classify::{Class, LineInfo};
use super::fields::{pieces, Piece, PieceKind};
use super::fold::is_variable;
use crate::lines::{tokens, LineMap};
use crate::signal::words;
use crate::stats;

/// At most one line in this many (and at least `MIN_KEPT_OUTLIERS`) is kept as an outlier of one
/// field (see `farthest_outliers`).
pub const OUTLIER_SHARE: usize = 50;
pub const MIN_KEPT_OUTLIERS: usize = 3;
/// A number with more integer digits than this is an id or an epoch time, not a measurement.
pub const MAX_MEASURE_DIGITS: usize = 12;
/// A level shift must separate the values on its two sides (up to `SIDE_WINDOWS` change windows
/// each): at least `SEPARATED_PERCENT` of each side on its own side of the midpoint between the
/// two sides' medians. Random draws from a few levels (thread ids, status codes) move window
/// medians too, but leave both sides mixed alike.
pub const SIDE_WINDOWS: usize = 3;
pub const SEPARATED_PERCENT: usize = 80;
/// More than one value in `TAIL_SHARE` past the outlier cut-off is a heavy tail (or a second
/// mode), not a few anomalies: only its `MIN_KEPT_OUTLIERS` farthest values are kept.
pub const TAIL_SHARE: usize = 20;
/// A monotone field moves back in at most one step in `MONOTONE_BACK` and forward in at least
/// one in `MONOTONE_FORWARD` (see `monotone`).
const MONOTONE_BACK: usize = 20;
const MONOTONE_FORWARD: usize = 4;

struct Series {
    lines: Vec<usize>,
    /// Values, line by line (`slots` per line).
    values: Vec<f64>,
    slots: usize,
    /// Per slot: an id (its word is `id`) or too long a number to be a measurement.
    skip: Vec<bool>,
}

/// Marks plain lines that carry an outlier or a change point as `Class::Outlier`.
pub fn mark<S: AsRef<str>>(lines: &[S], info: &mut [LineInfo]) {
    let mut index: LineMap<String, usize> = LineMap::default();
    let mut series: Vec<Series> = Vec::new();
    let mut key = String::new();
    let mut values: Vec<f64> = Vec::new();
    let mut skip: Vec<bool> = Vec::new();
    let mut scratch: Vec<Piece> = Vec::new();
    for (k, (line, li)) in lines.iter().zip(info.iter()).enumerate() {
        crate::stop::poll(line.as_ref().len() + 1);
        if li.class != Class::Plain {
            continue;
        }
        let msg = &line.as_ref()[li.ts..];
        if !msg.bytes().any(|c| c.is_ascii_digit()) {
            continue;
        }
        shape_of(msg, &mut key, &mut values, &mut skip, &mut scratch);
        if values.is_empty() {
            continue;
        }
        let s = match index.get(key.as_str()) {
            Some(&s) => s,
            None => {
                index.insert(key.clone(), series.len());
                series.push(Series {
                    lines: Vec::new(),
                    values: Vec::new(),
                    slots: values.len(),
                    skip: vec![false; values.len()],
                });
                series.len() - 1
            }
        };
        let ser = &mut series[s];
        // A `#` or `*` written in a line could make two shapes spell the same key.
        if ser.slots != values.len() {
            continue;
        }
        ser.lines.push(k);
        ser.values.extend_from_slice(&values);
        for (a, b) in ser.skip.iter_mut().zip(&skip) {
            *a |= *b;
        }
    }
    let mut flagged: Vec<usize> = Vec::new();
    let mut column: Vec<f64> = Vec::new();
    for ser in &series {
        let m = ser.lines.len();
        if m < stats::MIN_VALUES {
            continue;
        }
        for j in 0..ser.slots {
            if ser.skip[j] {
                continue;
            }
            column.clear();
            column.extend((0..m).map(|r| ser.values[r * ser.slots + j]));
            if monotone(&column) {
                continue;
            }
            for r in signal_positions(&column) {
                flagged.push(ser.lines[r]);
            }
        }
    }
    for k in flagged {
        info[k].class = Class::Outlier;
    }
}

/// The shape key of a message (variable tokens with numbers as `#`, other fields as `*`), its
/// numbers' values, and for each number whether it is an id or too long to measure anything.
fn shape_of(
    msg: &str,
    key: &mut String,
    values: &mut Vec<f64>,
    skip: &mut Vec<bool>,
    scratch: &mut Vec<Piece>,
) {
    key.clear();
    values.clear();
    skip.clear();
    let mb = msg.as_bytes();
    let mut word = "";
    for (s, e) in tokens(mb) {
        let tok = &msg[s..e];
        if !key.is_empty() {
            key.push(' ');
        }
        pieces(tok.as_bytes(), scratch);
        let variable = is_variable(tok.as_bytes());
        for p in scratch.iter() {
            let text = &tok[p.start..p.end];
            match p.kind {
                PieceKind::Word => word = text,
                PieceKind::Number if variable => {
                    key.push('#');
                    values.push(text.parse::<f64>().unwrap_or(0.0));
                    let digits = text.split('.').next().map_or(0, str::len);
                    skip.push(digits > MAX_MEASURE_DIGITS || is_id_word(word));
                    continue;
                }
                PieceKind::Ident | PieceKind::Compound if variable => {
                    key.push('*');
                    continue;
                }
                _ => {}
            }
            key.push_str(text);
        }
    }
}

/// `id`, `ids`, `reqId`, `job_id` name identifiers (the rule of the JSON compressor's columns).
fn is_id_word(w: &str) -> bool {
    words(w).last().is_some_and(|x| x == "id" || x == "ids")
}

/// A counter, a clock or an id sequence: it moves one way in at least a quarter of its steps
/// and back in at most one step in twenty.
fn monotone(v: &[f64]) -> bool {
    let (mut up, mut down) = (0, 0);
    for w in v.windows(2) {
        if w[1] > w[0] {
            up += 1;
        } else if w[1] < w[0] {
            down += 1;
        }
    }
    let steps = v.len().saturating_sub(1);
    (down * MONOTONE_BACK <= steps && up * MONOTONE_FORWARD >= steps)
        || (up * MONOTONE_BACK <= steps && down * MONOTONE_FORWARD >= steps)
}

/// Positions of the values to keep: both sides of each change point, and within each level
/// between them (a shifted level is not a run of outliers) the farthest outliers.
fn signal_positions(v: &[f64]) -> Vec<usize> {
    let mut candidates: Vec<usize> = stats::change_points(v)
        .into_iter()
        .map(|c| stats::sharpen_change(v, c))
        .collect();
    candidates.dedup();
    let span = SIDE_WINDOWS * stats::change_window(v.len());
    let changes: Vec<usize> = (0..candidates.len())
        .filter(|&i| {
            let c = candidates[i];
            let from = if i > 0 { candidates[i - 1] } else { 0 };
            let to = candidates.get(i + 1).copied().unwrap_or(v.len());
            separates(
                &v[from.max(c.saturating_sub(span))..c],
                &v[c..to.min(c + span)],
            )
        })
        .map(|i| candidates[i])
        .collect();
    let mut out = Vec::new();
    let mut from = 0;
    for &end in changes.iter().chain(std::iter::once(&v.len())) {
        out.extend(
            farthest_outliers(&v[from..end])
                .into_iter()
                .map(|r| from + r),
        );
        from = end;
    }
    for c in changes {
        out.push(c - 1);
        out.push(c);
    }
    out
}

/// Whether most of `left` lies on one side of the midpoint between the sides' medians and most
/// of `right` on the other (see `SEPARATED_PERCENT`).
fn separates(left: &[f64], right: &[f64]) -> bool {
    if left.is_empty() || right.is_empty() {
        return false;
    }
    let (ml, _) = stats::center_and_scale(left);
    let (mr, _) = stats::center_and_scale(right);
    let mid = (ml + mr) / 2.0;
    let below = |s: &[f64]| s.iter().filter(|&&x| x < mid).count();
    let above = |s: &[f64]| s.iter().filter(|&&x| x > mid).count();
    let (l, r) = if ml < mr {
        (below(left), above(right))
    } else {
        (above(left), below(right))
    };
    l * 100 >= left.len() * SEPARATED_PERCENT && r * 100 >= right.len() * SEPARATED_PERCENT
}

/// The outliers of `v` whose value is rare (a value that one line in `OUTLIER_SHARE` has is one
/// of the field's usual levels), at most one in `OUTLIER_SHARE` (at least `MIN_KEPT_OUTLIERS`,
/// and only that many of a heavy tail, see `TAIL_SHARE`), the farthest first.
fn farthest_outliers(v: &[f64]) -> Vec<usize> {
    let mut outliers = stats::outliers(v);
    if outliers.is_empty() {
        return outliers;
    }
    let mut sorted = v.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rare = (v.len() / OUTLIER_SHARE).max(1);
    outliers.retain(|&k| {
        let below = sorted.partition_point(|x| x.total_cmp(&v[k]).is_lt());
        let upto = sorted.partition_point(|x| x.total_cmp(&v[k]).is_le());
        upto - below <= rare
    });
    let cap = if outliers.len() * TAIL_SHARE > v.len() {
        MIN_KEPT_OUTLIERS
    } else {
        (v.len() / OUTLIER_SHARE).max(MIN_KEPT_OUTLIERS)
    };
    if outliers.len() > cap {
        let (med, _) = stats::center_and_scale(v);
        // Farthest first; among equals the earliest.
        outliers.sort_by(|&a, &b| {
            (v[b] - med)
                .abs()
                .total_cmp(&(v[a] - med).abs())
                .then(a.cmp(&b))
        });
        outliers.truncate(cap);
    }
    outliers
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::classify::classify_all;

    fn outlier_lines(lines: &[String]) -> Vec<usize> {
        let mut info = classify_all(lines, &[]);
        mark(lines, &mut info);
        (0..lines.len())
            .filter(|&k| info[k].class == Class::Outlier)
            .collect()
    }

    #[test]
    fn finds_outliers_but_not_in_ids_or_counters() {
        let lines: Vec<String> = (0..200)
            .map(|k| {
                let d = if k == 77 { 9400 } else { 5 + (k * 37) % 80 };
                format!(
                    "10:00:{:02} GET /api/orders/{} 200 took {d}ms seq={k} job_id={}",
                    k % 60,
                    5000 + k,
                    (k * 7919) % 1000
                )
            })
            .collect();
        assert_eq!(outlier_lines(&lines), [77]);
    }

    #[test]
    fn finds_level_shifts() {
        let lines: Vec<String> = (0..120)
            .map(|k| {
                let q = if k < 70 { 10 + k % 5 } else { 400 + k % 5 };
                format!("queue depth {q} on worker {}", ["a1", "b2", "c3"][k % 3])
            })
            .collect();
        assert_eq!(outlier_lines(&lines), [69, 70]);
    }

    #[test]
    fn a_few_random_levels_are_no_level_shift() {
        // Thread ids drawn from a handful of values: window medians jump between them.
        let lines: Vec<String> = (0..600)
            .map(|k| {
                format!(
                    "{} INFO worker done",
                    [148, 35, 143, 19, 145, 26, 141][(k * k * 7 + k / 3) % 7]
                )
            })
            .collect();
        assert!(outlier_lines(&lines).is_empty());
    }

    #[test]
    fn a_usual_level_is_no_outlier() {
        // 30 is far from the median, but a quarter of the lines have it.
        let lines: Vec<String> = (0..200)
            .map(|k| format!("payload sent in {} ms", [12, 7, 30, 9][k % 4]))
            .collect();
        assert!(outlier_lines(&lines).is_empty());
    }

    #[test]
    fn keeps_only_the_farthest_of_a_heavy_tail() {
        // Every tenth request is slow: a tail, not a handful of anomalies.
        let lines: Vec<String> = (0..500)
            .map(|k| {
                let d = if k % 10 == 3 { 300 + k } else { 20 + k % 7 };
                format!("request done in {d} ms")
            })
            .collect();
        assert_eq!(outlier_lines(&lines), [473, 483, 493]);
    }
}
