//! What kind of content a block is. Deterministic rules over the block's text; `code` and `text`
//! pass through untouched.

/// The kinds of content headroom tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Json,
    Log,
    Search,
    Diff,
    Code,
    Text,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Json => "json",
            Kind::Log => "log",
            Kind::Search => "search",
            Kind::Diff => "diff",
            Kind::Code => "code",
            Kind::Text => "text",
        }
    }
}

/// Detects the kind of a block.
pub fn detect(content: &str) -> Kind {
    // JSON: the whole block parses as one JSON value.
    if crate::json::is_json(content) {
        return Kind::Json;
    }
    Kind::Text
}
