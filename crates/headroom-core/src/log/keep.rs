//! Lossy selection over folded units (twin of `log/keep.ts`), used only when the lossless form
//! is above `max_block_tokens`.
//!
//! Always kept: every distinct error, warning, stack-trace, summary and outlier line (later exact
//! repeats, timestamps aside, may go, and the kept one then says how often it occurred), and the
//! first and last line. Then, while the budget lasts: the lines around errors and stack traces
//! (what follows an error and is indented under it, the gap between two nearby errors, a few
//! lines before and after); the distinct query lines, most relevant first (relevance is not
//! signal: query hits compete for the budget); then coverage before repetition: every shape
//! (loose template) of the ordinary lines is first named in a marker with its count, rarest
//! first, and then shown by its first line, rarest first (a name stands in for a line only where
//! it is cheaper: a shape of one line is named only when its name costs at most two thirds of the
//! line); then repeats of signal lines, section headers, and the other lines of rare shapes,
//! latest first.
//!
//! The budget is a ceiling, not a target. Signal (error, warning, stack-trace, summary and
//! outlier lines, the first and last line, the context of errors, query lines) is kept while the
//! budget lasts; everything after it (shapes shown or named, repeats, headers, rare lines) is
//! filler, and takes at most one estimate unit in `FILLER_SHARE` of what the filler costs
//! losslessly: a routine part of a log is told by a summary an order of magnitude smaller than
//! itself, however much budget is left.

use super::classify::{Class, LineInfo};
use super::fold::{Unit, UnitKind};
use crate::budget::estimate_tokens;
use crate::lines::LineMap;
use std::collections::HashMap;

/// Lines after an error or stack-trace line kept as its context.
pub const CONTEXT_AFTER: usize = 10;
/// Lines before an error or stack-trace line kept as its context.
pub const CONTEXT_BEFORE: usize = 3;
/// Lines indented under an error (its message, a test's output) kept as its continuation.
pub const CONTINUATION_MAX: usize = 60;
/// Two errors this close keep everything between them.
pub const BRIDGE_GAP: usize = 20;
/// Estimated cost of one omission marker, and of the smallest (`[… 1 line omitted …]`).
pub const MARKER_COST: usize = 30;
pub const SMALL_MARKER_COST: usize = 10;

const PRIO_MUST: usize = 0;
const PRIO_CONTEXT: usize = 10;
/// The first line of each text holding a query term: rarest terms first (see
/// `rank_query_lines`), then in reading order.
const PRIO_QUERY: usize = 100;
/// Query scores above this rank alike.
const QUERY_SPAN: usize = 99;
/// The first line of a shape no kept line shows (see `plan`).
const PRIO_TEMPLATE: usize = 200;
const PRIO_REPEATED_SIGNAL: usize = 300;
const PRIO_HEADER: usize = 400;
const PRIO_OTHER: usize = 500;
/// Ordinary lines whose shape occurs more often than `RARE_SHAPE` times.
const PRIO_NEVER: usize = usize::MAX;

/// An ordinary line is kept as filler only if its shape (see `loose_template`) occurs at most
/// this many times in the block.
pub const RARE_SHAPE: usize = 2;
/// Estimated cost of naming a shape in a marker beyond its quote: quotes, count, separator.
pub const NAME_COST: usize = 6;
/// Filler (everything ranked from `PRIO_TEMPLATE` on) keeps at most one estimate unit in this
/// many of its own lossless cost.
pub const FILLER_SHARE: usize = 10;

/// What selection decided for each unit.
pub struct Selection {
    pub kept: Vec<bool>,
    /// For a kept signal line whose later repeats were dropped: how often it occurred in all.
    pub in_all: Vec<Option<usize>>,
    /// The unit repeats an earlier kept signal line.
    pub repeated_signal: Vec<bool>,
    /// For the dropped first line of a shape that markers name: how many lines the shape has.
    pub named: Vec<Option<usize>>,
    /// The unit is the first ordinary line of its shape.
    pub first_of_shape: Vec<bool>,
    /// What the selection spends, in estimate units (lines and markers): at an unbounded budget,
    /// the budget beyond which selection changes nothing.
    pub used: usize,
}

