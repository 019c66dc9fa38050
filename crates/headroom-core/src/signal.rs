//! How strongly a line or a value signals trouble (twin of `signal.ts`): the error and warning
//! words, the rules that read them in a log line (skipping words that only name things), HTTP
//! statuses and the failure phrases tools use without an error word. Every compressor and
//! detection read signals here. ASCII-only character classes and case folding (PRODUCT §9), so
//! both engines agree exactly.

use crate::lines::{is_blank, tokens, LineMap};
use std::sync::OnceLock;

/// How strongly a piece of text signals trouble.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Signal {
    None,
    Warning,
    Error,
}

/// Words that mark a line or value as error-class (compared lowercase, whole words).
const ERROR_WORDS: &[&str] = &[
    "abort",
    "aborted",
    "aborting",
    "assert",
    "assertion",
    "crash",
    "crashed",
    "critical",
    "denied",
    "emerg",
    "err",
    "error",
    "errors",
    "exception",
    "exceptions",
    "fail",
    "failed",
    "failing",
    "fails",
    "failure",
    "failures",
    "fatal",
    "forbidden",
    "panic",
    "panicked",
    "refused",
    "segfault",
    "stacktrace",
    "timeout",
    "traceback",
    "unauthorized",
    "uncaught",
    "unhandled",
];

/// Words that mark a line or value as a warning.
const WARNING_WORDS: &[&str] = &["deprecated", "deprecation", "warn", "warning", "warnings"];

/// The words of `text`: maximal runs of ASCII letters and digits, split again where a lowercase
/// letter is followed by an uppercase one (`TypeError` → `Type`, `Error`), lowercased.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        i += 1;
        while i < bytes.len()
            && bytes[i].is_ascii_alphanumeric()
            && !(bytes[i].is_ascii_uppercase() && bytes[i - 1].is_ascii_lowercase())
        {
            i += 1;
        }
        Some(text[start..i].to_ascii_lowercase())
    })
}

/// The signal of one lowercase word.
fn word_signal(word: &str) -> Signal {
    if ERROR_WORDS.binary_search(&word).is_ok() {
        Signal::Error
    } else if WARNING_WORDS.binary_search(&word).is_ok() {
        Signal::Warning
    } else {
        Signal::None
    }
}

/// The strongest signal among the words of `text`.
pub fn text_signal(text: &str) -> Signal {
    let mut signal = Signal::None;
    for w in words(text) {
        match word_signal(&w) {
            Signal::Error => return Signal::Error,
            Signal::Warning => signal = Signal::Warning,
            Signal::None => {}
        }
    }
    signal
}

/// The strongest signal of a line, by its words, skipping words that only name things: paths
/// and URLs, command-line flags, keys of `key=value`, package parts of dotted names, the inner
/// words of identifiers (`TestErrorHandling` is a name; `NullPointerException` and
/// `AssertionError` end in an error), and counters at zero (`Failures: 0`, `0 errors`).
pub fn line_signal(msg: &[u8]) -> Signal {
    let mut signal = Signal::None;
    let mut toks = tokens(msg).peekable();
    let mut prev: &[u8] = &[];
    while let Some((s, e)) = toks.next() {
        let whole = &msg[s..e];
        let before = std::mem::replace(&mut prev, whole);
        let mut t = whole;
        // One pass: paths and URLs are skipped, `key=value` keeps the value.
        let mut eq = None;
        let mut path = false;
        for (k, &c) in t.iter().enumerate() {
            if c == b'/' || c == b'\\' {
                path = true;
                break;
            }
            if c == b'=' && eq.is_none() {
                eq = Some(k);
            }
        }
        if path {
            continue;
        }
        if t.len() > 1 && t[0] == b'-' && (t[1] == b'-' || t[1].is_ascii_alphabetic()) {
            continue;
        }
        if let Some(eq) = eq {
            t = &t[eq + 1..];
        }
        let found = token_signal(t);
        if found == Signal::None {
            continue;
        }
        let zero_after = toks.peek().is_some_and(|&(a, b)| is_zero(&msg[a..b]));
        if is_zero(before) || zero_after {
            continue;
        }
        if found == Signal::Error {
            return Signal::Error;
        }
        signal = Signal::Warning;
    }
    signal
}

/// `0`, `0,`, `(0`: a counter at zero.
fn is_zero(t: &[u8]) -> bool {
    let t = &t[t.iter().take_while(|c| matches!(c, b'(' | b'[')).count()..];
    t.first() == Some(&b'0') && !t.get(1).is_some_and(|c| c.is_ascii_digit() || *c == b'.')
}

