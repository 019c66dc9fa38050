//! The diff compressor: unified and git diffs, format-patch mails (twin of `diff.ts`).
//!
//! Every `+`/`-` line and every file header stays. Always: unchanged context lines beyond one on
//! each side of a change fold into a marker with their count. Only above `max_block_tokens`, in
//! two steps: machine-written files are summarised, one marker line per file (the hunks of
//! lockfiles, generated and vendored files as their added/removed counts under their kept file
//! headers; a pure rename or a whole-file deletion, header and all, as one line; binary patch data
//! as its line count; a mail's diffstat, whose counts the changes shown repeat, as its line count);
//! then the remaining context lines fold too.
//!
//! Hunk headers stay as given, and the output stays truthful about where each shown line sits: a
//! fold directly under its hunk's header or at the hunk's end is a marker with its count (the
//! header locates it), and a fold between shown lines of a hunk names the old and new number of
//! its first line, so the lines after it are located too. Every line that is not a marker is a
//! line of the input.

use crate::block::{BlockOptions, Compressed, Omission};
use crate::lines::{self, Lines};
use crate::marker;
use crate::stop::poll;

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

/// Generated files by name: minified bundles, source maps, protobuf and Dart codegen output.
pub const GENERATED_SUFFIXES: &[&str] = &[
    ".min.js",
    ".min.css",
    ".map",
    ".pb.go",
    "_pb2.py",
    "_pb2_grpc.py",
    ".g.dart",
];

/// Generated files by a directory anywhere in their path: build output and test snapshots.
pub const GENERATED_DIRS: &[&str] = &["dist", "build", "__snapshots__"];

/// Vendored files: third-party code copied into the tree.
pub const VENDORED_DIRS: &[&str] = &["vendor", "third_party", "node_modules"];

/// What code generators write at the top of their output (Go's `Code generated … DO NOT EDIT.`).
const GENERATED_MARKS: &[&str] = &["@generated", "DO NOT EDIT", "Code generated"];

/// A generated-file mark counts within this many lines of the new file's top.
const GENERATED_MARK_WITHIN: usize = 10;

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

/// How a file is summarised above the budget: its hunks (under its headers), or all of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Summary {
    None,
    Lockfile,
    Generated,
    Vendored,
    Renamed,
    Deleted,
}

impl Summary {
    /// What a summary marker calls a file whose hunks it stands for.
    fn what(self) -> &'static str {
        match self {
            Summary::Lockfile => "lockfile",
            Summary::Generated => "generated file",
            Summary::Vendored => "vendored file",
            _ => "",
        }
    }
}

