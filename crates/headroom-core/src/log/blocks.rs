//! The framing of error blocks (twin of `log/blocks.ts`): the lines that belong to an error and
//! mean little without it, so lossy selection keeps them whenever it keeps the error.
//!
//! - **Continuation**: what follows an error line and hangs under it: deeper-indented lines (a
//!   multi-line message, a test's output, `at …` frames), a compiler's gutter (`4 |     let x`,
//!   ` --> src/main.rs:4:18`, `= note:`), caret and underline lines (`^~~~`), a numbered source
//!   excerpt with its carets (tsc's `3 const x = 1;`), and blank lines inside all that. The line
//!   just before an error that introduces it (ending with `:`) belongs to it too.
//! - **Boxes**: a region fenced by two rules (`------`, buildkit's error box and its numbered
//!   Dockerfile excerpt) or by `╷` … `╵` (terraform), whole, when it holds an error or sits
//!   next to one (or to another such box: `------ … ------ / Dockerfile:32 / ---- … ---- / ERROR`).
//! - **Test sections**: pytest's `____ test_x ____`, cargo test's `---- x stdout ----` and jest's
//!   `● Suite › test` run to the next section; a failed go test is what follows its `=== RUN`
//!   and `=== CONT` lines; a buildkit step is its `#9 ` lines. A section that holds an error or
//!   a stack trace (a step: an error) is kept whole; one that never closes within
//!   `SECTION_MAX` lines, up to its last error or stack-trace line.
//!
//! Every block is bounded (`CONTINUATION_MAX`, `BOX_MAX`, `SECTION_MAX` lines), so one error
//! can never pin down a whole log. ASCII rules apart from the fences' own characters.

use super::classify::{Class, LineInfo};
use crate::lines::LineMap;

/// Most lines an error's continuation may run to.
pub const CONTINUATION_MAX: usize = 80;
/// Most lines between the two fences of a box.
pub const BOX_MAX: usize = 40;
/// Most lines between a box and the error (or box) it belongs to.
pub const BOX_GAP: usize = 2;
/// Most lines of a test section kept whole.
pub const SECTION_MAX: usize = 200;
/// Blank lines a continuation may hold in a row.
const BLANKS_MAX: usize = 2;
/// Most lines a paragraph after an error may hold at the error's own indent (beyond that it is
/// the log going on, not the error's message).
const PARAGRAPH_MAX: usize = 8;

/// Marks `framed` on every line that belongs to the framing of an error block.
pub fn mark<S: AsRef<str>>(lines: &[S], info: &mut [LineInfo]) {
    let n = lines.len();
    let bodies: Vec<&[u8]> = lines
        .iter()
        .zip(info.iter())
        .map(|(l, li)| body(l.as_ref(), li))
        .collect();
    let mut framed = vec![false; n];
    continuations(&bodies, info, &mut framed);
    sections(&bodies, info, &mut framed);
    boxes(&bodies, info, &mut framed);
    // Error and stack-trace lines inside a block keep their own rules (each distinct text
    // kept, its repeats counted).
    for (li, f) in info.iter_mut().zip(framed) {
        li.framed = f && !matches!(li.class, Class::Error | Class::Frame);
    }
}

/// A line's text after its timestamp and indent, without trailing blanks.
fn body<'a>(line: &'a str, li: &LineInfo) -> &'a [u8] {
    let b = line.as_bytes();
    let from = (li.ts + li.indent).min(b.len());
    let mut end = b.len();
    while end > from && b[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    &b[from..end]
}

fn is_error(li: &LineInfo) -> bool {
    li.class == Class::Error
}

