//! What each log line is (twin of `log/classify.ts`): its leading timestamp (`timestamp`), level
//! (`level`), whether it signals an error or warning (`signal`), belongs to a stack trace
//! (`frames`), states a summary (`summary`) or opens a section. ASCII-only rules (PRODUCT §9).

use super::frames::{frame_shape, Shape};
use super::level::{level, program_level, Level};
use super::summary::is_summary;
use super::timestamp::timestamp_len;
use crate::lines::{intern, is_blank, Interned, LineMap};
use crate::query::query_hits;
use crate::signal::{failure_phrase, http_status_signal, line_signal, Signal};

/// What a line is, strongest first; everything but `Plain` is kept verbatim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// A line of a stack trace (frames, `Caused by:`, `Traceback`, goroutine headers).
    Frame,
    /// An error, failure, fatal, exception, panic or assertion line.
    Error,
    Warning,
    /// Test totals, build results, exit codes.
    Summary,
    /// A line with a term of the block's query.
    Query,
    /// A line whose numeric field is a statistical outlier or where its level shifts (see
    /// `outliers`).
    Outlier,
    Plain,
}

/// Everything selection needs to know about one line.
#[derive(Clone, Copy, Debug)]
pub struct LineInfo {
    /// Byte length of the leading timestamp (with the separator after it).
    pub ts: usize,
    /// Blanks between the timestamp and the text.
    pub indent: usize,
    /// Nothing but the timestamp and blanks.
    pub blank: bool,
    pub level: Option<Level>,
    pub class: Class,
    /// Opens a section (`##[group]`, `> Task :x`, banner lines).
    pub header: bool,
    /// Belongs to the framing of an error block (set by `blocks`): kept verbatim, with it.
    pub framed: bool,
}

/// Classifies every line; `terms` are the block's query terms.
pub fn classify_all<S: AsRef<str>>(lines: &[S], terms: &[String]) -> Vec<LineInfo> {
    classify_interned(lines, &intern(lines), terms)
}

/// `classify_all` for lines already interned: each distinct line is classified once.
pub fn classify_interned<S: AsRef<str>>(
    lines: &[S],
    interned: &Interned,
    terms: &[String],
) -> Vec<LineInfo> {
    let mut out: Vec<LineInfo> = Vec::with_capacity(lines.len());
    let mut shapes: Vec<Shape> = Vec::with_capacity(lines.len());
    let mut seen: Vec<Option<(LineInfo, Shape)>> = vec![None; interned.distinct];
    for (line, &id) in lines.iter().zip(&interned.ids) {
        crate::stop::poll(line.as_ref().len() + 1);
        let (info, shape) =
            *seen[id as usize].get_or_insert_with(|| classify(line.as_ref(), terms));
        out.push(info);
        shapes.push(shape);
    }
    program_levels(lines, &mut out);
    // Shapes that depend on their neighbours: Python's source echo under `File "…", line N`
    // (and the caret line under it), Go's function line above its `file.go:N` line.
    for k in 0..out.len() {
        match shapes[k] {
            Shape::PyFile => {
                let base = out[k].indent;
                let mut j = k + 1;
                if j < out.len() && shapes[j] == Shape::None && out[j].indent > base {
                    out[j].class = Class::Frame;
                    j += 1;
                    if j < out.len() && shapes[j] == Shape::Carets {
                        out[j].class = Class::Frame;
                    }
                }
            }
            Shape::GoFile if k > 0 => {
                let prev = k - 1;
                if shapes[prev] == Shape::GoFunc && out[prev].indent < out[k].indent {
                    out[prev].class = Class::Frame;
                }
            }
            _ => {}
        }
    }
    out
}

/// Fewest lines a program name must lead, each followed by a level word, to count as a log's
/// source (prose has `the error …` now and then, npm's output has hundreds of `npm http …`).
pub const PROGRAM_MIN_LINES: usize = 3;

/// `npm silly …`, `npm http fetch …`, `gyp info …`: a lowercase program name, then a lowercase
/// level word. Gives such lines their level (and class) when the name leads enough of them.
fn program_levels<S: AsRef<str>>(lines: &[S], out: &mut [LineInfo]) {
    let mut found: Vec<(usize, &str, Level)> = Vec::new();
    for (k, (line, li)) in lines.iter().zip(out.iter()).enumerate() {
        if li.level.is_some() || li.indent > 0 {
            continue;
        }
        let msg = &line.as_ref()[li.ts..];
        if let Some((name, level)) = program_level(msg) {
            found.push((k, name, level));
        }
    }
    if found.len() < PROGRAM_MIN_LINES {
        return;
    }
    let mut counts: LineMap<&str, usize> = LineMap::default();
    for (_, name, _) in &found {
        *counts.entry(name).or_insert(0) += 1;
    }
    for (k, name, level) in found {
        if counts.get(name).is_some_and(|n| *n >= PROGRAM_MIN_LINES) {
            let li = &mut out[k];
            li.level = Some(level);
            let upgraded = match level {
                Level::Error | Level::Fatal => Class::Error,
                Level::Warn => Class::Warning,
                _ => li.class,
            };
            if matches!(li.class, Class::Plain | Class::Summary | Class::Query)
                && upgraded != li.class
            {
                li.class = upgraded;
                li.header = false;
            }
        }
    }
}

