// Shared selection rules: signal detection, relevance scoring, how many items to keep (twin of
// select.rs). ASCII-only character classes and case folding (PRODUCT §9).
export {};
