//! Lossy selection (twin: `select.ts`): which items of large arrays, at any depth, survive when
//! the lossless form is above the block's budget.
//!
//! Every array of at least `MIN_ITEMS` items keeps a set of items it must keep: the first and the
//! last; every item with an error signal anywhere in it, or a warning outside its inner arrays
//! (a tuple row's own fields count as outside); numeric outliers and the items either side of a
//! change point (per field, the `STAT_KEEP` most extreme and largest); the items with the largest and the smallest value of each numeric field (over
//! at least `LOW_CARDINALITY_ITEMS` numbers); one
//! item for each distinct value of a low-cardinality field (an object key, nested ones included,
//! or a position of tuple rows: see `columns`); the items that best match the block's query
//! (BM25-style); existing markers; and enough items that every key of the array's items appears
//! in the output. Then one cap `K` on kept items per array is chosen for the whole document, the
//! largest whose output fits the byte budget, and each array fills up to `K` with items spread
//! evenly over the rest. Dropped runs become markers with a summary; strings longer than
//! `LONG_STRING_BYTES` keep their first `CUT_KEEP_BYTES`.

use super::columns::{self, Column, Label};
use super::signal::{self, KeyClass, TextSignals};
use super::strings;
use super::summary;
use super::tape::{Kind, Tape, ESCAPED, KEY_ESCAPED, NONE};
use super::view::{Entry, Plan, View};
use crate::block::Omission;
use crate::marker;
use crate::metrics;
use crate::query::query_terms;
use crate::signal::{words, Signal};
use crate::stats;
use std::borrow::Cow;
use std::collections::HashMap;

/// Arrays with fewer items are never reduced.
pub const MIN_ITEMS: usize = 8;
/// Strings longer than this many UTF-8 bytes are cut in the lossy stage…
pub const LONG_STRING_BYTES: usize = 2048;
/// …to their first this many bytes (at a character boundary), followed by a marker.
pub const CUT_KEEP_BYTES: usize = 1024;
/// A field is low-cardinality (one item kept per value) with 2–12 distinct values over at least
/// this many items.
pub const LOW_CARDINALITY_ITEMS: usize = 20;
/// The best query matches kept per array.
pub const QUERY_KEEP: usize = 8;
/// The most extreme outliers, and the largest level shifts, kept per field.
pub const STAT_KEEP: usize = 8;
/// Planning estimate of a marker's size in bytes (a count and a two- or three-part summary); a
/// dropped run no larger than this is kept instead, since its marker would cost as much.
const MARKER_ESTIMATE_BYTES: i64 = 96;

/// A reducible array.
struct Reducible {
    node: u32,
    items: Vec<u32>,
    must: Vec<bool>,
    must_count: usize,
    /// The item (array index, position) whose subtree holds this array; `None` at top level.
    owner: Option<(usize, usize)>,
    cols: Vec<Column>,
    /// Per item: how much smaller inner arrays make it, for the evaluation in progress
    /// (allocated only when inner arrays exist).
    shrink: Vec<i64>,
    /// Positions of the must-keep items, in order.
    must_pos: Vec<u32>,
    /// Running sums of item sizes plus one separator each (`prefix[p]` = items before `p`), so
    /// an array without inner arrays is sized in time proportional to what it keeps.
    prefix: Vec<u64>,
}

/// A document analysed for lossy selection.
pub struct Selection<'t, 'a> {
    view: View<'t, 'a>,
    arrays: Vec<Reducible>,
    array_of: HashMap<u32, usize>,
    /// Compact JSON size of each node's value, cut strings at their cut size.
    size: Vec<u64>,
    /// Cut strings: node → (replacement value, full length in bytes).
    cuts: HashMap<u32, (String, usize)>,
}

impl<'t, 'a> Selection<'t, 'a> {
    /// Analyses a document; `query` is the block's relevance query.
    pub fn new(tape: &'t Tape<'a>, query: &str) -> Self {
        let view = View::new(tape, None);
        let cuts = long_strings(&view);
        let size = sizes(&view, &cuts);
        let mut sel = Selection {
            view,
            arrays: Vec::new(),
            array_of: HashMap::new(),
            size,
            cuts,
        };
        sel.find_arrays();
        if !sel.arrays.is_empty() {
            sel.choose_must(query);
        }
        sel
    }

    /// Compact JSON size of the whole document (long strings at their cut size).
    pub fn compact_size(&self) -> u64 {
        self.size[0]
    }

    /// Whether selection can change anything (arrays to reduce or strings to cut).
    pub fn can_reduce(&self) -> bool {
        !self.arrays.is_empty() || !self.cuts.is_empty()
    }

    /// The largest item count of a reducible array: a cap this high keeps every item.
    pub fn max_items(&self) -> usize {
        self.arrays.iter().map(|a| a.items.len()).max().unwrap_or(0)
    }