struct FileInfo {
    name: String,
    /// The line the file's section starts on.
    start: usize,
    summary: Summary,
    /// A pure rename's paths.
    from: String,
    to: String,
    /// A deleted binary file (no lines to count).
    binary: bool,
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
    // Summarising only changes something when a file is summarised or there is binary data or a
    // diffstat.
    let summarisable = parsed
        .files
        .iter()
        .any(|f| matches!(f.summary, Summary::Renamed | Summary::Deleted))
        || parsed
            .tags
            .iter()
            .zip(lines)
            .any(|(t, l)| is_diffstat(*t, l))
        || parsed.tags.iter().zip(&parsed.file).any(|(t, f)| {
            *t == Tag::Binary
                || (*t == Tag::HunkHeader
                    && parsed
                        .files
                        .get(*f)
                        .is_some_and(|x| x.summary != Summary::None))
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

/// A line of a format-patch mail's diffstat: ` path | 12 +++---`, ` path | 0`, ` path | Bin …`.
fn is_diffstat(tag: Tag, l: &str) -> bool {
    let Some(rest) = l.strip_prefix(' ') else {
        return false;
    };
    let Some(bar) = rest.find(" | ") else {
        return false;
    };
    if tag != Tag::Other || bar == 0 || rest.starts_with(' ') {
        return false;
    }
    let stat = rest[bar + 3..].trim_start_matches(' ');
    if let Some(bin) = stat.strip_prefix("Bin") {
        return bin.is_empty() || bin.starts_with(' ');
    }
    let digits = stat.bytes().take_while(u8::is_ascii_digit).count();
    let bars = &stat[digits..];
    digits > 0
        && (bars.is_empty()
            || (bars.len() > 1
                && bars.starts_with(' ')
                && bars[1..].bytes().all(|c| c == b'+' || c == b'-')))
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

struct HunkRange {
    old_start: usize,
    old_count: usize,
    new_start: usize,
    new_count: usize,
}

/// `@@ -a,b +c,d @@` → its numbers, counts defaulting to 1; `None` when one has over 15 digits.
fn hunk_range(l: &str) -> Option<HunkRange> {
    let b = l.as_bytes();
    let mut i = 4;
    let number = |i: &mut usize| -> Option<usize> {
        let d = b
            .get(*i..)?
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if d == 0 || d > 15 {
            return None;
        }
        let v = b[*i..*i + d]
            .iter()
            .fold(0usize, |v, c| v * 10 + usize::from(c - b'0'));
        *i += d;
        Some(v)
    };
    if !l.starts_with("@@ -") {
        return None;
    }
    let old_start = number(&mut i)?;
    let old_count = if b.get(i) == Some(&b',') {
        i += 1;
        number(&mut i)?
    } else {
        1
    };
    if !b.get(i..)?.starts_with(b" +") {
        return None;
    }
    i += 2;
    let new_start = number(&mut i)?;
    let new_count = if b.get(i) == Some(&b',') {
        i += 1;
        number(&mut i)?
    } else {
        1
    };
    if !b.get(i..)?.starts_with(b" @@") {
        return None;
    }
    Some(HunkRange {
        old_start,
        old_count,
        new_start,
        new_count,
    })
}

/// Whether a path follows a convention of generated files.
fn generated_path(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    let dirs = &path[..path.len() - base.len()];
    GENERATED_SUFFIXES
        .iter()
        .any(|x| base.ends_with(x) && base.len() > x.len())
        || base.contains(".generated.")
        || dirs.split('/').any(|d| GENERATED_DIRS.contains(&d))
}

fn vendored_path(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    let dirs = &path[..path.len() - base.len()];
    dirs.split('/').any(|d| VENDORED_DIRS.contains(&d))
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
    let start_file = |p: &mut Parsed, name: String, start: usize| {
        p.files.push(FileInfo {
            name,
            start,
            summary: Summary::None,
            from: String::new(),
            to: String::new(),
            binary: false,
        });
        p.files.len() - 1
    };
    let mut k = 0;
    while k < n {
        let l = lines[k].as_ref();
        poll(l.len() + 1);
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
            file = start_file(&mut p, name, k);
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
                file = start_file(&mut p, name, k);
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
    classify(lines, &mut p);
    p
}

#[derive(Clone, Copy, Default)]
struct Facts {
    deleted: bool,
    renamed: bool,
    other: bool,
    body: usize,
    binary: bool,
    data: bool,
    mark: bool,
}

/// Decides each file's summary from its path and its lines.
fn classify<S: AsRef<str>>(lines: &[S], p: &mut Parsed) {
    let mut facts = vec![Facts::default(); p.files.len()];
    let mut new_line = 0usize;
    for (k, l) in lines.iter().enumerate() {
        poll(l.as_ref().len() + 1);
        let f = p.file[k];
        let (Some(x), Some(info)) = (facts.get_mut(f), p.files.get_mut(f)) else {
            continue;
        };
        let l = l.as_ref();
        match p.tags[k] {
            Tag::FileHeader => {
                if l.starts_with("deleted file mode")
                    || (l.starts_with("+++ ") && name_of(&l[4..]) == "/dev/null")
                {
                    x.deleted = true;
                }
                if l.starts_with("Binary files") || l.starts_with("GIT binary patch") {
                    x.binary = true;
                }
                if l == "similarity index 100%" {
                    x.renamed = true;
                } else if let Some(from) = l.strip_prefix("rename from ") {
                    info.from = from.to_string();
                } else if let Some(to) = l.strip_prefix("rename to ") {
                    info.to = to.to_string();
                } else if !l.starts_with("diff --git ") {
                    x.other = true;
                }
            }
            Tag::HunkHeader => {
                new_line = match hunk_range(l) {
                    Some(r) => r.new_start + usize::from(r.new_count == 0),
                    None => GENERATED_MARK_WITHIN + 1,
                };
                x.body += 1;
            }
            Tag::Add | Tag::Context => {
                x.body += 1;
                if new_line <= GENERATED_MARK_WITHIN
                    && GENERATED_MARKS.iter().any(|m| l.contains(m))
                {
                    x.mark = true;
                }
                new_line = new_line.saturating_add(1);
            }
            Tag::Binary => {
                x.data = true;
                x.body += 1;
            }
            Tag::Other => {}
            Tag::Del | Tag::NoNewline => x.body += 1,
        }
    }
    for (info, x) in p.files.iter_mut().zip(&facts) {
        // Binary patch data of a deleted file may run past a blank line: its own summary covers it.
        info.summary = if x.deleted && !x.data {
            Summary::Deleted
        } else if x.renamed
            && !x.other
            && x.body == 0
            && !info.from.is_empty()
            && !info.to.is_empty()
        {
            Summary::Renamed
        } else if LOCKFILES.contains(&basename(&info.name)) {
            Summary::Lockfile
        } else if vendored_path(&info.name) {
            Summary::Vendored
        } else if generated_path(&info.name) || x.mark {
            Summary::Generated
        } else {
            Summary::None
        };
        info.binary = x.binary;
    }
}

fn is_body(t: Tag) -> bool {
    matches!(t, Tag::Add | Tag::Del | Tag::Context | Tag::NoNewline)
}

/// Kept lines as given (`Lines::given`), each marker with the line end of the last line it
/// stands for.
fn render(split: &Lines, p: &Parsed, level: Level) -> Compressed {
    let lines = &split.lines;
    let n = lines.len();
    let mut out = String::new();
    let mut folded = 0;
    // Per summary kind: files and hunks summarised (lockfile, generated, vendored, renamed, deleted).
    let kinds = [
        Summary::Lockfile,
        Summary::Generated,
        Summary::Vendored,
        Summary::Renamed,
        Summary::Deleted,
    ];
    let slot = |s: Summary| kinds.iter().position(|x| *x == s).unwrap_or(0);
    let mut summarised_files = [0usize; 5];
    let mut summarised_hunks = [0usize; 5];
    let mut deleted_lines = 0;
    let mut binary = 0;
    let mut diffstat = 0;
    let keep = if level == Level::ChangesOnly {
        0
    } else {
        CONTEXT_KEEP
    };
    let mut k = 0;
    while k < n {
        let tag = p.tags[k];
        let file = p.file[k];
        let info = if level >= Level::Summarise {
            p.files.get(file)
        } else {
            None
        };
        let summary = info.map_or(Summary::None, |f| f.summary);
        if let Some(info) = info {
            if matches!(summary, Summary::Renamed | Summary::Deleted) && k == info.start {
                // The whole section, headers and all, becomes one line.
                let mut removed = 0;
                while k < n && p.file[k] == file && p.tags[k] != Tag::Other {
                    poll(lines[k].as_ref().len() + 1);
                    removed += usize::from(p.tags[k] == Tag::Del);
                    k += 1;
                }
                summarised_files[slot(summary)] += 1;
                if summary == Summary::Renamed {
                    out.push_str(&marker::renamed_file(&info.from, &info.to));
                } else {
                    deleted_lines += removed;
                    out.push_str(&marker::deleted_file(
                        &info.name,
                        removed,
                        info.binary && removed == 0,
                    ));
                }
                out.push_str(split.line_end(k - 1));
                continue;
            }
            if summary != Summary::None && (tag == Tag::HunkHeader || is_body(tag)) {
                // Everything from here to the file's end (its hunks) becomes one summary.
                let (mut hunks, mut added, mut removed) = (0, 0, 0);
                let start = k;
                while k < n
                    && p.file[k] == file
                    && p.tags[k] != Tag::FileHeader
                    && p.tags[k] != Tag::Other
                {
                    poll(lines[k].as_ref().len() + 1);
                    match p.tags[k] {
                        Tag::HunkHeader => hunks += 1,
                        Tag::Add => added += 1,
                        Tag::Del => removed += 1,
                        _ => {}
                    }
                    k += 1;
                }
                summarised_hunks[slot(summary)] += hunks;
                summarised_files[slot(summary)] += 1;
                out.push_str(&marker::file_changes_summary(
                    basename(&info.name),
                    summary.what(),
                    hunks,
                    added,
                    removed,
                    k - start,
                ));
                out.push_str(split.line_end(k - 1));
                continue;
            }
        }
        if tag == Tag::Binary && level >= Level::Summarise {
            let start = k;
            while k < n && p.tags[k] == Tag::Binary {
                poll(lines[k].as_ref().len() + 1);
                k += 1;
            }
            binary += k - start;
            out.push_str(&marker::binary_patch(k - start));
            out.push_str(split.line_end(k - 1));
            continue;
        }
        if level >= Level::Summarise && is_diffstat(tag, lines[k].as_ref()) {
            let start = k;
            while k < n && is_diffstat(p.tags[k], lines[k].as_ref()) {
                poll(lines[k].as_ref().len() + 1);
                k += 1;
            }
            diffstat += k - start;
            out.push_str(&marker::diffstat(k - start));
            out.push_str(split.line_end(k - 1));
            continue;
        }
        if tag == Tag::HunkHeader {
            k = render_hunk(split, p, k, keep, &mut out, &mut folded);
            continue;
        }
        poll(lines[k].as_ref().len() + 1);
        out.push_str(&split.given(k));
        k += 1;
    }
    let mut omitted = Vec::new();
    if folded > 0 {
        omitted.push(Omission {
            unit: "lines",
            count: folded,
            summary: String::from("unchanged context lines"),
        });
    }
    for s in [Summary::Lockfile, Summary::Generated, Summary::Vendored] {
        if summarised_hunks[slot(s)] > 0 {
            omitted.push(Omission {
                unit: "hunks",
                count: summarised_hunks[slot(s)],
                summary: marker::summarised_files_omission(summarised_files[slot(s)], s.what()),
            });
        }
    }
    if summarised_files[slot(Summary::Renamed)] > 0 {
        omitted.push(Omission {
            unit: "files",
            count: summarised_files[slot(Summary::Renamed)],
            summary: marker::renames_omission(),
        });
    }
    if summarised_files[slot(Summary::Deleted)] > 0 {
        omitted.push(Omission {
            unit: "lines",
            count: deleted_lines,
            summary: marker::deleted_files_omission(summarised_files[slot(Summary::Deleted)]),
        });
    }
    if binary > 0 {
        omitted.push(Omission {
            unit: "lines",
            count: binary,
            summary: String::from("binary patch data"),
        });
    }
    if diffstat > 0 {
        omitted.push(Omission {
            unit: "lines",
            count: diffstat,
            summary: String::from("diffstat"),
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

/// One hunk, its header (at `h`) kept as given: context runs fold (`keep` lines kept next to each
/// change), each into a marker that locates the lines after it (`fold_marker`). Returns the line
/// after the hunk.
fn render_hunk(
    split: &Lines,
    p: &Parsed,
    h: usize,
    keep: usize,
    out: &mut String,
    folded: &mut usize,
) -> usize {
    let lines = &split.lines;
    let n = lines.len();
    let mut e = h + 1;
    while e < n && is_body(p.tags[e]) {
        e += 1;
    }
    out.push_str(&split.given(h));
    let Some(range) = hunk_range(lines[h].as_ref()) else {
        for (i, l) in lines.iter().enumerate().take(e).skip(h + 1) {
            poll(l.as_ref().len() + 1);
            out.push_str(&split.given(i));
        }
        return e;
    };
    // Each body line's number in the old and the new file (a side the line is not on: the next line's).
    let mut old_at = vec![0usize; e - h];
    let mut new_at = vec![0usize; e - h];
    let mut old_line = range.old_start + usize::from(range.old_count == 0);
    let mut new_line = range.new_start + usize::from(range.new_count == 0);
    for i in h + 1..e {
        poll(lines[i].as_ref().len() + 1);
        let t = p.tags[i];
        old_at[i - h] = old_line;
        new_at[i - h] = new_line;
        old_line += usize::from(matches!(t, Tag::Context | Tag::Del));
        new_line += usize::from(matches!(t, Tag::Context | Tag::Add));
    }
    // Under the header (which locates it) or at the hunk's end (no line after it to locate), a
    // fold's count is enough; between shown lines it also names where it starts.
    let fold_marker = |from: usize, to: usize| {
        if from == h + 1 || to == e {
            marker::unchanged_lines(to - from)
        } else {
            marker::unchanged_range(to - from, old_at[from - h], new_at[from - h])
        }
    };
    let mut fold = vec![false; e - h];
    let mut j = h + 1;
    while j < e {
        if p.tags[j] != Tag::Context {
            j += 1;
            continue;
        }
        let start = j;
        while j < e && p.tags[j] == Tag::Context {
            poll(lines[j].as_ref().len() + 1);
            j += 1;
        }
        let change_before =
            start > h + 1 && matches!(p.tags[start - 1], Tag::Add | Tag::Del | Tag::NoNewline);
        let change_after = j < e && matches!(p.tags[j], Tag::Add | Tag::Del);
        let head = if change_before { keep } else { 0 };
        // `\ No newline at end of file` speaks of the line above it: that line stays.
        let tail = if change_after { keep } else { 0 }
            .max(usize::from(j < e && p.tags[j] == Tag::NoNewline));
        let fold_from = start + head;
        let fold_to = j.saturating_sub(tail).max(fold_from);
        if fold_to == fold_from || !(change_before || change_after) {
            continue;
        }
        let fold_bytes: usize = (fold_from..fold_to)
            .map(|i| lines[i].as_ref().len() + 1)
            .sum();
        if fold_marker(fold_from, fold_to).len() + 1 < fold_bytes {
            fold[fold_from - h..fold_to - h].fill(true);
        }
    }
    j = h + 1;
    while j < e {
        poll(lines[j].as_ref().len() + 1);
        if !fold[j - h] {
            out.push_str(&split.given(j));
            j += 1;
            continue;
        }
        let start = j;
        while j < e && fold[j - h] {
            poll(lines[j].as_ref().len() + 1);
            j += 1;
        }
        out.push_str(&fold_marker(start, j));
        out.push_str(split.line_end(j - 1));
        *folded += j - start;
    }
    e
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
    fn keeps_the_hunk_header_and_locates_lines_after_a_fold_between_changes() {
        let mut text = String::from(
            "--- a/f.rs\n+++ b/f.rs\n@@ -10,10 +10,11 @@ fn f()\n first\n-old a\n+new a\n+new b\n",
        );
        for k in 0..6 {
            text.push_str(&format!(" unchanged body line {k} of the function\n"));
        }
        text.push_str("-old c\n+new c\n last\n");
        let c = compress(&text, &opts(None)).expect("compressed");
        // Old 10, 11 / new 10–12; unchanged old 12–17 = new 13–18, of which old 13–16 = new 14–17 fold.
        assert_eq!(
            c.content,
            "--- a/f.rs\n+++ b/f.rs\n@@ -10,10 +10,11 @@ fn f()\n first\n-old a\n+new a\n+new b\n unchanged body line 0 of the function\n[… 4 unchanged lines at -13 +14 …]\n unchanged body line 5 of the function\n-old c\n+new c\n last\n"
        );
    }

    #[test]
    fn hunk_ranges_default_counts_to_one() {
        let r = hunk_range("@@ -26 +27,0 @@ fn x()").expect("range");
        assert_eq!(
            (r.old_start, r.old_count, r.new_start, r.new_count),
            (26, 1, 27, 0)
        );
        let r = hunk_range("@@ -0,0 +1,3 @@ x").expect("range");
        assert_eq!(
            (r.old_start, r.old_count, r.new_start, r.new_count),
            (0, 0, 1, 3)
        );
        assert!(hunk_range("@@ -1234567890123456 +1 @@").is_none());
    }

    #[test]
    fn machine_written_paths_follow_conventions_not_names() {
        for p in [
            "dist/app.js",
            "web/build/x.css",
            "a.min.js",
            "api/x.pb.go",
            "m_pb2.py",
            "lib/x.g.dart",
            "src/__snapshots__/a.snap",
            "types.generated.ts",
        ] {
            assert!(generated_path(p), "{p}");
        }
        for p in ["src/build.ts", "dist.md", ".map", "docs/distribution/x.md"] {
            assert!(!generated_path(p), "{p}");
        }
        assert!(vendored_path("vendor/github.com/x/y.go"));
        assert!(vendored_path("a/third_party/zlib/inflate.c"));
        assert!(!vendored_path("src/vendor.ts"));
    }

    #[test]
    fn hunk_counts_decide_where_a_hunk_ends() {
        let text = "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n+b\n c\n--- not a header\nplain\n";
        let p = parse(&lines::split_raw(text).lines);
        assert_eq!(p.tags[6], Tag::Other);
        assert_eq!(hunk_counts("@@ -10 +12,0 @@ fn x()"), (1, 0));
    }

    #[test]
    fn a_raised_stop_is_seen_while_parsing_classifying_and_rendering() {
        use crate::stop::{self, Stop, Stopped};
        use std::sync::{atomic::AtomicBool, Arc};
        let text: String = std::iter::once("--- a/f.rs\n+++ b/f.rs\n".to_string())
            .chain((0..2_000).map(|i| {
                let a = i * 10 + 1;
                format!(
                    "@@ -{a},7 +{a},7 @@\n c{a}\n c{}\n c{}\n-old {i}\n+new {i}\n c{}\n c{}\n c{}\n",
                    a + 1,
                    a + 2,
                    a + 4,
                    a + 5,
                    a + 6
                )
            }))
            .collect();
        let split = lines::split_raw(&text);
        let raised = Stop {
            deadline: None,
            cancel: Some(Arc::new(AtomicBool::new(true))),
        };
        assert!(stop::within(&raised, || parse(&split.lines)).is_err());
        let mut p = parse(&split.lines);
        assert_eq!(
            stop::within(&raised, || render(&split, &p, Level::Fold)).map(|_| ()),
            Err(Stopped)
        );
        assert_eq!(
            stop::within(&raised, || classify(&split.lines, &mut p)),
            Err(Stopped)
        );
    }
}
