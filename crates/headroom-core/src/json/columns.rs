//! An array's items seen as columns: each field of the object items, nested fields included
//! (`properties.mag` of GeoJSON features, `attributes.status` of API envelopes: a record's
//! interesting fields are often one object down), each position of tuple rows (items that are
//! arrays of mostly one length, like `[ts, value]` samples or SQL result rows), or, for an array
//! of primitives, the items themselves; with its distinct values, numbers and kind. Selection
//! uses columns for low-cardinality fields and statistics; summaries use them to describe dropped
//! runs.

use super::tape::{Kind, NONE};
use super::view::View;
use crate::signal::words;
use std::borrow::Cow;
use std::collections::HashMap;

/// Columns beyond this many (items with ever-new keys) are not tracked.
pub const MAX_COLUMNS: usize = 64;
/// A column with more distinct values than this is not low-cardinality.
pub const MAX_DISTINCT: usize = 12;
/// Strings of more digits than this are identifiers, not numbers (beyond f64's exact digits).
pub const MAX_NUMBER_DIGITS: usize = 15;
/// Fields of objects nested in an item are columns down to this many keys from the item
/// (`a.b.c.d`); deeper ones are not tracked.
pub const MAX_FIELD_DEPTH: usize = 4;
/// Last key words of a sibling that names the positions of tuple rows (`columns`, `fields`;
/// `meta` as in ClickHouse's JSONCompact output).
const HEADER_WORDS: &[&str] = &["columns", "fields", "header", "headers", "meta"];

/// What a column is called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    /// The items themselves (an array of primitives).
    Items,
    /// An object field: a node carrying the key.
    Key(u32),
    /// A position of tuple rows, unnamed.
    Position(u32),
    /// A position of tuple rows named by a sibling header: the name's string node.
    Named(u32),
}

pub struct Column {
    pub label: Label,
    /// For a field of an object nested in the item: the column of that object (`properties` for
    /// `properties.mag`); `NONE` otherwise.
    pub parent: u32,
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
    /// Every value a number, or null (a missing measurement does not make a field a text field),
    /// with at least one number.
    pub all_numbers: bool,
    /// Every value a string that starts like an ISO 8601 date (`YYYY-MM-DD`), or null, with at
    /// least one such string.
    pub all_time: bool,
    /// The key's last word is `id` or `ids`: no statistics or ranges for identifiers.
    pub id_like: bool,
}

