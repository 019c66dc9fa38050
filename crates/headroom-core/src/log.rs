//! The log compressor: service logs, CI and build output, test runs (twin of `log.ts`).
//!
//! 1. Normalise (`lines`): line ends, `\r` progress lines, ANSI escapes.
//! 2. Classify every line (`classify`): timestamp, level, error/warning/stack-trace/summary
//!    (`timestamp`, `level`, `frames`, `summary`, and the crate's `signal`); mark the lines
//!    that carry a statistical outlier or a change point (`outliers`), and the lines that frame
//!    an error block (`blocks`).
//! 3. Fold losslessly (`fold`): identical runs, repeated blocks, template runs.
//! 4. Only if that is still above `max_block_tokens`: select (`keep`): signal within the budget,
//!    filler at most a tenth of its own size, leaving one marker per dropped run with its line
//!    count, levels, time span and commonest template.
//!
//! Detection asks `recognize` whether lines look like a log.

mod blocks;
mod classify;
mod fields;
mod fold;
mod frames;
mod keep;
mod level;
mod outliers;
mod recognize;
mod summary;
mod timestamp;

pub use recognize::{looks, Look};

use crate::block::{BlockOptions, Compressed, Omission};
use crate::budget;
use crate::lines::LineMap;
use crate::lines::{self, Lines};
use crate::marker;
use crate::query::{query_score, query_terms, term_weights};
use classify::LineInfo;
use fold::{Unit, UnitKind};
use level::Level;
use std::borrow::Cow;
use std::collections::HashMap;

/// Dropped runs at least this long show the time span they cover.
pub const TIME_SPAN_MIN_LINES: usize = 10;
/// Longest template quoted in an omission marker, in bytes.
pub const MAX_QUOTED_TEMPLATE: usize = 120;

pub fn compress(content: &str, options: &BlockOptions) -> Option<Compressed> {
    let split = lines::split(content);
    let lines = &split.lines;
    // Already compressed (it carries our markers): compressing again must change nothing.
    if lines.is_empty() || lines.iter().any(|l| marker::is_marker(l)) {
        return None;
    }
    // Only terms that tell lines apart make a line relevant (see `query::COMMON_SHARE`).
    let all_terms = query_terms(&options.query);
    let (terms, weights): (Vec<String>, Vec<usize>) = all_terms
        .iter()
        .zip(term_weights(&all_terms, lines))
        .filter(|(_, w)| *w > 0)
        .map(|(t, w)| (t.clone(), w))
        .unzip();
    let interned = lines::intern(lines);
    let mut info = classify::classify_interned(lines, &interned, &terms);
    outliers::mark(lines, &mut info);
    blocks::mark(lines, &mut info);
    let units = fold::fold(lines, &interned, &info);
    let rendered: Vec<Cow<str>> = units.iter().map(|u| u.render(&split)).collect();
    let lossless = rendered.concat();
    let lossless = Compressed {
        content: lossless,
        strategy: String::from("log:fold"),
        omitted: templated(&units, None),
        tokens: None,
    };
    let Some(max) = options.max_block_tokens else {
        return Some(lossless);
    };
    let costs: Vec<usize> = units.iter().map(|u| u.cost(lines)).collect();
    let estimated: usize = costs.iter().sum();
    let Some(start) = budget::lossless_above(&lossless.content, estimated, max, options.encoding)
    else {
        return Some(lossless);
    };
    let quoted = quoted(&units, lines, &info);
    let mut plan = keep::plan(&units, lines, &info, &quoted.shape, &quoted.coarse);
    let relevance: Vec<usize> = (0..lines.len())
        .map(|k| match info[k].class {
            classify::Class::Query => {
                query_score(&lines[k].as_ref()[info[k].ts..], &terms, &weights)
            }
            _ => 0,
        })
        .collect();
    keep::rank_query_lines(&mut plan, &units, &relevance);
    // Filler is capped (see `keep`), so past some budget the selection stops growing: steering
    // need not look beyond it.
    let reach = keep::select(&units, &info, &plan, &costs, usize::MAX).used;
    Some(budget::fit(max, start, estimated.min(reach), |b| {
        let sel = keep::select(&units, &info, &plan, &costs, b);
        let out = render_selection(&units, &rendered, &split, &info, &quoted, &sel);
        let tokens = crate::tokens::count_tokens(&out.content, options.encoding);
        (
            Compressed {
                tokens: Some(tokens),
                ..out
            },
            tokens,
        )
    }))
}

