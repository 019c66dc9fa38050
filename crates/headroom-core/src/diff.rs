//! The diff compressor: unified and git diffs, format-patch mails (twin of `diff.ts`).
//!
//! Every `+`/`-` line, every file header and every hunk header stays. Always: unchanged context
//! lines beyond one on each side of a change fold into a marker with their count. Only above
//! `max_block_tokens`, in two steps: lockfiles are summarised as their name with added/removed
//! counts (and binary patch data as its line count); then the remaining context lines fold too.

use crate::block::{BlockOptions, Compressed, Omission};
use crate::lines::{self, Lines};
use crate::marker;

/// Context lines kept on each side of a change.
pub const CONTEXT_KEEP: usize = 1;

/// Lockfiles: machine-written, summarised as counts when the diff is above the budget.
pub const LOCKFILES: &[&str] = &[
    "Cargo.lock",
    "Gemfile.lock",
    "Package.resolved",
    "Pipfile.lock",
    "Podfile.lock",
    "bun.lock",
    "composer.lock",
    "flake.lock",
    "go.sum",
    "mix.lock",
    "npm-shrinkwrap.json",
    "package-lock.json",
    "packages.lock.json",
    "pdm.lock",
    "pnpm-lock.yaml",
    "poetry.lock",
    "pubspec.lock",
    "uv.lock",
    "yarn.lock",
];

// The format: what detection asks (`is_diff`) and the header grammar compression reads too.

/// A diff's first file header must come within this many lines (a mail's preamble may precede it).
const DIFF_HEADER_WITHIN: usize = 150;

/// Share (in percent of the lines from the first file header on) of lines a diff is made of.
const DIFF_SHARE: usize = 80;

