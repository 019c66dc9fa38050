//! Every omission marker's wording, in one place (the JS engine's twin is `marker.ts`).
//! A marker is a text line, or a whole JSON string element, that begins with `[…` and ends with `…]`.

pub const OPEN: &str = "[…";
pub const CLOSE: &str = "…]";

/// `one` for a count of 1, else `many`.
fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// True when `text` has the one recognisable marker form.
pub fn is_marker(text: &str) -> bool {
    text.starts_with(OPEN) && text.ends_with(CLOSE) && text.len() >= OPEN.len() + CLOSE.len()
}

/// How many lines of the original a log marker line stands for (`[… 12 lines omitted …]`,
/// `[… the 3 lines above repeat 4 more times (12 lines) …]`, `[… the line above repeats 4 more
/// times: 5 in a row …]`): 0 for any other line.
pub fn lines_told(text: &str) -> usize {
    if !is_marker(text) {
        return 0;
    }
    let rest = &text[OPEN.len()..];
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    let number = |s: &str| -> (usize, usize) {
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        (s[..digits].parse().unwrap_or(0), digits)
    };
    if let Some(after) = rest.strip_prefix(LINE_REPEATS) {
        if after.starts_with("once more") {
            return 1;
        }
        let (more, d) = number(after);
        return if after[d..].starts_with(" more times") {
            more
        } else {
            0
        };
    }
    if let Some(after) = rest.strip_prefix("the ") {
        let (period, d) = number(after);
        let tail = &after[d..];
        if tail.starts_with(" lines above repeat once more") {
            return period;
        }
        return tail
            .find(" more times (")
            .map_or(0, |at| number(&tail[at + " more times (".len()..]).0);
    }
    let (n, d) = number(rest);
    if d > 0 && rest[d..].starts_with(" line") {
        n
    } else {
        0
    }
}

/// A marker that speaks of the lines above it (a repeat): it reads right only right after them.
pub fn refers_above(text: &str) -> bool {
    is_marker(text) && text[OPEN.len()..].starts_with(" the ")
}

/// True when some line of `text` is a marker: the text is compressed output.
pub fn has_marker_line(text: &str) -> bool {
    text.contains(OPEN)
        && text
            .split('\n')
            .any(|l| is_marker(l.strip_suffix('\r').unwrap_or(l)))
}

