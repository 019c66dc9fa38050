//! Every omission marker's wording, in one place (the JS engine's twin is `marker.ts`).
//! A marker is a text line, or a whole JSON string element, that begins with `[…` and ends with `…]`.

pub const OPEN: &str = "[…";
pub const CLOSE: &str = "…]";

/// True when `text` has the one recognisable marker form.
pub fn is_marker(text: &str) -> bool {
    text.starts_with(OPEN) && text.ends_with(CLOSE) && text.len() >= OPEN.len() + CLOSE.len()
}

/// A dropped run of JSON array items, as one string element in the run's place:
/// `[… 37 items omitted: status ok×37; latency_ms 12–48 …]`.
pub fn json_items_omitted(count: usize, summary: &str) -> String {
    let noun = if count == 1 { "item" } else { "items" };
    if summary.is_empty() {
        format!("{OPEN} {count} {noun} omitted {CLOSE}")
    } else {
        format!("{OPEN} {count} {noun} omitted: {summary} {CLOSE}")
    }
}

/// Appended to the kept prefix of a cut JSON string: the string's full length.
pub fn json_string_cut(total_bytes: usize) -> String {
    format!("{OPEN} string cut: {total_bytes} bytes in full {CLOSE}")
}

/// One value's count in a JSON run summary: `ok×37`.
pub fn json_value_count(value: &str, count: usize) -> String {
    format!("{value}×{count}")
}

/// A range in a JSON run summary, from the original texts of its ends: `12–48`.
pub fn json_range(min: &str, max: &str) -> String {
    if min == max {
        min.to_string()
    } else {
        format!("{min}–{max}")
    }
}

/// How many values a JSON run summary leaves unnamed: `+3 more`.
pub fn json_more_values(count: usize) -> String {
    format!("+{count} more")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_markers_have_the_marker_form() {
        let m = json_items_omitted(37, "status ok×37; latency_ms 12–48");
        assert_eq!(m, "[… 37 items omitted: status ok×37; latency_ms 12–48 …]");
        assert!(is_marker(&m));
        assert_eq!(json_items_omitted(1, ""), "[… 1 item omitted …]");
        assert!(json_string_cut(5).ends_with("…]"));
        assert_eq!(json_range("1", "1"), "1");
    }
}
