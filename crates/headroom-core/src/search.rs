//! The search-hit compressor: grep and ripgrep output, `path:line:text` matches and
//! `path-line-text` context lines (twin of `search.ts`).
//!
//! Lossless: consecutive hits in one file are grouped under their path, written once, as
//! ripgrep's `--heading` layout does (`12:text` for a match, `12-text` for context).
//! Lossy, only above `max_block_tokens`: every file stays with its first and last match, every
//! match with a query term or an error word stays, then more matches (the first ones of every
//! file before the later ones) and context lines while the budget lasts; each dropped run leaves
//! a marker with its counts.

use crate::block::{BlockOptions, Compressed, Omission};
use crate::budget::{self, estimate_tokens};
use crate::detect::{context_prefix, match_prefix};
use crate::lines::{self, Lines};
use crate::marker;
use crate::query::{query_hits, query_terms};
use crate::signal::{line_signal, Signal};

/// Estimated cost of an omission marker line.
const MARKER_COST: usize = 12;

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
        content: Lines::join(&render(&entries, lines, None), split.trailing_newline),
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
        let text = Lines::join(
            &render(&entries, lines, Some(&keep)),
            split.trailing_newline,
        );
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
        next_match[k] = match match_prefix(lines[k].as_ref()) {
            Some(p) => Some((k, p)),
            None => next_match[k + 1],
        };
    }
    let path_of = |r: (usize, usize)| &lines[r.0].as_ref()[..r.1];
    let mut entries: Vec<Entry> = Vec::new();
    let mut current: Option<(usize, usize)> = None;
    let mut pending_sep: Option<usize> = None;
    for (k, line) in lines.iter().enumerate() {
        let l = line.as_ref();
        if l == "--" {
            pending_sep = Some(k);
            continue;
        }
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
            entries.push(Entry::Other(k));
            current = None;
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

/// The output lines; `keep` (one flag per row, in entry order) selects rows in the lossy form.
fn render<S: AsRef<str>>(entries: &[Entry], lines: &[S], keep: Option<&[bool]>) -> Vec<String> {
    let mut out = Vec::new();
    let mut r = 0;
    for e in entries {
        match e {
            Entry::Other(k) => out.push(lines[*k].as_ref().to_string()),
            Entry::Group { path, rows } => {
                out.push(lines[path.0].as_ref()[..path.1].to_string());
                let (mut matches, mut context) = (0, 0);
                for row in rows {
                    let kept = keep.is_none_or(|k| k[r]);
                    r += 1;
                    if kept && !(keep.is_some() && row.kind == RowKind::Separator) {
                        if matches + context > 0 {
                            out.push(marker::search_omitted(matches, context));
                            (matches, context) = (0, 0);
                        }
                        out.push(row_text(row, lines[row.line].as_ref()));
                    } else if !kept {
                        match row.kind {
                            RowKind::Match => matches += 1,
                            RowKind::Context => context += 1,
                            RowKind::Separator => {}
                        }
                    }
                }
                if matches + context > 0 {
                    out.push(marker::search_omitted(matches, context));
                }
            }
        }
    }
    out
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
        };
        // Per row: (position in group, is first/last match, has a query term, has an error word).
        let mut facts: Vec<(usize, bool, bool, bool)> = Vec::new();
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
            for (i, row) in rows.iter().enumerate() {
                let line = lines[row.line].as_ref();
                p.kinds.push(row.kind);
                p.costs.push(estimate_tokens(&row_text(row, line)) + 1);
                p.group.push(p.groups);
                let body = line.get(row.num.1 + 1..).unwrap_or("");
                let is_match = row.kind == RowKind::Match;
                let query = is_match && query_hits(body, terms) > 0;
                let error = is_match && line_signal(body.as_bytes()) == Signal::Error;
                matches += usize::from(is_match);
                errors += usize::from(error);
                facts.push((i, Some(i) == first || Some(i) == last, query, error));
            }
            p.groups += 1;
        }
        // Error words mark the exceptional hits; when most hits carry one, the search was for
        // them and they rank first instead of all being kept.
        let errors_rare = errors * 2 <= matches;
        let mut nth = 0;
        for r in 0..p.kinds.len() {
            if r > 0 && p.group[r] != p.group[r - 1] {
                nth = 0;
            }
            let (_, edge, query, error) = facts[r];
            let must = edge || query || (error && errors_rare);
            p.must.push(must);
            p.rank.push(match p.kinds[r] {
                RowKind::Match => {
                    nth += 1;
                    (usize::from(!error), nth, r)
                }
                RowKind::Context => (2, 0, r),
                RowKind::Separator => (3, 0, r),
            });
        }
        // Context lines nearest a kept match come first.
        let n = p.kinds.len();
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
        p
    }

    fn estimated_total(&self) -> usize {
        self.other_cost + self.costs.iter().sum::<usize>()
    }

    /// Rows to keep within `budget`: the must-keep ones, then by rank while they fit.
    #[allow(clippy::needless_range_loop)]
    fn select(&self, budget: usize) -> Vec<bool> {
        let n = self.kinds.len();
        let mut keep = self.must.clone();
        let mut used = self.other_cost;
        // One marker per dropped run inside a group.
        let mut in_run = false;
        for r in 0..n {
            if r > 0 && self.group[r] != self.group[r - 1] {
                in_run = false;
            }
            if keep[r] {
                used += self.costs[r];
                in_run = false;
            } else if self.kinds[r] != RowKind::Separator && !in_run {
                used += MARKER_COST;
                in_run = true;
            }
        }
        let mut order: Vec<usize> = (0..n)
            .filter(|r| !keep[*r] && self.kinds[*r] != RowKind::Separator)
            .collect();
        order.sort_by_key(|r| self.rank[*r]);
        for r in order {
            let dropped = |q: Option<usize>| {
                q.is_some_and(|q| {
                    self.group[q] == self.group[r]
                        && !keep[q]
                        && self.kinds[q] != RowKind::Separator
                })
            };
            let left = dropped(self.neighbour(r, false));
            let right = dropped(self.neighbour(r, true));
            let cost = self.costs[r] + if left && right { MARKER_COST } else { 0 };
            let saving = if !left && !right { MARKER_COST } else { 0 };
            if used + cost <= budget + saving {
                keep[r] = true;
                used = (used + cost).saturating_sub(saving);
            }
        }
        keep
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