/// A dropped run of JSON array items, as one string element in the run's place:
/// `[… 37 items omitted: status ok×37; latency_ms 12–48 …]`.
pub fn json_items_omitted(count: usize, summary: &str) -> String {
    let noun = plural(count, "item", "items");
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

/// An unnamed position of tuple rows (`[ts, value]` items) in a JSON run summary: `[1]`.
pub fn json_position(position: u32) -> String {
    format!("[{position}]")
}

/// How many values a JSON run summary leaves unnamed: `+3 more`.
pub fn json_more_values(count: usize) -> String {
    format!("+{count} more")
}

/// Kinds of JSON values, in the order of the tape's `Kind`, for a run summary with no field to
/// describe: `objects×12`.
pub const JSON_KINDS: [&str; 7] = [
    "nulls", "false", "true", "numbers", "strings", "arrays", "objects",
];

/// After a reduced TOON array's header, whose count is what the reader gets: how many items the
/// array has in full, `[… 682 items in all …]` (the header already says how many are shown).
pub fn json_items_in_all(total: usize) -> String {
    format!("{OPEN} {total} items in all {CLOSE}")
}

// ---- Logs ----

const LINE_REPEATS: &str = "the line above repeats ";

/// `once more`, `4 more times`.
fn more_times(more: usize) -> String {
    if more == 1 {
        String::from("once more")
    } else {
        format!("{more} more times")
    }
}

/// On its own line after a line that stood `n` (≥ 2) times in a row: `[… the line above repeats
/// 4 more times: 5 in a row …]`.
pub fn line_repeats(n: usize) -> String {
    format!(
        "{OPEN} {LINE_REPEATS}{}: {n} in a row {CLOSE}",
        more_times(n - 1)
    )
}

/// On its own line after the kept occurrence of a signal line (standing `here` times in a row)
/// whose other occurrences were dropped: it occurred `total` times in all (the dropped ones are
/// counted by the markers where they stood).
pub fn line_in_all(here: usize, total: usize) -> String {
    if here == 1 {
        format!("{OPEN} the line above occurs {total} times in all {CLOSE}")
    } else {
        format!(
            "{OPEN} {LINE_REPEATS}{}: {here} in a row, {total} in all {CLOSE}",
            more_times(here - 1)
        )
    }
}

/// A template standing for `n` lines; `body` is the first line with its variable fields
/// replaced by slots.
pub fn template_line(n: usize, body: &str) -> String {
    format!("{OPEN} {n} lines like: {body} {CLOSE}")
}

/// A numeric field's range in a template.
pub fn slot_range(min: &str, max: &str) -> String {
    format!("{{{min}–{max}}}")
}

/// A field's first and last value in a template.
pub fn slot_span(first: &str, last: &str) -> String {
    format!("{{{first} … {last}}}")
}

/// The `period` lines above repeat `more` more times.
pub fn block_repeat(period: usize, more: usize) -> String {
    if more == 1 {
        format!("{OPEN} the {period} lines above repeat once more {CLOSE}")
    } else {
        format!(
            "{OPEN} the {period} lines above repeat {more} more times ({} lines) {CLOSE}",
            period * more
        )
    }
}

/// Dropped log lines; `parts` summarise them (level counts, time span, most common template).
pub fn lines_omitted(n: usize, parts: &[String]) -> String {
    let unit = plural(n, "line", "lines");
    if parts.is_empty() {
        format!("{OPEN} {n} {unit} omitted {CLOSE}")
    } else {
        format!("{OPEN} {n} {unit} omitted: {} {CLOSE}", parts.join("; "))
    }
}

/// Level counts of dropped lines: `398 INFO, 14 DEBUG`.
pub fn level_counts(counts: &[(usize, &str)]) -> String {
    counts
        .iter()
        .map(|(n, name)| format!("{n} {name}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn time_span(first: &str, last: &str) -> String {
    if first == last {
        format!("at {first}")
    } else {
        format!("{first} … {last}")
    }
}

pub fn most_common(template: &str, n: usize) -> String {
    format!("most common \"{template}\" ×{n}")
}

/// A template a marker names, with its count in the run and, when it differs, in the block:
/// `"session opened for user <*>" ×3 (40 in all)`.
pub fn template_count(template: &str, here: usize, total: usize) -> String {
    if here == total {
        format!("\"{template}\" ×{here}")
    } else {
        format!("\"{template}\" ×{here} ({total} in all)")
    }
}

/// The templates a dropped run holds that no kept line shows: named ones, then how many more.
pub fn templates_named(names: &[String], more: usize) -> String {
    if names.is_empty() {
        return format!("{more} other {}", plural(more, "template", "templates"));
    }
    let mut s = String::from(plural(names.len() + more, "template ", "templates "));
    s.push_str(&names.join(", "));
    if more > 0 {
        s.push_str(&format!(", {more} more"));
    }
    s
}

/// What a dropped run of blank lines is.
pub fn blank_lines() -> String {
    String::from("blank")
}

pub fn repeated_signal_lines(n: usize) -> String {
    if n == 1 {
        String::from("1 repeat of a kept line")
    } else {
        format!("{n} repeats of kept lines")
    }
}

/// `Omission::summary` for lines folded into template lines.
pub fn templated_summary(templates: usize) -> String {
    let t = plural(templates, "template line", "template lines");
    format!("folded into {templates} {t}")
}

/// `Omission::summary` for a log block's dropped lines.
pub fn log_omission_summary(levels: &str, markers: usize) -> String {
    let places = plural(markers, "place", "places");
    if levels.is_empty() {
        format!("in {markers} {places}")
    } else {
        format!("{levels} in {markers} {places}")
    }
}

// ---- Metric series ----

/// An omitted run of `timestamp,value` rows: its value range and time span,
/// `[… 412 rows omitted: value 3.1–7.9, 2014-02-14 10:00 – 2014-02-17 08:55 …]`.
pub fn metric_rows_omitted(
    n: usize,
    name: &str,
    min: &str,
    max: &str,
    first: &str,
    last: &str,
) -> String {
    let unit = plural(n, "row", "rows");
    let range = json_range(min, max);
    let span = if first == last {
        format!("at {first}")
    } else {
        format!("{first} – {last}")
    };
    format!("{OPEN} {n} {unit} omitted: {name} {range}, {span} {CLOSE}")
}

/// `Omission::summary` for a metric series' omitted rows.
pub fn metric_omission_summary(markers: usize) -> String {
    let places = plural(markers, "place", "places");
    format!("in {markers} {places}")
}

// ---- Search hits ----

/// How many line ranges a search marker names before it says how many more matches there are.
pub const SEARCH_RANGES: usize = 8;
/// Matches at most this many lines apart share a range in a search marker.
pub const SEARCH_RANGE_GAP: usize = 20;

/// Where dropped matches were, compactly: their line numbers (in the order grep printed them),
/// those at most `SEARCH_RANGE_GAP` lines apart as one range from the first to the last, at most
/// `SEARCH_RANGES` ranges and then how many more matches: `lines 120–188, 240 and 6 more`.
pub fn match_lines(lines: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() && parts.len() < SEARCH_RANGES {
        let mut j = i;
        while j + 1 < lines.len()
            && lines[j + 1] >= lines[j]
            && lines[j + 1] - lines[j] <= SEARCH_RANGE_GAP
        {
            j += 1;
        }
        parts.push(if lines[j] == lines[i] {
            format!("{}", lines[i])
        } else {
            format!("{}–{}", lines[i], lines[j])
        });
        i = j + 1;
    }
    let listed = parts.join(", ");
    let single = parts.len() == 1 && i == lines.len() && !listed.contains('–');
    let at = format!("{} {listed}", if single { "line" } else { "lines" });
    if i < lines.len() {
        format!("{at} and {} more", lines.len() - i)
    } else {
        at
    }
}

/// Dropped hits inside one file's group: how many matches (and where, `match_lines`) and how many
/// context lines, `[… 3 matches and 4 context lines omitted: matches in lines 120–126, 240 …]`.
pub fn search_omitted(matches: &[usize], context: usize) -> String {
    let n = matches.len();
    let c = plural(context, "context line", "context lines");
    if n == 0 {
        return format!("{OPEN} {context} {c} omitted {CLOSE}");
    }
    let m = plural(n, "match", "matches");
    let at = match_lines(matches);
    if context == 0 {
        format!("{OPEN} {n} {m} omitted in {at} {CLOSE}")
    } else {
        format!("{OPEN} {n} {m} and {context} {c} omitted: {m} in {at} {CLOSE}")
    }
}

/// `Omission::summary` for dropped matches.
pub fn search_omission_summary(files: usize) -> String {
    let f = plural(files, "file", "files");
    format!("in {files} {f}")
}

// ---- Diffs ----

/// Unchanged context lines folded away inside a hunk.
pub fn unchanged_lines(n: usize) -> String {
    let unit = plural(n, "line", "lines");
    format!("{OPEN} {n} unchanged {unit} {CLOSE}")
}

/// Unchanged context lines folded away between shown lines of a hunk, with the old and the new
/// file's number of the first of them in a hunk header's notation, so the lines after it are
/// located: `[… 10 unchanged lines at -128 +131 …]`.
pub fn unchanged_range(n: usize, old_from: usize, new_from: usize) -> String {
    let unit = plural(n, "line", "lines");
    format!("{OPEN} {n} unchanged {unit} at -{old_from} +{new_from} {CLOSE}")
}

/// The hunks of a machine-written file (`what`: lockfile, generated file, vendored file), summarised.
pub fn file_changes_summary(
    name: &str,
    what: &str,
    hunks: usize,
    added: usize,
    removed: usize,
    lines: usize,
) -> String {
    let h = plural(hunks, "hunk", "hunks");
    format!("{OPEN} {name}: {what} changes omitted, {added} lines added and {removed} removed in {hunks} {h} ({lines} lines) {CLOSE}")
}

/// A file renamed with its content unchanged, its whole section as one line.
pub fn renamed_file(from: &str, to: &str) -> String {
    format!("{OPEN} renamed {from} → {to} {CLOSE}")
}

/// A deleted file, its whole section as one line: how many lines it had, or that it was binary.
pub fn deleted_file(name: &str, removed: usize, binary: bool) -> String {
    if binary {
        return format!("{OPEN} deleted {name} (binary) {CLOSE}");
    }
    let unit = plural(removed, "line", "lines");
    format!("{OPEN} deleted {name}: {removed} {unit} removed {CLOSE}")
}

/// A format-patch mail's diffstat lines (one per file), above the budget: the changes they count
/// are all shown, or counted by their files' summaries.
pub fn diffstat(n: usize) -> String {
    let unit = plural(n, "line", "lines");
    format!("{OPEN} {n} diffstat {unit} {CLOSE}")
}

/// The data lines of a `GIT binary patch`.
pub fn binary_patch(n: usize) -> String {
    let unit = plural(n, "line", "lines");
    format!("{OPEN} {n} {unit} of binary patch data {CLOSE}")
}

/// `Omission::summary` for the hunks of summarised files (`what`: lockfile, generated file,
/// vendored file).
pub fn summarised_files_omission(files: usize, what: &str) -> String {
    let s = if files == 1 { "" } else { "s" };
    format!("in {files} {what}{s}")
}

/// `Omission::summary` for pure renames, each shown as one line.
pub fn renames_omission() -> String {
    String::from("pure renames, one line each")
}

/// `Omission::summary` for the lines of deleted files.
pub fn deleted_files_omission(files: usize) -> String {
    let f = plural(files, "file", "files");
    format!("of {files} deleted {f}")
}

// ---- Opaque data and the budget's cut ----

/// Between the head and the tail of opaque data: what it is, its size and what was left out.
pub fn opaque_omitted(what: &str, bytes: usize, lines: usize, omitted: usize) -> String {
    let l = plural(lines, "line", "lines");
    format!("{OPEN} {what}, {bytes} bytes in {lines} {l}: {omitted} bytes omitted between head and tail {CLOSE}")
}

/// Lines cut by position where a block stayed far above its budget (`errors` of them error lines).
pub fn lines_cut(n: usize, errors: usize) -> String {
    let unit = plural(n, "line", "lines");
    if errors == 0 {
        format!("{OPEN} {n} {unit} cut to fit the token budget {CLOSE}")
    } else {
        format!(
            "{OPEN} {n} {unit} cut to fit the token budget, {errors} of them with errors {CLOSE}"
        )
    }
}

/// `Omission::summary` for lines cut to the budget.
pub fn cut_summary(places: usize) -> String {
    let p = plural(places, "place", "places");
    format!("cut by position to fit the budget in {places} {p}")
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

    #[test]
    fn log_markers_have_the_marker_form() {
        assert!(is_marker(&template_line(3, "a {1–3}")));
        assert!(is_marker(&block_repeat(66, 35)));
        assert!(is_marker(&block_repeat(2, 1)));
        assert!(is_marker(&lines_omitted(1, &[])));
        assert!(is_marker(&lines_omitted(
            412,
            &[level_counts(&[(398, "INFO"), (14, "DEBUG")])]
        )));
        assert_eq!(
            lines_omitted(412, &[level_counts(&[(398, "INFO"), (14, "DEBUG")])]),
            "[… 412 lines omitted: 398 INFO, 14 DEBUG …]"
        );
    }

    #[test]
    fn a_line_repeat_is_a_marker_that_tells_its_repeats() {
        assert_eq!(
            line_repeats(5),
            "[… the line above repeats 4 more times: 5 in a row …]"
        );
        assert_eq!(lines_told(&line_repeats(5)), 4);
        assert_eq!(lines_told(&line_repeats(2)), 1);
        assert_eq!(lines_told(&line_in_all(3, 12)), 2);
        assert_eq!(lines_told(&line_in_all(1, 12)), 0);
        assert_eq!(lines_told(&block_repeat(3, 4)), 12);
        assert!(refers_above(&line_in_all(1, 12)));
        assert!(refers_above(&block_repeat(3, 4)));
        assert!(!refers_above(&lines_omitted(3, &[])));
    }

    #[test]
    fn search_markers_name_the_lines_of_dropped_matches() {
        assert_eq!(
            search_omitted(&[120, 130, 148, 166, 180, 188, 240, 301], 0),
            "[… 8 matches omitted in lines 120–188, 240, 301 …]"
        );
        assert_eq!(
            search_omitted(&[7], 4),
            "[… 1 match and 4 context lines omitted: match in line 7 …]"
        );
        assert_eq!(search_omitted(&[], 2), "[… 2 context lines omitted …]");
        let far: Vec<usize> = (1..=12).map(|k| k * 100).collect();
        assert_eq!(
            match_lines(&far),
            "lines 100, 200, 300, 400, 500, 600, 700, 800 and 4 more"
        );
    }

    #[test]
    fn metric_markers_have_the_marker_form() {
        let m = metric_rows_omitted(
            412,
            "value",
            "3.1",
            "7.9",
            "2014-02-14 10:00",
            "2014-02-17 08:55",
        );
        assert_eq!(
            m,
            "[… 412 rows omitted: value 3.1–7.9, 2014-02-14 10:00 – 2014-02-17 08:55 …]"
        );
        assert!(is_marker(&m));
        assert_eq!(
            metric_rows_omitted(1, "cpu", "2", "2", "t", "t"),
            "[… 1 row omitted: cpu 2, at t …]"
        );
    }
}
