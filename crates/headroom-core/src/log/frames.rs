//! Stack-trace lines (twin of `frames.ts`): Java and JS `at …` frames, `Caused by:`, Python's
//! `Traceback` and `File "…", line N`, Go's goroutine headers and `file.go:N` lines, Rust
//! backtraces, Ruby's `from …:in`, PHP's `#N …`. Some shapes are frames only next to another line:
//! `classify` links them.

use super::timestamp::Cur;
use crate::lines::is_blank;

/// Shapes that make a line part of a stack trace on its own or with a neighbour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shape {
    None,
    Frame,
    PyFile,
    GoFile,
    /// `pkg.Func(args)`: a frame when a `file.go:N` line follows.
    GoFunc,
    /// Only `^`/`~` under a Python source line.
    Carets,
}

pub(super) fn frame_shape(text: &str, indent: usize) -> Shape {
    let u = text.as_bytes();
    if indent > 0 && u.starts_with(b"at ") {
        let rest = &u[3..];
        if rest.first().is_some_and(|c| !is_blank(*c))
            && rest.iter().any(|c| matches!(c, b'(' | b'.' | b':'))
        {
            return Shape::Frame;
        }
    }
    if u.starts_with(b"... ") {
        let mut c = Cur { b: u, i: 4 };
        if c.digits(1, 9) && (u[c.i..].starts_with(b" more") || u[c.i..].starts_with(b" common")) {
            return Shape::Frame;
        }
    }
    if matches!(u.first(), Some(b'C' | b'S' | b'T' | b's' | b'c')) {
        for p in [
            &b"Caused by: "[..],
            b"Caused: ",
            b"Suppressed: ",
            b"Traceback (most recent call last)",
            b"stack backtrace:",
            b"created by ",
        ] {
            if u.starts_with(p) {
                return Shape::Frame;
            }
        }
    }
    if u.starts_with(b"goroutine ") {
        let mut c = Cur { b: u, i: 10 };
        if c.digits(1, 12) && u[c.i..].starts_with(b" [") {
            return Shape::Frame;
        }
    }
    if u.starts_with(b"File \"") && text.contains("\", line ") {
        return Shape::PyFile;
    }
    if indent > 0 {
        if let Some(p) = text.find(".go:") {
            if u.get(p + 4).is_some_and(|c| c.is_ascii_digit()) {
                return Shape::GoFile;
            }
        }
        if indent >= 2 {
            // Rust backtrace frames: `  12: core::panicking::panic`
            let mut c = Cur { b: u, i: 0 };
            if c.digits(1, 4) && u[c.i..].starts_with(b": ") && u.len() > c.i + 2 {
                return Shape::Frame;
            }
        }
    }
    if u.starts_with(b"from ") && text.contains(":in ") {
        return Shape::Frame;
    }
    if u.first() == Some(&b'#') {
        let mut c = Cur { b: u, i: 1 };
        if c.digits(1, 4) && c.eat(b' ') && (text.contains("): ") || text.contains("{main}")) {
            return Shape::Frame;
        }
    }
    if !u.is_empty() && u.iter().all(|c| matches!(c, b'^' | b'~' | b' ')) {
        return Shape::Carets;
    }
    if indent == 0
        && u.last() == Some(&b')')
        && u.iter().position(|c| *c == b'(').is_some_and(|p| {
            p > 0 && u[..p].iter().all(|c| !is_blank(*c)) && u[..p].contains(&b'.')
        })
    {
        return Shape::GoFunc;
    }
    Shape::None
}
