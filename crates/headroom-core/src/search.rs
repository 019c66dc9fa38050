//! The search-hit compressor: grep and ripgrep output, `path:line:text` matches and
//! `path-line-text` context lines (twin of `search.ts`).
//!
//! Lossless: consecutive hits in one file are grouped under their path, written once, as
//! ripgrep's `--heading` layout does (`12:text` for a match, `12-text` for context).
//! Lossy, only above `max_block_tokens`: every file stays with its first and last match, every
//! match with an error word stays, then, while the budget lasts, the matches with the rarest query
//! terms (`query::term_weights`: grep's own pattern, on every match, weighs nothing) and more matches
//! (the first ones of every file before the later ones). A match is kept with its context (the
//! lines grep printed around it, `-B`/`-A`/`-C`), and what that context costs is part of what the
//! match costs; a separator stays between kept hunks. Each dropped run leaves a marker counting its
//! matches and context lines and naming the matches' line numbers.

use crate::block::{BlockOptions, Compressed, Omission};
use crate::budget::{self, estimate_tokens};
use crate::lines::{self, Lines};
use crate::marker;
use crate::query::{query_score, query_terms, term_weights};
use crate::signal::{line_signal, Signal};

/// Estimated cost of an omission marker line.
const MARKER_COST: usize = 12;

// The format: what detection asks (`is_search`), grep's line prefixes, and compilers'
// diagnostics (`path:12:5: error: …`), which look like grep hits but are not.

/// Share (in percent of the non-empty lines) of grep lines search output is made of.
const SEARCH_SHARE: usize = 70;

