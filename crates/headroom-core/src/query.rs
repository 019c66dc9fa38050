//! The block's relevance query (twin of `query.ts`): its terms, how rare each is among the
//! block's lines, and how many of them a text holds. Words as `signal::words` cuts them.

use crate::signal::words;

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

/// A term on more than one line in this many weighs nothing: a word most lines share (`api` in
/// an API's log, grep's own pattern in its output) tells no line from another, and keeping its
/// lines would switch compression off.
pub const COMMON_SHARE: usize = 4;

/// How much each term tells the lines of a block apart, BM25's inverse document frequency in
/// integers (both engines must agree, so no floating-point logarithm): `floor(log2(n / df))`
/// for a term on `df` of the `n` texts, and 0 for a term on none of them or on more than one in
/// `COMMON_SHARE`.
pub fn term_weights<S: AsRef<str>>(terms: &[String], texts: &[S]) -> Vec<usize> {
    let mut df = vec![0usize; terms.len()];
    if terms.is_empty() {
        return df;
    }
    let mut seen = vec![false; terms.len()];
    for text in texts {
        seen.fill(false);
        for w in words(text.as_ref()) {
            if let Some(k) = terms.iter().position(|t| *t == w) {
                seen[k] = true;
            }
        }
        for (d, s) in df.iter_mut().zip(&seen) {
            *d += usize::from(*s);
        }
    }
    let n = texts.len();
    df.iter()
        .map(|&d| {
            if d == 0 || d * COMMON_SHARE > n {
                return 0;
            }
            let (mut w, mut span) = (0, d);
            while span * 2 <= n {
                span *= 2;
                w += 1;
            }
            w
        })
        .collect()
}

/// The terms that tell the lines of `texts` apart (weight above 0), in query order.
pub fn informative_terms<S: AsRef<str>>(terms: &[String], texts: &[S]) -> Vec<String> {
    let weights = term_weights(terms, texts);
    terms
        .iter()
        .zip(&weights)
        .filter(|(_, w)| **w > 0)
        .map(|(t, _)| t.clone())
        .collect()
}

/// The relevance of `text`: the summed weights of the distinct terms it holds.
pub fn query_score(text: &str, terms: &[String], weights: &[usize]) -> usize {
    if terms.is_empty() {
        return 0;
    }
    let mut seen = vec![false; terms.len()];
    for w in words(text) {
        if let Some(k) = terms.iter().position(|t| *t == w) {
            seen[k] = true;
        }
    }
    seen.iter()
        .zip(weights)
        .filter(|(s, _)| **s)
        .map(|(_, w)| *w)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn query_terms_and_hits() {
        let t = query_terms("Why did the payment-service fail for the user 42?");
        assert_eq!(t, ["did", "payment", "service", "fail", "user", "42"]);
        assert_eq!(query_hits("payment FAIL", &t), 2);
    }

    #[test]
    fn a_term_on_most_lines_weighs_nothing() {
        let terms = query_terms("api timeout 42");
        let mut lines: Vec<String> = (0..64).map(|k| format!("GET /api/orders/o{k}")).collect();
        lines[5].push_str(" timeout");
        lines[9].push_str(" timeout");
        lines[7] = String::from("user 42 logged in");
        // api: 63 of 64 lines; timeout: 2 (log2 32 = 5); 42: 1 (log2 64 = 6).
        assert_eq!(term_weights(&terms, &lines), [0, 5, 6]);
        assert_eq!(informative_terms(&terms, &lines), ["timeout", "42"]);
        assert_eq!(query_score("api timeout 42 42", &terms, &[0, 5, 6]), 11);
        // On more than a quarter of the lines a term is common.
        let quarter: Vec<&str> = vec!["x timeout", "y", "z", "w", "v timeout"];
        assert_eq!(term_weights(&terms, &quarter), [0, 0, 0]);
    }
}
