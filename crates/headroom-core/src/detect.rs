//! What kind of content a block is (twin of `detect.ts`). Deterministic rules over a bounded
//! prefix (the first `PREFIX_BYTES` bytes, cut at a character boundary, and at most
//! `PREFIX_LINES` of its lines, normalised as the compressors see them); `code` and `text` pass
//! through untouched.

use crate::block::Kind;
use crate::log::Look;
use crate::{diff, json, lines, log, metrics, opaque, search};

/// How much of a block detection reads.
pub const PREFIX_BYTES: usize = 64 * 1024;
pub const PREFIX_LINES: usize = 400;
/// Shares (in percent of the non-empty prefix lines) of log and code lines the rules ask for.
const LOG_SHARE: usize = 30;
const CODE_SHARE: usize = 30;

/// Detects the kind of a block.
pub fn detect(content: &str) -> Kind {
    // JSON: the whole block parses as one JSON value.
    if json::is_json(content) {
        return Kind::Json;
    }
    detect_lines(content)
}

/// Detects the kind of a block known not to be JSON, from the lines of its prefix.
pub fn detect_lines(content: &str) -> Kind {
    let prefix = prefix(content);
    let split = lines::split_raw(prefix);
    let all = &split.lines;
    let raw = &all[..all.len().min(PREFIX_LINES)];
    if opaque::form(raw).is_some() {
        return Kind::Opaque;
    }
    if diff::is_diff(raw) {
        return Kind::Diff;
    }
    // A metric series (`timestamp,value` rows) is compressed as a log of numbers.
    if metrics::is_series(raw) {
        return Kind::Log;
    }
    if search::is_search(raw) {
        return Kind::Search;
    }
    let split = lines::split(prefix);
    let all = &split.lines;
    let normal = &all[..all.len().min(PREFIX_LINES)];
    log_or_code(normal)
}

/// The form of a block's opaque data (the block detects as `Opaque` when there is one).
pub fn opaque_form(content: &str) -> Option<opaque::Form> {
    let split = lines::split_raw(prefix(content));
    let all = &split.lines;
    opaque::form(&all[..all.len().min(PREFIX_LINES)])
}

/// The part of a block detection reads: its first `PREFIX_BYTES`, cut at a character boundary.
fn prefix(content: &str) -> &str {
    let mut cut = content.len().min(PREFIX_BYTES);
    while !content.is_char_boundary(cut) {
        cut -= 1;
    }
    &content[..cut]
}

fn log_or_code<S: AsRef<str>>(lines: &[S]) -> Kind {
    let (mut log, mut code, mut nonempty) = (0, 0, 0);
    for (l, look) in lines.iter().zip(log::looks(lines)) {
        match look {
            Look::Blank => continue,
            Look::Log => log += 1,
            Look::Other => {
                code += usize::from(code_shaped(l.as_ref().trim_start_matches([' ', '\t'])));
            }
        }
        nonempty += 1;
    }
    if log >= 2 && log * 100 >= nonempty * LOG_SHARE && log > code {
        Kind::Log
    } else if code >= 2 && code * 100 >= nonempty * CODE_SHARE {
        Kind::Code
    } else {
        Kind::Text
    }
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
    fn code_keywords_are_sorted_for_binary_search() {
        assert!(CODE_KEYWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn status_lines() {
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