/// `path:12:` (a match) → the end of the path; the path must look like one.
fn match_prefix(l: &str) -> Option<usize> {
    let b = l.as_bytes();
    let from = if b.len() > 2
        && b[0].is_ascii_alphabetic()
        && b[1] == b':'
        && matches!(b[2], b'\\' | b'/')
    {
        2
    } else {
        0
    };
    let p = from + b[from..].iter().position(|c| *c == b':')?;
    if !plausible_path(&l[..p]) {
        return None;
    }
    let d = b[p + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
    ((1..=9).contains(&d) && b.get(p + 1 + d) == Some(&b':') && !time_of_day_at(b, p)).then_some(p)
}

/// A time of day (`13:53:08`) whose first colon is `b[p]`: the end of a name with a stamp in it
/// (`nova-api.log.1.2017-05-16_13:53:08 …`), not a path and line number.
fn time_of_day_at(b: &[u8], p: usize) -> bool {
    let run = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let hour = b[..p]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .count();
    (1..=2).contains(&hour) && run(p + 1) == 2 && b.get(p + 3) == Some(&b':') && run(p + 4) == 2
}

/// `path-12-` (a context line) → the end of the path.
fn context_prefix(l: &str) -> Option<usize> {
    let b = l.as_bytes();
    let limit = b.iter().position(|c| !path_char(*c)).unwrap_or(b.len());
    let dated = starts_with_date(b);
    let mut letter = false;
    for q in 0..limit {
        if b[q] == b'-' && letter && !dated {
            let d = b[q + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if (1..=9).contains(&d) && b.get(q + 1 + d) == Some(&b'-') {
                return Some(q);
            }
        }
        letter |= b[q].is_ascii_alphabetic();
    }
    None
}

fn path_char(c: u8) -> bool {
    c >= 0x80
        || c.is_ascii_alphanumeric()
        || matches!(
            c,
            b'.' | b'_' | b'/' | b'\\' | b'@' | b'+' | b'~' | b'#' | b'%' | b'-' | b':'
        )
}

/// `2024-…` at the start, or a date-time `dddd-dd-ddT` anywhere: a timestamp, not a path.
fn starts_with_date(b: &[u8]) -> bool {
    let iso = |w: &[u8]| {
        w[..4].iter().all(|c| c.is_ascii_digit())
            && w[4] == b'-'
            && w[5..7].iter().all(|c| c.is_ascii_digit())
            && w[7] == b'-'
            && w[8..10].iter().all(|c| c.is_ascii_digit())
            && w[10] == b'T'
    };
    (b.len() >= 5 && b[..4].iter().all(|c| c.is_ascii_digit()) && b[4] == b'-')
        || b.windows(11).any(iso)
}

/// A file path as grep prints it: no blanks or quoting characters, at least one letter, and not
/// the start of a timestamp.
fn plausible_path(p: &str) -> bool {
    let b = p.as_bytes();
    !b.is_empty()
        && b.iter().any(|c| c.is_ascii_alphabetic())
        && !starts_with_date(b)
        && b.iter().all(|c| path_char(*c))
}

// ripgrep's `--heading` layout: a file's path on a line of its own, then its rows without it
// (`12:match`, `13-context`, `--` between hunks), and a blank line before the next file.

/// `12:` or `12-` at the start of a row under a heading: the digits' length.
fn headed_row(l: &str) -> Option<usize> {
    let b = l.as_bytes();
    let d = b.iter().take_while(|c| c.is_ascii_digit()).count();
    ((1..=9).contains(&d) && matches!(b.get(d), Some(b':' | b'-'))).then_some(d)
}

/// A heading: a line that is a path (and no grep line), followed by a row.
fn is_heading(l: &str, next: Option<&str>) -> bool {
    next.is_some_and(|n| headed_row(n).is_some())
        && match_prefix(l).is_none()
        && context_prefix(l).is_none()
        && plausible_path(l)
}

/// Whether these lines (a block's prefix, as detection reads it) are grep or ripgrep output:
/// mostly `path:12:` matches and `path-12-` context lines (or rows under `--heading` paths), and
/// not a compiler's report.
pub fn is_search<S: AsRef<str>>(lines: &[S]) -> bool {
    let (mut matches, mut diagnostics, mut others, mut nonempty) = (0, 0, 0, 0);
    // Rows under headings; a numbered listing of one file is no search: more than one heading, a
    // context row or a separator says it is.
    let mut headed = false;
    let (mut headings, mut headed_matches, mut headed_others) = (0, 0, 0);
    for (k, l) in lines.iter().enumerate() {
        let l = l.as_ref();
        if l.is_empty() {
            headed = false;
            continue;
        }
        nonempty += 1;
        if headed {
            if l == "--" {
                headed_others += 1;
                continue;
            }
            if let Some(d) = headed_row(l) {
                if l.as_bytes()[d] == b':' {
                    headed_matches += 1;
                } else {
                    headed_others += 1;
                }
                continue;
            }
        }
        headed = false;
        if match_prefix(l).is_some() {
            matches += 1;
            diagnostics += usize::from(is_diagnostic(l));
        } else if l == "--" || context_prefix(l).is_some() {
            others += 1;
        } else if is_heading(l, lines.get(k + 1).map(|n| n.as_ref())) {
            headed = true;
            headings += 1;
        }
    }
    if headings >= 2 || headed_others > 0 {
        matches += headed_matches;
        others += headings + headed_others;
    }
    // `path:12:5: error: …` is a compiler's (or linter's) report, not a grep hit.
    matches >= 2
        && diagnostics * 2 <= matches
        && (matches + others) * 100 >= nonempty * SEARCH_SHARE
}

/// Words compilers and linters name a diagnostic's severity with.
const SEVERITIES: &[&str] = &[
    "error", "fatal", "help", "info", "note", "remark", "warning",
];

/// `path:12`, `path:12:5`, `path(12)`, `path(12,5)` at the start of `u`: where it ends.
fn location_end(u: &str) -> Option<usize> {
    let b = u.as_bytes();
    let from = if b.len() > 2
        && b[0].is_ascii_alphabetic()
        && b[1] == b':'
        && matches!(b[2], b'\\' | b'/')
    {
        2
    } else {
        0
    };
    let p = from + b[from..].iter().position(|c| matches!(c, b':' | b'('))?;
    if !plausible_path(&u[..p]) {
        return None;
    }
    let digits = |i: usize| {
        b[i.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let d = digits(p + 1);
    if d == 0 || d > 9 {
        return None;
    }
    let mut i = p + 1 + d;
    if b[p] == b'(' {
        if b.get(i) == Some(&b',') {
            let d2 = digits(i + 1);
            if d2 == 0 {
                return None;
            }
            i += 1 + d2;
        }
        return (b.get(i) == Some(&b')')).then_some(i + 1);
    }
    if b.get(i) == Some(&b':') {
        let d2 = digits(i + 1);
        if d2 > 0 {
            i += 1 + d2;
        }
    }
    Some(i)
}

/// `rest` starts with a severity word (then anything but a letter or digit).
fn starts_with_severity(rest: &[u8]) -> bool {
    SEVERITIES.iter().any(|w| {
        rest.starts_with(w.as_bytes())
            && !rest.get(w.len()).is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// A compiler's or linter's diagnostic line: `path:12:5: error: …`, `path:12: note: …`,
/// `path(12,5): error TS2322: …`, `path:12:5 - error TS2322: …`, and rustc's `--> path:12:5`
/// and `= note: …` (all after the line's indentation).
pub fn is_diagnostic(u: &str) -> bool {
    for arrow in ["--> ", "::: "] {
        if let Some(rest) = u.strip_prefix(arrow) {
            return location_end(rest) == Some(rest.len());
        }
    }
    if let Some(rest) = u.strip_prefix("= ") {
        let r = rest.as_bytes();
        return SEVERITIES
            .iter()
            .any(|w| r.starts_with(w.as_bytes()) && r.get(w.len()) == Some(&b':'));
    }
    let Some(e) = location_end(u) else {
        return false;
    };
    let rest = &u.as_bytes()[e..];
    let rest = if let Some(r) = rest.strip_prefix(b":") {
        r
    } else if let Some(r) = rest.strip_prefix(b" -") {
        r
    } else {
        return false;
    };
    let blanks = rest
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t'))
        .count();
    blanks > 0 && starts_with_severity(&rest[blanks..])
}

/// The gutter under a diagnostic's source excerpt: `|`, alone or with carets, dashes or a
/// further `|` under the code (`  |     ^^^ expected i32`), but not a table row (`| a | b |`).
pub fn is_diagnostic_gutter(u: &str) -> bool {
    let Some(rest) = u.strip_prefix('|') else {
        return false;
    };
    let r = rest.trim_start_matches([' ', '\t']);
    if r.is_empty() {
        return true;
    }
    r.len() < rest.len()
        && matches!(r.as_bytes()[0], b'^' | b'~' | b'-' | b'|' | b'_')
        && !r.ends_with('|')
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RowKind {
    Match,
    Context,
    Separator,
}

/// One grep line inside a file group: where its line number and text start.
#[derive(Clone, Copy, Debug)]
struct Row {
    line: usize,
    kind: RowKind,
    /// Byte range of the line number, and where the text starts (after `:` or `-`).
    num: (usize, usize),
}

enum Entry {
    /// A line that is not a hit (`Binary file x matches`, a blank line, a note).
    Other(usize),
    /// Consecutive hits in one file: the line the path is taken from, the path's length.
    Group {
        path: (usize, usize),
        rows: Vec<Row>,
    },
}

pub fn compress(content: &str, options: &BlockOptions) -> Option<Compressed> {
    let split = lines::split_raw(content);
    let lines = &split.lines;
    if lines.is_empty() || lines.iter().any(|l| marker::is_marker(l)) {
        return None;
    }
    let entries = parse(lines);
    let lossless = Compressed {
        content: render(&entries, &split, None),
        strategy: String::from("search:group"),
        omitted: Vec::new(),
        tokens: None,
    };
    let Some(max) = options.max_block_tokens else {
        return Some(lossless);
    };
    let terms = query_terms(&options.query);
    let plan = Plan::new(&entries, lines, &terms);
    let estimated = plan.estimated_total();
    let Some(start) = budget::lossless_above(&lossless.content, estimated, max, options.encoding)
    else {
        return Some(lossless);
    };
    Some(budget::fit(max, start, estimated, |b| {
        let keep = plan.select(b);
        let text = render(&entries, &split, Some(&keep));
        let tokens = crate::tokens::count_tokens(&text, options.encoding);
        let out = Compressed {
            content: text,
            strategy: String::from("search:select"),
            omitted: plan.omissions(&keep),
            tokens: Some(tokens),
        };
        (out, tokens)
    }))
}

/// Groups consecutive hits of one file.
fn parse<S: AsRef<str>>(lines: &[S]) -> Vec<Entry> {
    // The path of the next match line at or after each line: context lines before a file's first
    // match are read against it (paths may themselves contain `-12-`).
    let mut next_match: Vec<Option<(usize, usize)>> = vec![None; lines.len() + 1];
    for k in (0..lines.len()).rev() {
        crate::stop::poll(lines[k].as_ref().len() + 1);
        next_match[k] = match match_prefix(lines[k].as_ref()) {
            Some(p) => Some((k, p)),
            None => next_match[k + 1],
        };
    }
    let path_of = |r: (usize, usize)| &lines[r.0].as_ref()[..r.1];
    let mut entries: Vec<Entry> = Vec::new();
    let mut current: Option<(usize, usize)> = None;
    let mut pending_sep: Option<usize> = None;
    // The current group is a `--heading` one: its rows carry no path.
    let mut headed = false;
    for (k, line) in lines.iter().enumerate() {
        let l = line.as_ref();
        crate::stop::poll(l.len() + 1);
        if l == "--" {
            pending_sep = Some(k);
            continue;
        }
        if let (true, Some(d), Some(Entry::Group { rows, .. })) =
            (headed, headed_row(l), entries.last_mut())
        {
            if let Some(s) = pending_sep.take() {
                rows.push(Row {
                    line: s,
                    kind: RowKind::Separator,
                    num: (0, 0),
                });
            }
            let kind = if l.as_bytes()[d] == b':' {
                RowKind::Match
            } else {
                RowKind::Context
            };
            rows.push(Row {
                line: k,
                kind,
                num: (0, d),
            });
            continue;
        }
        headed = false;
        let hit = if let Some(p) = match_prefix(l) {
            Some(((k, p), RowKind::Match, p + 1))
        } else {
            let known = [current, next_match[k]]
                .into_iter()
                .flatten()
                .find(|r| context_after(l, path_of(*r)).is_some());
            match known {
                Some(r) => Some((r, RowKind::Context, r.1 + 1)),
                None => context_prefix(l).map(|q| ((k, q), RowKind::Context, q + 1)),
            }
        };
        let Some((path, kind, num_start)) = hit else {
            if let Some(s) = pending_sep.take() {
                entries.push(Entry::Other(s));
            }
            if is_heading(l, lines.get(k + 1).map(|n| n.as_ref())) {
                current = Some((k, l.len()));
                entries.push(Entry::Group {
                    path: (k, l.len()),
                    rows: Vec::new(),
                });
                headed = true;
            } else {
                entries.push(Entry::Other(k));
                current = None;
            }
            continue;
        };
        let b = l.as_bytes();
        let digits = b[num_start..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let row = Row {
            line: k,
            kind,
            num: (num_start, num_start + digits),
        };
        let same = matches!(
            (current, entries.last()),
            (Some(c), Some(Entry::Group { .. })) if path_of(c) == path_of(path)
        );
        if same {
            if let (Some(s), Some(Entry::Group { rows, .. })) =
                (pending_sep.take(), entries.last_mut())
            {
                rows.push(Row {
                    line: s,
                    kind: RowKind::Separator,
                    num: (0, 0),
                });
            }
            if let Some(Entry::Group { rows, .. }) = entries.last_mut() {
                rows.push(row);
            }
        } else {
            // A separator between two files is implied by the new path.
            pending_sep = None;
            entries.push(Entry::Group {
                path,
                rows: vec![row],
            });
            current = Some(path);
        }
    }
    if let Some(s) = pending_sep {
        entries.push(Entry::Other(s));
    }
    entries
}

/// `path-12-…` for a known path: where the line number starts.
fn context_after(l: &str, path: &str) -> Option<usize> {
    let rest = l.strip_prefix(path)?.strip_prefix('-')?;
    let d = rest.bytes().take_while(|c| c.is_ascii_digit()).count();
    ((1..=9).contains(&d) && rest.as_bytes().get(d) == Some(&b'-')).then_some(path.len() + 1)
}

fn row_text(row: &Row, line: &str) -> String {
    match row.kind {
        RowKind::Separator => String::from("--"),
        RowKind::Match => format!("{}:{}", &line[row.num.0..row.num.1], &line[row.num.1 + 1..]),
        RowKind::Context => format!("{}-{}", &line[row.num.0..row.num.1], &line[row.num.1 + 1..]),
    }
}

/// A row's line number (0 for a separator).
fn line_number(row: &Row, line: &str) -> usize {
    match row.kind {
        RowKind::Separator => 0,
        _ => line[row.num.0..row.num.1].parse().unwrap_or(0),
    }
}

/// The output; `keep` (one flag per row, in entry order) selects rows in the lossy form, and each
/// dropped run leaves a marker naming its matches' line numbers. Each line ends as the line it
/// comes from (a heading as its first row, a marker as the last row it stands for), and the last
/// as the block does, so `\r\n` blocks stay so.
fn render(entries: &[Entry], split: &Lines, keep: Option<&[bool]>) -> String {
    let lines = &split.lines;
    // Each output line with the input line whose line end it takes.
    let mut out: Vec<(String, usize)> = Vec::new();
    let mut r = 0;
    let mut last = 0;
    let flush = |out: &mut Vec<(String, usize)>, matches: &[usize], context: usize, last: usize| {
        if matches.len() + context > 0 {
            out.push((marker::search_omitted(matches, context), last));
        }
    };
    for e in entries {
        match e {
            Entry::Other(k) => out.push((lines[*k].to_string(), *k)),
            Entry::Group { path, rows } => {
                out.push((lines[path.0][..path.1].to_string(), path.0));
                let mut matches: Vec<usize> = Vec::new();
                let mut context = 0;
                for row in rows {
                    let kept = keep.is_none_or(|k| k[r]);
                    r += 1;
                    let line = lines[row.line].as_ref();
                    crate::stop::poll(line.len() + 1);
                    if kept {
                        flush(&mut out, &matches, context, last);
                        matches.clear();
                        context = 0;
                        out.push((row_text(row, line), row.line));
                    } else {
                        last = row.line;
                        match row.kind {
                            RowKind::Match => matches.push(line_number(row, line)),
                            RowKind::Context => context += 1,
                            RowKind::Separator => {}
                        }
                    }
                }
                flush(&mut out, &matches, context, last);
            }
        }
    }
    if let Some(end) = out.last_mut() {
        end.1 = lines.len() - 1;
    }
    let mut text = String::new();
    for (line, k) in &out {
        text.push_str(line);
        text.push_str(split.line_end(*k));
    }
    text
}

/// What lossy selection knows about every row, in entry order.
struct Plan {
    kinds: Vec<RowKind>,
    costs: Vec<usize>,
    must: Vec<bool>,
    /// Keeping order for the others: lower first.
    rank: Vec<(usize, usize, usize)>,
    /// Index of the row's group, and the group count.
    group: Vec<usize>,
    groups: usize,
    other_cost: usize,
    /// The rows a match is kept with (its context, as far as grep printed it around this match),
    /// as a first and last row; a context line of no match spans itself.
    span: Vec<(usize, usize)>,
    /// Whether a context line belongs to some match's span.
    owned: Vec<bool>,
}

impl Plan {
    // Rows live in parallel vectors (kind, cost, group, …): indexing them by row reads best.
    #[allow(clippy::needless_range_loop)]
    fn new<S: AsRef<str>>(entries: &[Entry], lines: &[S], terms: &[String]) -> Plan {
        let mut p = Plan {
            kinds: Vec::new(),
            costs: Vec::new(),
            must: Vec::new(),
            rank: Vec::new(),
            group: Vec::new(),
            groups: 0,
            other_cost: 0,
            span: Vec::new(),
            owned: Vec::new(),
        };
        let body = |row: &Row| lines[row.line].as_ref().get(row.num.1 + 1..).unwrap_or("");
        let mut bodies: Vec<&str> = Vec::new();
        for e in entries {
            if let Entry::Group { rows, .. } = e {
                bodies.extend(rows.iter().filter(|r| r.kind == RowKind::Match).map(body));
            }
        }
        let weights = term_weights(terms, &bodies);
        // Per row: (is first/last match, query score, has an error word).
        let mut facts: Vec<(bool, usize, bool)> = Vec::new();
        // Per row: its hunk (rows printed as one run of consecutive lines, between separators).
        let mut hunk: Vec<usize> = Vec::new();
        let mut hunks = 0;
        let (mut matches, mut errors) = (0, 0);
        for e in entries {
            let (path, rows) = match e {
                Entry::Other(k) => {
                    p.other_cost += estimate_tokens(lines[*k].as_ref()) + 1;
                    continue;
                }
                Entry::Group { path, rows } => (path, rows),
            };
            p.other_cost += estimate_tokens(&lines[path.0].as_ref()[..path.1]) + 1;
            let first = rows.iter().position(|r| r.kind == RowKind::Match);
            let last = rows.iter().rposition(|r| r.kind == RowKind::Match);
            // A hunk starts with the group, after a separator and where the line numbers jump.
            let mut previous: Option<usize> = None;
            for (i, row) in rows.iter().enumerate() {
                let line = lines[row.line].as_ref();
                crate::stop::poll(line.len() + 1);
                p.kinds.push(row.kind);
                p.costs.push(estimate_tokens(&row_text(row, line)) + 1);
                p.group.push(p.groups);
                let number = line_number(row, line);
                if row.kind == RowKind::Separator {
                    hunks += 1;
                    previous = None;
                } else {
                    if previous.is_none_or(|v| number != v + 1) {
                        hunks += 1;
                    }
                    previous = Some(number);
                }
                hunk.push(hunks);
                let body = body(row);
                let is_match = row.kind == RowKind::Match;
                let query = if is_match {
                    query_score(body, terms, &weights)
                } else {
                    0
                };
                let error = is_match && line_signal(body.as_bytes()) == Signal::Error;
                matches += usize::from(is_match);
                errors += usize::from(error);
                facts.push((Some(i) == first || Some(i) == last, query, error));
            }
            p.groups += 1;
        }
        let n = p.kinds.len();
        // Error words mark the exceptional hits; when most hits carry one, the search was for
        // them and they rank first instead of all being kept.
        let errors_rare = errors * 2 <= matches;
        let mut nth = 0;
        for r in 0..n {
            if r > 0 && p.group[r] != p.group[r - 1] {
                nth = 0;
            }
            let (edge, query, error) = facts[r];
            // Query hits compete for the budget (relevance is not signal), rarest terms first.
            let must = edge || (error && errors_rare);
            p.must.push(must);
            p.rank.push(match p.kinds[r] {
                RowKind::Match => {
                    nth += 1;
                    match (error, query) {
                        (true, _) => (0, nth, r),
                        (false, 0) => (2, nth, r),
                        (false, q) => (1, usize::MAX - q, r),
                    }
                }
                RowKind::Context => (3, 0, r),
                RowKind::Separator => (4, 0, r),
            });
        }
        // Context lines nearest a kept match come first.
        let mut dist = vec![usize::MAX; n];
        let mut last_must: Option<usize> = None;
        for r in 0..n {
            if r > 0 && p.group[r] != p.group[r - 1] {
                last_must = None;
            }
            if p.must[r] {
                last_must = Some(r);
            } else if let Some(m) = last_must {
                dist[r] = r - m;
            }
        }
        let mut next_must: Option<usize> = None;
        for r in (0..n).rev() {
            if r + 1 < n && p.group[r] != p.group[r + 1] {
                next_must = None;
            }
            if p.must[r] {
                next_must = Some(r);
            } else if let Some(m) = next_must {
                dist[r] = dist[r].min(m - r);
            }
            if p.kinds[r] == RowKind::Context {
                p.rank[r].1 = dist[r];
            }
        }
        // How many lines grep printed before and after a match (`-B`, `-A`): the longest runs of
        // context that open and close a hunk.
        let (mut before, mut after) = (0, 0);
        let mut r = 0;
        while r < n {
            let mut end = r;
            while end < n && hunk[end] == hunk[r] {
                end += 1;
            }
            let is_context = |q: usize| p.kinds[q] == RowKind::Context;
            let lead = (r..end).take_while(|q| is_context(*q)).count();
            let trail = (r..end).rev().take_while(|q| is_context(*q)).count();
            if lead < end - r {
                before = before.max(lead);
                after = after.max(trail);
            }
            r = end;
        }
        p.span = (0..n).map(|r| (r, r)).collect();
        p.owned = vec![false; n];
        // A hunk's rows are consecutive lines: its rows `before` up and `after` down are the lines
        // grep printed around the match (other matches among them are not its context).
        for r in 0..n {
            if p.kinds[r] != RowKind::Match {
                continue;
            }
            let in_hunk = |q: usize| q < n && hunk[q] == hunk[r];
            let mut lo = r;
            while r - lo < before && lo > 0 && in_hunk(lo - 1) {
                lo -= 1;
            }
            let mut hi = r;
            while hi - r < after && in_hunk(hi + 1) {
                hi += 1;
            }
            p.span[r] = (lo, hi);
            for q in lo..=hi {
                if p.kinds[q] == RowKind::Context {
                    p.owned[q] = true;
                }
            }
        }
        // A kept match keeps its context.
        let mut must = std::mem::take(&mut p.must);
        for r in 0..n {
            if p.kinds[r] == RowKind::Match && must[r] {
                p.keep_with(r, &mut must);
            }
        }
        p.must = must;
        p
    }

    /// Marks `r` and the context lines of its span kept.
    fn keep_with(&self, r: usize, keep: &mut [bool]) {
        let (lo, hi) = self.span[r];
        for (q, k) in keep.iter_mut().enumerate().take(hi + 1).skip(lo) {
            if q == r || self.kinds[q] == RowKind::Context {
                *k = true;
            }
        }
    }

    fn estimated_total(&self) -> usize {
        self.other_cost + self.costs.iter().sum::<usize>()
    }

    /// Rows to keep within `budget`: the must-keep ones, then matches by rank, each with its
    /// context, while they fit, then context lines of no match; a separator stays between kept
    /// rows.
    fn select(&self, budget: usize) -> Vec<bool> {
        let n = self.kinds.len();
        let mut keep = self.must.clone();
        let mut used = self.other_cost;
        let mut r = 0;
        while r < n {
            let mut end = r;
            while end < n && self.group[end] == self.group[r] {
                end += 1;
            }
            used += self.cost(r, end - 1, &keep);
            r = end;
        }
        let mut order: Vec<usize> = (0..n)
            .filter(|r| {
                !keep[*r]
                    && match self.kinds[*r] {
                        RowKind::Match => true,
                        RowKind::Context => !self.owned[*r],
                        RowKind::Separator => false,
                    }
            })
            .collect();
        order.sort_by_key(|r| self.rank[*r]);
        for r in order {
            crate::stop::poll(16);
            let (lo, hi) = self.span[r];
            // The rows whose cost changes: the span, its neighbours and the separators between.
            let a = self.same_group(self.neighbour(lo, false), r).unwrap_or(lo);
            let b = self.same_group(self.neighbour(hi, true), r).unwrap_or(hi);
            let was = self.cost(a, b, &keep);
            let saved = keep[lo..=hi].to_vec();
            self.keep_with(r, &mut keep);
            let now = self.cost(a, b, &keep);
            if used + now <= budget + was {
                used = used + now - was;
            } else {
                keep[lo..=hi].copy_from_slice(&saved);
            }
        }
        for r in 0..n {
            if self.kinds[r] == RowKind::Separator {
                keep[r] = self.separator_kept(r, &keep);
            }
        }
        keep
    }

    /// `q` when it is a row of `r`'s group.
    fn same_group(&self, q: Option<usize>, r: usize) -> Option<usize> {
        q.filter(|q| self.group[*q] == self.group[r])
    }

    /// A separator is kept when the rows on both sides of it are.
    fn separator_kept(&self, r: usize, keep: &[bool]) -> bool {
        let before = self.same_group(self.neighbour(r, false), r);
        let after = self.same_group(self.neighbour(r, true), r);
        matches!((before, after), (Some(x), Some(y)) if keep[x] && keep[y])
    }

    /// Estimated cost of rows `a..=b` of one group as `keep` renders them: kept rows, kept
    /// separators, one marker per dropped run.
    fn cost(&self, a: usize, b: usize, keep: &[bool]) -> usize {
        let mut t = 0;
        for r in a..=b {
            if self.kinds[r] == RowKind::Separator {
                if self.separator_kept(r, keep) {
                    t += self.costs[r];
                }
            } else if keep[r] {
                t += self.costs[r];
            } else if self
                .same_group(self.neighbour(r, false), r)
                .is_none_or(|q| keep[q])
            {
                t += MARKER_COST;
            }
        }
        t
    }

    /// The nearest non-separator row before or after `r`.
    fn neighbour(&self, r: usize, after: bool) -> Option<usize> {
        let mut q = r;
        loop {
            q = if after {
                q.checked_add(1).filter(|q| *q < self.kinds.len())?
            } else {
                q.checked_sub(1)?
            };
            if self.kinds[q] != RowKind::Separator {
                return Some(q);
            }
        }
    }

    fn omissions(&self, keep: &[bool]) -> Vec<Omission> {
        let mut files = vec![false; self.groups];
        let (mut matches, mut context) = (0, 0);
        for (r, k) in keep.iter().enumerate() {
            if *k {
                continue;
            }
            match self.kinds[r] {
                RowKind::Match => {
                    matches += 1;
                    files[self.group[r]] = true;
                }
                RowKind::Context => context += 1,
                RowKind::Separator => {}
            }
        }
        let mut out = Vec::new();
        if matches > 0 {
            let n = files.iter().filter(|f| **f).count();
            out.push(Omission {
                unit: "matches",
                count: matches,
                summary: marker::search_omission_summary(n),
            });
        }
        if context > 0 {
            out.push(Omission {
                unit: "lines",
                count: context,
                summary: String::from("context lines"),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics() {
        assert!(is_diagnostic("src/a.ts(3,7): error TS2322: Type"));
        assert!(is_diagnostic("util.c:14:9: note: each undeclared"));
        assert!(is_diagnostic("src/c.ts:4:12 - error TS2339: Property"));
        assert!(is_diagnostic("--> src/main.rs:5:18"));
        assert!(is_diagnostic("= help: consider borrowing"));
        assert!(!is_diagnostic("src/a.rs:12:    let error = 1;"));
        assert!(!is_diagnostic("notes.txt:3:error: a grep hit"));
        assert!(is_diagnostic_gutter("|     ^^^ expected `i32`"));
        assert!(!is_diagnostic_gutter("| --- | --- |"));
    }

    use crate::block::test_options as opts;

    #[test]
    fn groups_hits_under_their_path() {
        let text = "src/a-1-b.rs-3-use x;\nsrc/a-1-b.rs:4:fn main() {\n--\nsrc/a-1-b.rs:9:}\nsrc/c.rs:1:x\nBinary file d matches\n";
        let c = compress(text, &opts(None)).expect("compressed");
        assert_eq!(
            c.content,
            "src/a-1-b.rs\n3-use x;\n4:fn main() {\n--\n9:}\nsrc/c.rs\n1:x\nBinary file d matches\n"
        );
    }

    #[test]
    fn reads_the_heading_layout_back_as_written() {
        let text = "src/a.rs\n3-use x;\n4:fn main() {\n--\n9:}\n\nsrc/c.rs\n1:x\n2-y\n";
        assert!(is_search(&text.lines().collect::<Vec<_>>()));
        let c = compress(text, &opts(None)).expect("compressed");
        assert_eq!(c.content, text);
        assert!(!is_search(&["src/a.rs", "1:fn main() {", "2:}"]));
    }

    #[test]
    fn lossy_keeps_every_file_with_its_first_and_last_match() {
        let mut text = String::new();
        for f in 0..5 {
            for k in 0..200 {
                text.push_str(&format!(
                    "src/module{f}/file.rs:{k}:    let value_{k} = compute({k});\n"
                ));
            }
        }
        text.push_str("src/module2/file.rs:999:    panic!(\"fatal error here\");\n");
        let c = compress(&text, &opts(Some(400))).expect("compressed");
        assert_eq!(c.strategy, "search:select");
        for f in 0..5 {
            assert!(c.content.contains(&format!("src/module{f}/file.rs\n0:")));
            assert!(c.content.contains("199:    let value_199"));
        }
        assert!(c.content.contains("999:    panic!(\"fatal error here\");"));
        assert!(c.content.contains("matches omitted"));
    }
}