    fn find_arrays(&mut self) {
        let tape = self.view.tape;
        for (i, n) in tape.nodes.iter().enumerate() {
            if n.kind == Kind::Array && n.count as usize >= MIN_ITEMS {
                let items: Vec<u32> = tape.children(i as u32).collect();
                let len = items.len();
                self.array_of.insert(i as u32, self.arrays.len());
                self.arrays.push(Reducible {
                    node: i as u32,
                    items,
                    must: vec![false; len],
                    must_count: 0,
                    owner: None,
                    cols: Vec::new(),
                    shrink: Vec::new(),
                    must_pos: Vec::new(),
                    prefix: Vec::new(),
                });
            }
        }
        // Owners: the nearest ancestor that is an item of a reducible array.
        for a in 0..self.arrays.len() {
            let mut x = self.arrays[a].node;
            loop {
                let p = tape.nodes[x as usize].parent;
                if p == NONE {
                    break;
                }
                if let Some(&b) = self.array_of.get(&p) {
                    let pos = self.arrays[b].items.binary_search(&x).unwrap_or(0);
                    self.arrays[a].owner = Some((b, pos));
                    if self.arrays[b].shrink.is_empty() {
                        self.arrays[b].shrink = vec![0; self.arrays[b].items.len()];
                    }
                    break;
                }
                x = p;
            }
        }
    }

    fn choose_must(&mut self, query: &str) {
        let view = &self.view;
        let tape = view.tape;
        // Own signals, once per node; key classes once per distinct key; the words of repeated
        // texts (states, tags) once per distinct text.
        let mut classes: Vec<Option<KeyClass>> = vec![None; tape.keys as usize];
        let mut texts = TextSignals::default();
        let mut own: Vec<Signal> = (0..tape.nodes.len() as u32)
            .map(|i| signal::own_signal(view, i, &mut classes, &mut texts))
            .collect();
        // Columns of every array; a named position of tuple rows signals by its name, as an
        // object key would (`"columns": [.., "status"]` makes a row's `"503"` an error).
        for arr in self.arrays.iter_mut() {
            arr.cols = columns::columns(view, arr.node, &arr.items);
            for col in &arr.cols {
                let Label::Named(name) = col.label else {
                    continue;
                };
                let class = signal::key_class(&view.string(name));
                for &x in col.cells.iter().filter(|&&x| x != NONE) {
                    own[x as usize] = signal::value_signal(view, x, class, &mut texts);
                }
            }
        }
        // How many arrays enclose each node.
        let mut arrays_above = vec![0u32; tape.nodes.len()];
        for (i, n) in tape.nodes.iter().enumerate().skip(1) {
            let p = n.parent as usize;
            arrays_above[i] = arrays_above[p] + u32::from(tape.nodes[p].kind == Kind::Array);
        }
        let terms = query_terms(query);
        let mut covered = vec![u32::MAX; tape.keys as usize];
        for (a, arr) in self.arrays.iter_mut().enumerate() {
            let n = arr.items.len();
            let mut must = vec![false; n];
            must[0] = true;
            must[n - 1] = true;
            let tuples = matches!(
                arr.cols.first().map(|c| c.label),
                Some(Label::Position(_) | Label::Named(_))
            );
            for (p, &item) in arr.items.iter().enumerate() {
                let end = tape.nodes[item as usize].next;
                // Errors anywhere in the item count; warnings only outside its inner arrays (a
                // deprecation notice in a nested header list does not make the whole item a signal),
                // where a tuple row's own fields are not inside an inner array.
                let depth = arrays_above[item as usize];
                let row = tuples && tape.kind(item) == Kind::Array;
                if (item..end).any(|x| match own[x as usize] {
                    Signal::Error => true,
                    Signal::Warning => {
                        arrays_above[x as usize] == depth
                            || (row && tape.nodes[x as usize].parent == item)
                    }
                    Signal::None => false,
                }) {
                    must[p] = true;
                }
                if tape.kind(item) == Kind::String && marker::is_marker(&view.string(item)) {
                    must[p] = true;
                }
            }
            for col in &arr.cols {
                if col.categorical() && col.present >= LOW_CARDINALITY_ITEMS {
                    for &p in &col.distinct {
                        must[p] = true;
                    }
                }
                if col.id_like {
                    continue;
                }
                // The largest and the smallest value of a numeric field (the first of each), over
                // as many items as make a field's values statistics.
                if col.all_numbers && col.numbers.len() >= LOW_CARDINALITY_ITEMS {
                    if let Some((lo, hi)) = extremes(&col.numbers) {
                        must[lo] = true;
                        must[hi] = true;
                    }
                }
                let values: Vec<f64> = col.numbers.iter().map(|&(_, x)| x).collect();
                let (outliers, changes) = stats::outliers_and_changes(&values);
                let outliers = if outliers.len() > STAT_KEEP {
                    let med = stats::center_and_scale(&values).0;
                    strongest(outliers, |k| (values[k] - med).abs())
                } else {
                    outliers
                };
                for k in outliers {
                    must[col.numbers[k].0] = true;
                }
                for k in strongest(changes, |k| (values[k] - values[k - 1]).abs()) {
                    must[col.numbers[k - 1].0] = true;
                    must[col.numbers[k].0] = true;
                }
            }
            // Time/value records: a metric series keeps the windows around its anomalies.
            if arr.cols.iter().any(|c| c.all_time && c.present == n) {
                for col in arr
                    .cols
                    .iter()
                    .filter(|c| !c.id_like && c.numbers.len() == n)
                {
                    let values: Vec<f64> = col.numbers.iter().map(|&(_, x)| x).collect();
                    for k in metrics::anomaly_rows(&values) {
                        must[col.numbers[k].0] = true;
                    }
                }
            }
            if !terms.is_empty() {
                for p in query_matches(view, &arr.items, &terms) {
                    must[p] = true;
                }
            }
            // Key coverage: every key in the array's items appears in some kept item.
            let stamp = a as u32;
            let mark = |item: u32, covered: &mut Vec<u32>| {
                let mut fresh = false;
                for x in item..tape.nodes[item as usize].next {
                    let id = tape.nodes[x as usize].key;
                    if id != NONE && covered[id as usize] != stamp {
                        covered[id as usize] = stamp;
                        fresh = true;
                    }
                }
                fresh
            };
            for (p, &item) in arr.items.iter().enumerate() {
                if must[p] {
                    mark(item, &mut covered);
                }
            }
            for (p, &item) in arr.items.iter().enumerate() {
                if !must[p] && mark(item, &mut covered) {
                    must[p] = true;
                }
            }
            arr.must_count = must.iter().filter(|&&m| m).count();
            arr.must_pos = (0..n as u32).filter(|&p| must[p as usize]).collect();
            arr.must = must;
            if arr.shrink.is_empty() {
                let mut acc = 0u64;
                arr.prefix = std::iter::once(0)
                    .chain(arr.items.iter().map(|&i| {
                        acc += self.size[i as usize] + 1;
                        acc
                    }))
                    .collect();
            }
        }
    }

