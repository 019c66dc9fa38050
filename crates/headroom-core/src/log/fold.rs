//! Lossless folding of log lines into units (twin of `log/fold.ts`):
//! - a run of identical lines becomes its first line, as given, and a marker with the count
//!   (where that is shorter than the copies);
//! - a block of lines repeated back to back (a stack trace printed 36 times, a recursion) keeps
//!   its first copy and one marker for the copies;
//! - a run of plain lines that differ only in variable fields (numbers, hex ids, UUIDs,
//!   timestamps, paths, dotted names, IPs) becomes one template line with a count and the
//!   range or first/last value of each field.
//!
//! Lines that are kept verbatim (see `Class`), the first and the last line never join a template.

use super::classify::{Class, LineInfo};
use super::fields::{self, Piece, PieceKind};
use super::level::token_is_level;
use crate::budget::estimate_tokens;
use crate::lines::{tokens, Interned, Lines};
use crate::marker;
use std::borrow::Cow;
use std::cmp::Ordering;

/// Fewest lines a template may stand for.
pub const MIN_TEMPLATE_RUN: usize = 3;
/// Longest block of lines looked for as a back-to-back repeat.
pub const MAX_PERIOD: usize = 200;
/// How many earlier occurrences of a line are tried as the start of a repeat.
const MAX_CANDIDATES: usize = 4;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnitKind {
    /// `lines[start]`, `len` times in a row.
    Line,
    /// A template standing for lines `start..start + len`; `fine` when all of them have the same
    /// fine `loose_template` (their fields differ in numbers and ids only).
    Template { text: String, fine: bool },
    /// Lines `start..start + len` repeat the `period` lines before them (`copy` is the index of
    /// the first unit of that first copy).
    Repeat { period: usize, copy: usize },
}

/// A run of input lines as it appears in the output.
#[derive(Clone, Debug)]
pub struct Unit {
    pub kind: UnitKind,
    pub start: usize,
    pub len: usize,
}

impl Unit {
    /// Whether a run of one line is told by a count (shorter than its copies), or stands as
    /// given.
    pub fn counts_run<S: AsRef<str>>(&self, lines: &[S]) -> bool {
        self.len > 1
            && marker::line_repeats(self.len).len() + 1
                < (self.len - 1) * (lines[self.start].as_ref().len() + 1)
    }

    /// The unit's estimated cost in tokens (`estimate_tokens` of each output line, plus one a
    /// line): line ends aside.
    pub fn cost<S: AsRef<str>>(&self, lines: &[S]) -> usize {
        crate::stop::poll(64);
        match &self.kind {
            UnitKind::Line => {
                let line = estimate_tokens(lines[self.start].as_ref()) + 1;
                if self.len == 1 {
                    line
                } else if self.counts_run(lines) {
                    line + estimate_tokens(&marker::line_repeats(self.len)) + 1
                } else {
                    line * self.len
                }
            }
            UnitKind::Template { text, .. } => estimate_tokens(text) + 1,
            UnitKind::Repeat { period, .. } => {
                estimate_tokens(&marker::block_repeat(*period, self.len / period)) + 1
            }
        }
    }

    /// The unit's output lines, each with its line end: kept lines as given (see
    /// `Lines::given`), a marker with the line end of the last line it stands for.
    pub fn render<'a>(&'a self, l: &Lines<'a>) -> Cow<'a, str> {
        crate::stop::poll(64);
        let last = l.line_end(self.start + self.len - 1);
        match &self.kind {
            UnitKind::Line => {
                let first = l.given(self.start);
                if self.len == 1 {
                    return first;
                }
                let mut s = first.into_owned();
                if self.counts_run(&l.lines) {
                    s.push_str(&marker::line_repeats(self.len));
                    s.push_str(last);
                } else {
                    // The copies are shorter than the count: they stand as given.
                    for k in self.start + 1..self.start + self.len {
                        s.push_str(&l.given(k));
                    }
                }
                Cow::Owned(s)
            }
            UnitKind::Template { text, .. } => Cow::Owned(format!("{text}{last}")),
            UnitKind::Repeat { period, .. } => Cow::Owned(format!(
                "{}{last}",
                marker::block_repeat(*period, self.len / period)
            )),
        }
    }
}

struct Folder<'a, S: AsRef<str>> {
    lines: &'a [S],
    info: &'a [LineInfo],
    ids: Vec<u32>,
    /// Index of the next line with the same text (`usize::MAX` if none).
    next: Vec<usize>,
    units: Vec<Unit>,
}

