//! Lines that state a result (twin of `summary.ts`): test totals (`3 passed, 1 failed`), build
//! results (`BUILD SUCCESS`), exit codes (`exited with code 1`, `non-zero exit`), total times.

use crate::lines::tokens;
use crate::signal::alnum_words;
use std::sync::OnceLock;

/// What a word means to the summary rule.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SummaryWord {
    Other,
    Digits,
    Build,
    BuildResult,
    Exit,
    ExitKind,
    Exited,
    Non,
    Zero,
    Total,
    Time,
    /// A counted outcome (`3 passed`, `1 error`).
    Counted,
    /// Another word of test totals (`run`, `pending`).
    TotalOnly,
}

fn summary_word(w: &[u8]) -> SummaryWord {
    if w.iter().all(|c| c.is_ascii_digit()) {
        return SummaryWord::Digits;
    }
    if w.len() < 3 || w.len() > 10 || !w[0].is_ascii_alphabetic() {
        return SummaryWord::Other;
    }
    if summary_initials()[w.len()] & (1 << (w[0].to_ascii_lowercase() - b'a')) == 0 {
        return SummaryWord::Other;
    }
    let mut buf = [0u8; 10];
    for (k, c) in w.iter().enumerate() {
        buf[k] = c.to_ascii_lowercase();
    }
    match &buf[..w.len()] {
        b"build" => SummaryWord::Build,
        b"success" | b"successful" | b"failure" | b"succeeded" => SummaryWord::BuildResult,
        b"exit" | b"return" => SummaryWord::Exit,
        b"code" | b"status" | b"value" => SummaryWord::ExitKind,
        b"exited" | b"exitcode" => SummaryWord::Exited,
        b"non" => SummaryWord::Non,
        b"zero" => SummaryWord::Zero,
        b"total" => SummaryWord::Total,
        b"time" => SummaryWord::Time,
        b"passed" | b"failed" | b"passing" | b"failing" | b"tests" | b"errors" | b"error"
        | b"warnings" | b"warning" | b"skipped" | b"failures" => SummaryWord::Counted,
        b"pending" | b"ignored" | b"xfailed" | b"xpassed" | b"deselected" | b"run"
        | b"executed" => SummaryWord::TotalOnly,
        _ => SummaryWord::Other,
    }
}

/// The summary words, for the initials filter.
const SUMMARY_WORDS: &[&str] = &[
    "build",
    "success",
    "successful",
    "failure",
    "succeeded",
    "exit",
    "return",
    "code",
    "status",
    "value",
    "exited",
    "exitcode",
    "non",
    "zero",
    "total",
    "time",
    "passed",
    "failed",
    "passing",
    "failing",
    "tests",
    "errors",
    "error",
    "warnings",
    "warning",
    "skipped",
    "failures",
    "pending",
    "ignored",
    "xfailed",
    "xpassed",
    "deselected",
    "run",
    "executed",
];

/// For each word length, the first letters of the summary words of that length.
fn summary_initials() -> &'static [u32; 16] {
    static INITIALS: OnceLock<[u32; 16]> = OnceLock::new();
    INITIALS.get_or_init(|| {
        let mut masks = [0u32; 16];
        for w in SUMMARY_WORDS {
            masks[w.len()] |= 1 << (w.as_bytes()[0] - b'a');
        }
        masks
    })
}

/// A word of test totals (two different ones make a summary).
fn is_total_word(tag: SummaryWord, w: &[u8]) -> bool {
    match tag {
        SummaryWord::TotalOnly | SummaryWord::Total => true,
        SummaryWord::Counted => !w.eq_ignore_ascii_case(b"warning"),
        SummaryWord::BuildResult => w.eq_ignore_ascii_case(b"succeeded"),
        _ => false,
    }
}

/// Test totals, build results, exit codes (words in paths and URLs do not count).
pub fn is_summary(msg: &[u8]) -> bool {
    use SummaryWord::*;
    let mut digit = false;
    let mut words = 0;
    let mut prev = Other;
    let mut distinct: [&[u8]; 2] = [&[], &[]];
    let mut found = 0;
    // A rule that also needs a digit somewhere in the line has matched.
    let mut matched = false;
    for (s, e) in tokens(msg) {
        let t = &msg[s..e];
        // Paths and URLs (`tests/test_api.py::test_x PASSED`) name things; they hold no totals.
        if t.iter().any(|c| *c == b'/' || *c == b'\\') {
            continue;
        }
        digit |= t.iter().any(|c| c.is_ascii_digit());
        // A number inside a name (`test_values[13] PASSED`) counts nothing.
        let named = t.iter().any(|c| c.is_ascii_alphabetic());
        for w in alnum_words(t) {
            if words == 48 {
                break;
            }
            words += 1;
            let tag = match summary_word(w) {
                Digits if named => Other,
                tag => tag,
            };
            let p = std::mem::replace(&mut prev, tag);
            if p == Build
                && (tag == BuildResult || (tag == Counted && w.eq_ignore_ascii_case(b"failed")))
            {
                return true;
            }
            matched = matched
                || (p == Exit && tag == ExitKind)
                || tag == Exited
                || (p == Non && tag == Zero)
                || (p == Total && tag == Time)
                || (p == Digits && tag == Counted);
            if !matched
                && is_total_word(tag, w)
                && !distinct[..found].iter().any(|d| d.eq_ignore_ascii_case(w))
            {
                distinct[found] = w;
                found += 1;
                matched = found == 2;
            }
        }
        if matched && digit {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_summary_word_has_a_meaning() {
        for w in SUMMARY_WORDS {
            assert!(summary_word(w.as_bytes()) != SummaryWord::Other, "{w}");
            assert!(
                w.len() < 16 && w.bytes().all(|c| c.is_ascii_lowercase()),
                "{w}"
            );
        }
    }

    #[test]
    fn summaries() {
        assert!(is_summary(
            b"Tests run: 10, Failures: 0, Errors: 0, Skipped: 0"
        ));
        assert!(is_summary(b"=== 1 failed, 4 passed in 0.12s ==="));
        assert!(is_summary(b"test result: ok. 5 passed; 0 failed"));
        assert!(is_summary(b"BUILD SUCCESSFUL in 3s"));
        assert!(!is_summary(b"Ran the linter"));
        // Numbers inside names are not counts.
        assert!(!is_summary(
            b"test_x.py::test_values[13] PASSED        [ 11%]"
        ));
        assert!(is_summary(b"(3 passed, 1 failed)"));
    }
}
