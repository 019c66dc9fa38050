//! An array's items seen as columns: each field of the object items (or, for an array of
//! primitives, the items themselves), with its distinct values, numbers and kind. Selection uses
//! columns for low-cardinality fields and statistics; summaries use them to describe dropped runs.

use super::tape::{Kind, NONE};
use super::view::View;
use crate::select::words;
use std::borrow::Cow;
use std::collections::HashMap;

/// Columns beyond this many (items with ever-new keys) are not tracked.
pub const MAX_COLUMNS: usize = 64;
/// A column with more distinct values than this is not low-cardinality.
pub const MAX_DISTINCT: usize = 12;

pub struct Column {
    /// A node carrying the column's key, or `NONE` for an array of primitives.
    pub key: u32,
    /// Per item position: the value node, or `NONE` when absent.
    pub cells: Vec<u32>,
    /// Per item position: the index of its value in `distinct` (`u8::MAX` when absent or untracked).
    pub which: Vec<u8>,
    pub present: usize,
    /// First item position of each distinct value, in order of first appearance; empty when the
    /// column has more than `MAX_DISTINCT` distinct values.
    pub distinct: Vec<usize>,
    /// (item position, value) of every finite number.
    pub numbers: Vec<(usize, f64)>,
    pub all_numbers: bool,
    /// Every value a string that starts like an ISO 8601 date (`YYYY-MM-DD`).
    pub all_time: bool,
    /// The key's last word is `id` or `ids`: no statistics or ranges for identifiers.
    pub id_like: bool,
}

impl Column {
    fn new(key: u32, n: usize, id_like: bool) -> Self {
        Column {
            key,
            cells: vec![NONE; n],
            which: vec![u8::MAX; n],
            present: 0,
            distinct: Vec::new(),
            numbers: Vec::new(),
            all_numbers: true,
            all_time: true,
            id_like,
        }
    }

    /// Two or more distinct values, at most `MAX_DISTINCT`.
    pub fn categorical(&self) -> bool {
        self.distinct.len() >= 2
    }
}

/// A value's identity for counting: its kind and text (decoded for strings, raw for numbers).
pub fn value_key<'t>(view: &View<'t, '_>, i: u32) -> (u8, Cow<'t, str>) {
    match view.kind(i) {
        Kind::String => (1, view.string(i)),
        Kind::Number => (2, Cow::Borrowed(view.tape.raw(i))),
        k => (k as u8 + 3, Cow::Borrowed(view.tape.raw(i))),
    }
}

fn time_like(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

fn id_like(view: &View, key: u32) -> bool {
    let k = view.key(key);
    words(&k).last().is_some_and(|w| w == "id" || w == "ids")
}

/// The columns of an array's items.
pub fn columns(view: &View, items: &[u32]) -> Vec<Column> {
    let tape = view.tape;
    let n = items.len();
    let mut cols: Vec<Column> = Vec::new();
    if items.iter().all(|&i| !view.kind(i).is_container()) {
        let mut c = Column::new(NONE, n, false);
        for (p, &i) in items.iter().enumerate() {
            c.cells[p] = i;
        }
        cols.push(c);
    } else {
        let mut by_key: HashMap<u32, u32> = HashMap::new();
        // Column of each field position in the previous object item: rows mostly share a layout.
        let mut hints: Vec<u32> = Vec::new();
        for (p, &item) in items.iter().enumerate() {
            if view.kind(item) != Kind::Object {
                continue;
            }
            for (j, c) in tape.children(item).enumerate() {
                let hinted = hints
                    .get(j)
                    .copied()
                    .filter(|&h| view.key_eq(c, cols[h as usize].key));
                let key = tape.nodes[c as usize].key;
                let col = match hinted.or_else(|| by_key.get(&key).copied()) {
                    Some(h) => h,
                    None if cols.len() < MAX_COLUMNS => {
                        let h = cols.len() as u32;
                        cols.push(Column::new(c, n, id_like(view, c)));
                        by_key.insert(key, h);
                        h
                    }
                    None => continue,
                };
                if j < hints.len() {
                    hints[j] = col;
                } else {
                    hints.push(col);
                }
                let cells = &mut cols[col as usize].cells;
                if cells[p] == NONE {
                    cells[p] = c;
                }
            }
        }
    }
    for col in &mut cols {
        fill(view, col);
    }
    cols
}

/// Distinct values, numbers and kind of a column whose cells are set.
fn fill(view: &View, col: &mut Column) {
    let mut distinct: Vec<(u8, String)> = Vec::new();
    let mut overflow = false;
    for p in 0..col.cells.len() {
        let v = col.cells[p];
        if v == NONE {
            continue;
        }
        col.present += 1;
        let kind = view.kind(v);
        match kind {
            Kind::Number => {
                let x: f64 = view.tape.raw(v).parse().unwrap_or(f64::INFINITY);
                if x.is_finite() {
                    col.numbers.push((p, x));
                } else {
                    col.all_numbers = false;
                }
            }
            _ => col.all_numbers = false,
        }
        if kind != Kind::String || !time_like(&view.tape.raw(v)[1..]) {
            col.all_time = false;
        }
        if kind.is_container() {
            overflow = true;
        }
        if overflow {
            continue;
        }
        let (tag, text) = value_key(view, v);
        match distinct.iter().position(|(t, s)| *t == tag && *s == *text) {
            Some(k) => col.which[p] = k as u8,
            None if distinct.len() < MAX_DISTINCT => {
                col.which[p] = distinct.len() as u8;
                distinct.push((tag, text.into_owned()));
                col.distinct.push(p);
            }
            None => overflow = true,
        }
    }
    if overflow {
        col.distinct.clear();
        col.which.iter_mut().for_each(|w| *w = u8::MAX);
    }
    if col.present == 0 {
        col.all_numbers = false;
        col.all_time = false;
    }
}
