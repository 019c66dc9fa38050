//! Shared selection rules: signal detection, relevance scoring, how many items to keep.
//! ASCII-only character classes and case folding (PRODUCT §9), so both engines agree exactly.