fn continuations(bodies: &[&[u8]], info: &[LineInfo], framed: &mut [bool]) {
    let n = bodies.len();
    for a in 0..n {
        if !is_error(&info[a]) {
            continue;
        }
        if a > 0 && !info[a - 1].blank && bodies[a - 1].last() == Some(&b':') {
            framed[a - 1] = true;
        }
        // An error that announces its message (`AssertionError:`), or a level-tagged error in a
        // run of tagged lines, goes on in the paragraph after it, however indented: the lines
        // with no level tag of their own, up to the first blank line after them (at its own
        // indent, `PARAGRAPH_MAX` lines at most).
        let tagged_run = info[a].level.is_some()
            && (0..a)
                .rev()
                .find(|&j| !info[j].blank)
                .is_some_and(|j| info[j].level.is_some());
        let mut paragraph = bodies[a].last() == Some(&b':') || tagged_run;
        let mut k = a + 1;
        let mut blanks = 0;
        let mut seen = false;
        let mut flat = 0;
        while k < n && k - a <= CONTINUATION_MAX {
            if info[k].blank {
                blanks += 1;
                paragraph &= !seen;
                if blanks > BLANKS_MAX {
                    break;
                }
                k += 1;
                continue;
            }
            let own_record = info[a].level.is_some() && info[k].level.is_some();
            let under = info[k].indent > info[a].indent
                || info[k].class == Class::Frame
                || is_gutter(bodies[k])
                || is_carets(bodies[k])
                || (is_excerpt(bodies[k]) && k + 1 < n && is_carets(bodies[k + 1]));
            let in_paragraph = paragraph && !own_record && info[k].indent >= info[a].indent;
            if !under && in_paragraph {
                flat += 1;
            }
            let hangs = under || (in_paragraph && flat <= PARAGRAPH_MAX);
            if !hangs || (is_error(&info[k]) && info[k].indent <= info[a].indent) {
                break;
            }
            // The blank lines before it are inside the block.
            framed[k - blanks..=k].fill(true);
            blanks = 0;
            seen = true;
            k += 1;
        }
    }
}

/// A compiler's source gutter: `4 |     let x`, `  |`, ` --> src/main.rs:4:18`, `::: path`,
/// `= note: …`, `= help: …`.
fn is_gutter(b: &[u8]) -> bool {
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let rest = &b[digits..];
    let skip = rest.iter().take_while(|c| **c == b' ').count();
    let rest = &rest[skip..];
    if rest.first() == Some(&b'|') && rest.get(1).is_none_or(|c| *c == b' ') {
        return true;
    }
    digits == 0
        && (b.starts_with(b"--> ")
            || b.starts_with(b"::: ")
            || b.starts_with(b"= note:")
            || b.starts_with(b"= help:"))
}

/// A caret or underline line: `^`, `^~~~`, `---   ^^^`, `| ^`, nothing else.
fn is_carets(b: &[u8]) -> bool {
    b.iter().any(|c| matches!(c, b'^' | b'~'))
        && b.iter()
            .all(|c| matches!(c, b'^' | b'~' | b'-' | b'|' | b'_' | b' ' | b'\t'))
}

/// A numbered source line: `3 const x = 1;` (tsc), `12   foo();`.
fn is_excerpt(b: &[u8]) -> bool {
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    digits > 0 && b.get(digits) == Some(&b' ')
}

/// `----` and longer: a rule of dashes alone.
fn is_rule(b: &[u8]) -> bool {
    b.len() >= 4 && b.iter().all(|c| *c == b'-')
}

fn boxes(bodies: &[&[u8]], info: &[LineInfo], framed: &mut [bool]) {
    let n = bodies.len();
    // Fenced regions, each `(first, last)` line, fences included.
    let mut found: Vec<(usize, usize)> = Vec::new();
    let mut k = 0;
    while k < n {
        let b = bodies[k];
        let closer: Option<fn(&[u8]) -> bool> = if is_rule(b) {
            Some(is_rule)
        } else if b.starts_with("╷".as_bytes()) {
            Some(|b: &[u8]| b.starts_with("╵".as_bytes()))
        } else {
            None
        };
        let end =
            closer.and_then(|close| (k + 1..n.min(k + BOX_MAX + 2)).find(|&j| close(bodies[j])));
        match end {
            Some(j) => {
                found.push((k, j));
                k = j + 1;
            }
            None => k += 1,
        }
    }
    // Boxes no more than `BOX_GAP` lines apart form one block (buildkit's step box, then
    // `Dockerfile:32` and its excerpt box); it joins an error block when it holds a line of one
    // or lies within `BOX_GAP` lines of one.
    let anchored = |k: usize| framed[k] || is_error(&info[k]);
    let mut joins: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < found.len() {
        let (first, mut last) = found[i];
        i += 1;
        while i < found.len() && found[i].0 - last - 1 <= BOX_GAP {
            last = found[i].1;
            i += 1;
        }
        let inside = (first..=last).any(anchored);
        let before = (first.saturating_sub(BOX_GAP + 1)..first)
            .rev()
            .find(|&k| anchored(k));
        let after = (last + 1..n.min(last + BOX_GAP + 2)).find(|&k| anchored(k));
        if inside || before.is_some() || after.is_some() {
            joins.push((
                before.map_or(first, |k| k + 1),
                after.map_or(last, |k| k - 1),
            ));
        }
    }
    for (from, to) in joins {
        framed[from..=to].fill(true);
    }
}

