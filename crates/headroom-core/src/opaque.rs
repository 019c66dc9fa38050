//! Data a reader cannot use line by line (twin of `opaque.ts`): base64, hex dumps, minified code,
//! one giant line. Detection asks `form` about the lines of a block's prefix; such a block, when
//! above the budget, is summarised by its size, what it is, its head and its tail.

use crate::block::{Compressed, Omission};
use crate::marker;

/// Fewest bytes of non-empty prefix lines that may be opaque data.
pub const MIN_BYTES: usize = 4 * 1024;
/// A line at least this long is a giant line.
pub const GIANT_LINE_BYTES: usize = 16 * 1024;
/// Giant lines making up at least this share (percent) of the prefix make the block one.
const GIANT_SHARE: usize = 75;
/// Other lines a block of giant lines may have (a licence comment, a shebang): more, and it is a
/// log or text with a long line in it.
const FEW_OTHER_LINES: usize = 8;
/// Lines of base64 (MIME wraps at 64 or 76) are at least this long, but for the last.
const BASE64_LINE_BYTES: usize = 40;
/// Share (percent) of non-empty lines that must be hex dump lines.
const HEX_SHARE: usize = 90;
/// Fewest groups of hex digits after the offset of a hex dump line.
const HEX_GROUPS: usize = 4;
/// A run of hex digits this long is hex data by itself.
const HEX_RUN_BYTES: usize = 32;
/// The most of the head and the tail a summary shows (UTF-8 bytes; a token is at least a byte).
pub const HEAD_BYTES: usize = 512;
pub const TAIL_BYTES: usize = 256;

/// What form opaque data has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    Base64,
    Hex,
    Minified,
    LongLine,
}

impl Form {
    /// How the summary names it.
    pub fn name(self) -> &'static str {
        match self {
            Form::Base64 => "base64 data",
            Form::Hex => "hex data",
            Form::Minified => "minified code",
            Form::LongLine => "one long line",
        }
    }

    fn tag(self) -> &'static str {
        match self {
            Form::Base64 => "base64",
            Form::Hex => "hex",
            Form::Minified => "minified",
            Form::LongLine => "line",
        }
    }
}

/// The form of opaque data the (raw) lines of a block's prefix have, if they are opaque data.
pub fn form<S: AsRef<str>>(lines: &[S]) -> Option<Form> {
    let (mut bytes, mut giant, mut nonempty, mut giant_lines) = (0, 0, 0, 0);
    for l in lines {
        let n = l.as_ref().len();
        if n == 0 {
            continue;
        }
        bytes += n;
        nonempty += 1;
        if n >= GIANT_LINE_BYTES {
            giant += n;
            giant_lines += 1;
        }
    }
    if bytes < MIN_BYTES {
        return None;
    }
    let nonempty_lines = || lines.iter().map(AsRef::as_ref).filter(|l| !l.is_empty());
    if giant * 100 >= bytes * GIANT_SHARE && nonempty - giant_lines <= FEW_OTHER_LINES {
        let giants: Vec<&[u8]> = nonempty_lines()
            .filter(|l| l.len() >= GIANT_LINE_BYTES)
            .map(str::as_bytes)
            .collect();
        return Some(if base64(&giants) {
            Form::Base64
        } else if hex_runs(&giants) {
            Form::Hex
        } else if minified(&giants) {
            Form::Minified
        } else {
            Form::LongLine
        });
    }
    let all: Vec<&[u8]> = nonempty_lines().map(str::as_bytes).collect();
    let short = all[..all.len() - 1]
        .iter()
        .any(|l| l.len() < BASE64_LINE_BYTES);
    if !short && base64(&all) {
        return Some(Form::Base64);
    }
    let dump = all.iter().filter(|l| hex_dump_line(l)).count();
    (dump * 100 >= nonempty * HEX_SHARE).then_some(Form::Hex)
}

/// Only base64 characters (standard or URL-safe), with digits and both cases among them.
fn base64(lines: &[&[u8]]) -> bool {
    let (mut digit, mut upper, mut lower) = (false, false, false);
    for l in lines {
        for &c in *l {
            digit |= c.is_ascii_digit();
            upper |= c.is_ascii_uppercase();
            lower |= c.is_ascii_lowercase();
            if !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=' | b'-' | b'_')) {
                return false;
            }
        }
    }
    digit && upper && lower
}

/// Only hex digits, with digits among them.
fn hex_runs(lines: &[&[u8]]) -> bool {
    lines.iter().all(|l| l.iter().all(u8::is_ascii_hexdigit))
        && lines.iter().any(|l| l.iter().any(u8::is_ascii_digit))
}

/// Dense code: statements and brackets, few spaces.
fn minified(lines: &[&[u8]]) -> bool {
    let (mut bytes, mut semis, mut brackets, mut spaces) = (0, 0, 0, 0);
    for l in lines {
        bytes += l.len();
        for &c in *l {
            match c {
                b';' => semis += 1,
                b'{' | b'}' | b'(' | b')' => brackets += 1,
                b' ' => spaces += 1,
                _ => {}
            }
        }
    }
    semis * 300 >= bytes && brackets * 100 >= bytes && spaces * 100 <= bytes * 15
}