/// Signal of the last word of each alphanumeric segment of a token (of the last segment only
/// for a dotted name such as `org.example.errors.BindingTest`), see `line_signal`. One pass.
fn token_signal(t: &[u8]) -> Signal {
    let (mut best, mut last) = (Signal::None, Signal::None);
    let mut dotted = false;
    let mut i = 0;
    while i < t.len() {
        if !t[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < t.len() && t[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if start > 1 && t[start - 1] == b'.' && t[start - 2].is_ascii_alphanumeric() {
            dotted = true;
        }
        last = segment_signal(&t[start..i]);
        best = best.max(last);
    }
    if dotted {
        last
    } else {
        best
    }
}

/// The signal words, for lookups without allocation.
fn signal_words() -> &'static LineMap<&'static [u8], Signal> {
    static WORDS: OnceLock<LineMap<&'static [u8], Signal>> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut m = LineMap::default();
        for w in ERROR_WORDS.iter().chain(WARNING_WORDS) {
            m.insert(w.as_bytes(), word_signal(w));
        }
        m
    })
}

/// For each word length, the first letters the signal words of that length start with: most
/// words are rejected here without a lookup.
fn signal_initials() -> &'static [u32; 16] {
    static INITIALS: OnceLock<[u32; 16]> = OnceLock::new();
    INITIALS.get_or_init(|| {
        let mut masks = [0u32; 16];
        for w in ERROR_WORDS.iter().chain(WARNING_WORDS) {
            if let Some(&c) = w.as_bytes().first() {
                if w.len() < 16 && c.is_ascii_lowercase() {
                    masks[w.len()] |= 1 << (c - b'a');
                }
            }
        }
        masks
    })
}

/// The signal of a segment's last camel-case word.
fn segment_signal(seg: &[u8]) -> Signal {
    let w = last_word(seg);
    if w.len() < 3 || w.len() > 12 || !w[0].is_ascii_alphabetic() {
        return Signal::None;
    }
    if signal_initials()[w.len()] & (1 << (w[0].to_ascii_lowercase() - b'a')) == 0 {
        return Signal::None;
    }
    let mut buf = [0u8; 12];
    for (k, c) in w.iter().enumerate() {
        buf[k] = c.to_ascii_lowercase();
    }
    signal_words()
        .get(&buf[..w.len()])
        .copied()
        .unwrap_or(Signal::None)
}

/// The last camel-case word of an alphanumeric segment: splits before an uppercase letter that
/// follows a lowercase one (`assertionError`) or that starts a word after an acronym
/// (`IOException` → `Exception`).
fn last_word(seg: &[u8]) -> &[u8] {
    let mut start = 0;
    for k in 1..seg.len() {
        let (p, c) = (seg[k - 1], seg[k]);
        let next_lower = seg.get(k + 1).is_some_and(|n| n.is_ascii_lowercase());
        if c.is_ascii_uppercase()
            && (p.is_ascii_lowercase()
                || p.is_ascii_digit()
                || (p.is_ascii_uppercase() && next_lower))
        {
            start = k;
        }
    }
    &seg[start..]
}

/// HTTP statuses in access and service logs: 5xx is an error, 4xx a warning. Read after
/// `HTTP/1.1" ` (common log format) and after `status=`, `status:`, `status_code=`.
pub fn http_status_signal(msg: &[u8]) -> Signal {
    let status = |rest: &[u8]| {
        let d = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        match (d, rest.first()) {
            (3, Some(b'5')) => Signal::Error,
            (3, Some(b'4')) => Signal::Warning,
            _ => Signal::None,
        }
    };
    let mut signal = Signal::None;
    let mut i = 0;
    while let Some(off) = msg[i..]
        .iter()
        .position(|c| matches!(c, b'H' | b's' | b'S'))
    {
        let k = i + off;
        let rest = &msg[k..];
        let found = if rest.starts_with(b"HTTP/") {
            // `HTTP/1.1" 503` or `HTTP/2" 404`
            let q = rest.iter().take(12).position(|c| *c == b'"');
            q.map_or(Signal::None, |q| {
                let after = &rest[q + 1..];
                let blanks = after.iter().take_while(|c| is_blank(**c)).count();
                if blanks > 0 {
                    status(&after[blanks..])
                } else {
                    Signal::None
                }
            })
        } else if starts_with_ci(rest, b"status") && (k == 0 || !msg[k - 1].is_ascii_alphanumeric())
        {
            let mut j = 6;
            if starts_with_ci(&rest[j..], b"_code") || starts_with_ci(&rest[j..], b"code") {
                j += if rest[j] == b'_' { 5 } else { 4 };
            }
            match rest.get(j) {
                Some(b'=' | b':') => {
                    j += 1;
                    j += rest[j..]
                        .iter()
                        .take_while(|c| **c == b' ' || **c == b'"')
                        .count();
                    status(&rest[j..])
                }
                _ => Signal::None,
            }
        } else {
            Signal::None
        };
        signal = signal.max(found);
        if signal == Signal::Error {
            break;
        }
        i = k + 1;
    }
    signal
}

