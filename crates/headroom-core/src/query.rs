//! The block's relevance query (twin of `query.ts`): its terms, and how many of them a text
//! holds. Words as `signal::words` cuts them.

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
}
