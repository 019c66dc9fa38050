//! Whether lines look like a log (twin of `recognize.ts`), for detection: what detection asks
//! the log compressor. A line looks like a log by its timestamp, level, stack frame, summary or
//! section header (as `classify` sees them), or by the shapes tools print without those: CI
//! annotations, test runners' status lines, progress verbs, compiler diagnostics.

use super::classify::{classify_all, Class, LineInfo};
use super::fold::is_variable;
use super::timestamp::timestamp_len;
use crate::lines::tokens;
use crate::search::{is_diagnostic, is_diagnostic_gutter};
use crate::signal::{line_signal, Signal};
use std::collections::BTreeMap;

/// What one line looks like to detection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Look {
    /// Nothing but blanks (and a timestamp).
    Blank,
    Log,
    /// Neither: detection asks whether it looks like code.
    Other,
}

/// How each line looks.
pub fn looks<S: AsRef<str>>(lines: &[S]) -> Vec<Look> {
    let info = classify_all(lines, &[]);
    let aligned = right_aligned_verbs(lines, &info);
    lines
        .iter()
        .zip(&info)
        .zip(aligned)
        .map(|((l, li), aligned)| {
            if li.blank {
                return Look::Blank;
            }
            let u = l.as_ref()[li.ts..].trim_start_matches([' ', '\t']);
            let log = li.ts > 0
                || li.level.is_some()
                || li.class == Class::Frame
                || li.class == Class::Summary
                || li.header
                || (li.class == Class::Error && first_token_signals(u))
                || aligned
                || log_shaped(u)
                || stamp_after_fields(u);
            if log {
                Look::Log
            } else {
                Look::Other
            }
        })
        .collect()
}

/// True when some blank-separated token of `s` carries a value (a number, path, dotted name).
fn tokens_have_value(s: &str) -> bool {
    let b = s.as_bytes();
    tokens(b).any(|(x, y)| is_variable(&b[x..y]))
}

/// How many leading fields may come before a line's timestamp.
const FIELDS_BEFORE_STAMP: usize = 5;

/// A timestamp with a time of day after a few leading fields: logs whose lines open with a label,
/// an epoch or a host (`- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond[2916]: …`,
/// `nova-api.log.1 2017-05-16 00:00:00.008 25746 INFO …`).
fn stamp_after_fields(u: &str) -> bool {
    let b = u.as_bytes();
    tokens(b).skip(1).take(FIELDS_BEFORE_STAMP).any(|(s, _)| {
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
            && tokens_have_value(&u[len..])
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
        return tokens_have_value(u);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_verbs_are_sorted_for_binary_search() {
        assert!(PROGRESS_VERBS.windows(2).all(|w| w[0] < w[1]));
    }
}