impl Column {
    fn new(label: Label, n: usize, id_like: bool) -> Self {
        Column {
            label,
            parent: NONE,
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

fn id_name(name: &str) -> bool {
    words(name).last().is_some_and(|w| w == "id" || w == "ids")
}

/// Whether a string's whole value is a plain JSON number (`-12`, `0.5`, `1e-3`; no spaces, no
/// `+`, no leading zeros) of at most `MAX_NUMBER_DIGITS` digits: such strings (Prometheus
/// samples, `"latency": "4800"`) count as numbers for statistics and ranges.
pub fn number_like(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits_from = |i: usize| b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let int = digits_from(i);
    if int == 0 || (int > 1 && b[i] == b'0') {
        return false;
    }
    i += int;
    let mut digits = int;
    if b.get(i) == Some(&b'.') {
        let frac = digits_from(i + 1);
        if frac == 0 {
            return false;
        }
        i += 1 + frac;
        digits += frac;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = digits_from(i);
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len() && digits <= MAX_NUMBER_DIGITS
}

/// The number a plain-number string stands for (finite values only).
fn string_number(s: &str) -> Option<f64> {
    if !number_like(s) {
        return None;
    }
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// The length shared by at least three quarters of an array's items when those are arrays of
/// two or more elements: its items are then tuple rows, records with positional fields.
pub fn tuple_width(view: &View, items: &[u32]) -> Option<usize> {
    let tape = view.tape;
    let len = |i: u32| (view.kind(i) == Kind::Array).then(|| tape.nodes[i as usize].count);
    // The majority length, if any (Boyer–Moore vote), then checked against the threshold.
    let (mut candidate, mut votes) = (None, 0usize);
    for &i in items {
        let l = len(i);
        if votes == 0 {
            candidate = l;
            votes = 1;
        } else if l == candidate {
            votes += 1;
        } else {
            votes -= 1;
        }
    }
    let width = candidate?;
    let shared = items.iter().filter(|&&i| len(i) == Some(width)).count();
    (width >= 2 && shared * 4 >= items.len() * 3).then_some(width as usize)
}

/// Names of the positions of tuple rows in array `node`, from a sibling field such as
/// `"columns": ["ts", "host", "latency_ms"]` (strings, or objects with a string `name`) of the
/// same length. Optional: tuple rows are columns by position without it.
pub fn header(view: &View, node: u32, width: usize) -> Option<Vec<u32>> {
    let tape = view.tape;
    let parent = tape.nodes[node as usize].parent;
    if parent == NONE || view.kind(parent) != Kind::Object {
        return None;
    }
    tape.children(parent).find_map(|s| {
        if s == node
            || view.kind(s) != Kind::Array
            || tape.nodes[s as usize].count as usize != width
            || !words(&view.key(s))
                .last()
                .is_some_and(|w| HEADER_WORDS.contains(&w.as_str()))
        {
            return None;
        }
        tape.children(s)
            .map(|c| match view.kind(c) {
                Kind::String => Some(c),
                Kind::Object => tape
                    .children(c)
                    .find(|&f| view.kind(f) == Kind::String && view.key(f) == "name"),
                _ => None,
            })
            .collect()
    })
}

/// The columns of an array's items (`node` is the array).
pub fn columns(view: &View, node: u32, items: &[u32]) -> Vec<Column> {
    let tape = view.tape;
    let n = items.len();
    let mut cols: Vec<Column> = Vec::new();
    if items.iter().all(|&i| !view.kind(i).is_container()) {
        let mut c = Column::new(Label::Items, n, false);
        for (p, &i) in items.iter().enumerate() {
            c.cells[p] = i;
        }
        cols.push(c);
    } else if let Some(width) = tuple_width(view, items) {
        let names = header(view, node, width);
        for j in 0..width.min(MAX_COLUMNS) {
            cols.push(match names.as_ref().and_then(|h| h.get(j)) {
                Some(&s) => Column::new(Label::Named(s), n, id_name(&view.string(s))),
                None => Column::new(Label::Position(j as u32), n, false),
            });
        }
        for (p, &item) in items.iter().enumerate() {
            if view.kind(item) != Kind::Array {
                continue;
            }
            for (j, c) in tape.children(item).take(cols.len()).enumerate() {
                cols[j].cells[p] = c;
            }
        }
    } else {
        // Columns by (column of the enclosing object or `NONE`, key id).
        let mut by_key: HashMap<(u32, u32), u32> = HashMap::new();
        // Column of each field position (in document order, nested fields included) in the
        // previous object item: rows mostly share a layout.
        let mut hints: Vec<u32> = Vec::new();
        // The objects open at the current field: (node, its column), the item first.
        let mut open: Vec<(u32, u32)> = Vec::new();
        for (p, &item) in items.iter().enumerate() {
            if view.kind(item) != Kind::Object {
                continue;
            }
            let end = tape.nodes[item as usize].next;
            open.clear();
            open.push((item, NONE));
            let mut j = 0;
            let mut c = item + 1;
            while c < end {
                let node = &tape.nodes[c as usize];
                // Fields are visited in document order, so the parent is an open object.
                while open.len() > 1 && open.last().is_some_and(|&(o, _)| o != node.parent) {
                    open.pop();
                }
                let parent = open.last().map_or(NONE, |&(_, col)| col);
                let hinted = hints.get(j).copied().filter(|&h| {
                    let col = &cols[h as usize];
                    col.parent == parent && matches!(col.label, Label::Key(k) if view.key_eq(c, k))
                });
                let key = (parent, node.key);
                let col = match hinted.or_else(|| by_key.get(&key).copied()) {
                    Some(h) => Some(h),
                    None if cols.len() < MAX_COLUMNS => {
                        let h = cols.len() as u32;
                        let mut col = Column::new(Label::Key(c), n, id_name(&view.key(c)));
                        col.parent = parent;
                        cols.push(col);
                        by_key.insert(key, h);
                        Some(h)
                    }
                    None => None,
                };
                if let Some(col) = col {
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
                j += 1;
                // Into a nested object's fields (arrays are not columns); past anything else.
                match col {
                    Some(col)
                        if node.kind == Kind::Object
                            && node.count > 0
                            && open.len() < MAX_FIELD_DEPTH =>
                    {
                        open.push((c, col));
                        c += 1;
                    }
                    _ => c = node.next,
                }
            }
        }
    }
    // Row by row, so each item's values are read together (the tape keeps them side by side).
    let mut fillers: Vec<Filler> = cols.iter().map(|_| Filler::default()).collect();
    for p in 0..n {
        for (col, f) in cols.iter_mut().zip(&mut fillers) {
            f.cell(view, col, p);
        }
    }
    for (col, f) in cols.iter_mut().zip(fillers) {
        f.finish(col);
    }
    cols
}

/// Distinct values, numbers and kind of a column, gathered one cell at a time.
#[derive(Default)]
struct Filler {
    distinct: Vec<(u8, String)>,
    overflow: bool,
    /// A time-like string was seen.
    timed: bool,
}

impl Filler {
    fn cell(&mut self, view: &View, col: &mut Column, p: usize) {
        let v = col.cells[p];
        if v == NONE {
            return;
        }
        col.present += 1;
        let kind = view.kind(v);
        let number = match kind {
            Kind::Number => view
                .tape
                .raw(v)
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite()),
            // Most strings are ruled out by their first character, without decoding.
            Kind::String
                if matches!(
                    view.tape.raw(v).as_bytes().get(1),
                    Some(b'-' | b'0'..=b'9' | b'\\')
                ) =>
            {
                string_number(&view.string(v))
            }
            _ => None,
        };
        match number {
            Some(x) => col.numbers.push((p, x)),
            None if kind == Kind::Null => {}
            None => col.all_numbers = false,
        }
        if kind == Kind::String && time_like(&view.tape.raw(v)[1..]) {
            self.timed = true;
        } else if kind != Kind::Null {
            col.all_time = false;
        }
        if kind.is_container() {
            self.overflow = true;
        }
        if self.overflow {
            return;
        }
        let (tag, text) = value_key(view, v);
        match self
            .distinct
            .iter()
            .position(|(t, s)| *t == tag && *s == *text)
        {
            Some(k) => col.which[p] = k as u8,
            None if self.distinct.len() < MAX_DISTINCT => {
                col.which[p] = self.distinct.len() as u8;
                self.distinct.push((tag, text.into_owned()));
                col.distinct.push(p);
            }
            None => self.overflow = true,
        }
    }

    fn finish(self, col: &mut Column) {
        if self.overflow {
            col.distinct.clear();
            col.which.iter_mut().for_each(|w| *w = u8::MAX);
        }
        if col.numbers.is_empty() {
            col.all_numbers = false;
        }
        if !self.timed {
            col.all_time = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tape;
    use super::*;

    /// Strings that count as numbers, and strings that do not (the JS twin tests the same table).
    pub const NUMBER_LIKE: &[&str] = &[
        "0",
        "-0",
        "12",
        "-12.5",
        "0.10",
        "1e5",
        "1E+5",
        "2.5e-3",
        "123456789012345",
        "-1234567890.12345",
    ];
    pub const NOT_NUMBER_LIKE: &[&str] = &[
        "",
        "-",
        "+5",
        " 5",
        "5 ",
        "05",
        "-01",
        "1.",
        ".5",
        "1e",
        "1e+",
        "0x10",
        "1,000",
        "NaN",
        "Infinity",
        "1_000",
        "1.2.3",
        "١٢",
        "1234567890123456",
        "12345678901234567890",
        "1.000000000000000",
    ];

    #[test]
    fn plain_number_strings_are_numbers_and_long_digit_runs_are_ids() {
        for s in NUMBER_LIKE {
            assert!(number_like(s), "{s:?}");
        }
        for s in NOT_NUMBER_LIKE {
            assert!(!number_like(s), "{s:?}");
        }
    }

    fn cols_of(doc: &str, array: u32) -> (tape::Tape<'_>, Vec<u32>) {
        let t = tape::parse(doc).unwrap();
        let items = t.children(array).collect();
        (t, items)
    }

    #[test]
    fn tuple_rows_are_columns_by_position_or_by_header_name() {
        // Mostly pairs (a stray triple and a null do not change the layout).
        let doc =
            r#"[[1,"100"],[2,"103"],[3,"99"],[4,"5550"],[5,"101","x"],null,[7,"98"],[8,"1.50"]]"#;
        let (t, items) = cols_of(doc, 0);
        let view = View::new(&t, None);
        assert_eq!(tuple_width(&view, &items), Some(2));
        let cols = columns(&view, 0, &items);
        assert_eq!(cols.len(), 2);
        assert_eq!(cols[1].label, Label::Position(1));
        assert!(cols[1].all_numbers);
        let values: Vec<f64> = cols[1].numbers.iter().map(|&(_, x)| x).collect();
        assert_eq!(values, [100.0, 103.0, 99.0, 5550.0, 101.0, 98.0, 1.5]);
        // Half pairs, half singles: not tuple rows; a list of lists of one is not either.
        let (t, items) = cols_of(r#"[[1,2],[3],[4,5],[6],[7,8],[9]]"#, 0);
        assert_eq!(tuple_width(&View::new(&t, None), &items), None);
        let (t, items) = cols_of(r#"[[1],[2],[3],[4]]"#, 0);
        assert_eq!(tuple_width(&View::new(&t, None), &items), None);
        // A sibling header of the same length names the positions: strings, or objects' names.
        for doc in [
            r#"{"columns":["ts","trace_id"],"rows":[[1,"a"],[2,"b"]]}"#,
            r#"{"fields":[{"name":"ts","type":"int"},{"type":"str","name":"trace_id"}],"rows":[[1,"a"],[2,"b"]]}"#,
            r#"{"meta":[{"name":"ts"},{"name":"trace_id"}],"data":[[1,"a"],[2,"b"]],"rows":2}"#,
        ] {
            let t = tape::parse(doc).unwrap();
            let view = View::new(&t, None);
            let rows = t.children(0).nth(1).unwrap();
            let items: Vec<u32> = t.children(rows).collect();
            let cols = columns(&view, rows, &items);
            let names: Vec<String> = cols
                .iter()
                .map(|c| match c.label {
                    Label::Named(s) => view.string(s).into_owned(),
                    _ => String::new(),
                })
                .collect();
            assert_eq!(names, ["ts", "trace_id"], "{doc}");
            assert!(!cols[0].id_like && cols[1].id_like);
        }
        // A header of another length, or not all names, is ignored.
        for doc in [
            r#"{"columns":["ts"],"rows":[[1,"a"],[2,"b"]]}"#,
            r#"{"columns":["ts",3],"rows":[[1,"a"],[2,"b"]]}"#,
        ] {
            let t = tape::parse(doc).unwrap();
            let view = View::new(&t, None);
            let rows = t.children(0).nth(1).unwrap();
            assert_eq!(header(&view, rows, 2), None, "{doc}");
        }
    }
}
