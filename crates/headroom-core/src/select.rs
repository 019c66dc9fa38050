//! Shared selection rules: signal detection, relevance scoring, how many items to keep.
//! ASCII-only character classes and case folding (PRODUCT §9), so both engines agree exactly.

/// How strongly a piece of text signals trouble.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Signal {
    None,
    Warning,
    Error,
}

/// Words that mark a line or value as error-class (compared lowercase, whole words).
pub(crate) const ERROR_WORDS: &[&str] = &[
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
pub(crate) const WARNING_WORDS: &[&str] =
    &["deprecated", "deprecation", "warn", "warning", "warnings"];

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
pub fn word_signal(word: &str) -> Signal {
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

/// Words too common to carry a query's meaning.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "for", "from", "get", "how", "i",
    "in", "is", "it", "me", "my", "of", "on", "or", "show", "that", "the", "this", "to", "was",
    "what", "when", "where", "which", "why", "with", "you",
];

/// The distinct terms of a relevance query, in order of first appearance: words of two or more
/// characters that are not stop words.
pub fn query_terms(query: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for w in words(query) {
        if w.len() < 2 || STOP_WORDS.binary_search(&w.as_str()).is_ok() || terms.contains(&w) {
            continue;
        }
        terms.push(w);
    }
    terms
}

/// How many of `terms` occur among the words of `text`.
pub fn query_hits(text: &str, terms: &[String]) -> usize {
    if terms.is_empty() {
        return 0;
    }
    let mut seen = vec![false; terms.len()];
    for w in words(text) {
        if let Some(k) = terms.iter().position(|t| *t == w) {
            seen[k] = true;
        }
    }
    seen.iter().filter(|s| **s).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_are_sorted_for_binary_search() {
        for list in [ERROR_WORDS, WARNING_WORDS, STOP_WORDS] {
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
    fn query_terms_and_hits() {
        let t = query_terms("Why did the payment-service fail for the user 42?");
        assert_eq!(t, ["did", "payment", "service", "fail", "user", "42"]);
        assert_eq!(query_hits("payment FAIL", &t), 2);
    }
}