/// Folds `lines` into units, in order, covering every line exactly once.
pub fn fold<S: AsRef<str>>(lines: &[S], interned: &Interned, info: &[LineInfo]) -> Vec<Unit> {
    let n = lines.len();
    let ids = interned.ids.clone();
    let mut next = vec![usize::MAX; n];
    let mut last_seen = vec![usize::MAX; interned.distinct];
    for k in (0..n).rev() {
        let id = ids[k] as usize;
        next[k] = last_seen[id];
        last_seen[id] = k;
    }
    let mut f = Folder {
        lines,
        info,
        ids,
        next,
        units: Vec::new(),
    };
    let mut i = 0;
    while i < n {
        crate::stop::poll(64);
        i = f.step(i, n, true, true);
    }
    f.units
}

impl<S: AsRef<str>> Folder<'_, S> {
    /// Folds the run starting at `i` (within `..end`) and returns where the next one starts.
    fn step(&mut self, i: usize, end: usize, blocks: bool, templates: bool) -> usize {
        let (period, copies) = self.best_repeat(i, end, blocks);
        let covered = period * copies;
        if templates && self.template_eligible(i) {
            let t = self.template_run(i, end);
            if t >= MIN_TEMPLATE_RUN && t > covered {
                if let Some((text, fine)) = self.template_text(i, t) {
                    self.units.push(Unit {
                        kind: UnitKind::Template { text, fine },
                        start: i,
                        len: t,
                    });
                    return i + t;
                }
                // Not shorter as a template: the run's lines stand, identical ones folded.
                let mut k = i;
                while k < i + t {
                    k = self.step(k, i + t, false, false);
                }
                return k;
            }
        }
        if period >= 2 && copies >= 2 {
            let copy = self.units.len();
            let mut k = i;
            while k < i + period {
                k = self.step(k, i + period, false, templates);
            }
            self.units.push(Unit {
                kind: UnitKind::Repeat { period, copy },
                start: i + period,
                len: period * (copies - 1),
            });
            return i + covered;
        }
        self.units.push(Unit {
            kind: UnitKind::Line,
            start: i,
            len: copies,
        });
        i + copies
    }

    /// The back-to-back repeat starting at `i` covering the most lines: `(period, copies)`;
    /// period 1 is a run of identical lines, `(1, 1)` means none.
    fn best_repeat(&self, i: usize, end: usize, blocks: bool) -> (usize, usize) {
        let ids = &self.ids;
        let mut run = 1;
        while i + run < end && ids[i + run] == ids[i] {
            run += 1;
        }
        let mut best = (1, run);
        if !blocks {
            return best;
        }
        let mut j = self.next[i];
        let mut tried = 0;
        while j != usize::MAX && j - i <= MAX_PERIOD && tried < MAX_CANDIDATES {
            let p = j - i;
            tried += 1;
            if p >= 2 && i + 2 * p <= end && ids[i + p - 1] == ids[i + 2 * p - 1] {
                let mut matched = 0;
                while i + p + matched < end && ids[i + matched] == ids[i + p + matched] {
                    matched += 1;
                }
                let copies = 1 + matched / p;
                if copies >= 2 && p * copies > best.0 * best.1 {
                    best = (p, copies);
                }
            }
            j = self.next[j];
        }
        best
    }

    fn template_eligible(&self, k: usize) -> bool {
        k != 0
            && k + 1 != self.lines.len()
            && self.info[k].class == Class::Plain
            && !self.info[k].framed
    }

    /// How many lines from `i` share line `i`'s template.
    fn template_run(&self, i: usize, end: usize) -> usize {
        let first = self.lines[i].as_ref().as_bytes();
        let mut j = i + 1;
        while j < end
            && self.template_eligible(j)
            && self.info[j].indent == self.info[i].indent
            && same_template(first, self.lines[j].as_ref().as_bytes())
        {
            j += 1;
        }
        j - i
    }

    /// The template line for lines `i..i + t` and whether their fine loose templates agree, or
    /// `None` when it would not be shorter.
    fn template_text(&self, i: usize, t: usize) -> Option<(String, bool)> {
        let first = self.lines[i].as_ref();
        let fb = first.as_bytes();
        // Timestamp tokens read best whole (`{10:00:00.000 … 10:00:29.000}`).
        let stamp = self.info[i].ts;
        let toks: Vec<(usize, usize)> = stamped_tokens(fb, stamp).collect();
        let mut slots: Vec<Slot> = toks
            .iter()
            .map(|&(s, e)| Slot::new(&first[s..e], s < stamp))
            .collect();
        let mut scratch = Vec::new();
        let mut total = fb.len() + 1;
        for k in i + 1..i + t {
            let line = self.lines[k].as_ref();
            total += line.len() + 1;
            let (lb, ts) = (line.as_bytes(), self.info[k].ts);
            if stamped_tokens(lb, ts).count() != slots.len() {
                return None;
            }
            for (slot, (s, e)) in slots.iter_mut().zip(stamped_tokens(lb, ts)) {
                slot.add(&line[s..e], &mut scratch);
            }
        }
        let mut body = String::new();
        let mut prev_end = 0;
        for (slot, &(s, e)) in slots.iter().zip(toks.iter()) {
            body.push_str(&first[prev_end..s]);
            if slot.constant {
                body.push_str(&first[s..e]);
            } else {
                slot.render(&mut body, &mut scratch);
            }
            prev_end = e;
        }
        let text = marker::template_line(t, &body);
        // Outside the timestamp, a token's fine form changes only with the words inside it.
        let fine = slots.iter().zip(&toks).all(|(slot, &(s, _))| {
            s < stamp
                || slot.constant
                || slot.shape.as_ref().is_some_and(|shape| {
                    shape
                        .iter()
                        .zip(&slot.varies)
                        .all(|(p, v)| !v || p.kind != PieceKind::Word)
                })
        });
        (text.len() + 1 < total).then_some((text, fine))
    }
}

