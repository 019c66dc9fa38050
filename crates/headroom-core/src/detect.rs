//! What kind of content a block is (twin of `detect.ts`). Deterministic rules over a bounded
//! prefix (the first `PREFIX_BYTES` bytes, cut at a character boundary, and at most
//! `PREFIX_LINES` of its lines, normalised as the compressors see them); `code` and `text` pass
//! through untouched.

use crate::block::Kind;
use crate::lines;
use crate::log::{classify_all, timestamp_len, Class, LineInfo};
use crate::signal::{line_signal, Signal};
use std::collections::BTreeMap;

/// How much of a block detection reads.
pub const PREFIX_BYTES: usize = 64 * 1024;
pub const PREFIX_LINES: usize = 400;
/// A diff's first file header must come within this many lines (a mail's preamble may precede it).
const DIFF_HEADER_WITHIN: usize = 150;
/// Shares (in percent of the non-empty prefix lines) the rules ask for.
const DIFF_SHARE: usize = 80;
const SEARCH_SHARE: usize = 70;
const LOG_SHARE: usize = 30;
const CODE_SHARE: usize = 30;

/// Detects the kind of a block.
pub fn detect(content: &str) -> Kind {
    // JSON: the whole block parses as one JSON value.
    if crate::json::is_json(content) {
        return Kind::Json;
    }
    detect_lines(content)
}

/// Detects the kind of a block known not to be JSON, from the lines of its prefix.
pub fn detect_lines(content: &str) -> Kind {
    let mut cut = content.len().min(PREFIX_BYTES);
    while !content.is_char_boundary(cut) {
        cut -= 1;
    }
    let split = lines::split_raw(&content[..cut]);
    let all = &split.lines;
    let raw = &all[..all.len().min(PREFIX_LINES)];
    if is_diff(raw) {
        return Kind::Diff;
    }
    if is_search(raw) {
        return Kind::Search;
    }
    let split = lines::split(&content[..cut]);
    let all = &split.lines;
    let normal = &all[..all.len().min(PREFIX_LINES)];
    log_or_code(normal)
}