fn classify(line: &str, terms: &[String]) -> (LineInfo, Shape) {
    let b = line.as_bytes();
    let ts = timestamp_len(b);
    let msg = &line[ts..];
    let mb = msg.as_bytes();
    let indent = mb.iter().take_while(|c| is_blank(**c)).count();
    let level = level(mb, ts > 0);
    let shape = frame_shape(&msg[indent..], indent);
    let class = if shape == Shape::Frame || shape == Shape::PyFile || shape == Shape::GoFile {
        Class::Frame
    } else {
        let signal = line_signal(mb).max(http_status_signal(mb));
        if signal == Signal::Error
            || matches!(level, Some(Level::Error | Level::Fatal))
            || is_pytest_error(mb)
            || failure_phrase(mb)
        {
            Class::Error
        } else if signal == Signal::Warning || level == Some(Level::Warn) {
            Class::Warning
        } else if is_summary(mb) {
            Class::Summary
        } else if !terms.is_empty() && query_hits(msg, terms) > 0 {
            Class::Query
        } else {
            Class::Plain
        }
    };
    let header = class == Class::Plain && is_header(&mb[indent..]);
    (
        LineInfo {
            ts,
            indent,
            blank: indent == mb.len(),
            level,
            class,
            header,
            framed: false,
        },
        shape,
    )
}

/// pytest's failure detail lines: `E       assert 1 == 2`.
fn is_pytest_error(msg: &[u8]) -> bool {
    msg.len() > 3 && msg[0] == b'E' && msg[1] == b' ' && msg[2] == b' ' && {
        let rest = &msg[1..];
        rest.iter().any(|c| !is_blank(*c))
    }
}

/// Lines that open a section: CI groups, build tool tasks, banners such as
/// `===== FAILURES =====` or `[INFO] --- maven-compiler-plugin:3.1:compile (default) @ app ---`.
pub fn is_header(u: &[u8]) -> bool {
    let Some(&lead) = u.first() else {
        return false;
    };
    for p in [
        &b"##[group]"[..],
        b"::group::",
        b"##[section]",
        b"> Task :",
        b"==> ",
        b"Step ",
    ] {
        if lead == p[0] && u.starts_with(p) {
            return p != b"Step " || u.get(5).is_some_and(|c| c.is_ascii_digit());
        }
    }
    let mut body = u;
    if body.first() == Some(&b'[') {
        // A short ASCII tag such as `[INFO]` before the banner.
        let close = body
            .iter()
            .take(12)
            .take_while(|c| c.is_ascii())
            .position(|c| *c == b']');
        if let Some(close) = close {
            body = &body[close + 1..];
            let skip = body.iter().take_while(|c| is_blank(**c)).count();
            body = &body[skip..];
        }
    }
    let Some(&first) = body.first() else {
        return false;
    };
    if !matches!(first, b'-' | b'=' | b'_' | b'*' | b'#' | b'~') {
        return false;
    }
    let lead = body.iter().take_while(|c| **c == first).count();
    let trail = body.iter().rev().take_while(|c| **c == first).count();
    lead >= 3
        && trail >= 3
        && lead < body.len()
        && body[lead..body.len() - trail]
            .iter()
            .any(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_levels() {
        let lines = [
            "npm silly fetch manifest lodash@*",
            "npm http fetch GET 200 https://registry.npmjs.org/lodash 9ms",
            "npm warn deprecated glob@7.2.3: no longer supported",
            "npm error code E404",
            "the error was mine",
            "the info is here",
        ];
        let levels: Vec<Option<Level>> =
            classify_all(&lines, &[]).iter().map(|i| i.level).collect();
        use Level::*;
        assert_eq!(
            levels,
            [Some(Trace), Some(Info), Some(Warn), Some(Error), None, None]
        );
    }

    #[test]
    fn frames_and_summaries() {
        let lines = [
            "Traceback (most recent call last):",
            "  File \"/x.py\", line 17, in <module>",
            "    result = f(x)",
            "             ^^^^",
            "ValueError: bad",
            "goroutine 21 [running]:",
            "testing.tRunner.func1.2({0x10cb460, 0x15cde10})",
            "\t/opt/go/src/testing/testing.go:1389 +0x24e",
            "\tat org.junit.Assert.fail(Assert.java:89)",
            "\t... 90 more",
            "Tests run: 10, Failures: 1, Errors: 0, Skipped: 0",
            "[INFO] BUILD FAILURE",
            "##[error]Process completed with exit code 1.",
            "plain text here",
        ];
        let info = classify_all(&lines, &[]);
        let classes: Vec<Class> = info.iter().map(|i| i.class).collect();
        use Class::*;
        assert_eq!(
            classes,
            [
                Frame, Frame, Frame, Frame, Error, Frame, Frame, Frame, Frame, Frame, Error, Error,
                Error, Plain
            ]
        );
        assert!(is_header(
            b"[INFO] --- maven-compiler-plugin:3.1:compile (default) @ x ---"
        ));
        assert!(is_header(b"##[group]Run actions/checkout@v2"));
        assert!(!is_header(b"[INFO] -------------------------------------"));
    }
}