    /// Which items of array `a` are kept under cap `k`: the must-keep items, up to `k` in all with
    /// the rest spread evenly, and every dropped run that would be smaller than its marker.
    fn kept(&self, a: usize, k: usize) -> Vec<bool> {
        let mut keep = Vec::new();
        self.kept_into(a, k, &mut keep);
        keep
    }

    /// `kept`, into a reused buffer.
    fn kept_into(&self, a: usize, k: usize, keep: &mut Vec<bool>) {
        let arr = &self.arrays[a];
        let n = arr.items.len();
        let rest = n - arr.must_count;
        let fill = k.saturating_sub(arr.must_count).min(rest) as u64;
        let m = rest.max(1) as u64;
        let mut rank = 0u64;
        keep.clear();
        keep.extend(arr.must.iter().map(|&must| {
            if must {
                return true;
            }
            // Ranks spread evenly: rank r is picked when ⌊(r·fill + m/2)/m⌋ steps up.
            let pick = ((rank + 1) * fill + m / 2) / m > (rank * fill + m / 2) / m;
            rank += 1;
            pick
        }));
        let mut p = 0;
        while p < n {
            if keep[p] {
                p += 1;
                continue;
            }
            let start = p;
            let mut bytes = 0i64;
            while p < n && !keep[p] {
                bytes += self.size[arr.items[p] as usize] as i64 + 1;
                p += 1;
            }
            if bytes <= MARKER_ESTIMATE_BYTES {
                keep[start..p].iter_mut().for_each(|x| *x = true);
            }
        }
    }

    /// Compact size of the whole document under cap `k` (markers estimated).
    pub fn size_at(&mut self, k: usize) -> u64 {
        for arr in &mut self.arrays {
            arr.shrink.iter_mut().for_each(|s| *s = 0);
        }
        let mut root_shrink: i64 = 0;
        let mut kept = Vec::new();
        for a in (0..self.arrays.len()).rev() {
            let (body, mut parts, markers) = if self.arrays[a].prefix.is_empty() {
                self.kept_into(a, k, &mut kept);
                self.measure_kept(a, &kept)
            } else {
                self.measure_fast(a, k)
            };
            let arr = &self.arrays[a];
            parts += markers;
            let reduced = 2 + body + (parts - 1).max(0) + markers * MARKER_ESTIMATE_BYTES;
            let delta = self.size[arr.node as usize] as i64 - reduced;
            let owner = arr.owner;
            match owner {
                Some((b, p)) => self.arrays[b].shrink[p] += delta,
                None => root_shrink += delta,
            }
        }
        (self.size[0] as i64 - root_shrink).max(0) as u64
    }