/// What selection knows before it sees a budget: each unit's priority, and which signal line
/// each repeat belongs to. Built once per block; every budget round reuses it.
pub struct Plan {
    prio: Vec<usize>,
    /// Order among units of one priority (smaller first).
    rank: Vec<(usize, usize)>,
    /// For the first line of a shape: how many ordinary lines have the shape.
    shape_lines: Vec<usize>,
    /// For the first line of a shape: what naming the shape in a marker costs.
    name_cost: Vec<usize>,
    repeated_signal: Vec<bool>,
    group_of: Vec<Option<usize>>,
}

/// Ranks the units of a block (see the module comment). `shapes` holds the loose template
/// (`LooseTemplate::shape`) of each unit's first line, `quotes` the form markers quote.
pub fn plan<S: AsRef<str>>(
    units: &[Unit],
    lines: &[S],
    info: &[LineInfo],
    shapes: &[String],
    quotes: &[String],
) -> Plan {
    let n = lines.len();
    let score = context_scores(info);
    let mut prio = vec![PRIO_OTHER; units.len()];
    let mut repeated_signal = vec![false; units.len()];
    // Error, warning, stack-trace and query lines: the first of each text (timestamp aside) is
    // kept (query lines while the budget lasts). Summaries (one per test class, per module):
    // the last of each template is kept.
    let mut group_of: Vec<Option<usize>> = vec![None; units.len()];
    let mut first_of_text: LineMap<&str, usize> = LineMap::default();
    let mut last_of_template: LineMap<&str, usize> = LineMap::default();
    let mut summary_key: Vec<Option<&str>> = vec![None; units.len()];
    for (u, unit) in units.iter().enumerate() {
        crate::stop::poll(64);
        if unit.kind != UnitKind::Line {
            continue;
        }
        let li = &info[unit.start];
        let line = lines[unit.start].as_ref();
        match li.class {
            Class::Plain => {}
            Class::Summary => {
                let key = shapes[unit.start].as_str();
                last_of_template.insert(key, u);
                summary_key[u] = Some(key);
            }
            _ => {
                let first = *first_of_text.entry(&line[li.ts..]).or_insert(u);
                group_of[u] = Some(first);
            }
        }
    }
    for (u, unit) in units.iter().enumerate() {
        let end = unit.start + unit.len;
        let edge = unit.start == 0 || end == n;
        match unit.kind {
            UnitKind::Line => {
                let query = info[unit.start].class == Class::Query && group_of[u] == Some(u);
                let must = match (summary_key[u], group_of[u]) {
                    (Some(key), _) => last_of_template.get(key) == Some(&u),
                    (None, Some(first)) => first == u && !query,
                    (None, None) => false,
                };
                if must || edge || info[unit.start].framed {
                    prio[u] = PRIO_MUST;
                    continue;
                }
                if query {
                    let best = (unit.start..end).filter_map(|k| score[k]).min();
                    prio[u] = best.map_or(PRIO_QUERY, |d| PRIO_CONTEXT + d);
                    continue;
                }
                // Earlier summaries (one per test class) are context, not repeats.
                repeated_signal[u] =
                    !matches!(info[unit.start].class, Class::Plain | Class::Summary);
            }
            UnitKind::Template { .. } => {}
            UnitKind::Repeat { copy, .. } => {
                // Kept exactly when its first copy is: as important as the least of it.
                prio[u] = prio[copy..u].iter().copied().max().unwrap_or(PRIO_OTHER);
                continue;
            }
        }
        let best = (unit.start..end).filter_map(|k| score[k]).min();
        prio[u] = match best {
            Some(d) => PRIO_CONTEXT + d,
            None if repeated_signal[u] => PRIO_REPEATED_SIGNAL,
            None if info[unit.start].header || info[unit.start].class == Class::Summary => {
                PRIO_HEADER
            }
            None => PRIO_OTHER,
        };
    }

    // Coverage before repetition: the first ordinary line of each shape no kept line shows
    // (rarest shape first, then latest first) comes before any shape's second line. Later lines
    // of a frequent shape are well told by the markers (they count it); only rare ones are worth
    // their tokens.
    let mut must_shape: LineMap<&str, ()> = LineMap::default();
    let mut shape_count: LineMap<&str, usize> = LineMap::default();
    for (u, unit) in units.iter().enumerate() {
        let key = shapes[unit.start].as_str();
        if prio[u] == PRIO_MUST && unit.kind == UnitKind::Line {
            must_shape.insert(key, ());
        } else if prio[u] == PRIO_OTHER {
            *shape_count.entry(key).or_insert(0) += unit.len;
        }
    }
    let mut rank: Vec<(usize, usize)> = (0..units.len()).map(|u| (0, u)).collect();
    let mut shape_lines = vec![0; units.len()];
    let mut name_cost = vec![0; units.len()];
    let mut seen: LineMap<&str, ()> = LineMap::default();
    for (u, unit) in units.iter().enumerate() {
        if prio[u] != PRIO_OTHER {
            continue;
        }
        rank[u] = (0, usize::MAX - u);
        let key = shapes[unit.start].as_str();
        // A shape of fields alone (`<*>`) says nothing; such lines stay ordinary filler.
        if !key.split(' ').any(|t| t != "<*>") {
            continue;
        }
        let count = shape_count.get(key).copied().unwrap_or(0);
        if must_shape.contains_key(key) || seen.insert(key, ()).is_some() {
            if count > RARE_SHAPE {
                prio[u] = PRIO_NEVER;
            }
            continue;
        }
        prio[u] = PRIO_TEMPLATE;
        rank[u] = (count, usize::MAX - u);
        shape_lines[u] = count;
        name_cost[u] = estimate_tokens(&quotes[unit.start]) + NAME_COST;
    }

    Plan {
        prio,
        rank,
        shape_lines,
        name_cost,
        repeated_signal,
        group_of,
    }
}