/// Blank-separated tokens, the leading timestamp's apart from the message's even where no blank
/// separates them (`2014-04-01 00:05:00,20.5`).
fn stamped_tokens(b: &[u8], ts: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    tokens(&b[..ts]).chain(tokens(&b[ts..]).map(move |(s, e)| (s + ts, e + ts)))
}

/// One token position of a template: constant, or shown piece by piece (see `fields`) with the
/// range of each varying number and the first and last text of each other varying stretch; a
/// token whose lines differ in shape shows its first and last value whole.
struct Slot<'a> {
    first: &'a str,
    last: &'a str,
    constant: bool,
    /// The first token's pieces, while every token so far has the same shape.
    shape: Option<Vec<Piece>>,
    /// Per piece: whether it varies, and the least and greatest value of a number.
    varies: Vec<bool>,
    min: Vec<&'a str>,
    max: Vec<&'a str>,
}

impl<'a> Slot<'a> {
    fn new(tok: &'a str, whole: bool) -> Self {
        let shape = (!whole).then(|| {
            let mut p = Vec::new();
            fields::pieces(tok.as_bytes(), &mut p);
            p
        });
        let (varies, min, max) = match &shape {
            Some(p) => {
                let texts: Vec<&str> = p.iter().map(|x| &tok[x.start..x.end]).collect();
                (vec![false; p.len()], texts.clone(), texts)
            }
            None => (Vec::new(), Vec::new(), Vec::new()),
        };
        Slot {
            first: tok,
            last: tok,
            constant: true,
            shape,
            varies,
            min,
            max,
        }
    }

    fn add(&mut self, tok: &'a str, scratch: &mut Vec<Piece>) {
        self.last = tok;
        if tok == self.first {
            return;
        }
        self.constant = false;
        let Some(shape) = &self.shape else {
            return;
        };
        fields::pieces(tok.as_bytes(), scratch);
        if !fields::same_shape(self.first.as_bytes(), shape, tok.as_bytes(), scratch) {
            self.shape = None;
            return;
        }
        for (k, (a, b)) in shape.iter().zip(scratch.iter()).enumerate() {
            let v = &tok[b.start..b.end];
            if v != &self.first[a.start..a.end] {
                self.varies[k] = true;
            }
            if a.kind == PieceKind::Number {
                if fields::cmp_number(v, self.min[k]) == Ordering::Less {
                    self.min[k] = v;
                }
                if fields::cmp_number(v, self.max[k]) == Ordering::Greater {
                    self.max[k] = v;
                }
            }
        }
    }