    /// (kept bytes, kept items, markers) of array `a` for a kept set.
    fn measure_kept(&self, a: usize, kept: &[bool]) -> (i64, i64, i64) {
        let arr = &self.arrays[a];
        let (mut body, mut parts, mut markers) = (0i64, 0i64, 0i64);
        let mut in_run = false;
        for (p, &item) in arr.items.iter().enumerate() {
            if kept[p] {
                body += self.size[item as usize] as i64 - arr.shrink.get(p).copied().unwrap_or(0);
                parts += 1;
                in_run = false;
            } else if !in_run {
                markers += 1;
                in_run = true;
            }
        }
        (body, parts, markers)
    }

    /// `measure_kept` of `kept(a, k)` for an array without inner arrays, visiting only what it
    /// keeps: the must-keep positions merged with the fill picks (the `j`-th pick is rank
    /// ⌈((j+1)·m − m/2) / fill⌉ − 1 of the others), and the runs between them by prefix sums.
    fn measure_fast(&self, a: usize, k: usize) -> (i64, i64, i64) {
        let arr = &self.arrays[a];
        let n = arr.items.len();
        let rest = n - arr.must_count;
        let fill = k.saturating_sub(arr.must_count).min(rest) as u64;
        let m = rest.max(1) as u64;
        let (mut body, mut parts, mut markers) = (0i64, 0i64, 0i64);
        let mut last: Option<usize> = None;
        let mut keep = |p: usize, body: &mut i64, parts: &mut i64, markers: &mut i64| {
            let start = last.map_or(0, |l| l + 1);
            if p > start {
                let bytes = (arr.prefix[p] - arr.prefix[start]) as i64;
                if bytes <= MARKER_ESTIMATE_BYTES {
                    *body += bytes - (p - start) as i64;
                    *parts += (p - start) as i64;
                } else {
                    *markers += 1;
                }
            }
            *body += (arr.prefix[p + 1] - arr.prefix[p]) as i64 - 1;
            *parts += 1;
            last = Some(p);
        };
        let mut c = 0usize;
        for j in 0..=fill {
            // The next fill pick's position (none after the last), then the must-keep items
            // before it.
            let pick = (j < fill).then(|| {
                let r = (((j + 1) * m - m / 2).div_ceil(fill)).saturating_sub(1) as usize;
                let mut below = c;
                while below < arr.must_pos.len() && arr.must_pos[below] as usize <= r + below {
                    below += 1;
                }
                r + below
            });
            while c < arr.must_pos.len() && pick.is_none_or(|p| (arr.must_pos[c] as usize) < p) {
                keep(
                    arr.must_pos[c] as usize,
                    &mut body,
                    &mut parts,
                    &mut markers,
                );
                c += 1;
            }
            if let Some(p) = pick {
                keep(p, &mut body, &mut parts, &mut markers);
            }
        }
        (body, parts, markers)
    }