/// The loose templates (`fold::LooseTemplate`) of the lines selection ranks and markers quote
/// (each unit's first line, and the lines a repeat copies), worked out once for every selection
/// round, by line: the whole shape, the quoted cut and, where it differs, its fine form (see
/// `summarise`).
struct Quoted {
    shape: Vec<String>,
    coarse: Vec<String>,
    fine: Vec<Option<String>>,
}

fn quoted<S: AsRef<str>>(units: &[Unit], lines: &[S], info: &[LineInfo]) -> Quoted {
    let n = lines.len();
    let mut q = Quoted {
        shape: vec![String::new(); n],
        coarse: vec![String::new(); n],
        fine: vec![None; n],
    };
    // A line may be asked for twice (as a unit, then in a repeat's copy): with `fine` it is
    // worked out again, so a fine form once needed is never lost.
    let mut put = |k: usize, fine: bool| {
        if fine || q.coarse[k].is_empty() {
            crate::stop::poll(lines[k].as_ref().len() + 1);
            let t = fold::loose_template(lines[k].as_ref(), &info[k], MAX_QUOTED_TEMPLATE, fine);
            (q.shape[k], q.coarse[k], q.fine[k]) = (t.shape, t.quoted, t.fine);
        }
    };
    for unit in units {
        match unit.kind {
            UnitKind::Line => put(unit.start, true),
            UnitKind::Template { fine, .. } => put(unit.start, fine),
            UnitKind::Repeat { period, .. } => {
                for k in unit.start - period..unit.start {
                    put(k, true);
                }
                put(unit.start, false);
            }
        }
    }
    q
}

#[allow(clippy::too_many_arguments)]
fn render_selection(
    units: &[Unit],
    rendered: &[Cow<str>],
    split: &Lines,
    info: &[LineInfo],
    quoted: &Quoted,
    sel: &keep::Selection,
) -> Compressed {
    let lines = &split.lines;
    let mut out: Vec<String> = Vec::new();
    let mut level_totals = [0usize; 7];
    let mut dropped_total = 0;
    let mut markers = 0;
    // The shapes kept lines show: a marker names only the others.
    let mut shown: LineMap<&str, ()> = LineMap::default();
    for (u, unit) in units.iter().enumerate() {
        if sel.kept[u] && !matches!(unit.kind, UnitKind::Repeat { .. }) {
            shown.insert(quoted.shape[unit.start].as_str(), ());
        }
    }
    let mut u = 0;
    while u < units.len() {
        crate::stop::poll(64);
        if sel.kept[u] {
            let unit = &units[u];
            out.push(match sel.in_all[u] {
                Some(total) => {
                    let mut s = split.given(unit.start).into_owned();
                    s.push_str(&marker::line_in_all(unit.len, total));
                    s.push_str(split.line_end(unit.start + unit.len - 1));
                    s
                }
                None => rendered[u].to_string(),
            });
            u += 1;
            continue;
        }
        let from = u;
        while u < units.len() && !sel.kept[u] {
            u += 1;
        }
        let summary = summarise(
            &units[from..u],
            &sel.repeated_signal[from..u],
            &sel.named[from..u],
            &sel.first_of_shape[from..u],
            &shown,
            lines,
            info,
            quoted,
        );
        for (k, n) in summary.levels.iter().enumerate() {
            level_totals[k] += n;
        }
        dropped_total += summary.lines;
        markers += 1;
        let last = &units[u - 1];
        out.push(summary.marker + split.line_end(last.start + last.len - 1));
    }
    let mut omitted = if dropped_total > 0 {
        vec![Omission {
            unit: "lines",
            count: dropped_total,
            summary: marker::log_omission_summary(&level_text(&level_totals), markers),
        }]
    } else {
        Vec::new()
    };
    omitted.extend(templated(units, Some(&sel.kept)));
    Compressed {
        content: out.concat(),
        strategy: String::from("log:select"),
        omitted,
        tokens: None,
    }
}