    fn render(&self, out: &mut String, scratch: &mut Vec<Piece>) {
        let Some(shape) = &self.shape else {
            out.push_str(&marker::slot_span(self.first, self.last));
            return;
        };
        fields::pieces(self.last.as_bytes(), scratch);
        let n = shape.len();
        let mut p = 0;
        while p < n {
            let piece = shape[p];
            if !self.varies[p] {
                out.push_str(&self.first[piece.start..piece.end]);
                p += 1;
            } else if piece.kind == PieceKind::Number {
                out.push_str(&marker::slot_range(self.min[p], self.max[p]));
                p += 1;
            } else {
                // A stretch of varying pieces (punctuation between them kept inside) up to the
                // last varying piece that is not a number.
                let mut q = p;
                let mut r = p + 1;
                while r < n && (self.varies[r] || shape[r].kind == PieceKind::Punct) {
                    if self.varies[r] && shape[r].kind != PieceKind::Number {
                        q = r;
                    }
                    r += 1;
                }
                out.push_str(&marker::slot_span(
                    &self.first[piece.start..shape[q].end],
                    &self.last[scratch[p].start..scratch[q].end],
                ));
                p = q + 1;
            }
        }
    }
}

/// A token that carries a value rather than wording: anything with a digit, a path or URL, a
/// dotted name (`org.example.Foo`, `host.example.com`), or `key=value`.
pub fn is_variable(t: &[u8]) -> bool {
    for (k, &c) in t.iter().enumerate() {
        if c.is_ascii_digit() || c == b'/' || c == b'\\' {
            return true;
        }
        if (c == b'.' || c == b'=') && k > 0 && k + 1 < t.len() {
            let (p, n) = (t[k - 1], t[k + 1]);
            if c == b'=' || (p.is_ascii_alphanumeric() && n.is_ascii_alphanumeric()) {
                return true;
            }
        }
    }
    false
}

/// A line's loose template: its message with its variable fields as `<*>`, timestamp and level
/// left out, single spaces between tokens.
pub struct LooseTemplate {
    /// The whole template: the line's shape, to group lines by.
    pub shape: String,
    /// The template cut (with ` …`) before `max_len` bytes, to quote.
    pub quoted: String,
    /// With `fine`, and where it differs from `quoted`: the fine form, cut the same way, with a
    /// token's words and punctuation around its numbers and ids written out
    /// (`test_values[<*>]`, `duration_ms=<*>`; paths and URLs stay wholly `<*>`), clearer to read
    /// but too fine to group lines by.
    pub fine: Option<String>,
}

/// The loose template of a line, its three forms in one pass (see `LooseTemplate`).
pub fn loose_template(line: &str, li: &LineInfo, max_len: usize, fine: bool) -> LooseTemplate {
    let msg = &line[li.ts..];
    let mb = msg.as_bytes();
    let mut shape = Cut::new(usize::MAX);
    let mut coarse = Cut::new(max_len);
    let mut detailed = Cut {
        done: !fine,
        ..Cut::new(max_len)
    };
    let mut piece = String::new();
    let mut scratch = Vec::new();
    let mut level_skipped = li.level.is_none();
    for (k, (s, e)) in tokens(mb).enumerate() {
        let t = &mb[s..e];
        if !level_skipped && k < 4 && token_is_level(t, li.ts > 0) {
            level_skipped = true;
            continue;
        }
        let variable = is_variable(t);
        let plain = if variable { "<*>" } else { &msg[s..e] };
        shape.push(plain);
        coarse.push(plain);
        if !detailed.done {
            if variable {
                piece.clear();
                fine_token(&msg[s..e], &mut piece, &mut scratch);
                detailed.push(&piece);
            } else {
                detailed.push(&msg[s..e]);
            }
        }
    }
    let fine = (fine && detailed.out != coarse.out).then_some(detailed.out);
    LooseTemplate {
        shape: shape.out,
        quoted: coarse.out,
        fine,
    }
}

/// Pieces joined by single spaces, cut (with ` …`) before the first that would reach `max`.
struct Cut {
    out: String,
    max: usize,
    done: bool,
}

impl Cut {
    fn new(max: usize) -> Self {
        Cut {
            out: String::new(),
            max,
            done: false,
        }
    }

    fn push(&mut self, piece: &str) {
        if self.done {
            return;
        }
        if self.out.len() + piece.len() + 1 > self.max {
            self.out.push_str(" …");
            self.done = true;
            return;
        }
        if !self.out.is_empty() {
            self.out.push(' ');
        }
        self.out.push_str(piece);
    }
}

/// A variable token as the fine form of `loose_template` writes it.
fn fine_token(tok: &str, out: &mut String, scratch: &mut Vec<Piece>) {
    let t = tok.as_bytes();
    if t.iter().any(|c| matches!(c, b'/' | b'\\')) {
        out.push_str("<*>");
        return;
    }
    fields::pieces(t, scratch);
    let field = |p: &Piece| !matches!(p.kind, PieceKind::Word | PieceKind::Punct);
    let n = scratch.len();
    let mut p = 0;
    while p < n {
        if !field(&scratch[p]) {
            out.push_str(&tok[scratch[p].start..scratch[p].end]);
            p += 1;
            continue;
        }
        // Fields with only punctuation between them are one field (`1.2.3-rc4`).
        let mut end = p + 1;
        loop {
            let mut k = end;
            while k < n && scratch[k].kind == PieceKind::Punct {
                k += 1;
            }
            if k < n && field(&scratch[k]) {
                end = k + 1;
            } else {
                break;
            }
        }
        out.push_str("<*>");
        p = end;
    }
}