/// `@@ -12,7 +12,8 @@`
fn is_hunk_header(l: &str) -> bool {
    let b = l.as_bytes();
    let mut i = 0;
    let lit = |s: &[u8], i: &mut usize| {
        if b[*i..].starts_with(s) {
            *i += s.len();
            true
        } else {
            false
        }
    };
    let range = |i: &mut usize| {
        let d = b[*i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if d == 0 {
            return false;
        }
        *i += d;
        if b.get(*i) == Some(&b',') {
            let d2 = b[*i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            if d2 == 0 {
                return false;
            }
            *i += 1 + d2;
        }
        true
    };
    lit(b"@@ -", &mut i)
        && range(&mut i)
        && lit(b" +", &mut i)
        && range(&mut i)
        && lit(b" @@", &mut i)
}

/// The lines of a git diff's extended header, and a few more a file header may carry.
const HEADER_PREFIXES: &[&str] = &[
    "index ",
    "new file mode",
    "deleted file mode",
    "old mode",
    "new mode",
    "similarity index",
    "dissimilarity index",
    "rename from",
    "rename to",
    "copy from",
    "copy to",
    "Binary files",
    "=====",
];

/// Lines a unified or git diff is made of (after its first file header).
fn is_diff_shaped(l: &str) -> bool {
    if l.is_empty() {
        return true;
    }
    if matches!(l.as_bytes()[0], b' ' | b'\t' | b'+' | b'-' | b'@' | b'\\') {
        return true;
    }
    ["diff ", "Index: ", "Only in ", "GIT binary patch"]
        .iter()
        .chain(HEADER_PREFIXES)
        .any(|p| l.starts_with(p))
}

/// Whether these lines (a block's prefix, as detection reads it) are a diff: a file header
/// within the first lines, then mostly lines a diff is made of.
pub fn is_diff<S: AsRef<str>>(lines: &[S]) -> bool {
    let l = |k: usize| lines.get(k).map_or("", |s| s.as_ref());
    let mut found = None;
    for k in 0..lines.len().min(DIFF_HEADER_WITHIN) {
        let a = l(k);
        if a.starts_with("--- ") && l(k + 1).starts_with("+++ ") && is_hunk_header(l(k + 2)) {
            found = Some(k);
            break;
        }
        if a.starts_with("diff --git ")
            && (k + 1..k + 7).any(|j| {
                let x = l(j);
                x.starts_with("--- ")
                    || x.starts_with("index ")
                    || x.starts_with("GIT binary patch")
                    || x.starts_with("Binary files")
                    || x.starts_with("rename from")
                    || x.starts_with("similarity index")
                    || x.starts_with("new file mode")
                    || x.starts_with("deleted file mode")
                    || x.starts_with("old mode")
            })
        {
            found = Some(k);
            break;
        }
    }
    let Some(f) = found else {
        return false;
    };
    let rest = &lines[f..];
    // The base85 lines of a `GIT binary patch` (up to a blank line) belong to the diff too.
    let mut binary = false;
    let mut shaped = 0;
    for x in rest {
        let x = x.as_ref();
        binary = (binary && !x.is_empty()) || x.starts_with("GIT binary patch");
        shaped += usize::from(binary || is_diff_shaped(x));
    }
    shaped * 100 >= rest.len() * DIFF_SHARE
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    /// Preamble, mail headers, commit message, trailers: kept as they are.
    Other,
    FileHeader,
    HunkHeader,
    Add,
    Del,
    Context,
    /// `\ No newline at end of file`
    NoNewline,
    /// Lines of a `GIT binary patch`.
    Binary,
}

struct FileInfo {
    name: String,
    lockfile: bool,
}

struct Parsed {
    tags: Vec<Tag>,
    /// The file section each line belongs to (`usize::MAX` before the first).
    file: Vec<usize>,
    files: Vec<FileInfo>,
}

/// How hard to fold: 0 lossless, 1 lockfiles and binary data summarised, 2 and no context.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Fold,
    Summarise,
    ChangesOnly,
}

pub fn compress(content: &str, options: &BlockOptions) -> Option<Compressed> {
    let split = lines::split_raw(content);
    let lines = &split.lines;
    if lines.is_empty() || lines.iter().any(|l| marker::is_marker(l)) {
        return None;
    }
    let parsed = parse(lines);
    let mut out = render(&split, &parsed, Level::Fold);
    let Some(max) = options.max_block_tokens else {
        return Some(out);
    };
    // Summarising only changes something when there is a lockfile or binary data.
    let summarisable = parsed.tags.iter().zip(&parsed.file).any(|(t, f)| {
        *t == Tag::Binary
            || (*t == Tag::HunkHeader && parsed.files.get(*f).is_some_and(|x| x.lockfile))
    });
    for level in [Level::Summarise, Level::ChangesOnly] {
        if level == Level::Summarise && !summarisable {
            continue;
        }
        if !crate::budget::is_above(&out.content, max, options.encoding) {
            break;
        }
        out = render(&split, &parsed, level);
    }
    Some(out)
}

fn name_of(path: &str) -> String {
    let p = path
        .split('\t')
        .next()
        .unwrap_or(path)
        .trim_end_matches(' ');
    let p = p
        .strip_prefix("a/")
        .or_else(|| p.strip_prefix("b/"))
        .unwrap_or(p);
    p.to_string()
}

fn basename(p: &str) -> &str {
    p.rsplit(['/', '\\']).next().unwrap_or(p)
}

/// `@@ -a,b +c,d @@` → (b, d), counts defaulting to 1.
fn hunk_counts(l: &str) -> (usize, usize) {
    let mut counts = [1usize; 2];
    for (k, sign) in ["-", "+"].iter().enumerate() {
        let Some(at) = l[2..].find(&format!(" {sign}")) else {
            continue;
        };
        let rest = &l[2 + at + 2..];
        let range: &str = rest.split(' ').next().unwrap_or("");
        if let Some((_, n)) = range.split_once(',') {
            counts[k] = parse_count(n);
        }
    }
    (counts[0], counts[1])
}

/// A line count: plain digits (at most 15 of them), else 0.
fn parse_count(n: &str) -> usize {
    if n.is_empty() || n.len() > 15 || !n.bytes().all(|c| c.is_ascii_digit()) {
        return 0;
    }
    n.bytes().fold(0, |v, c| v * 10 + usize::from(c - b'0'))
}

fn parse<S: AsRef<str>>(lines: &[S]) -> Parsed {
    let n = lines.len();
    let mut p = Parsed {
        tags: vec![Tag::Other; n],
        file: vec![usize::MAX; n],
        files: Vec::new(),
    };
    let mut file = usize::MAX;
    // Header lines of the current file may follow (no hunk seen since it started).
    let mut in_header = false;
    let (mut old_left, mut new_left) = (0usize, 0usize);
    let mut binary = false;
    let start_file = |p: &mut Parsed, name: String| {
        let lockfile = LOCKFILES.contains(&basename(&name));
        p.files.push(FileInfo { name, lockfile });
        p.files.len() - 1
    };
    let mut k = 0;
    while k < n {
        let l = lines[k].as_ref();
        p.file[k] = file;
        if old_left > 0 || new_left > 0 {
            let tag = match l.as_bytes().first() {
                // A tab: a context line whose leading space a mail client or editor ate.
                None | Some(b' ' | b'\t') if old_left > 0 && new_left > 0 => {
                    old_left -= 1;
                    new_left -= 1;
                    Some(Tag::Context)
                }
                Some(b'-') if old_left > 0 => {
                    old_left -= 1;
                    Some(Tag::Del)
                }
                Some(b'+') if new_left > 0 => {
                    new_left -= 1;
                    Some(Tag::Add)
                }
                Some(b'\\') => Some(Tag::NoNewline),
                _ => None,
            };
            if let Some(tag) = tag {
                p.tags[k] = tag;
                k += 1;
                continue;
            }
            // The hunk's counts do not fit this line: it ends here.
            (old_left, new_left) = (0, 0);
        }
        if binary {
            if l.is_empty() {
                binary = false;
            } else {
                p.tags[k] = Tag::Binary;
                k += 1;
                continue;
            }
        }
        if l.starts_with("diff --git ") || l.starts_with("diff -") || l.starts_with("Index: ") {
            let name = match l.rfind(" b/") {
                Some(at) if l.starts_with("diff --git ") => name_of(&l[at + 1..]),
                _ => name_of(l.rsplit(' ').next().unwrap_or("")),
            };
            file = start_file(&mut p, name);
            p.file[k] = file;
            p.tags[k] = Tag::FileHeader;
            in_header = true;
        } else if l.starts_with("--- ")
            && lines
                .get(k + 1)
                .is_some_and(|x| x.as_ref().starts_with("+++ "))
        {
            let plus = lines[k + 1].as_ref();
            let new_name = name_of(&plus[4..]);
            let name = if new_name == "/dev/null" {
                name_of(&l[4..])
            } else {
                new_name
            };
            if !in_header {
                file = start_file(&mut p, name);
            }
            for j in [k, k + 1] {
                p.file[j] = file;
                p.tags[j] = Tag::FileHeader;
            }
            in_header = true;
            k += 2;
            continue;
        } else if file != usize::MAX && is_hunk_header(l) {
            p.tags[k] = Tag::HunkHeader;
            (old_left, new_left) = hunk_counts(l);
            in_header = false;
        } else if in_header && l.starts_with("GIT binary patch") {
            p.tags[k] = Tag::FileHeader;
            binary = true;
        } else if in_header && HEADER_PREFIXES.iter().any(|h| l.starts_with(h)) {
            p.tags[k] = Tag::FileHeader;
        } else if l.starts_with('\\')
            && k > 0
            && matches!(p.tags[k - 1], Tag::Add | Tag::Del | Tag::Context)
        {
            p.tags[k] = Tag::NoNewline;
        } else {
            in_header = in_header && l.is_empty();
        }
        k += 1;
    }
    p
}

/// Kept lines as given (`Lines::given`), each marker with the line end of the last line it
/// stands for.
fn render(split: &Lines, p: &Parsed, level: Level) -> Compressed {
    let lines = &split.lines;
    let n = lines.len();
    let mut out = String::new();
    let mut folded = 0;
    let mut lock_hunks = 0;
    let mut lock_files = 0;
    let mut binary = 0;
    let mut k = 0;
    while k < n {
        let tag = p.tags[k];
        let file = p.file.get(k).copied().unwrap_or(usize::MAX);
        let lockfile = level >= Level::Summarise && p.files.get(file).is_some_and(|f| f.lockfile);
        if lockfile
            && matches!(
                tag,
                Tag::HunkHeader | Tag::Add | Tag::Del | Tag::Context | Tag::NoNewline
            )
        {
            // Everything from here to the file's end (its hunks) becomes one summary.
            let (mut hunks, mut added, mut removed) = (0, 0, 0);
            let start = k;
            while k < n
                && p.file[k] == file
                && p.tags[k] != Tag::FileHeader
                && p.tags[k] != Tag::Other
            {
                match p.tags[k] {
                    Tag::HunkHeader => hunks += 1,
                    Tag::Add => added += 1,
                    Tag::Del => removed += 1,
                    _ => {}
                }
                k += 1;
            }
            lock_hunks += hunks;
            lock_files += 1;
            let name = basename(&p.files[file].name).to_string();
            out.push_str(&marker::lockfile_summary(
                &name,
                hunks,
                added,
                removed,
                k - start,
            ));
            out.push_str(split.line_end(k - 1));
            continue;
        }
        if tag == Tag::Binary && level >= Level::Summarise {
            let start = k;
            while k < n && p.tags[k] == Tag::Binary {
                k += 1;
            }
            binary += k - start;
            out.push_str(&marker::binary_patch(k - start));
            out.push_str(split.line_end(k - 1));
            continue;
        }
        if tag != Tag::Context {
            out.push_str(&split.given(k));
            k += 1;
            continue;
        }
        // A run of context lines: keep the ones next to a change.
        let start = k;
        while k < n && p.tags[k] == Tag::Context {
            k += 1;
        }
        let change_before =
            start > 0 && matches!(p.tags[start - 1], Tag::Add | Tag::Del | Tag::NoNewline);
        let change_after = k < n && matches!(p.tags[k], Tag::Add | Tag::Del);
        let keep = if level == Level::ChangesOnly {
            0
        } else {
            CONTEXT_KEEP
        };
        let head = if change_before { keep } else { 0 };
        // `\ No newline at end of file` speaks of the line above it: that line stays.
        let tail = if change_after { keep } else { 0 }
            .max(usize::from(k < n && p.tags[k] == Tag::NoNewline));
        let (fold_from, fold_to) = (start + head, k.saturating_sub(tail).max(start + head));
        let fold_bytes: usize = (fold_from..fold_to)
            .map(|j| lines[j].as_ref().len() + 1)
            .sum();
        let text = marker::unchanged_lines(fold_to - fold_from);
        let worth =
            fold_to > fold_from && text.len() + 1 < fold_bytes && (change_before || change_after);
        for j in start..k {
            if worth && j == fold_from {
                out.push_str(&text);
                out.push_str(split.line_end(fold_to - 1));
            }
            if !(worth && j >= fold_from && j < fold_to) {
                out.push_str(&split.given(j));
            }
        }
        if worth {
            folded += fold_to - fold_from;
        }
    }
    let mut omitted = Vec::new();
    if folded > 0 {
        omitted.push(Omission {
            unit: "lines",
            count: folded,
            summary: String::from("unchanged context lines"),
        });
    }
    if lock_hunks > 0 {
        omitted.push(Omission {
            unit: "hunks",
            count: lock_hunks,
            summary: marker::lockfile_omission_summary(lock_files),
        });
    }
    if binary > 0 {
        omitted.push(Omission {
            unit: "lines",
            count: binary,
            summary: String::from("binary patch data"),
        });
    }
    let strategy = match level {
        Level::Fold => "diff:fold",
        Level::Summarise => "diff:summarise",
        Level::ChangesOnly => "diff:changes",
    };
    Compressed {
        content: out,
        strategy: String::from(strategy),
        omitted,
        tokens: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::block::test_options as opts;

    #[test]
    fn folds_context_beyond_one_line_each_side() {
        let mut text = String::from(
            "diff --git a/x.c b/x.c\nindex 1..2 100644\n--- a/x.c\n+++ b/x.c\n@@ -1,12 +1,12 @@\n",
        );
        for k in 0..5 {
            text.push_str(&format!(" context line number {k} of the file\n"));
        }
        text.push_str("-old\n+new\n");
        for k in 5..10 {
            text.push_str(&format!(" context line number {k} of the file\n"));
        }
        let c = compress(&text, &opts(None)).expect("compressed");
        assert_eq!(
            c.content,
            "diff --git a/x.c b/x.c\nindex 1..2 100644\n--- a/x.c\n+++ b/x.c\n@@ -1,12 +1,12 @@\n[… 4 unchanged lines …]\n context line number 4 of the file\n-old\n+new\n context line number 5 of the file\n[… 4 unchanged lines …]\n"
        );
    }

    #[test]
    fn hunk_counts_decide_where_a_hunk_ends() {
        let text = "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n+b\n c\n--- not a header\nplain\n";
        let p = parse(&lines::split_raw(text).lines);
        assert_eq!(p.tags[6], Tag::Other);
        assert_eq!(hunk_counts("@@ -10 +12,0 @@ fn x()"), (1, 0));
    }
}