/// `00000010: 7f45 4c46 …`, `00000010  7f 45 4c 46 …  |.ELF|` (an offset, then groups of hex
/// digits), or a run of hex digits.
fn hex_dump_line(l: &[u8]) -> bool {
    if l.len() >= HEX_RUN_BYTES && l.iter().all(u8::is_ascii_hexdigit) {
        return l.iter().any(u8::is_ascii_digit);
    }
    let offset = l.iter().take_while(|c| c.is_ascii_hexdigit()).count();
    if offset < 4 {
        return false;
    }
    let rest = &l[offset..];
    let rest = rest.strip_prefix(b":").unwrap_or(rest);
    if rest.first() != Some(&b' ') {
        return false;
    }
    let groups = rest
        .split(|&c| c == b' ')
        .filter(|g| !g.is_empty())
        .take_while(|g| g.len() <= 8 && g.iter().all(u8::is_ascii_hexdigit))
        .count();
    groups >= HEX_GROUPS
}

/// Summarises opaque data of the given form for a budget of `max` tokens.
pub fn compress(content: &str, form: Form, max: usize) -> Compressed {
    let (content, omitted) = head_and_tail(content, form.name(), HEAD_BYTES, TAIL_BYTES, max);
    Compressed {
        content,
        strategy: format!("opaque:{}", form.tag()),
        omitted: vec![Omission {
            unit: "bytes",
            count: omitted,
            summary: form.name().to_string(),
        }],
        tokens: None,
    }
}

/// `text`'s head and tail (at most `head` and `tail` bytes, and within `max` tokens) around a
/// marker naming `what` it is and its size (whole lines where a line end falls inside the head or
/// the tail); the bytes left out.
pub fn head_and_tail(
    text: &str,
    what: &str,
    head: usize,
    tail: usize,
    max: usize,
) -> (String, usize) {
    let (body, trailing) = match text.strip_suffix('\n') {
        Some(b) => (b, true),
        None => (text, false),
    };
    let mut h = body.len().min(head.min(max / 2));
    while !body.is_char_boundary(h) {
        h -= 1;
    }
    if let Some(n) = body[..h].rfind('\n') {
        h = n;
    }
    let mut t = body.len() - body.len().min(tail.min(max / 4));
    while !body.is_char_boundary(t) {
        t += 1;
    }
    t = t.max(h);
    if let Some(n) = body[t..].find('\n') {
        t += n + 1;
    }
    let lines = body.bytes().filter(|&c| c == b'\n').count() + 1;
    let omitted = t - h;
    let mut out = String::with_capacity(h + (body.len() - t) + 128);
    out.push_str(&body[..h]);
    out.push('\n');
    out.push_str(&marker::opaque_omitted(what, body.len(), lines, omitted));
    out.push('\n');
    out.push_str(&body[t..]);
    if trailing {
        out.push('\n');
    }
    (out, omitted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form_of_text(text: &str) -> Option<Form> {
        crate::detect::opaque_form(text)
    }

    #[test]
    fn forms() {
        let b64: String = (0..6000).map(|i| b"Az09+/xY"[i % 8] as char).collect();
        assert_eq!(form_of_text(&b64), Some(Form::Base64));
        let mime: String = (0..100).map(|_| format!("{}\n", &b64[..76])).collect();
        assert_eq!(form_of_text(&mime), Some(Form::Base64));
        let dump: String = (0..200)
            .map(|i| {
                format!(
                    "{:08x}: 7f45 4c46 0201 0100 0000 0000 0000 0000  .ELF............\n",
                    i * 16
                )
            })
            .collect();
        assert_eq!(form_of_text(&dump), Some(Form::Hex));
        let js = "function a(b){return b+1;}var c=a(2);".repeat(1000);
        assert_eq!(form_of_text(&js), Some(Form::Minified));
        assert_eq!(form_of_text(&"a".repeat(20_000)), Some(Form::LongLine));
        let log: String = (0..400)
            .map(|i| format!("12:00:00 INFO request {i} served\n"))
            .collect();
        assert_eq!(form_of_text(&log), None);
        assert_eq!(form_of_text(&b64[..1000]), None);
    }

    #[test]
    fn head_and_tail_keep_whole_lines_where_they_can() {
        let mime: String = (0..1000)
            .map(|i| format!("{i:04}{}\n", "Ab9/".repeat(18)))
            .collect();
        let (out, omitted) = head_and_tail(&mime, "base64 data", HEAD_BYTES, TAIL_BYTES, 4000);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines.iter().all(|l| l.len() == 76 || marker::is_marker(l)));
        assert!(marker::is_marker(lines[6]));
        assert_eq!(out.len() + omitted - 2 - lines[6].len(), mime.len());
        let (out, _) = head_and_tail(
            &"é".repeat(10_000),
            "one long line",
            HEAD_BYTES,
            TAIL_BYTES,
            4000,
        );
        assert!(out.starts_with(&"é".repeat(256)) && out.ends_with(&"é".repeat(128)));
    }
}