/// Same number of tokens, each equal or both variable.
pub fn same_template(a: &[u8], b: &[u8]) -> bool {
    let mut ta = tokens(a);
    let mut tb = tokens(b);
    loop {
        match (ta.next(), tb.next()) {
            (None, None) => return true,
            (Some((s1, e1)), Some((s2, e2))) => {
                let (x, y) = (&a[s1..e1], &b[s2..e2]);
                if x != y && !(is_variable(x) && is_variable(y)) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::classify::classify_all;

    /// The output lines of `lines` folded.
    fn folded(lines: &[&str]) -> Vec<String> {
        let text = lines.join("\n");
        let split = crate::lines::split(&text);
        let info = classify_all(&split.lines, &[]);
        let interned = crate::lines::intern(&split.lines);
        fold(&split.lines, &interned, &info)
            .iter()
            .flat_map(|u| {
                let out = u.render(&split);
                out.lines().map(String::from).collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn identical_runs_fold_with_a_count() {
        let long = "WARN retrying connection to the cache";
        assert_eq!(
            folded(&["a", long, long, long, "c"]),
            ["a", long, &marker::line_repeats(3), "c"]
        );
        // Shorter as copies than as a count: they stand.
        assert_eq!(
            folded(&["a", "b", "b", "b", "c"]),
            ["a", "b", "b", "b", "c"]
        );
    }

    #[test]
    fn repeated_blocks_keep_one_copy() {
        let lines = ["start", "x", "y", "z", "x", "y", "z", "x", "y", "z", "end"];
        assert_eq!(
            folded(&lines),
            ["start", "x", "y", "z", &marker::block_repeat(3, 2), "end"]
        );
    }

    #[test]
    fn templates_show_ranges() {
        let lines = [
            "begin",
            "go: downloading github.com/a/b v1.0.0",
            "go: downloading github.com/c/d v0.2.0",
            "go: downloading golang.org/x/e v3.0.1",
            "done",
        ];
        let out = folded(&lines);
        assert_eq!(out.len(), 3);
        assert_eq!(
            out[1],
            marker::template_line(
                3,
                "go: downloading {github.com/a/b … golang.org/x/e} {v1.0.0 … v3.0.1}"
            )
        );
        let lines = [
            "x",
            "took 5 ms",
            "took 12 ms",
            "took 7 ms",
            "took 9 ms",
            "took 6 ms",
            "y",
        ];
        assert_eq!(
            folded(&lines)[1],
            marker::template_line(5, "took {5–12} ms")
        );
        // Too short to gain from a template: the lines stand.
        assert_eq!(folded(&lines[..5]).len(), 5);
    }

    #[test]
    fn templates_show_fields_inside_tokens() {
        let lines = [
            "start",
            "10:00:01 GET /api/items/1001 200 duration_ms=35 (12.5ms)",
            "10:00:02 GET /api/items/1002 200 duration_ms=7 (3ms)",
            "10:00:03 GET /api/items/1003 200 duration_ms=90 (12.25ms)",
            "end",
        ];
        assert_eq!(
            folded(&lines)[1],
            marker::template_line(
                3,
                "{10:00:01 … 10:00:03} GET /api/items/{1001–1003} 200 duration_ms={7–90} ({3–12.5}ms)"
            )
        );
        // Tokens of different shapes show their first and last value whole.
        let tail = "handled by the worker pool without any retry";
        let lines = [
            "a".to_string(),
            format!("id=7 {tail}"),
            format!("id=x7 {tail}"),
            format!("id=9 {tail}"),
            "b".to_string(),
        ];
        let lines: Vec<&str> = lines.iter().map(|l| l.as_str()).collect();
        assert_eq!(
            folded(&lines)[1],
            marker::template_line(3, &format!("{{id=7 … id=9}} {tail}"))
        );
    }

    #[test]
    fn signal_lines_never_join_templates() {
        let lines = ["a", "ERROR 1 x", "ERROR 2 x", "ERROR 3 x", "b"];
        assert_eq!(folded(&lines), lines);
    }
}