/// Failures tools state without an error word: `cannot …`, `could not …`, `unable to …`,
/// `undefined reference`, `no such file`, `… not found`, `segmentation fault`, `core dumped`,
/// `out of memory` (words in paths and URLs do not count).
pub fn failure_phrase(msg: &[u8]) -> bool {
    let mut prev: &[u8] = &[];
    for (s, e) in tokens(msg) {
        let t = &msg[s..e];
        if t.iter().any(|c| *c == b'/' || *c == b'\\') {
            prev = &[];
            continue;
        }
        for w in alnum_words(t) {
            let p = std::mem::replace(&mut prev, w);
            let is = |x: &[u8], y: &[u8]| x.eq_ignore_ascii_case(y);
            if is(w, b"cannot")
                || (is(w, b"not") && (is(p, b"could") || is(p, b"can")))
                || (is(p, b"unable") && is(w, b"to"))
                || (is(p, b"undefined") && (is(w, b"reference") || is(w, b"symbol")))
                || (is(p, b"no") && is(w, b"such"))
                || (is(p, b"not") && is(w, b"found"))
                || (is(p, b"segmentation") && is(w, b"fault"))
                || (is(p, b"core") && is(w, b"dumped"))
                || (is(p, b"of") && is(w, b"memory"))
            {
                return true;
            }
        }
    }
    false
}

/// Alphanumeric words (no camel-case split).
pub(crate) fn alnum_words(b: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() && !b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        Some(&b[start..i])
    })
}

/// `b` starts with `prefix`, ignoring ASCII case.
pub(crate) fn starts_with_ci(b: &[u8], prefix: &[u8]) -> bool {
    b.len() >= prefix.len() && b[..prefix.len()].eq_ignore_ascii_case(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_are_sorted_for_binary_search() {
        for list in [ERROR_WORDS, WARNING_WORDS] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
        }
    }

    #[test]
    fn splits_words_on_ascii_and_camel_case() {
        let w: Vec<String> =
            words("java.lang.NullPointerException: HTTPServerError x_1 é").collect();
        assert_eq!(
            w,
            [
                "java",
                "lang",
                "null",
                "pointer",
                "exception",
                "httpserver",
                "error",
                "x",
                "1"
            ]
        );
    }

    #[test]
    fn classifies_signals() {
        assert_eq!(text_signal("[ERROR] Failed to execute goal"), Signal::Error);
        assert_eq!(text_signal("TypeError: x is undefined"), Signal::Error);
        assert_eq!(text_signal("WARNING: deprecated API"), Signal::Warning);
        assert_eq!(text_signal("INFO all good; terrorism"), Signal::None);
    }

    #[test]
    fn http_statuses() {
        let h = |x: &str| http_status_signal(x.as_bytes());
        assert_eq!(
            h("10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /a HTTP/1.0\" 503 12"),
            Signal::Error
        );
        assert_eq!(h("\"POST /b HTTP/2\" 404 0"), Signal::Warning);
        assert_eq!(h("\"GET / HTTP/1.1\" 200 5"), Signal::None);
        assert_eq!(h("req done status: 500 len: 10"), Signal::Error);
        assert_eq!(h("statusCode=429 retry"), Signal::Warning);
        assert_eq!(h("status=200 ok; substatus=500"), Signal::None);
    }

    #[test]
    fn failure_phrases() {
        let f = |x: &str| failure_phrase(x.as_bytes());
        assert!(f("/usr/bin/ld: main.o: undefined reference to `foo'"));
        assert!(f("bash: jq: command not found"));
        assert!(f("cp: cannot stat 'x': No such file or directory"));
        assert!(f("Could not resolve dependencies for project app"));
        assert!(f("Segmentation fault (core dumped)"));
        assert!(!f("Downloading https://example.com/not/found/x.jar"));
        assert!(!f("Found 3 files, all good"));
    }

    #[test]
    fn signals_skip_names() {
        let s = |x: &str| line_signal(x.as_bytes());
        assert_eq!(s("java.io.IOException: No space left"), Signal::Error);
        assert_eq!(
            s("org.opentest4j.AssertionFailedError: expected"),
            Signal::Error
        );
        assert_eq!(s("=== RUN TestErrorHandling"), Signal::None);
        assert_eq!(
            s("Downloading https://x/error_prone/2.3/a.pom"),
            Signal::None
        );
        assert_eq!(s("> git fetch --tags # timeout=10"), Signal::None);
        assert_eq!(s("mvn -Dmaven.test.failure.ignore=true"), Signal::None);
        assert_eq!(s("status=failed"), Signal::Error);
        assert_eq!(s("[WARNING] deprecated"), Signal::Warning);
        assert_eq!(s("--- FAIL: TestX (0.00s)"), Signal::Error);
        assert_eq!(
            s("Tests run: 5, Failures: 0, Errors: 0, Skipped: 0"),
            Signal::None
        );
        assert_eq!(s("Tests run: 5, Failures: 1, Errors: 0"), Signal::Error);
        assert_eq!(s("0 failed, 3 passed (0 warnings)"), Signal::None);
        assert_eq!(
            s("Running com.example.errors.BindingErrorTest"),
            Signal::None
        );
        assert_eq!(s("at error.log"), Signal::None);
    }
}