/// `@@ -12,7 +12,8 @@`
pub fn is_hunk_header(l: &str) -> bool {
    let b = l.as_bytes();
    let mut i = 0;
    let lit = |s: &[u8], i: &mut usize| {
        if b[*i..].starts_with(s) {
            *i += s.len();
            true
        } else {
            false
        }
    };
    let range = |i: &mut usize| {
        let d = b[*i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if d == 0 {
            return false;
        }
        *i += d;
        if b.get(*i) == Some(&b',') {
            let d2 = b[*i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            if d2 == 0 {
                return false;
            }
            *i += 1 + d2;
        }
        true
    };
    lit(b"@@ -", &mut i)
        && range(&mut i)
        && lit(b" +", &mut i)
        && range(&mut i)
        && lit(b" @@", &mut i)
}

/// The lines of a git diff's extended header, and a few more a file header may carry.
pub const HEADER_PREFIXES: &[&str] = &[
    "index ",
    "new file mode",
    "deleted file mode",
    "old mode",
    "new mode",
    "similarity index",
    "dissimilarity index",
    "rename from",
    "rename to",
    "copy from",
    "copy to",
    "Binary files",
    "=====",
];

/// Lines a unified or git diff is made of (after its first file header).
pub fn is_diff_shaped(l: &str) -> bool {
    if l.is_empty() {
        return true;
    }
    if matches!(l.as_bytes()[0], b' ' | b'\t' | b'+' | b'-' | b'@' | b'\\') {
        return true;
    }
    ["diff ", "Index: ", "Only in ", "GIT binary patch"]
        .iter()
        .chain(HEADER_PREFIXES)
        .any(|p| l.starts_with(p))
}

fn is_diff<S: AsRef<str>>(lines: &[S]) -> bool {
    let l = |k: usize| lines.get(k).map_or("", |s| s.as_ref());
    let mut found = None;
    for k in 0..lines.len().min(DIFF_HEADER_WITHIN) {
        let a = l(k);
        if a.starts_with("--- ") && l(k + 1).starts_with("+++ ") && is_hunk_header(l(k + 2)) {
            found = Some(k);
            break;
        }
        if a.starts_with("diff --git ")
            && (k + 1..k + 7).any(|j| {
                let x = l(j);
                x.starts_with("--- ")
                    || x.starts_with("index ")
                    || x.starts_with("GIT binary patch")
                    || x.starts_with("Binary files")
                    || x.starts_with("rename from")
                    || x.starts_with("similarity index")
                    || x.starts_with("new file mode")
                    || x.starts_with("deleted file mode")
                    || x.starts_with("old mode")
            })
        {
            found = Some(k);
            break;
        }
    }
    let Some(f) = found else {
        return false;
    };
    let rest = &lines[f..];
    // The base85 lines of a `GIT binary patch` (up to a blank line) belong to the diff too.
    let mut binary = false;
    let mut shaped = 0;
    for x in rest {
        let x = x.as_ref();
        binary = (binary && !x.is_empty()) || x.starts_with("GIT binary patch");
        shaped += usize::from(binary || is_diff_shaped(x));
    }
    shaped * 100 >= rest.len() * DIFF_SHARE
}

/// `path:12:` (a match) → the end of the path; the path must look like one.
pub fn match_prefix(l: &str) -> Option<usize> {
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
pub fn context_prefix(l: &str) -> Option<usize> {
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
pub fn plausible_path(p: &str) -> bool {
    let b = p.as_bytes();
    !b.is_empty()
        && b.iter().any(|c| c.is_ascii_alphabetic())
        && !starts_with_date(b)
        && b.iter().all(|c| path_char(*c))
}

fn is_search<S: AsRef<str>>(lines: &[S]) -> bool {
    let (mut matches, mut diagnostics, mut others, mut nonempty) = (0, 0, 0, 0);
    for l in lines {
        let l = l.as_ref();
        if l.is_empty() {
            continue;
        }
        nonempty += 1;
        if match_prefix(l).is_some() {
            matches += 1;
            diagnostics += usize::from(is_diagnostic(l));
        } else if l == "--" || context_prefix(l).is_some() {
            others += 1;
        }
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
fn is_diagnostic_gutter(u: &str) -> bool {
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

fn log_or_code<S: AsRef<str>>(lines: &[S]) -> Kind {
    let info = classify_all(lines, &[]);
    let aligned = right_aligned_verbs(lines, &info);
    let (mut log, mut code, mut nonempty) = (0, 0, 0);
    for (k, (l, li)) in lines.iter().zip(&info).enumerate() {
        let l = l.as_ref();
        if li.blank {
            continue;
        }
        nonempty += 1;
        let msg = &l[li.ts..];
        let u = msg.trim_start_matches([' ', '\t']);
        if li.ts > 0
            || li.level.is_some()
            || li.class == Class::Frame
            || li.class == Class::Summary
            || li.header
            || (li.class == Class::Error && first_token_signals(u))
            || aligned[k]
            || log_shaped(u)
            || stamp_after_fields(u)
        {
            log += 1;
        } else if code_shaped(u) {
            code += 1;
        }
    }
    if log >= 2 && log * 100 >= nonempty * LOG_SHARE && log > code {
        Kind::Log
    } else if code >= 2 && code * 100 >= nonempty * CODE_SHARE {
        Kind::Code
    } else {
        Kind::Text
    }
}

/// How many leading fields may come before a line's timestamp.
const FIELDS_BEFORE_STAMP: usize = 5;

/// A timestamp with a time of day after a few leading fields: logs whose lines open with a label,
/// an epoch or a host (`- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond[2916]: …`,
/// `nova-api.log.1 2017-05-16 00:00:00.008 25746 INFO …`).
fn stamp_after_fields(u: &str) -> bool {
    let b = u.as_bytes();
    lines::tokens(b)
        .skip(1)
        .take(FIELDS_BEFORE_STAMP)
        .any(|(s, _)| {
            let n = timestamp_len(&b[s..]);
            n > 0 && b[s..s + n].contains(&b':')
        })
}

/// Fewest lines that make right-aligned status verbs a tool's output.
const ALIGNED_MIN_LINES: usize = 3;

/// Status lines of build tools that right-align a capitalised verb after blanks (cargo's
/// `   Compiling x v1.0`, `       Fresh y v2.1`, `    Finished …`): the lines whose verb ends at
/// the column most such lines share, when at least `ALIGNED_MIN_LINES` do and their indents
/// differ (equal indents are just an indented paragraph).
fn right_aligned_verbs<S: AsRef<str>>(lines: &[S], info: &[LineInfo]) -> Vec<bool> {
    // (line, column where the verb ends, indent)
    let mut found: Vec<(usize, usize, usize)> = Vec::new();
    for (k, (l, li)) in lines.iter().zip(info).enumerate() {
        if li.indent == 0 || li.blank {
            continue;
        }
        let u = &l.as_ref()[li.ts + li.indent..];
        let b = u.as_bytes();
        let len = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
        if (3..=16).contains(&len)
            && b[0].is_ascii_uppercase()
            && b[1..len].iter().all(|c| c.is_ascii_lowercase())
            && b.get(len) == Some(&b' ')
            && crate::log::tokens_have_value(&u[len..])
        {
            found.push((k, li.indent + len, li.indent));
        }
    }
    let mut by_column: BTreeMap<usize, (usize, usize, usize)> = BTreeMap::new();
    for &(_, col, indent) in &found {
        let e = by_column.entry(col).or_insert((0, indent, indent));
        e.0 += 1;
        e.1 = e.1.min(indent);
        e.2 = e.2.max(indent);
    }
    let mut best: Option<(usize, (usize, usize, usize))> = None;
    for (&col, &c) in &by_column {
        if best.is_none_or(|(_, b)| c.0 > b.0) {
            best = Some((col, c));
        }
    }
    let mut out = vec![false; lines.len()];
    if let Some((col, (n, lo, hi))) = best {
        if n >= ALIGNED_MIN_LINES && lo != hi {
            for &(k, c, _) in &found {
                out[k] = c == col;
            }
        }
    }
    out
}

/// `ValueError: …`, `FAILED tests/x.py::t`, `panic: …`: an error named up front.
fn first_token_signals(u: &str) -> bool {
    let first = u.split([' ', '\t']).next().unwrap_or("");
    line_signal(first.as_bytes()) == Signal::Error
}

/// Progress verbs build tools and package managers start their lines with.
const PROGRESS_VERBS: &[&str] = &[
    "Building",
    "Checking",
    "Cloning",
    "Collecting",
    "Compiling",
    "Created",
    "Creating",
    "Downloaded",
    "Downloading",
    "Executing",
    "Extracting",
    "Fetching",
    "Finished",
    "Generating",
    "Installing",
    "Linking",
    "Loaded",
    "Loading",
    "Obtaining",
    "Preparing",
    "Processing",
    "Pulling",
    "Pushing",
    "Removing",
    "Requirement",
    "Resolving",
    "Retrying",
    "Running",
    "Started",
    "Starting",
    "Stopped",
    "Stopping",
    "Successfully",
    "Unpacking",
    "Updating",
    "Uploaded",
    "Uploading",
    "Using",
    "Waiting",
];

/// Shapes of tool output that carry no timestamp or level.
fn log_shaped(u: &str) -> bool {
    let b = u.as_bytes();
    for p in [
        "##[",
        "npm ERR!",
        "npm WARN",
        "npm notice",
        "> Task :",
        "[Pipeline]",
        "make[",
        "make: ",
        "--- PASS",
        "--- FAIL",
        "--- SKIP",
        "=== RUN",
        "=== CONT",
        "=== PAUSE",
        "ok  ",
        "FAIL\t",
        "collected ",
        "platform ",
    ] {
        if u.starts_with(p) {
            return true;
        }
    }
    if u == "PASS" || u == "FAIL" {
        return true;
    }
    if is_diagnostic(u) || is_diagnostic_gutter(u) {
        return true;
    }
    if u.starts_with("::") && b.get(2).is_some_and(|c| c.is_ascii_lowercase()) {
        return true;
    }
    if u.starts_with("+ ") && b.get(2).is_some_and(|c| !matches!(c, b' ' | b'\t')) {
        return true;
    }
    if u.starts_with("{\"") && u.ends_with('}') {
        return true; // one JSON object per line
    }
    // An access log's request: `"GET /path HTTP/1.1" 200`.
    if let Some(p) = u.find(" HTTP/") {
        if u.as_bytes()[p..].iter().take(12).any(|c| *c == b'"') {
            return true;
        }
    }
    if u.ends_with("%]")
        || u.ends_with(" ... ok")
        || u.ends_with(" PASSED")
        || u.ends_with(" FAILED")
    {
        return true;
    }
    if b.first() == Some(&b'[') {
        // `[tag] text`: a short ASCII tag without blanks.
        let inner = b[1..]
            .iter()
            .take(40)
            .position(|c| !c.is_ascii() || matches!(c, b']' | b'[' | b' ' | b'\t'));
        if let Some(k) = inner {
            if k > 0 && b[1 + k] == b']' && matches!(b.get(2 + k), Some(b' ' | b'\t')) {
                return true;
            }
        }
    }
    let first = u.split([' ', '\t']).next().unwrap_or("");
    if PROGRESS_VERBS.binary_search(&first).is_ok() {
        return crate::log::tokens_have_value(u);
    }
    false
}

const CODE_KEYWORDS: &[&str] = &[
    "#define",
    "#import",
    "#include",
    "async",
    "await",
    "case",
    "catch",
    "class",
    "const",
    "def",
    "elif",
    "else",
    "enum",
    "except",
    "export",
    "finally",
    "fn",
    "for",
    "from",
    "func",
    "function",
    "if",
    "impl",
    "import",
    "interface",
    "let",
    "module",
    "namespace",
    "package",
    "private",
    "protected",
    "pub",
    "public",
    "raise",
    "return",
    "static",
    "struct",
    "switch",
    "throw",
    "trait",
    "try",
    "type",
    "use",
    "using",
    "var",
    "while",
    "with",
    "yield",
];

/// Shapes of source code (and of numbered source listings).
fn code_shaped(u: &str) -> bool {
    let b = u.as_bytes();
    if b.is_empty() {
        return false;
    }
    if u.ends_with('{') || u.ends_with('}') || u.ends_with(';') || u.ends_with("};") {
        return true;
    }
    if matches!(u, ")" | "]" | "end" | "fi" | "done" | "esac") {
        return true;
    }
    if u.starts_with("//")
        || u.starts_with("/*")
        || u.starts_with("* ")
        || u.starts_with("*/")
        || u.starts_with("#!")
    {
        return true;
    }
    if b[0] == b'@' && b.get(1).is_some_and(|c| c.is_ascii_alphabetic()) {
        return true;
    }
    // `12:import re` (an editor's numbered view), `  12 | code`.
    let d = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if d > 0 && (b.get(d) == Some(&b':') || u[d..].trim_start_matches(' ').starts_with('|')) {
        return true;
    }
    let word_end = b
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || *c == b'_' || *c == b'#'))
        .unwrap_or(b.len());
    let word = &u[..word_end];
    if word_end < b.len()
        && matches!(b[word_end], b' ' | b'(' | b':' | b'<')
        && CODE_KEYWORDS.binary_search(&word).is_ok()
    {
        return true;
    }
    // `name = value`, `self.x = y`
    let lhs = b
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'[' | b']')))
        .unwrap_or(b.len());
    lhs > 0
        && b[0].is_ascii_alphabetic()
        && (u[lhs..].starts_with(" = ") || u[lhs..].starts_with(" += "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_are_sorted_for_binary_search() {
        for list in [PROGRESS_VERBS, CODE_KEYWORDS] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
        }
    }

    #[test]
    fn diagnostics_and_status_lines() {
        assert!(is_diagnostic("src/a.ts(3,7): error TS2322: Type"));
        assert!(is_diagnostic("util.c:14:9: note: each undeclared"));
        assert!(is_diagnostic("src/c.ts:4:12 - error TS2339: Property"));
        assert!(is_diagnostic("--> src/main.rs:5:18"));
        assert!(is_diagnostic("= help: consider borrowing"));
        assert!(!is_diagnostic("src/a.rs:12:    let error = 1;"));
        assert!(!is_diagnostic("notes.txt:3:error: a grep hit"));
        assert!(is_diagnostic_gutter("|     ^^^ expected `i32`"));
        assert!(!is_diagnostic_gutter("| --- | --- |"));
        assert_eq!(
            detect("   Compiling a v1.0.0\n       Fresh b v2.0.0\n       Fresh c v0.3.1\n       Fresh d v0.3.1\n       Fresh e v0.3.1\n    Finished dev in 1s\n"),
            Kind::Log
        );
        assert_eq!(
            detect("Notes\n    Fixed a bug in 2.1.0 on start.\n    Added a flag in 2.2.0 for scripts.\n    Moved the cache in 2.3.0 away.\n"),
            Kind::Text
        );
    }

    #[test]
    fn kinds() {
        let d = |s: &str| detect(s);
        assert_eq!(
            d("diff --git a/x b/x\nindex 1..2 100644\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"),
            Kind::Diff
        );
        assert_eq!(
            d("src/a.rs:12:fn main() {\nsrc/a.rs:40:    main();\nsrc/b.rs-3-use x;\n"),
            Kind::Search
        );
        assert_eq!(
            d("2022-01-01 10:00:00 INFO start\n2022-01-01 10:00:01 WARN slow\n2022-01-01 10:00:02 INFO done\n"),
            Kind::Log
        );
        assert_eq!(
            d("import os\n\ndef main():\n    x = 1\n    return x\n"),
            Kind::Code
        );
        assert_eq!(
            d("This is a paragraph of prose.\nIt has two sentences, neither a log.\n"),
            Kind::Text
        );
    }
}
