//! The short description of a dropped run of array items that goes in its marker: value counts
//! of low-cardinality fields, ranges of numeric fields (original number text of the ends), and
//! time spans, nested fields named by their path (`properties.mag`); when no field has anything
//! to say, what kind of values the items are. Never a computed float, never empty.

use super::columns::{Column, Label};
use super::tape::{Kind, NONE};
use super::view::View;
use crate::marker;
use std::cmp::Ordering;

/// At most this many fields are described per marker.
pub const MAX_PARTS: usize = 3;
/// At most this many values are named per field; the rest are counted as `+N more`.
pub const MAX_VALUES: usize = 4;
/// Keys and values longer than this (UTF-8 bytes) are shortened with `…`.
pub const MAX_TEXT_BYTES: usize = 24;

/// Text as shown in a marker: control characters as spaces, at most `MAX_TEXT_BYTES`.
pub fn display(s: &str) -> String {
    let cut = super::strings::prefix_within(s, MAX_TEXT_BYTES);
    let mut out: String = cut
        .chars()
        .map(|c| if (c as u32) < 0x20 { ' ' } else { c })
        .collect();
    if cut.len() < s.len() {
        out.push('…');
    }
    out
}

fn value_text(view: &View, i: u32) -> String {
    match view.kind(i) {
        Kind::String => display(&view.string(i)),
        _ => display(view.tape.raw(i)),
    }
}

/// The order in which columns are described: categorical, numeric, time spans, identifiers.
fn rank(c: &Column) -> Option<u8> {
    if c.categorical() {
        Some(0)
    } else if c.all_numbers && !c.id_like {
        Some(1)
    } else if c.all_time {
        Some(2)
    } else if c.all_numbers {
        Some(3)
    } else {
        None
    }
}

/// A column's name in a marker: its key, with the keys of the objects above it for a nested
/// field (`properties.mag`).
fn field_name(view: &View, cols: &[Column], c: &Column) -> String {
    let mut names = Vec::new();
    let mut at = Some(c);
    while let Some(col) = at {
        if let Label::Key(k) = col.label {
            names.push(display(&view.key(k)));
        }
        at = cols.get(col.parent as usize);
    }
    names.reverse();
    names.join(".")
}

/// The summary of items `items[start..end]` of an array with these columns.
pub fn run(view: &View, cols: &[Column], items: &[u32], start: usize, end: usize) -> String {
    let mut order: Vec<(u8, usize)> = cols
        .iter()
        .enumerate()
        .filter_map(|(k, c)| rank(c).map(|r| (r, k)))
        .collect();
    order.sort();
    // Counts of categories come first, but one part is kept for a numeric range when there is
    // one: "how big" says more than a third category.
    let ranged = order.iter().any(|&(r, _)| r == 1);
    let mut categories = 0;
    let mut parts: Vec<String> = Vec::new();
    for (r, k) in order {
        if parts.len() == MAX_PARTS {
            break;
        }
        if r == 0 && ranged && categories == MAX_PARTS - 1 {
            continue;
        }
        let c = &cols[k];
        let body = match r {
            0 => counts(view, c, start, end),
            2 => span(view, c, start, end),
            _ => range(view, c, start, end),
        };
        let Some(body) = body else {
            continue;
        };
        categories += usize::from(r == 0);
        match c.label {
            Label::Items => parts.push(body),
            Label::Key(_) => parts.push(format!("{} {}", field_name(view, cols, c), body)),
            Label::Named(s) => parts.push(format!("{} {}", display(&view.string(s)), body)),
            Label::Position(j) => parts.push(format!("{} {}", marker::json_position(j), body)),
        }
    }
    if parts.is_empty() {
        return kinds(view, &items[start..end]);
    }
    parts.join("; ")
}

/// What kind of values the items are: `objects`, or most frequent first `objects×12, nulls×2`.
fn kinds(view: &View, items: &[u32]) -> String {
    // In the order of `Kind`'s declaration, so ties are stable.
    let mut n = [0usize; 7];
    for &i in items {
        n[view.kind(i) as usize] += 1;
    }
    let mut seen: Vec<(usize, usize)> = n
        .iter()
        .enumerate()
        .filter(|(_, &x)| x > 0)
        .map(|(k, &x)| (x, k))
        .collect();
    seen.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    // One kind: the marker's count is its count.
    if let [(_, k)] = seen[..] {
        return marker::JSON_KINDS[k].to_string();
    }
    seen.iter()
        .map(|&(x, k)| marker::json_value_count(marker::JSON_KINDS[k], x))
        .collect::<Vec<_>>()
        .join(", ")
}

fn counts(view: &View, c: &Column, start: usize, end: usize) -> Option<String> {
    let mut n = vec![0usize; c.distinct.len()];
    for &w in &c.which[start..end] {
        if let Some(x) = n.get_mut(w as usize) {
            *x += 1;
        }
    }
    let mut seen: Vec<(usize, usize)> = n
        .iter()
        .enumerate()
        .filter(|(_, &x)| x > 0)
        .map(|(k, &x)| (x, k))
        .collect();
    if seen.is_empty() {
        return None;
    }
    // Most frequent first; ties in order of first appearance.
    seen.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut shown: Vec<String> = seen
        .iter()
        .take(MAX_VALUES)
        .map(|&(x, k)| marker::json_value_count(&value_text(view, c.cells[c.distinct[k]]), x))
        .collect();
    if seen.len() > MAX_VALUES {
        shown.push(marker::json_more_values(seen.len() - MAX_VALUES));
    }
    Some(shown.join(", "))
}

fn range(view: &View, c: &Column, start: usize, end: usize) -> Option<String> {
    let lo = c.numbers.partition_point(|&(p, _)| p < start);
    let hi = c.numbers.partition_point(|&(p, _)| p < end);
    let run = &c.numbers[lo..hi];
    let &first = run.first()?;
    let (mut min, mut max) = (first, first);
    for &(p, x) in &run[1..] {
        if x < min.1 {
            min = (p, x);
        }
        if x > max.1 {
            max = (p, x);
        }
    }
    Some(marker::json_range(
        &value_text(view, c.cells[min.0]),
        &value_text(view, c.cells[max.0]),
    ))
}

fn span(view: &View, c: &Column, start: usize, end: usize) -> Option<String> {
    let mut min: Option<(std::borrow::Cow<str>, u32)> = None;
    let mut max: Option<(std::borrow::Cow<str>, u32)> = None;
    for &v in &c.cells[start..end] {
        if v == NONE || view.kind(v) != Kind::String {
            continue;
        }
        let s = view.string(v);
        if min
            .as_ref()
            .is_none_or(|(m, _)| s.as_ref().cmp(m.as_ref()) == Ordering::Less)
        {
            min = Some((s.clone(), v));
        }
        if max
            .as_ref()
            .is_none_or(|(m, _)| s.as_ref().cmp(m.as_ref()) == Ordering::Greater)
        {
            max = Some((s, v));
        }
    }
    let (min, max) = (min?, max?);
    Some(marker::json_range(
        &value_text(view, min.1),
        &value_text(view, max.1),
    ))
}
