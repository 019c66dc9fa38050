//! Every omission marker's wording, in one place (the JS engine's twin is `marker.ts`).
//! A marker is a text line, or a whole JSON string element, that begins with `[…` and ends with `…]`.

pub const OPEN: &str = "[…";
pub const CLOSE: &str = "…]";

/// True when `text` has the one recognisable marker form.
pub fn is_marker(text: &str) -> bool {
    text.starts_with(OPEN) && text.ends_with(CLOSE) && text.len() >= OPEN.len() + CLOSE.len()
}