/// The lines that stand in the output as template lines (their field values, but for the first
/// and last or the range, are left out); `kept` limits it to kept units.
fn templated(units: &[Unit], kept: Option<&[bool]>) -> Vec<Omission> {
    let (mut lines, mut templates) = (0, 0);
    for (u, unit) in units.iter().enumerate() {
        if matches!(unit.kind, UnitKind::Template { .. }) && kept.is_none_or(|k| k[u]) {
            lines += unit.len;
            templates += 1;
        }
    }
    if lines == 0 {
        return Vec::new();
    }
    vec![Omission {
        unit: "lines",
        count: lines,
        summary: marker::templated_summary(templates),
    }]
}

struct Summary {
    lines: usize,
    levels: [usize; 7],
    marker: String,
}

/// The marker for a run of dropped units: level counts, time span, repeats of kept lines, the
/// most common template, and the shapes no kept line shows (`named` by selection, or counted as
/// more); a run with nothing else to say names its templates.
#[allow(clippy::too_many_arguments)]
fn summarise<S: AsRef<str>>(
    units: &[Unit],
    repeated: &[bool],
    named: &[Option<usize>],
    first_of_shape: &[bool],
    shown: &LineMap<&str, ()>,
    lines: &[S],
    info: &[LineInfo],
    quoted: &Quoted,
) -> Summary {
    let mut total = 0;
    let mut levels = [0usize; 7];
    let mut repeats = 0;
    // Template keys with their count and how to quote them, in first-seen order: the fine form
    // (`test_values[<*>] PASSED`) when every line of the template has the same one.
    let mut keys: Vec<(&str, usize, Option<&str>)> = Vec::new();
    let mut key_index: HashMap<&str, usize> = HashMap::new();
    let mut count_key = |k: usize, n: usize, uniform: bool| {
        let key = quoted.coarse[k].as_str();
        // A template must say something: at least one word that is not a field.
        if !key
            .split(' ')
            .any(|t| !t.is_empty() && t != "<*>" && t != "…")
        {
            return;
        }
        let fine = uniform.then(|| quoted.fine[k].as_deref().unwrap_or(key));
        match key_index.get(key) {
            Some(&i) => {
                keys[i].1 += n;
                if keys[i].2 != fine {
                    keys[i].2 = None;
                }
            }
            None => {
                key_index.insert(key, keys.len());
                keys.push((key, n, fine));
            }
        }
    };
    for (unit, rep) in units.iter().zip(repeated) {
        total += unit.len;
        if *rep {
            repeats += unit.len;
        }
        for li in &info[unit.start..unit.start + unit.len] {
            if let Some(l) = li.level {
                levels[l as usize] += 1;
            }
        }
        match unit.kind {
            UnitKind::Line => count_key(unit.start, unit.len, true),
            UnitKind::Template { fine, .. } => count_key(unit.start, unit.len, fine),
            UnitKind::Repeat { period, .. } => {
                for k in unit.start - period..unit.start {
                    count_key(k, unit.len / period, true);
                }
            }
        }
    }
    let first = units.first().map_or(0, |u| u.start);
    let end = units.last().map_or(0, |u| u.start + u.len);
    let mut parts = Vec::new();
    let level_part = level_text(&levels);
    if !level_part.is_empty() {
        parts.push(level_part);
    }
    let stamp = |k: usize| {
        let line = lines[k].as_ref();
        line[..info[k].ts].trim_end_matches([' ', '\t', '\x0b', '\x0c', '|'])
    };
    if total >= TIME_SPAN_MIN_LINES {
        let first_ts = (first..end).find(|&k| info[k].ts > 0);
        let last_ts = (first..end).rev().find(|&k| info[k].ts > 0);
        if let (Some(a), Some(b)) = (first_ts, last_ts) {
            parts.push(marker::time_span(stamp(a), stamp(b)));
        }
    }
    if repeats > 0 {
        parts.push(marker::repeated_signal_lines(repeats));
    }
    let mut best: Option<&(&str, usize, Option<&str>)> = None;
    for k in &keys {
        if best.is_none_or(|b| k.1 > b.1) {
            best = Some(k);
        }
    }
    // The shapes this run holds that no kept line shows: named with their count here (and in
    // all, when later runs hold more of them), or counted.
    let mut here: LineMap<&str, usize> = LineMap::default();
    for unit in units {
        if !matches!(unit.kind, UnitKind::Repeat { .. }) {
            *here.entry(quoted.shape[unit.start].as_str()).or_insert(0) += unit.len;
        }
    }
    let mut names: Vec<String> = Vec::new();
    let mut more = 0;
    let mut best_named = false;
    for ((unit, name), first) in units.iter().zip(named).zip(first_of_shape) {
        let shape = quoted.shape[unit.start].as_str();
        if matches!(unit.kind, UnitKind::Repeat { .. }) || shown.contains_key(shape) {
            continue;
        }
        match name {
            Some(total) => {
                let quote = quoted.coarse[unit.start].as_str();
                best_named |= best.is_some_and(|b| b.0 == quote);
                let n = here.get(shape).copied().unwrap_or(unit.len);
                names.push(marker::template_count(quote, n, *total));
            }
            None if *first => more += 1,
            None => {}
        }
    }
    if let Some((key, n, fine)) = best {
        if *n >= 2 && !best_named {
            parts.push(marker::most_common(fine.unwrap_or(key), *n));
        }
    }
    if !names.is_empty() || more > 0 {
        parts.push(marker::templates_named(&names, more));
    }
    if parts.is_empty() {
        // Nothing else to say: what the lines are.
        let blank = (first..end).all(|k| info[k].blank);
        if blank {
            parts.push(marker::blank_lines());
        } else {
            let quotes: Vec<String> = keys
                .iter()
                .map(|(key, n, fine)| marker::template_count(fine.unwrap_or(key), *n, *n))
                .collect();
            if quotes.is_empty() {
                let k = (first..end).find(|&k| !info[k].blank).unwrap_or(first);
                let quote =
                    fold::loose_template(lines[k].as_ref(), &info[k], MAX_QUOTED_TEMPLATE, false)
                        .quoted;
                parts.push(marker::templates_named(
                    &[marker::template_count(&quote, total, total)],
                    0,
                ));
            } else {
                parts.push(marker::templates_named(&quotes, 0));
            }
        }
    }
    Summary {
        lines: total,
        levels,
        marker: marker::lines_omitted(total, &parts),
    }
}