/// What opens a test section, and so what closes it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    /// `____ test_x ____`: closed by the next `_` or `=` banner.
    Pytest,
    /// `---- x stdout ----`: closed by the next `-` banner or a summary line.
    Cargo,
    /// `● Suite › test` at some indent: closed by any line indented no deeper.
    Jest,
}

/// `___ text ___` with `c` as the fence character: the text between the fences.
fn banner(b: &[u8], c: u8) -> Option<&[u8]> {
    let lead = b.iter().take_while(|x| **x == c).count();
    let trail = b.iter().rev().take_while(|x| **x == c).count();
    if lead < 3 || trail < 3 || lead >= b.len() {
        return None;
    }
    let text = b[lead..b.len() - trail].trim_ascii();
    text.iter()
        .any(|x| x.is_ascii_alphanumeric())
        .then_some(text)
}

fn section_start(b: &[u8]) -> Option<Section> {
    if banner(b, b'_').is_some() {
        Some(Section::Pytest)
    } else if banner(b, b'-').is_some_and(|t| t.ends_with(b" stdout") || t.ends_with(b" stderr")) {
        Some(Section::Cargo)
    } else if b.starts_with("● ".as_bytes()) {
        Some(Section::Jest)
    } else {
        None
    }
}

fn sections(bodies: &[&[u8]], info: &[LineInfo], framed: &mut [bool]) {
    let n = bodies.len();
    let closes = |s: Section, open: usize, k: usize| -> bool {
        let b = bodies[k];
        match s {
            Section::Pytest => banner(b, b'_').is_some() || banner(b, b'=').is_some(),
            Section::Cargo => banner(b, b'-').is_some() || info[k].class == Class::Summary,
            Section::Jest => !info[k].blank && info[k].indent <= info[open].indent,
        }
    };
    let mut k = 0;
    while k < n {
        let Some(s) = section_start(bodies[k]) else {
            k += 1;
            continue;
        };
        let limit = n.min(k + SECTION_MAX);
        let close = (k + 1..limit).find(|&j| closes(s, k, j));
        let end = close.unwrap_or(limit);
        let signal = |j: usize| matches!(info[j].class, Class::Error | Class::Frame);
        // A section that never closes within `SECTION_MAX` lines has no known end: it is kept
        // up to its last error or stack-trace line.
        let last = if close.is_none() && limit < n {
            (k..end).rev().find(|&j| signal(j))
        } else {
            let mut last = end - 1;
            while last > k && info[last].blank {
                last -= 1;
            }
            (k..=last).any(signal).then_some(last)
        };
        if let Some(last) = last {
            framed[k..=last].fill(true);
        }
        k = end;
    }
    // buildkit's plain progress: a step's lines share its `#9 ` prefix (steps interleave); a
    // step that failed is kept whole when it is short enough, else its header line.
    let mut steps: LineMap<&[u8], Vec<usize>> = LineMap::default();
    let mut failed: Vec<&[u8]> = Vec::new();
    for k in 0..n {
        let Some((id, rest)) = step_id(bodies[k]) else {
            continue;
        };
        let lines = steps.entry(id).or_default();
        if rest.first() == Some(&b'[') && !lines.is_empty() {
            lines.clear(); // the same number in a later build
        }
        lines.push(k);
        if is_error(&info[k]) {
            failed.push(id);
        }
    }
    for id in failed {
        if let Some(lines) = steps.get(id) {
            let keep = if lines.len() <= SECTION_MAX {
                &lines[..]
            } else {
                &lines[..1]
            };
            for &k in keep {
                framed[k] = true;
            }
        }
    }
    // go test -v: a test's lines follow its `=== RUN` or `=== CONT` line (parallel tests take
    // turns) up to the next `=== `/`--- ` line; those of a test that failed are kept.
    let mut segments: Vec<(&[u8], usize, usize)> = Vec::new();
    let mut failed: LineMap<&[u8], ()> = LineMap::default();
    for k in 0..n {
        let b = bodies[k];
        if let Some(rest) = b.strip_prefix(b"--- FAIL: ") {
            failed.insert(rest.split(|c| *c == b' ').next().unwrap_or(rest), ());
        }
        let Some(name) = b
            .strip_prefix(b"=== RUN ")
            .or_else(|| b.strip_prefix(b"=== CONT "))
        else {
            continue;
        };
        let limit = n.min(k + SECTION_MAX);
        let end = (k + 1..limit)
            .find(|&j| ends_go_segment(bodies[j]))
            .unwrap_or(limit);
        segments.push((name.trim_ascii(), k, end));
    }
    for (name, start, end) in segments {
        if failed.contains_key(name) {
            framed[start..end].fill(true);
        }
    }
}

