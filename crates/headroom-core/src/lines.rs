//! How a block is cut into lines, with the normalisation no reader needs (twin of `lines.ts`):
//! - `\r\n` ends a line like `\n`; a block without any `\n` uses lone `\r` as its line end;
//! - otherwise a line holding lone `\r`s is a terminal progress line that overwrote itself: only
//!   its final state (the last `\r`-separated segment with a visible character) is kept, and it
//!   counts as one line;
//! - ANSI escape sequences (colours, cursor movement, OSC titles and links) are removed.
//!
//! Every count shown in a marker is in these lines. Normalisation is for deciding and for lines
//! that carried terminal control (escapes, overwrites): every other line is emitted as given
//! (`Lines::given`), its line end and every byte included.

use std::borrow::Cow;

/// A hash map keyed by lines. Lines are only looked up, never iterated in hash order, so a fast
/// non-cryptographic hash is safe here (and output never depends on it).
pub type LineMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// A block cut into normalised lines.
pub struct Lines<'a> {
    pub lines: Vec<Cow<'a, str>>,
    /// The block ended with a line end (not counted as an extra empty line).
    pub trailing_newline: bool,
    /// The text that was cut.
    pub text: &'a str,
    /// Where each line starts in `text`, then the text's length: line `k` with its line end is
    /// `text[starts[k]..starts[k + 1]]`.
    pub starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    /// Line `k`'s line end (`\n`, `\r\n`, `\r`), or `""` for a last line without one.
    pub fn line_end(&self, k: usize) -> &'a str {
        let chunk = &self.text[self.starts[k]..self.starts[k + 1]];
        if chunk.ends_with("\r\n") {
            "\r\n"
        } else if chunk.ends_with('\n') {
            "\n"
        } else if chunk.ends_with('\r') {
            "\r"
        } else {
            ""
        }
    }

    /// Line `k` as the output carries it, with its line end: the caller's own bytes, or, for a
    /// line that normalisation changed, the normalised line with its original line end.
    pub fn given(&self, k: usize) -> Cow<'a, str> {
        let chunk = &self.text[self.starts[k]..self.starts[k + 1]];
        let end = self.line_end(k);
        let body = &chunk[..chunk.len() - end.len()];
        let line = self.lines[k].as_ref();
        if line == body {
            Cow::Borrowed(chunk)
        } else {
            Cow::Owned(format!("{line}{end}"))
        }
    }

    /// Joins the given lines back the way the block was laid out.
    pub fn join<S: AsRef<str>>(out: &[S], trailing_newline: bool) -> String {
        let len: usize = out.iter().map(|l| l.as_ref().len() + 1).sum();
        let mut text = String::with_capacity(len);
        for (k, l) in out.iter().enumerate() {
            if k > 0 {
                text.push('\n');
            }
            text.push_str(l.as_ref());
        }
        if trailing_newline && !out.is_empty() {
            text.push('\n');
        }
        text
    }
}

/// Each line's id: equal lines share one, ids are numbered in order of first appearance.
pub struct Interned {
    pub ids: Vec<u32>,
    /// How many distinct lines there are (ids run from 0 to `distinct - 1`).
    pub distinct: usize,
}

/// Numbers the distinct lines (logs repeat themselves: work per distinct line is done once).
pub fn intern<S: AsRef<str>>(lines: &[S]) -> Interned {
    let mut map: LineMap<&str, u32> = LineMap::default();
    map.reserve(lines.len().min(1 << 16));
    let mut ids = Vec::with_capacity(lines.len());
    for l in lines {
        crate::stop::poll(l.as_ref().len() + 1);
        let next = map.len() as u32;
        ids.push(*map.entry(l.as_ref()).or_insert(next));
    }
    Interned {
        ids,
        distinct: map.len(),
    }
}

/// Cuts `content` into normalised lines.
pub fn split(content: &str) -> Lines<'_> {
    split_with(content, true)
}

/// Like `split`, but a lone `\r` inside a line is content, not a progress overwrite (diffs and
/// search hits quote files, whose bytes are not terminal output).
pub fn split_raw(content: &str) -> Lines<'_> {
    split_with(content, false)
}

fn split_with(content: &str, progress: bool) -> Lines<'_> {
    if content.is_empty() {
        return Lines {
            lines: Vec::new(),
            trailing_newline: false,
            text: content,
            starts: vec![0],
        };
    }
    let mut lines = Vec::new();
    let mut starts = vec![0];
    if !content.contains('\n') {
        // Classic Mac line ends: every `\r` ends a line.
        let trailing_newline = content.ends_with('\r');
        let body = if trailing_newline {
            &content[..content.len() - 1]
        } else {
            content
        };
        for piece in body.split('\r') {
            crate::stop::poll(piece.len() + 1);
            starts.push(starts[starts.len() - 1] + piece.len() + 1);
            lines.push(strip_ansi(piece));
        }
        ends(&mut starts, content.len());
        return Lines {
            lines,
            trailing_newline,
            text: content,
            starts,
        };
    }
    let trailing_newline = content.ends_with('\n');
    let body = if trailing_newline {
        &content[..content.len() - 1]
    } else {
        content
    };
    // Most blocks have no `\r` or no escape at all: then no line needs looking at twice.
    let returns = body.contains('\r');
    let escapes = body.contains('\x1b');
    lines.reserve(body.len() / 64);
    starts.reserve(body.len() / 64);
    for piece in body.split('\n') {
        crate::stop::poll(piece.len() + 1);
        starts.push(starts[starts.len() - 1] + piece.len() + 1);
        if !returns && !escapes {
            lines.push(Cow::Borrowed(piece));
            continue;
        }
        let piece = piece.strip_suffix('\r').unwrap_or(piece);
        lines.push(if progress && piece.contains('\r') {
            final_state(piece)
        } else {
            strip_ansi(piece)
        });
    }
    ends(&mut starts, content.len());
    Lines {
        lines,
        trailing_newline,
        text: content,
        starts,
    }
}