/// `398 INFO, 14 DEBUG`: most frequent first, ties by severity.
fn level_text(levels: &[usize; 7]) -> String {
    let mut counts: Vec<(usize, &str)> = Level::ALL
        .iter()
        .rev()
        .filter(|l| levels[**l as usize] > 0)
        .map(|l| (levels[*l as usize], l.name()))
        .collect();
    counts.sort_by_key(|c| std::cmp::Reverse(c.0));
    marker::level_counts(&counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::block::test_options as opts;

    #[test]
    fn lossless_folds_and_counts_add_up() {
        let mut text = String::from("job started\n");
        for k in 0..50 {
            text.push_str(&format!("INFO fetched item {k} in {} ms\n", k % 7));
        }
        text.push_str("ERROR item 13 failed\njob done\n");
        let c = compress(&text, &opts(Some(4000))).expect("compressed");
        assert_eq!(c.strategy, "log:fold");
        assert!(c.content.contains("ERROR item 13 failed"));
        assert!(c
            .content
            .contains("50 lines like: INFO fetched item {0–49} in {0–6} ms"));
    }

    #[test]
    fn lossy_keeps_errors_and_marks_the_rest() {
        let mut text = String::from("start\n");
        for k in 0..2000 {
            let who = ["alpha", "beta", "gamma", "delta"][k % 4];
            let place = ["north", "south", "east", "west", "up"][k % 5];
            text.push_str(&format!("INFO {who} handled request {k} for {place}\n"));
            if k == 1000 {
                text.push_str("ERROR disk full on /dev/sda1\n");
            }
        }
        text.push_str("end\n");
        let c = compress(&text, &opts(Some(300))).expect("compressed");
        assert_eq!(c.strategy, "log:select");
        assert!(c.content.contains("ERROR disk full on /dev/sda1"));
        assert!(c.content.starts_with("start\n"));
        assert!(c.content.ends_with("end\n"));
        assert!(c.content.contains("lines omitted"));
        assert!(crate::tokens::count_tokens(&c.content, crate::tokens::Encoding::O200kBase) <= 300);
        assert_eq!(c.omitted.len(), 1);
    }

    #[test]
    fn compressed_output_is_left_alone() {
        let text = "a\n[… 3 lines omitted …]\nb\n";
        assert!(compress(text, &opts(Some(10))).is_none());
    }
}