/// Ranks the query lines of `plan` by `relevance` (per line: `query::query_score` of its text),
/// highest first.
pub fn rank_query_lines(plan: &mut Plan, units: &[Unit], relevance: &[usize]) {
    for (p, unit) in plan.prio.iter_mut().zip(units) {
        if *p == PRIO_QUERY {
            *p += QUERY_SPAN - relevance[unit.start].min(QUERY_SPAN);
        }
    }
}

/// Chooses the units to keep within `budget` (in `costs` units).
pub fn select(
    units: &[Unit],
    info: &[LineInfo],
    plan: &Plan,
    costs: &[usize],
    budget: usize,
) -> Selection {
    let prio = &plan.prio;
    let mut kept: Vec<bool> = prio.iter().map(|p| *p == PRIO_MUST).collect();
    let is_filler = |u: usize| prio[u] >= PRIO_TEMPLATE;
    let filler_cap = (0..units.len())
        .filter(|&u| is_filler(u))
        .map(|u| costs[u])
        .sum::<usize>()
        / FILLER_SHARE;
    let mut filler = 0;
    let mut used = 0;
    let mut in_dropped_run = false;
    for (u, k) in kept.iter().enumerate() {
        if *k {
            used += costs[u];
            in_dropped_run = false;
        } else if !in_dropped_run {
            used += MARKER_COST;
            in_dropped_run = true;
        }
    }
    let mut order: Vec<usize> = (0..units.len())
        .filter(|u| !kept[*u] && prio[*u] != PRIO_NEVER)
        .collect();
    // Most important first; among the ordinary lines the latest first (a log's end tells how
    // it went), the first lines of shapes rarest first, otherwise in reading order.
    order.sort_by_key(|&u| (prio[u], plan.rank[u]));
    let mut named: Vec<Option<usize>> = vec![None; units.len()];
    let mut naming_done = false;
    for (i, &u) in order.iter().enumerate() {
        crate::stop::poll(64);
        if prio[u] == PRIO_TEMPLATE && !naming_done {
            // Every shape first gets its name in a marker, while the budget lasts; a shape of
            // one line only where the name costs at most two thirds of the line.
            naming_done = true;
            for &v in order[i..].iter().take_while(|&&v| prio[v] == PRIO_TEMPLATE) {
                let c = plan.name_cost[v];
                let worth = plan.shape_lines[v] >= 2 || 3 * c <= 2 * costs[v];
                if worth && used + c <= budget && filler + c <= filler_cap {
                    named[v] = Some(plan.shape_lines[v]);
                    used += c;
                    filler += c;
                }
            }
        }
        let left = u > 0 && !kept[u - 1];
        let right = u + 1 < units.len() && !kept[u + 1];
        let cost = costs[u] + if left && right { MARKER_COST } else { 0 };
        let saving = if !left && !right { MARKER_COST } else { 0 };
        // A shown line needs no name.
        let refund = if named[u].is_some() {
            plan.name_cost[u]
        } else {
            0
        };
        // A unit no dearer than the marker that would stand for it is always worth keeping.
        let cheap = saving > 0 && cost <= SMALL_MARKER_COST;
        let fits = used + cost <= budget.saturating_add(saving + refund)
            && (!is_filler(u) || filler + cost <= filler_cap + saving + refund);
        if cheap || fits {
            kept[u] = true;
            named[u] = None;
            used = (used + cost).saturating_sub(saving + refund);
            if is_filler(u) {
                filler = (filler + cost).saturating_sub(saving + refund);
            }
        }
    }
    // A repeat marker only makes sense under its complete first copy.
    for (u, unit) in units.iter().enumerate() {
        if let UnitKind::Repeat { copy, .. } = unit.kind {
            if kept[u] && kept[copy..u].iter().any(|k| !k) {
                kept[u] = false;
            }
        }
    }

    let mut totals: HashMap<usize, (usize, bool)> = HashMap::new();
    for (u, g) in plan.group_of.iter().enumerate() {
        if let Some(first) = g {
            let e = totals.entry(*first).or_insert((0, false));
            e.0 += units[u].len;
            e.1 |= !kept[u];
        }
    }
    let mut in_all = vec![None; units.len()];
    for (first, (total, dropped)) in totals {
        if dropped && kept[first] && info[units[first].start].class != Class::Frame {
            in_all[first] = Some(total);
        }
    }
    Selection {
        kept,
        in_all,
        repeated_signal: plan.repeated_signal.clone(),
        named,
        first_of_shape: plan.shape_lines.iter().map(|n| *n > 0).collect(),
        used,
    }
}