/// Where a go test's output stops: another test's turn, a result, the package's verdict.
fn ends_go_segment(b: &[u8]) -> bool {
    [&b"=== "[..], b"--- ", b"FAIL", b"PASS", b"ok "]
        .iter()
        .any(|p| b.starts_with(p))
}

/// buildkit's `#12 ` step prefix: the step number and the rest of the line.
fn step_id(b: &[u8]) -> Option<(&[u8], &[u8])> {
    let rest = b.strip_prefix(b"#")?;
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || rest.get(digits) != Some(&b' ') {
        return None;
    }
    Some((&rest[..digits], &rest[digits + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::classify::classify_all;

    fn framed(lines: &[&str]) -> Vec<usize> {
        let mut info = classify_all(lines, &[]);
        mark(lines, &mut info);
        (0..lines.len()).filter(|&k| info[k].framed).collect()
    }

    #[test]
    fn rustc_gutter_and_carets() {
        let lines = [
            "   Compiling app v0.1.0",
            "error[E0308]: mismatched types",
            " --> src/main.rs:4:18",
            "  |",
            "4 |     let x: i32 = \"a\";",
            "  |            ---   ^^^ expected `i32`, found `&str`",
            "",
            "For more information about this error, try `rustc --explain E0308`.",
        ];
        assert_eq!(framed(&lines), [2, 3, 4, 5]);
    }

    #[test]
    fn buildkit_boxes_join_their_error() {
        let lines = [
            "#6 [2/3] RUN make build",
            "#6 DONE 0.1s",
            "------",
            " > [2/3] RUN make build:",
            "0.345 make: *** No rule to make target 'build'.  Stop.",
            "------",
            "Dockerfile:32",
            "--------------------",
            "  31 |     COPY . .",
            "  32 | >>> RUN make build",
            "  33 |     ",
            "--------------------",
            "ERROR: failed to solve: process \"/bin/sh -c make build\" did not complete successfully",
            "done",
        ];
        assert_eq!(framed(&lines), (2..=11).collect::<Vec<_>>());
    }

    #[test]
    fn test_sections() {
        let lines = [
            "=== RUN   TestA",
            "    a_test.go:12: got 1",
            "--- FAIL: TestA (0.00s)",
            "=== RUN   TestB",
            "--- PASS: TestB (0.00s)",
            "___________ test_x ___________",
            "    def test_x():",
            ">       assert f() == 2",
            "E       assert 1 == 2",
            "",
            "tests/test_x.py:3: AssertionError",
            "___________ test_y ___________",
            "    def test_y():",
            "        pass",
            "=========== 1 failed ===========",
        ];
        // Error and frame lines (`a_test.go:12:`, `E  assert`) keep their own rules.
        assert_eq!(framed(&lines), [0, 5, 6, 9]);
    }
}