/// The last line ends where the text does (with or without a line end of its own).
fn ends(starts: &mut [usize], len: usize) {
    if let Some(last) = starts.last_mut() {
        *last = len;
    }
}

/// The last `\r`-separated segment with a visible character (ANSI removed), or an empty line.
fn final_state(piece: &str) -> Cow<'_, str> {
    for segment in piece.rsplit('\r') {
        let s = strip_ansi(segment);
        if s.bytes().any(|b| !is_blank(b)) {
            return s;
        }
    }
    Cow::Borrowed("")
}

/// Space, tab, vertical tab, form feed: the ASCII blanks inside a line.
pub fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | 0x0b | 0x0c)
}

/// Blank-separated tokens of `b` as byte ranges.
pub fn tokens(b: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() && is_blank(b[i]) {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        let start = i;
        while i < b.len() && !is_blank(b[i]) {
            i += 1;
        }
        Some((start, i))
    })
}

/// Removes ANSI escape sequences: CSI (`ESC [` … final byte), OSC/DCS/PM/APC strings (up to BEL
/// or `ESC \`), character-set designations and the other two-byte escapes. Works on bytes: every
/// byte it inspects is ASCII, so UTF-8 sequences are never split.
pub fn strip_ansi(s: &str) -> Cow<'_, str> {
    let b = s.as_bytes();
    if !b.contains(&0x1b) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut start = 0; // start of the pending plain text
    let mut i = 0;
    while i < b.len() {
        if b[i] != 0x1b {
            i += 1;
            continue;
        }
        out.push_str(&s[start..i]);
        i = escape_end(b, i);
        start = i;
    }
    out.push_str(&s[start..]);
    Cow::Owned(out)
}

/// The index just past the escape sequence starting at `b[i] == ESC`.
fn escape_end(b: &[u8], i: usize) -> usize {
    let n = b.len();
    let Some(&next) = b.get(i + 1) else {
        return i + 1;
    };
    match next {
        b'[' => {
            let mut j = i + 2;
            while j < n && (0x30..=0x3f).contains(&b[j]) {
                j += 1;
            }
            while j < n && (0x20..=0x2f).contains(&b[j]) {
                j += 1;
            }
            if j < n && (0x40..=0x7e).contains(&b[j]) {
                j += 1;
            }
            j
        }
        b']' | b'P' | b'X' | b'^' | b'_' => {
            // A string up to BEL or ST (`ESC \`), or to the end of the line.
            let mut j = i + 2;
            while j < n {
                if b[j] == 0x07 {
                    return j + 1;
                }
                if b[j] == 0x1b {
                    return if b.get(j + 1) == Some(&b'\\') {
                        j + 2
                    } else {
                        j
                    };
                }
                j += 1;
            }
            j
        }
        0x20..=0x2f => {
            // nF escapes such as `ESC ( B`: intermediates, then one final byte.
            let mut j = i + 1;
            while j < n && (0x20..=0x2f).contains(&b[j]) {
                j += 1;
            }
            if j < n && (0x30..=0x7e).contains(&b[j]) {
                j += 1;
            }
            j
        }
        0x30..=0x7e => i + 2,
        _ => i + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(content: &str) -> (Vec<String>, bool) {
        let l = split(content);
        (
            l.lines.iter().map(|c| c.to_string()).collect(),
            l.trailing_newline,
        )
    }

    #[test]
    fn lines_are_given_back_with_their_own_line_ends() {
        let text = "a\r\nb\n\x1b[31mc\x1b[0m\r\nd";
        let l = split(text);
        let given: Vec<_> = (0..l.lines.len()).map(|k| l.given(k)).collect();
        assert_eq!(given, ["a\r\n", "b\n", "c\r\n", "d"]);
        let l = split("x\ry\r");
        assert_eq!((l.given(0), l.given(1)), ("x\r".into(), "y\r".into()));
        assert_eq!(split("p\nq\r").line_end(1), "\r");
    }

    #[test]
    fn line_ends() {
        assert_eq!(
            texts("a\r\nb\nc\n"),
            (vec!["a".into(), "b".into(), "c".into()], true)
        );
        assert_eq!(
            texts("a\rb\rc"),
            (vec!["a".into(), "b".into(), "c".into()], false)
        );
        assert_eq!(
            texts("a\n\nb"),
            (vec!["a".into(), "".into(), "b".into()], false)
        );
        assert_eq!(texts(""), (vec![], false));
    }

    #[test]
    fn progress_lines_keep_their_final_state() {
        let (l, _) = texts("start\n 10%\r 50%\r100% done\r   \nend");
        assert_eq!(l, ["start", "100% done", "end"]);
        let (l, _) = texts("x\n\r\r\ny");
        assert_eq!(l, ["x", "", "y"]);
    }

    #[test]
    fn ansi_sequences_go() {
        assert_eq!(strip_ansi("\x1b[1;31mERROR\x1b[m x"), "ERROR x");
        assert_eq!(
            strip_ansi("a\x1b]0;title\x07b\x1b]8;;http://x\x1b\\c"),
            "abc"
        );
        assert_eq!(strip_ansi("\x1b(Bé\x1b"), "é");
        assert!(matches!(strip_ansi("plain"), Cow::Borrowed(_)));
    }
}