    /// The largest cap in `lo..=hi` whose estimated output fits `budget` bytes (`lo` when none
    /// does), by bisection: sizes grow with the cap (nearly always; the search is deterministic
    /// either way).
    pub fn search(&mut self, budget: u64, lo: usize, hi: usize) -> usize {
        let (mut lo, mut hi) = (lo, hi.min(self.max_items()));
        if lo >= hi || self.size_at(hi) <= budget {
            return hi.max(lo);
        }
        // Invariant: size(hi) > budget; lo fits or is the lower bound.
        while lo + 1 < hi {
            let mid = lo + (hi - lo) / 2;
            if self.size_at(mid) <= budget {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The plan for cap `k`, and what it leaves out.
    pub fn plan(&self, k: usize) -> (Plan, Vec<Omission>) {
        let view = &self.view;
        let tape = view.tape;
        let kept: Vec<Vec<bool>> = (0..self.arrays.len()).map(|a| self.kept(a, k)).collect();
        let mut plan = Plan::default();
        let mut items_by_path: Vec<(String, usize)> = Vec::new();
        let (mut cut_count, mut cut_bytes) = (0usize, 0usize);
        // Walk what the output shows, in document order.
        let mut stack: Vec<u32> = vec![0];
        while let Some(x) = stack.pop() {
            let n = &tape.nodes[x as usize];
            match n.kind {
                Kind::String => {
                    if let Some((value, full)) = self.cuts.get(&x) {
                        plan.strings.insert(x, value.clone());
                        cut_count += 1;
                        cut_bytes += full - (value.len() - marker::json_string_cut(*full).len());
                    }
                }
                Kind::Array | Kind::Object => {
                    let Some(&a) = self.array_of.get(&x) else {
                        let kids: Vec<u32> = tape.children(x).collect();
                        stack.extend(kids.into_iter().rev());
                        continue;
                    };
                    let arr = &self.arrays[a];
                    let keep = &kept[a];
                    let mut entries: Vec<Entry> = Vec::new();
                    let mut dropped = 0;
                    let mut p = 0;
                    while p < arr.items.len() {
                        if keep[p] {
                            entries.push(Entry::Item(arr.items[p]));
                            p += 1;
                            continue;
                        }
                        let start = p;
                        while p < arr.items.len() && !keep[p] {
                            p += 1;
                        }
                        let text = summary::run(view, &arr.cols, &arr.items, start, p);
                        entries.push(Entry::Marker(marker::json_items_omitted(p - start, &text)));
                        dropped += p - start;
                    }
                    stack.extend(entries.iter().rev().filter_map(|e| match e {
                        Entry::Item(i) => Some(*i),
                        Entry::Marker(_) => None,
                    }));
                    if dropped > 0 {
                        let path = path_of(view, x);
                        match items_by_path.iter_mut().find(|(q, _)| *q == path) {
                            Some((_, c)) => *c += dropped,
                            None => items_by_path.push((path, dropped)),
                        }
                        plan.arrays.insert(x, entries);
                    }
                }
                _ => {}
            }
        }
        let mut omitted: Vec<Omission> = items_by_path
            .into_iter()
            .map(|(path, count)| Omission {
                unit: "items",
                count,
                summary: path,
            })
            .collect();
        if cut_count > 0 {
            let noun = if cut_count == 1 { "string" } else { "strings" };
            omitted.push(Omission {
                unit: "bytes",
                count: cut_bytes,
                summary: format!("{cut_count} long {noun} cut"),
            });
        }
        (plan, omitted)
    }
}

/// At most `STAT_KEEP` of `found` (positions into a field's numbers), the heaviest by `weight`,
/// the first of equal ones. A field that flags more is heavy-tailed or grouped rather than
/// anomalous: keeping them all would fill the block with one field's ordinary values, and the
/// rest still show in the markers' ranges.
fn strongest(mut found: Vec<usize>, weight: impl Fn(usize) -> f64) -> Vec<usize> {
    if found.len() <= STAT_KEEP {
        return found;
    }
    // A NaN (∞ − ∞) weighs nothing, so both engines order the same.
    let w = |k: usize| Some(weight(k)).filter(|x| !x.is_nan()).unwrap_or(0.0);
    found.sort_by(|&a, &b| w(b).total_cmp(&w(a)).then(a.cmp(&b)));
    found.truncate(STAT_KEEP);
    found
}

/// Item positions of the first smallest and the first largest number.
fn extremes(numbers: &[(usize, f64)]) -> Option<(usize, usize)> {
    let &first = numbers.first()?;
    let (mut lo, mut hi) = (first, first);
    for &(p, x) in &numbers[1..] {
        if x < lo.1 {
            lo = (p, x);
        }
        if x > hi.1 {
            hi = (p, x);
        }
    }
    Some((lo.0, hi.0))
}

/// Strings longer than `LONG_STRING_BYTES`, with their cut replacement and full length.
fn long_strings(view: &View) -> HashMap<u32, (String, usize)> {
    let tape = view.tape;
    let mut cuts = HashMap::new();
    for (i, n) in tape.nodes.iter().enumerate() {
        if n.kind != Kind::String || ((n.end - n.start) as usize) <= LONG_STRING_BYTES {
            continue;
        }
        let value = view.string(i as u32);
        if value.len() <= LONG_STRING_BYTES {
            continue;
        }
        let mut cut = strings::prefix_within(&value, CUT_KEEP_BYTES).to_string();
        cut.push_str(&marker::json_string_cut(value.len()));
        cuts.insert(i as u32, (cut, value.len()));
    }
    cuts
}

/// Compact JSON size of every node's value (cut strings at their cut size).
fn sizes(view: &View, cuts: &HashMap<u32, (String, usize)>) -> Vec<u64> {
    let tape = view.tape;
    let mut size = vec![0u64; tape.nodes.len()];
    for i in (0..tape.nodes.len()).rev() {
        let n = &tape.nodes[i];
        let own = match n.kind {
            Kind::Array | Kind::Object => 2 + size[i] + (n.count as u64).saturating_sub(1),
            Kind::String => match cuts.get(&(i as u32)) {
                Some((v, _)) => {
                    let mut s = String::new();
                    strings::write_json_value(&mut s, v);
                    s.len() as u64
                }
                None => strings::json_raw_len(tape.raw(i as u32), n.flags & ESCAPED != 0) as u64,
            },
            _ => (n.end - n.start) as u64,
        };
        size[i] = own;
        if n.parent != NONE {
            let key = match tape.raw_key(i as u32) {
                Some(k) => strings::json_raw_len(k, n.flags & KEY_ESCAPED != 0) as u64 + 1,
                None => 0,
            };
            size[n.parent as usize] += own + key;
        }
    }
    size
}

/// Where an array is, as a path with `[*]` for array steps (at most 8 steps shown).
fn path_of(view: &View, node: u32) -> String {
    let tape = view.tape;
    let mut steps: Vec<String> = Vec::new();
    let mut x = node;
    let mut more = false;
    loop {
        let p = tape.nodes[x as usize].parent;
        if p == NONE {
            break;
        }
        if steps.len() == 8 {
            more = true;
            break;
        }
        steps.push(match tape.kind(p) {
            Kind::Object => format!(".{}", summary::display(&view.key(x))),
            _ => "[*]".to_string(),
        });
        x = p;
    }
    steps.reverse();
    let head = if more { "$…" } else { "$" };
    format!("{head}{}", steps.concat())
}

/// BM25-style matching of items against query terms: positions of the best `QUERY_KEEP` items
/// with a positive score. Integer arithmetic throughout, so both engines rank identically.
fn query_matches(view: &View, items: &[u32], terms: &[String]) -> Vec<usize> {
    let tape = view.tape;
    let n = items.len() as u64;
    // Term frequencies and lengths (in words) of each item's scalar text.
    let mut tf: Vec<Vec<u64>> = Vec::with_capacity(items.len());
    let mut len: Vec<u64> = Vec::with_capacity(items.len());
    let mut df = vec![0u64; terms.len()];
    for &item in items {
        let mut f = vec![0u64; terms.len()];
        let mut l = 0u64;
        for x in item..tape.nodes[item as usize].next {
            let text: Cow<str> = match tape.kind(x) {
                Kind::String => view.string(x),
                Kind::Number => Cow::Borrowed(tape.raw(x)),
                _ => continue,
            };
            for w in words(&text) {
                l += 1;
                if let Some(t) = terms.iter().position(|t| *t == w) {
                    f[t] += 1;
                }
            }
        }
        for (t, &c) in f.iter().enumerate() {
            if c > 0 {
                df[t] += 1;
            }
        }
        tf.push(f);
        len.push(l.min(1_000_000));
    }
    let avg = (len.iter().sum::<u64>() / n.max(1)).max(1);
    // idf ≈ log2((N − df + ½) / (df + ½)), as the bit length of the integer ratio; terms in half
    // the items or more weigh nothing.
    let idf: Vec<u64> = df
        .iter()
        .map(|&d| {
            let q = (2 * n + 1).saturating_sub(2 * d) / (2 * d + 1);
            if q <= 1 {
                0
            } else {
                64 - q.leading_zeros() as u64
            }
        })
        .collect();
    let mut scored: Vec<(u64, usize)> = Vec::new();
    for (p, f) in tf.iter().enumerate() {
        // k1 = 1.2, b = 0.75, in thousandths.
        let norm = 250 + 750 * len[p] / avg;
        let mut score = 0u64;
        for (t, &c) in f.iter().enumerate() {
            let c = c.min(1000);
            if c == 0 || idf[t] == 0 {
                continue;
            }
            score += idf[t] * ((c * 2200 * 1000) / (c * 1000 + 1200 * norm / 1000));
        }
        if score > 0 {
            scored.push((score, p));
        }
    }
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored
        .into_iter()
        .take(QUERY_KEEP)
        .map(|(_, p)| p)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::compact;
    use super::super::tape;
    use super::*;

    fn select(doc: &str, query: &str, k: usize) -> (String, Vec<Omission>) {
        let t = tape::parse(doc).unwrap();
        let sel = Selection::new(&t, query);
        let (plan, omitted) = sel.plan(k);
        (compact::write(&View::new(&t, Some(&plan))), omitted)
    }

    fn rows(n: usize, f: impl Fn(usize) -> String) -> String {
        format!("[{}]", (0..n).map(f).collect::<Vec<_>>().join(","))
    }

    #[test]
    fn keeps_first_last_signals_and_marks_runs() {
        let doc = rows(30, |i| {
            let status = if i == 17 { 500 } else { 200 };
            format!(r#"{{"id":{i},"status":{status},"ms":{}}}"#, 10 + i % 3)
        });
        let (out, omitted) = select(&doc, "", 0);
        // Kept: first and last, the error (17), and the first of each `ms` value (0, 1, 2).
        assert_eq!(
            out,
            r#"[{"id":0,"status":200,"ms":10},{"id":1,"status":200,"ms":11},{"id":2,"status":200,"ms":12},"[… 14 items omitted: status 200×14; ms 10×5, 11×5, 12×4; id 3–16 …]",{"id":17,"status":500,"ms":12},"[… 11 items omitted: status 200×11; ms 10×4, 11×4, 12×3; id 18–28 …]",{"id":29,"status":200,"ms":12}]"#
        );
        assert_eq!(
            omitted,
            [Omission {
                unit: "items",
                count: 25,
                summary: "$".into()
            }]
        );
    }

    #[test]
    fn tuple_rows_are_records_with_positional_fields() {
        let row = |i: usize| {
            let status = if i == 17 { 500 } else { 200 };
            (i, status, 10 + i % 3)
        };
        // Without a header: the positions are the fields; "500" is kept as a distinct value.
        let doc = rows(30, |i| {
            let (i, s, ms) = row(i);
            format!(r#"[{i},"{s}",{ms}]"#)
        });
        let (out, _) = select(&doc, "", 0);
        assert_eq!(
            out,
            r#"[[0,"200",10],[1,"200",11],[2,"200",12],"[… 14 items omitted: [1] 200×14; [2] 10×5, 11×5, 12×4; [0] 3–16 …]",[17,"500",12],"[… 11 items omitted: [1] 200×11; [2] 10×4, 11×4, 12×3; [0] 18–28 …]",[29,"200",12]]"#
        );
        // With a header: its names label the summaries (`id` last, as an identifier).
        let doc = format!(r#"{{"columns":["id","status","ms"],"rows":{doc}}}"#);
        let (out, _) = select(&doc, "", 0);
        assert!(
            out.contains(
                r#""[… 14 items omitted: status 200×14; ms 10×5, 11×5, 12×4; id 3–16 …]""#
            ),
            "{out}"
        );
        // A named status column signals like an object key: the 503 row is kept among only 12
        // rows (too few for the low-cardinality rule), a warning in a row's cell too.
        let doc = format!(
            r#"{{"fields":["ts","status","message"],"rows":{}}}"#,
            rows(12, |i| {
                let status = if i == 5 { "503" } else { "200" };
                let note = if i == 8 {
                    "WARN slow disk"
                } else {
                    "served from the primary upstream"
                };
                format!(r#"[{i},"{status}","{note}"]"#)
            })
        );
        let (out, _) = select(&doc, "", 0);
        assert!(out.contains(r#"[5,"503","served"#), "{out}");
        assert!(out.contains(r#"[8,"200","WARN slow disk"]"#), "{out}");
        assert!(!out.contains(r#"[3,"#), "{out}");
    }

    #[test]
    fn numbers_written_as_strings_have_outliers_and_ranges_in_their_own_text() {
        // A Prometheus-style series: `[ts, "value"]`, one spike.
        let doc = rows(40, |i| {
            let v = if i == 23 {
                "5550".to_string()
            } else {
                format!("{}.{}0", 100 + (i * 37) % 900, i % 10)
            };
            format!(r#"[{},"{v}"]"#, 1764000000 + 15 * i)
        });
        let (out, _) = select(&doc, "", 0);
        assert!(out.contains(r#"[1764000345,"5550"]"#), "{out}");
        // The run 1..=22 holds values from 137.10 to 914.20: shown as written.
        assert!(
            out.contains(
                r#""[… 22 items omitted: [0] 1764000015–1764000330; [1] 137.10–914.20 …]""#
            ),
            "{out}"
        );
        // A level shift in a position: the rows either side of it are kept.
        let doc = rows(60, |i| {
            let level = if i < 35 { 5 } else { 50 };
            format!(r#"[{i},"{}.{}"]"#, level + i % 3, i % 2)
        });
        let (out, _) = select(&doc, "", 0);
        assert!(out.contains(r#"[34,"6.0"],[35,"52.1"]"#), "{out}");
        // Objects too: a latency written as a string is an outlier.
        let doc = rows(30, |i| {
            let ms = if i == 11 { 4800 } else { 10 + i % 31 };
            format!(r#"{{"path":"/api/{i}","latency":"{ms}"}}"#)
        });
        let (out, _) = select(&doc, "", 0);
        assert!(
            out.contains(r#"{"path":"/api/11","latency":"4800"}"#),
            "{out}"
        );
        assert!(out.contains("latency 11–20"), "{out}");
    }

    #[test]
    fn keeps_every_key_and_each_low_cardinality_value() {
        let doc = rows(40, |i| match i {
            5 => r#"{"a":1,"rare":true}"#.to_string(),
            _ => format!(
                r#"{{"a":{}, "kind":"{}"}}"#,
                i % 2,
                if i == 33 { "odd" } else { "even" }
            ),
        });
        let (out, _) = select(&doc, "", 0);
        assert!(out.contains(r#""rare":true"#), "{out}");
        assert!(out.contains(r#""kind":"odd""#), "{out}");
        assert!(out.contains(r#""kind":"even""#), "{out}");
    }

    #[test]
    fn keeps_query_matches_and_cuts_long_strings() {
        let long = "x".repeat(5000);
        let doc = format!(
            r#"{{"body":"{long}","items":{}}}"#,
            rows(50, |i| format!(
                r#"{{"name":"item {}"}}"#,
                if i == 23 {
                    "payment gateway".to_string()
                } else {
                    i.to_string()
                }
            ))
        );
        let (out, omitted) = select(&doc, "why did the payment fail", 0);
        assert!(out.contains("payment gateway"), "{out}");
        assert!(out.contains(&format!(
            "{}[… string cut: 5000 bytes in full …]",
            &long[..1024]
        )));
        assert_eq!(
            omitted.last().map(|o| (o.unit, o.count)),
            Some(("bytes", 5000 - 1024))
        );
    }

    #[test]
    fn nested_fields_are_columns_like_flat_ones() {
        // GeoJSON-style features: the magnitude, the event type and the tsunami flag are one
        // object down; the strongest, the weakest, the flag and each type are kept, and markers
        // name the nested fields.
        let doc = format!(
            r#"{{"type":"FeatureCollection","features":{}}}"#,
            rows(60, |i| {
                let mag = match i {
                    23 => "7.8".to_string(),
                    41 => "0.2".to_string(),
                    _ => format!("{}.{}", 1 + i % 4, i % 10),
                };
                let kind = if i == 37 {
                    "quarry blast"
                } else {
                    "earthquake"
                };
                let tsunami = u8::from(i == 11);
                format!(
                    r#"{{"type":"Feature","properties":{{"mag":{mag},"tsunami":{tsunami},"type":"{kind}","place":"{i} km N"}},"id":"q{i}"}}"#
                )
            })
        );
        let (out, _) = select(&doc, "", 0);
        for kept in [
            r#""mag":7.8"#,
            r#""mag":0.2"#,
            r#""tsunami":1"#,
            r#""type":"quarry blast""#,
        ] {
            assert!(out.contains(kept), "{kept}: {out}");
        }
        assert!(
            out.contains(r#"omitted: properties.tsunami 0×"#) && out.contains("; properties.mag "),
            "{out}"
        );
    }

    #[test]
    fn markers_without_fields_to_describe_name_the_kinds() {
        let doc = rows(40, |i| {
            format!(r#"{{"name":"entry {i}","parts":["a{i}"]}}"#)
        });
        let (out, _) = select(&doc, "", 0);
        assert!(
            out.contains(r#""[… 38 items omitted: objects …]""#),
            "{out}"
        );
    }

    #[test]
    fn the_cap_fills_evenly_and_sizes_grow_with_it() {
        let doc = rows(100, |i| {
            format!(r#"{{"name":"entry number {i}","v":{}}}"#, i * 7 % 13)
        });
        let t = tape::parse(&doc).unwrap();
        let mut sel = Selection::new(&t, "");
        let sizes: Vec<u64> = [0, 10, 30, 100].iter().map(|&k| sel.size_at(k)).collect();
        assert!(sizes.windows(2).all(|w| w[0] < w[1]), "{sizes:?}");
        assert_eq!(sizes[3], doc.len() as u64);
        let (plan, _) = sel.plan(10);
        let kept: Vec<usize> = plan.arrays[&0]
            .iter()
            .filter_map(|e| match e {
                Entry::Item(i) => sel.arrays[0].items.iter().position(|x| x == i),
                Entry::Marker(_) => None,
            })
            .collect();
        // 11 holds the largest `v` (12).
        assert_eq!(kept, [0, 7, 11, 22, 36, 50, 64, 78, 92, 99]);
        assert_eq!(sel.search(sizes[1], 0, usize::MAX), 10);
        // Runs smaller than a marker are kept.
        let small = rows(100, |i| format!("{}", i % 13));
        let t = tape::parse(&small).unwrap();
        let mut sel = Selection::new(&t, "");
        assert_eq!(sel.size_at(20), small.len() as u64);
    }
}

#[cfg(test)]
mod fast_tests {
    use super::super::tape;
    use super::*;

    #[test]
    fn fast_sizing_matches_the_kept_set() {
        // Items of varied sizes, some of them signals, so runs of every length occur.
        for seed in 0..20u64 {
            let doc = format!(
                "[{}]",
                (0..200u64)
                    .map(|i| {
                        let x = (i * 7919 + seed * 104729) % 97;
                        match x % 11 {
                            0 => format!(r#"{{"error":"e{x}"}}"#),
                            1 => format!(r#""{}""#, "y".repeat(x as usize)),
                            _ => format!("{x}"),
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(",")
            );
            let t = tape::parse(&doc).unwrap();
            let sel = Selection::new(&t, "");
            let mut kept = Vec::new();
            for k in [0, 1, 5, 17, 40, 90, 150, 199, 200, 1000] {
                sel.kept_into(0, k, &mut kept);
                assert_eq!(
                    sel.measure_fast(0, k),
                    sel.measure_kept(0, &kept),
                    "seed {seed} k {k}"
                );
            }
        }
    }
}