/// For each line, how close it is to an error or stack-trace line (smaller is closer), if it is
/// context at all: after-distance counts once, before-distance twice; continuation lines and
/// bridges between nearby errors count as adjacent, and the header of a section that holds an
/// error (the step or task that failed) as the line just before it.
fn context_scores(info: &[LineInfo]) -> Vec<Option<usize>> {
    let n = info.len();
    let anchor = |k: usize| matches!(info[k].class, Class::Error | Class::Frame);
    let mut score: Vec<Option<usize>> = vec![None; n];
    let mut prev_anchor: Vec<Option<usize>> = vec![None; n];
    let mut prev: Option<usize> = None;
    let mut continuing = false;
    for k in 0..n {
        if anchor(k) {
            prev = Some(k);
            continuing = true;
            continue;
        }
        prev_anchor[k] = prev;
        if let Some(a) = prev {
            let after = k - a;
            continuing = continuing && (info[k].blank || info[k].indent > info[a].indent);
            if (continuing && after <= CONTINUATION_MAX) || after <= CONTEXT_AFTER {
                score[k] = Some(if continuing { 1 } else { after });
            }
        }
    }
    let mut next: Option<usize> = None;
    // Whether the lines after `k`, up to the next header, hold an anchor.
    let mut section_failed = false;
    for k in (0..n).rev() {
        if anchor(k) {
            next = Some(k);
            section_failed = !info[k].header;
            continue;
        }
        let header_of_failure = info[k].header && section_failed;
        if info[k].header {
            section_failed = false;
        }
        let Some(b) = next else {
            continue;
        };
        let before = b - k;
        let mut s = None;
        if before <= CONTEXT_BEFORE {
            s = Some(2 * before);
        }
        if header_of_failure {
            s = Some(2);
        }
        if prev_anchor[k].is_some_and(|a| b - a <= BRIDGE_GAP) {
            s = Some(1);
        }
        if let Some(s) = s {
            score[k] = Some(score[k].map_or(s, |x| x.min(s)));
        }
    }
    score
}
