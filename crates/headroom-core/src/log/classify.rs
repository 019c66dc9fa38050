//! What each log line is (twin of `log/classify.ts`): its leading timestamp, level, whether it
//! signals an error or warning, belongs to a stack trace, states a summary (test totals, build
//! result, exit code) or opens a section. ASCII-only rules (PRODUCT §9).

use crate::lines::is_blank;
use crate::lines::{intern, Interned, LineMap};
use crate::select::{query_hits, word_signal, Signal, ERROR_WORDS, WARNING_WORDS};
use std::sync::OnceLock;

/// Log levels, in increasing severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Trace,
    Debug,
    Info,
    Notice,
    Warn,
    Error,
    Fatal,
}

impl Level {
    pub const ALL: [Level; 7] = [
        Level::Trace,
        Level::Debug,
        Level::Info,
        Level::Notice,
        Level::Warn,
        Level::Error,
        Level::Fatal,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Notice => "NOTICE",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
            Level::Fatal => "FATAL",
        }
    }

    /// The level an uppercase word names.
    fn from_upper(w: &[u8]) -> Option<Level> {
        Some(match w {
            b"TRACE" | b"FINEST" | b"FINER" | b"VERBOSE" => Level::Trace,
            b"DEBUG" | b"DBG" | b"FINE" => Level::Debug,
            b"INFO" | b"INF" | b"CONFIG" | b"INFORMATION" => Level::Info,
            b"NOTICE" => Level::Notice,
            b"WARN" | b"WARNING" | b"WRN" => Level::Warn,
            b"ERROR" | b"ERR" | b"SEVERE" => Level::Error,
            b"FATAL" | b"FTL" | b"CRITICAL" | b"CRIT" | b"ALERT" | b"EMERG" | b"EMERGENCY"
            | b"PANIC" => Level::Fatal,
            _ => return None,
        })
    }
}

/// What a line is, strongest first; everything but `Plain` is kept verbatim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// A line of a stack trace (frames, `Caused by:`, `Traceback`, goroutine headers).
    Frame,
    /// An error, failure, fatal, exception, panic or assertion line.
    Error,
    Warning,
    /// Test totals, build results, exit codes.
    Summary,
    /// A line with a term of the block's query.
    Query,
    /// A line whose numeric field is a statistical outlier or where its level shifts (see
    /// `outliers`).
    Outlier,
    Plain,
}

/// Everything selection needs to know about one line.
#[derive(Clone, Copy, Debug)]
pub struct LineInfo {
    /// Byte length of the leading timestamp (with the separator after it).
    pub ts: usize,
    /// Blanks between the timestamp and the text.
    pub indent: usize,
    /// Nothing but the timestamp and blanks.
    pub blank: bool,
    pub level: Option<Level>,
    pub class: Class,
    /// Opens a section (`##[group]`, `> Task :x`, banner lines).
    pub header: bool,
}

/// Classifies every line; `terms` are the block's query terms.
pub fn classify_all<S: AsRef<str>>(lines: &[S], terms: &[String]) -> Vec<LineInfo> {
    classify_interned(lines, &intern(lines), terms)
}

/// `classify_all` for lines already interned: each distinct line is classified once.
pub fn classify_interned<S: AsRef<str>>(
    lines: &[S],
    interned: &Interned,
    terms: &[String],
) -> Vec<LineInfo> {
    let mut out: Vec<LineInfo> = Vec::with_capacity(lines.len());
    let mut shapes: Vec<Shape> = Vec::with_capacity(lines.len());
    let mut seen: Vec<Option<(LineInfo, Shape)>> = vec![None; interned.distinct];
    for (line, &id) in lines.iter().zip(&interned.ids) {
        let (info, shape) =
            *seen[id as usize].get_or_insert_with(|| classify(line.as_ref(), terms));
        out.push(info);
        shapes.push(shape);
    }
    program_levels(lines, &mut out);
    // Shapes that depend on their neighbours: Python's source echo under `File "…", line N`
    // (and the caret line under it), Go's function line above its `file.go:N` line.
    for k in 0..out.len() {
        match shapes[k] {
            Shape::PyFile => {
                let base = out[k].indent;
                let mut j = k + 1;
                if j < out.len() && shapes[j] == Shape::None && out[j].indent > base {
                    out[j].class = Class::Frame;
                    j += 1;
                    if j < out.len() && shapes[j] == Shape::Carets {
                        out[j].class = Class::Frame;
                    }
                }
            }
            Shape::GoFile if k > 0 => {
                let prev = k - 1;
                if shapes[prev] == Shape::GoFunc && out[prev].indent < out[k].indent {
                    out[prev].class = Class::Frame;
                }
            }
            _ => {}
        }
    }
    out
}

/// Fewest lines a program name must lead, each followed by a level word, to count as a log's
/// source (prose has `the error …` now and then, npm's output has hundreds of `npm http …`).
pub const PROGRAM_MIN_LINES: usize = 3;

/// `npm silly …`, `npm http fetch …`, `gyp info …`: a lowercase program name, then a lowercase
/// level word. Gives such lines their level (and class) when the name leads enough of them.
fn program_levels<S: AsRef<str>>(lines: &[S], out: &mut [LineInfo]) {
    let mut found: Vec<(usize, &str, Level)> = Vec::new();
    for (k, (line, li)) in lines.iter().zip(out.iter()).enumerate() {
        if li.level.is_some() || li.indent > 0 {
            continue;
        }
        let msg = &line.as_ref()[li.ts..];
        if let Some((name, level)) = program_level(msg) {
            found.push((k, name, level));
        }
    }
    if found.len() < PROGRAM_MIN_LINES {
        return;
    }
    let mut counts: LineMap<&str, usize> = LineMap::default();
    for (_, name, _) in &found {
        *counts.entry(name).or_insert(0) += 1;
    }
    for (k, name, level) in found {
        if counts.get(name).is_some_and(|n| *n >= PROGRAM_MIN_LINES) {
            let li = &mut out[k];
            li.level = Some(level);
            let upgraded = match level {
                Level::Error | Level::Fatal => Class::Error,
                Level::Warn => Class::Warning,
                _ => li.class,
            };
            if matches!(li.class, Class::Plain | Class::Summary | Class::Query)
                && upgraded != li.class
            {
                li.class = upgraded;
                li.header = false;
            }
        }
    }
}

/// The program name and level of `npm http fetch …`: a lowercase name (letters, digits, `-`,
/// `_`), a lowercase level word, then more text.
fn program_level(msg: &str) -> Option<(&str, Level)> {
    let b = msg.as_bytes();
    let mut toks = tokens(b);
    let (s0, e0) = toks.next()?;
    let (s1, e1) = toks.next()?;
    toks.next()?;
    let name = &b[s0..e0];
    if name.len() < 2
        || name.len() > 32
        || !name[0].is_ascii_lowercase()
        || !name
            .iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'-' | b'_'))
    {
        return None;
    }
    let level = match &b[s1..e1] {
        b"silly" | b"verbose" | b"trace" => Level::Trace,
        b"debug" | b"timing" => Level::Debug,
        b"info" | b"http" => Level::Info,
        b"notice" => Level::Notice,
        b"warn" | b"warning" => Level::Warn,
        b"error" => Level::Error,
        b"fatal" => Level::Fatal,
        _ => return None,
    };
    Some((&msg[s0..e0], level))
}

/// Shapes that make a line part of a stack trace on its own or with a neighbour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    None,
    Frame,
    PyFile,
    GoFile,
    /// `pkg.Func(args)`: a frame when a `file.go:N` line follows.
    GoFunc,
    /// Only `^`/`~` under a Python source line.
    Carets,
}

fn classify(line: &str, terms: &[String]) -> (LineInfo, Shape) {
    let b = line.as_bytes();
    let ts = timestamp_len(b);
    let msg = &line[ts..];
    let mb = msg.as_bytes();
    let indent = mb.iter().take_while(|c| is_blank(**c)).count();
    let level = level(mb, ts > 0);
    let shape = frame_shape(&msg[indent..], indent);
    let class = if shape == Shape::Frame || shape == Shape::PyFile || shape == Shape::GoFile {
        Class::Frame
    } else {
        let signal = line_signal(mb).max(http_status_signal(mb));
        if signal == Signal::Error
            || matches!(level, Some(Level::Error | Level::Fatal))
            || is_pytest_error(mb)
            || failure_phrase(mb)
        {
            Class::Error
        } else if signal == Signal::Warning || level == Some(Level::Warn) {
            Class::Warning
        } else if is_summary(mb) {
            Class::Summary
        } else if !terms.is_empty() && query_hits(msg, terms) > 0 {
            Class::Query
        } else {
            Class::Plain
        }
    };
    let header = class == Class::Plain && is_header(&mb[indent..]);
    (
        LineInfo {
            ts,
            indent,
            blank: indent == mb.len(),
            level,
            class,
            header,
        },
        shape,
    )
}

/// A small cursor over ASCII structure.
struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Consumes a run of `min..=max` digits (the whole run, or nothing).
    fn digits(&mut self, min: usize, max: usize) -> bool {
        let n = self.b[self.i..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if n < min || n > max {
            return false;
        }
        self.i += n;
        true
    }

    fn word_in(&mut self, list: &[&[u8]]) -> bool {
        let rest = &self.b[self.i..];
        for w in list {
            if rest.starts_with(w) && !rest.get(w.len()).is_some_and(|c| c.is_ascii_alphabetic()) {
                self.i += w.len();
                return true;
            }
        }
        false
    }

    fn spaces(&mut self, min: usize) -> bool {
        let n = self.b[self.i..].iter().take_while(|c| **c == b' ').count();
        if n < min {
            return false;
        }
        self.i += n;
        true
    }

    /// Runs `f`; on failure restores the position.
    fn attempt(&mut self, f: impl FnOnce(&mut Self) -> bool) -> bool {
        let save = self.i;
        if f(self) {
            true
        } else {
            self.i = save;
            false
        }
    }
}

const MONTHS: &[&[u8]] = &[
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];
const WEEKDAYS: &[&[u8]] = &[b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];

/// `H:MM`, `HH:MM:SS`, with a fraction after `.`, `,` or `:`; `full` demands seconds.
fn time(c: &mut Cur, full: bool) -> bool {
    c.attempt(|c| {
        if !(c.digits(1, 2) && c.eat(b':') && c.digits(2, 2)) {
            return false;
        }
        let seconds = c.attempt(|c| c.eat(b':') && c.digits(2, 2));
        if full && !seconds {
            return false;
        }
        if seconds {
            c.attempt(|c| {
                let comma = c.peek() == Some(b',');
                (c.eat(b'.') || c.eat(b',') || c.eat(b':'))
                    && c.digits(1, 9)
                    // `…:00,19.76` or `…:00,19` at the end: a CSV's next field, not milliseconds.
                    && !(comma && matches!(c.peek(), None | Some(b'.' | b',')))
            });
        }
        true
    })
}

/// `Z`, `+02:00`, `-0700` right after a time.
fn zone(c: &mut Cur) {
    if c.eat(b'Z') {
        return;
    }
    c.attempt(|c| {
        (c.eat(b'+') || c.eat(b'-')) && c.digits(2, 2) && {
            c.attempt(|c| {
                c.eat(b':');
                c.digits(2, 2)
            });
            true
        }
    });
}

/// `2022-04-13T14:53:12.09Z`, `2015/10/18 18:01:47,978`, `17/06/09 20:10:40`, `03-17 16:13:38.811`,
/// `2005.06.03`, `10.30 16:49:06`.
fn date_time(c: &mut Cur) -> bool {
    c.attempt(|c| {
        let start = c.i;
        if !c.digits(2, 4) {
            return false;
        }
        let year4 = c.i - start == 4;
        let Some(sep) = c.peek().filter(|s| matches!(s, b'-' | b'/' | b'.')) else {
            return false;
        };
        c.i += 1;
        if !c.digits(1, 2) {
            return false;
        }
        let three = c.attempt(|c| c.eat(sep) && c.digits(1, 2));
        let timed = c.attempt(|c| {
            matches!(c.peek(), Some(b'T' | b' ' | b'_' | b'-' | b':')) && {
                c.i += 1;
                time(c, false)
            }
        });
        if timed {
            zone(c);
            return true;
        }
        three && year4
    })
}

/// Syslog `Dec 10 06:55:46`.
fn syslog(c: &mut Cur) -> bool {
    c.attempt(|c| {
        c.word_in(MONTHS) && c.spaces(1) && c.digits(1, 2) && c.spaces(1) && time(c, true)
    })
}

/// ctime `Sun Dec 04 04:47:44 2005`.
fn ctime(c: &mut Cur) -> bool {
    c.attempt(|c| {
        c.word_in(WEEKDAYS) && c.spaces(1) && syslog(c) && {
            c.attempt(|c| c.spaces(1) && c.digits(4, 4));
            true
        }
    })
}

/// `081109 203615` (HDFS), `20171223-22:15:29:606`.
fn compact(c: &mut Cur) -> bool {
    c.attempt(|c| {
        c.digits(6, 8) && matches!(c.peek(), Some(b'-' | b' ' | b'T')) && {
            c.i += 1;
            time(c, true) || c.digits(6, 6)
        }
    })
}

/// Common Log Format `10/Oct/2000:13:55:36 -0700`.
fn clf(c: &mut Cur) -> bool {
    c.attempt(|c| {
        c.digits(1, 2)
            && c.eat(b'/')
            && c.word_in(MONTHS)
            && c.eat(b'/')
            && c.digits(4, 4)
            && c.eat(b':')
            && time(c, true)
            && {
                c.attempt(|c| c.eat(b' ') && (c.eat(b'+') || c.eat(b'-')) && c.digits(4, 4));
                true
            }
    })
}

/// Byte length of a leading timestamp (optionally in brackets) and the one blank or `|` (or `, `)
/// after it; 0 when the line does not start with one.
pub fn timestamp_len(b: &[u8]) -> usize {
    let mut c = Cur { b, i: 0 };
    let bracket = c.eat(b'[');
    if bracket {
        c.spaces(0);
    }
    // Every form starts with a digit or a capitalised month or weekday.
    if !c
        .peek()
        .is_some_and(|x| x.is_ascii_digit() || x.is_ascii_uppercase())
    {
        return 0;
    }
    let found = ctime(&mut c)
        || syslog(&mut c)
        || date_time(&mut c)
        || compact(&mut c)
        || clf(&mut c)
        || time(&mut c, true)
        || (bracket && c.attempt(|c| c.digits(1, 12) && c.eat(b'.') && c.digits(1, 9)));
    if !found || (bracket && !c.eat(b']')) {
        return 0;
    }
    // One separator after the stamp; further blanks are the message's indentation.
    match (c.peek(), b.get(c.i + 1)) {
        (None, _) => c.i,
        (Some(x), _) if x == b'|' || is_blank(x) => c.i + 1,
        // `2016-09-28 04:30:30, Info …`
        (Some(b',' | b';'), Some(&y)) if is_blank(y) => c.i + 2,
        // A CSV series: `2014-04-01 00:05:00,20.5`
        (Some(b','), Some(&y)) if y.is_ascii_digit() || y == b'-' => c.i + 1,
        _ => 0,
    }
}

/// Blank-separated tokens of `b` as byte ranges.
pub fn tokens(b: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() && is_blank(b[i]) {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        let start = i;
        while i < b.len() && !is_blank(b[i]) {
            i += 1;
        }
        Some((start, i))
    })
}

fn starts_with_ci(b: &[u8], prefix: &[u8]) -> bool {
    b.len() >= prefix.len() && b[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// The level named among the first tokens of a message (after its timestamp; after one, a
/// capitalised `Info`/`Warning`/`Error` counts too).
pub fn level(msg: &[u8], stamped: bool) -> Option<Level> {
    let marked = matches!(msg.first(), Some(b'#' | b':'));
    for (prefix, lvl) in [
        (&b"##[error]"[..], Level::Error),
        (b"##[warning]", Level::Warn),
        (b"##[notice]", Level::Notice),
        (b"##[debug]", Level::Debug),
        (b"::error", Level::Error),
        (b"::warning", Level::Warn),
    ] {
        if marked && msg.starts_with(prefix) {
            return Some(lvl);
        }
    }
    // Header fields without lowercase letters (`- 1117838570 2005.06.03 R02-M1-N0 … RAS KERNEL
    // INFO`, BGL) may put the level further in.
    let mut header = true;
    for (k, (s, e)) in tokens(msg).take(MAX_HEADER_TOKENS).enumerate() {
        let t = &msg[s..e];
        if k >= 4 {
            if !header {
                break;
            }
            if t.iter().all(|c| c.is_ascii_uppercase()) {
                if let Some(l) = upper_level(t) {
                    return Some(l);
                }
            }
            header = !t.iter().any(|c| c.is_ascii_lowercase());
            continue;
        }
        header &= !t.iter().any(|c| c.is_ascii_lowercase());
        if k == 0 && t.len() >= 5 && matches!(t[0], b'I' | b'W' | b'E' | b'F') {
            // glog: `I0412 12:00:00.000 …`
            if t[1..5].iter().all(|c| c.is_ascii_digit()) {
                return Some(match t[0] {
                    b'I' => Level::Info,
                    b'W' => Level::Warn,
                    b'E' => Level::Error,
                    _ => Level::Fatal,
                });
            }
        }
        if let Some(l) = token_level(t, stamped) {
            return Some(l);
        }
    }
    None
}

/// How many leading tokens may hold a level when all before it are header fields.
pub const MAX_HEADER_TOKENS: usize = 10;

/// True when the token names a level (`INFO`, `[warn]`, `error:`, `level=debug`; `Info` after
/// a timestamp).
pub fn token_is_level(t: &[u8], stamped: bool) -> bool {
    token_level(t, stamped).is_some()
}

fn token_level(t: &[u8], stamped: bool) -> Option<Level> {
    for key in [&b"level="[..], b"lvl=", b"severity="] {
        if starts_with_ci(t, key) {
            let v = &t[key.len()..];
            let v = v.strip_prefix(b"\"").unwrap_or(v);
            let end = v
                .iter()
                .position(|c| !c.is_ascii_alphabetic())
                .unwrap_or(v.len());
            return upper_level(&v[..end]);
        }
    }
    let (word, any_case) = if matches!(t.first(), Some(b'[' | b'<' | b'(')) {
        let inner = &t[1..];
        let end = inner
            .iter()
            .position(|c| matches!(c, b']' | b'>' | b')'))
            .unwrap_or(inner.len());
        (&inner[..end], true)
    } else {
        match t.iter().position(|c| matches!(c, b':' | b'!')) {
            Some(end) => (&t[..end], true),
            None => (t, false),
        }
    };
    if word.is_empty() || word.len() > 11 || !word.iter().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let upper = word.iter().all(|c| c.is_ascii_uppercase());
    let title =
        stamped && word[0].is_ascii_uppercase() && word[1..].iter().all(|c| c.is_ascii_lowercase());
    if !any_case && !upper && !title {
        return None;
    }
    upper_level(word)
}

/// The level an ASCII word names, in any case (no allocation: at most 11 letters matter).
fn upper_level(word: &[u8]) -> Option<Level> {
    if word.len() > 11 {
        return None;
    }
    let mut buf = [0u8; 11];
    for (k, c) in word.iter().enumerate() {
        buf[k] = c.to_ascii_uppercase();
    }
    Level::from_upper(&buf[..word.len()])
}

/// The strongest signal of a line, by its words, skipping words that only name things: paths
/// and URLs, command-line flags, keys of `key=value`, package parts of dotted names, the inner
/// words of identifiers (`TestErrorHandling` is a name; `NullPointerException` and
/// `AssertionError` end in an error), and counters at zero (`Failures: 0`, `0 errors`).
pub fn line_signal(msg: &[u8]) -> Signal {
    let mut signal = Signal::None;
    let mut toks = tokens(msg).peekable();
    let mut prev: &[u8] = &[];
    while let Some((s, e)) = toks.next() {
        let whole = &msg[s..e];
        let before = std::mem::replace(&mut prev, whole);
        let mut t = whole;
        // One pass: paths and URLs are skipped, `key=value` keeps the value.
        let mut eq = None;
        let mut path = false;
        for (k, &c) in t.iter().enumerate() {
            if c == b'/' || c == b'\\' {
                path = true;
                break;
            }
            if c == b'=' && eq.is_none() {
                eq = Some(k);
            }
        }
        if path {
            continue;
        }
        if t.len() > 1 && t[0] == b'-' && (t[1] == b'-' || t[1].is_ascii_alphabetic()) {
            continue;
        }
        if let Some(eq) = eq {
            t = &t[eq + 1..];
        }
        let found = token_signal(t);
        if found == Signal::None {
            continue;
        }
        let zero_after = toks.peek().is_some_and(|&(a, b)| is_zero(&msg[a..b]));
        if is_zero(before) || zero_after {
            continue;
        }
        if found == Signal::Error {
            return Signal::Error;
        }
        signal = Signal::Warning;
    }
    signal
}

/// `0`, `0,`, `(0`: a counter at zero.
fn is_zero(t: &[u8]) -> bool {
    let t = &t[t.iter().take_while(|c| matches!(c, b'(' | b'[')).count()..];
    t.first() == Some(&b'0') && !t.get(1).is_some_and(|c| c.is_ascii_digit() || *c == b'.')
}

/// Signal of the last word of each alphanumeric segment of a token (of the last segment only
/// for a dotted name such as `org.example.errors.BindingTest`), see `line_signal`. One pass.
fn token_signal(t: &[u8]) -> Signal {
    let (mut best, mut last) = (Signal::None, Signal::None);
    let mut dotted = false;
    let mut i = 0;
    while i < t.len() {
        if !t[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < t.len() && t[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if start > 1 && t[start - 1] == b'.' && t[start - 2].is_ascii_alphanumeric() {
            dotted = true;
        }
        last = segment_signal(&t[start..i]);
        best = best.max(last);
    }
    if dotted {
        last
    } else {
        best
    }
}

/// The signal words, for lookups without allocation.
fn signal_words() -> &'static LineMap<&'static [u8], Signal> {
    static WORDS: OnceLock<LineMap<&'static [u8], Signal>> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut m = LineMap::default();
        for w in ERROR_WORDS.iter().chain(WARNING_WORDS) {
            m.insert(w.as_bytes(), word_signal(w));
        }
        m
    })
}

/// For each word length, the first letters the signal words of that length start with: most
/// words are rejected here without a lookup.
fn signal_initials() -> &'static [u32; 16] {
    static INITIALS: OnceLock<[u32; 16]> = OnceLock::new();
    INITIALS.get_or_init(|| {
        let mut masks = [0u32; 16];
        for w in ERROR_WORDS.iter().chain(WARNING_WORDS) {
            if let Some(&c) = w.as_bytes().first() {
                if w.len() < 16 && c.is_ascii_lowercase() {
                    masks[w.len()] |= 1 << (c - b'a');
                }
            }
        }
        masks
    })
}

/// The signal of a segment's last camel-case word.
fn segment_signal(seg: &[u8]) -> Signal {
    let w = last_word(seg);
    if w.len() < 3 || w.len() > 12 || !w[0].is_ascii_alphabetic() {
        return Signal::None;
    }
    if signal_initials()[w.len()] & (1 << (w[0].to_ascii_lowercase() - b'a')) == 0 {
        return Signal::None;
    }
    let mut buf = [0u8; 12];
    for (k, c) in w.iter().enumerate() {
        buf[k] = c.to_ascii_lowercase();
    }
    signal_words()
        .get(&buf[..w.len()])
        .copied()
        .unwrap_or(Signal::None)
}

/// The last camel-case word of an alphanumeric segment: splits before an uppercase letter that
/// follows a lowercase one (`assertionError`) or that starts a word after an acronym
/// (`IOException` → `Exception`).
fn last_word(seg: &[u8]) -> &[u8] {
    let mut start = 0;
    for k in 1..seg.len() {
        let (p, c) = (seg[k - 1], seg[k]);
        let next_lower = seg.get(k + 1).is_some_and(|n| n.is_ascii_lowercase());
        if c.is_ascii_uppercase()
            && (p.is_ascii_lowercase()
                || p.is_ascii_digit()
                || (p.is_ascii_uppercase() && next_lower))
        {
            start = k;
        }
    }
    &seg[start..]
}

/// HTTP statuses in access and service logs: 5xx is an error, 4xx a warning. Read after
/// `HTTP/1.1" ` (common log format) and after `status=`, `status:`, `status_code=`.
pub fn http_status_signal(msg: &[u8]) -> Signal {
    let status = |rest: &[u8]| {
        let d = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        match (d, rest.first()) {
            (3, Some(b'5')) => Signal::Error,
            (3, Some(b'4')) => Signal::Warning,
            _ => Signal::None,
        }
    };
    let mut signal = Signal::None;
    let mut i = 0;
    while let Some(off) = msg[i..]
        .iter()
        .position(|c| matches!(c, b'H' | b's' | b'S'))
    {
        let k = i + off;
        let rest = &msg[k..];
        let found = if rest.starts_with(b"HTTP/") {
            // `HTTP/1.1" 503` or `HTTP/2" 404`
            let q = rest.iter().take(12).position(|c| *c == b'"');
            q.map_or(Signal::None, |q| {
                let after = &rest[q + 1..];
                let blanks = after.iter().take_while(|c| is_blank(**c)).count();
                if blanks > 0 {
                    status(&after[blanks..])
                } else {
                    Signal::None
                }
            })
        } else if starts_with_ci(rest, b"status") && (k == 0 || !msg[k - 1].is_ascii_alphanumeric())
        {
            let mut j = 6;
            if starts_with_ci(&rest[j..], b"_code") || starts_with_ci(&rest[j..], b"code") {
                j += if rest[j] == b'_' { 5 } else { 4 };
            }
            match rest.get(j) {
                Some(b'=' | b':') => {
                    j += 1;
                    j += rest[j..]
                        .iter()
                        .take_while(|c| **c == b' ' || **c == b'"')
                        .count();
                    status(&rest[j..])
                }
                _ => Signal::None,
            }
        } else {
            Signal::None
        };
        signal = signal.max(found);
        if signal == Signal::Error {
            break;
        }
        i = k + 1;
    }
    signal
}

/// Failures tools state without an error word: `cannot …`, `could not …`, `unable to …`,
/// `undefined reference`, `no such file`, `… not found`, `segmentation fault`, `core dumped`,
/// `out of memory` (words in paths and URLs do not count).
pub fn failure_phrase(msg: &[u8]) -> bool {
    let mut prev: &[u8] = &[];
    for (s, e) in tokens(msg) {
        let t = &msg[s..e];
        if t.iter().any(|c| *c == b'/' || *c == b'\\') {
            prev = &[];
            continue;
        }
        for w in alnum_words(t) {
            let p = std::mem::replace(&mut prev, w);
            let is = |x: &[u8], y: &[u8]| x.eq_ignore_ascii_case(y);
            if is(w, b"cannot")
                || (is(w, b"not") && (is(p, b"could") || is(p, b"can")))
                || (is(p, b"unable") && is(w, b"to"))
                || (is(p, b"undefined") && (is(w, b"reference") || is(w, b"symbol")))
                || (is(p, b"no") && is(w, b"such"))
                || (is(p, b"not") && is(w, b"found"))
                || (is(p, b"segmentation") && is(w, b"fault"))
                || (is(p, b"core") && is(w, b"dumped"))
                || (is(p, b"of") && is(w, b"memory"))
            {
                return true;
            }
        }
    }
    false
}

/// pytest's failure detail lines: `E       assert 1 == 2`.
fn is_pytest_error(msg: &[u8]) -> bool {
    msg.len() > 3 && msg[0] == b'E' && msg[1] == b' ' && msg[2] == b' ' && {
        let rest = &msg[1..];
        rest.iter().any(|c| !is_blank(*c))
    }
}

fn frame_shape(text: &str, indent: usize) -> Shape {
    let u = text.as_bytes();
    if indent > 0 && u.starts_with(b"at ") {
        let rest = &u[3..];
        if rest.first().is_some_and(|c| !is_blank(*c))
            && rest.iter().any(|c| matches!(c, b'(' | b'.' | b':'))
        {
            return Shape::Frame;
        }
    }
    if u.starts_with(b"... ") {
        let mut c = Cur { b: u, i: 4 };
        if c.digits(1, 9) && (u[c.i..].starts_with(b" more") || u[c.i..].starts_with(b" common")) {
            return Shape::Frame;
        }
    }
    if matches!(u.first(), Some(b'C' | b'S' | b'T' | b's' | b'c')) {
        for p in [
            &b"Caused by: "[..],
            b"Caused: ",
            b"Suppressed: ",
            b"Traceback (most recent call last)",
            b"stack backtrace:",
            b"created by ",
        ] {
            if u.starts_with(p) {
                return Shape::Frame;
            }
        }
    }
    if u.starts_with(b"goroutine ") {
        let mut c = Cur { b: u, i: 10 };
        if c.digits(1, 12) && u[c.i..].starts_with(b" [") {
            return Shape::Frame;
        }
    }
    if u.starts_with(b"File \"") && text.contains("\", line ") {
        return Shape::PyFile;
    }
    if indent > 0 {
        if let Some(p) = text.find(".go:") {
            if u.get(p + 4).is_some_and(|c| c.is_ascii_digit()) {
                return Shape::GoFile;
            }
        }
        if indent >= 2 {
            // Rust backtrace frames: `  12: core::panicking::panic`
            let mut c = Cur { b: u, i: 0 };
            if c.digits(1, 4) && u[c.i..].starts_with(b": ") && u.len() > c.i + 2 {
                return Shape::Frame;
            }
        }
    }
    if u.starts_with(b"from ") && text.contains(":in ") {
        return Shape::Frame;
    }
    if u.first() == Some(&b'#') {
        let mut c = Cur { b: u, i: 1 };
        if c.digits(1, 4) && c.eat(b' ') && (text.contains("): ") || text.contains("{main}")) {
            return Shape::Frame;
        }
    }
    if !u.is_empty() && u.iter().all(|c| matches!(c, b'^' | b'~' | b' ')) {
        return Shape::Carets;
    }
    if indent == 0
        && u.last() == Some(&b')')
        && u.iter().position(|c| *c == b'(').is_some_and(|p| {
            p > 0 && u[..p].iter().all(|c| !is_blank(*c)) && u[..p].contains(&b'.')
        })
    {
        return Shape::GoFunc;
    }
    Shape::None
}

/// Alphanumeric words (no camel-case split).
fn alnum_words(b: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() && !b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        Some(&b[start..i])
    })
}

/// What a word means to the summary rule.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SummaryWord {
    Other,
    Digits,
    Build,
    BuildResult,
    Exit,
    ExitKind,
    Exited,
    Non,
    Zero,
    Total,
    Time,
    /// A counted outcome (`3 passed`, `1 error`).
    Counted,
    /// Another word of test totals (`run`, `pending`).
    TotalOnly,
}

fn summary_word(w: &[u8]) -> SummaryWord {
    if w.iter().all(|c| c.is_ascii_digit()) {
        return SummaryWord::Digits;
    }
    if w.len() < 3 || w.len() > 10 || !w[0].is_ascii_alphabetic() {
        return SummaryWord::Other;
    }
    if summary_initials()[w.len()] & (1 << (w[0].to_ascii_lowercase() - b'a')) == 0 {
        return SummaryWord::Other;
    }
    let mut buf = [0u8; 10];
    for (k, c) in w.iter().enumerate() {
        buf[k] = c.to_ascii_lowercase();
    }
    match &buf[..w.len()] {
        b"build" => SummaryWord::Build,
        b"success" | b"successful" | b"failure" | b"succeeded" => SummaryWord::BuildResult,
        b"exit" | b"return" => SummaryWord::Exit,
        b"code" | b"status" | b"value" => SummaryWord::ExitKind,
        b"exited" | b"exitcode" => SummaryWord::Exited,
        b"non" => SummaryWord::Non,
        b"zero" => SummaryWord::Zero,
        b"total" => SummaryWord::Total,
        b"time" => SummaryWord::Time,
        b"passed" | b"failed" | b"passing" | b"failing" | b"tests" | b"errors" | b"error"
        | b"warnings" | b"warning" | b"skipped" | b"failures" => SummaryWord::Counted,
        b"pending" | b"ignored" | b"xfailed" | b"xpassed" | b"deselected" | b"run"
        | b"executed" => SummaryWord::TotalOnly,
        _ => SummaryWord::Other,
    }
}

/// The summary words, for the initials filter.
const SUMMARY_WORDS: &[&str] = &[
    "build",
    "success",
    "successful",
    "failure",
    "succeeded",
    "exit",
    "return",
    "code",
    "status",
    "value",
    "exited",
    "exitcode",
    "non",
    "zero",
    "total",
    "time",
    "passed",
    "failed",
    "passing",
    "failing",
    "tests",
    "errors",
    "error",
    "warnings",
    "warning",
    "skipped",
    "failures",
    "pending",
    "ignored",
    "xfailed",
    "xpassed",
    "deselected",
    "run",
    "executed",
];

/// For each word length, the first letters of the summary words of that length.
fn summary_initials() -> &'static [u32; 16] {
    static INITIALS: OnceLock<[u32; 16]> = OnceLock::new();
    INITIALS.get_or_init(|| {
        let mut masks = [0u32; 16];
        for w in SUMMARY_WORDS {
            masks[w.len()] |= 1 << (w.as_bytes()[0] - b'a');
        }
        masks
    })
}

/// A word of test totals (two different ones make a summary).
fn is_total_word(tag: SummaryWord, w: &[u8]) -> bool {
    match tag {
        SummaryWord::TotalOnly | SummaryWord::Total => true,
        SummaryWord::Counted => !w.eq_ignore_ascii_case(b"warning"),
        SummaryWord::BuildResult => w.eq_ignore_ascii_case(b"succeeded"),
        _ => false,
    }
}

/// Test totals, build results, exit codes (words in paths and URLs do not count).
pub fn is_summary(msg: &[u8]) -> bool {
    use SummaryWord::*;
    let mut digit = false;
    let mut words = 0;
    let mut prev = Other;
    let mut distinct: [&[u8]; 2] = [&[], &[]];
    let mut found = 0;
    // A rule that also needs a digit somewhere in the line has matched.
    let mut matched = false;
    for (s, e) in tokens(msg) {
        let t = &msg[s..e];
        // Paths and URLs (`tests/test_api.py::test_x PASSED`) name things; they hold no totals.
        if t.iter().any(|c| *c == b'/' || *c == b'\\') {
            continue;
        }
        digit |= t.iter().any(|c| c.is_ascii_digit());
        // A number inside a name (`test_values[13] PASSED`) counts nothing.
        let named = t.iter().any(|c| c.is_ascii_alphabetic());
        for w in alnum_words(t) {
            if words == 48 {
                break;
            }
            words += 1;
            let tag = match summary_word(w) {
                Digits if named => Other,
                tag => tag,
            };
            let p = std::mem::replace(&mut prev, tag);
            if p == Build
                && (tag == BuildResult || (tag == Counted && w.eq_ignore_ascii_case(b"failed")))
            {
                return true;
            }
            matched = matched
                || (p == Exit && tag == ExitKind)
                || tag == Exited
                || (p == Non && tag == Zero)
                || (p == Total && tag == Time)
                || (p == Digits && tag == Counted);
            if !matched
                && is_total_word(tag, w)
                && !distinct[..found].iter().any(|d| d.eq_ignore_ascii_case(w))
            {
                distinct[found] = w;
                found += 1;
                matched = found == 2;
            }
        }
        if matched && digit {
            return true;
        }
    }
    false
}

/// Lines that open a section: CI groups, build tool tasks, banners such as
/// `===== FAILURES =====` or `[INFO] --- maven-compiler-plugin:3.1:compile (default) @ app ---`.
pub fn is_header(u: &[u8]) -> bool {
    let Some(&lead) = u.first() else {
        return false;
    };
    for p in [
        &b"##[group]"[..],
        b"::group::",
        b"##[section]",
        b"> Task :",
        b"==> ",
        b"Step ",
    ] {
        if lead == p[0] && u.starts_with(p) {
            return p != b"Step " || u.get(5).is_some_and(|c| c.is_ascii_digit());
        }
    }
    let mut body = u;
    if body.first() == Some(&b'[') {
        // A short ASCII tag such as `[INFO]` before the banner.
        let close = body
            .iter()
            .take(12)
            .take_while(|c| c.is_ascii())
            .position(|c| *c == b']');
        if let Some(close) = close {
            body = &body[close + 1..];
            let skip = body.iter().take_while(|c| is_blank(**c)).count();
            body = &body[skip..];
        }
    }
    let Some(&first) = body.first() else {
        return false;
    };
    if !matches!(first, b'-' | b'=' | b'_' | b'*' | b'#' | b'~') {
        return false;
    }
    let lead = body.iter().take_while(|c| **c == first).count();
    let trail = body.iter().rev().take_while(|c| **c == first).count();
    lead >= 3
        && trail >= 3
        && lead < body.len()
        && body[lead..body.len() - trail]
            .iter()
            .any(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> &str {
        &s[..timestamp_len(s.as_bytes())]
    }

    #[test]
    fn timestamps() {
        assert_eq!(
            ts("2022-04-13T14:52:46.9542326Z Requested"),
            "2022-04-13T14:52:46.9542326Z "
        );
        assert_eq!(
            ts("2015-10-18 18:01:47,978 INFO [main]"),
            "2015-10-18 18:01:47,978 "
        );
        assert_eq!(ts("17/06/09 20:10:40 INFO executor"), "17/06/09 20:10:40 ");
        assert_eq!(ts("081109 203615 148 INFO dfs"), "081109 203615 ");
        assert_eq!(ts("Dec 10 06:55:46 LabSZ sshd[24200]:"), "Dec 10 06:55:46 ");
        assert_eq!(
            ts("[Sun Dec 04 04:47:44 2005] [notice] x"),
            "[Sun Dec 04 04:47:44 2005] "
        );
        assert_eq!(
            ts("03-17 16:13:38.811  1702  2395 D Win"),
            "03-17 16:13:38.811 "
        );
        assert_eq!(ts("[    0.000000] Linux version"), "[    0.000000] ");
        assert_eq!(
            ts("20171223-22:15:29:606|Step_LSC|3"),
            "20171223-22:15:29:606|"
        );
        assert_eq!(ts("12:30:01 started"), "12:30:01 ");
        assert_eq!(ts("2014-04-01 00:05:00,20.5"), "2014-04-01 00:05:00,");
        assert_eq!(ts("2014-04-01 00:05:00,20"), "2014-04-01 00:05:00,");
        assert_eq!(
            ts("2014-04-01 00:05:00,205 INFO x"),
            "2014-04-01 00:05:00,205 "
        );
        assert_eq!(ts("1.2.3 release"), "");
        assert_eq!(ts("2022-04-13"), "2022-04-13");
        assert_eq!(ts("12:30 lunch"), "");
        assert_eq!(ts("src/main.rs:12:5: error"), "");
    }

    #[test]
    fn every_summary_word_has_a_meaning() {
        for w in SUMMARY_WORDS {
            assert!(summary_word(w.as_bytes()) != SummaryWord::Other, "{w}");
            assert!(
                w.len() < 16 && w.bytes().all(|c| c.is_ascii_lowercase()),
                "{w}"
            );
        }
    }

    #[test]
    fn http_statuses() {
        let h = |x: &str| http_status_signal(x.as_bytes());
        assert_eq!(
            h("10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /a HTTP/1.0\" 503 12"),
            Signal::Error
        );
        assert_eq!(h("\"POST /b HTTP/2\" 404 0"), Signal::Warning);
        assert_eq!(h("\"GET / HTTP/1.1\" 200 5"), Signal::None);
        assert_eq!(h("req done status: 500 len: 10"), Signal::Error);
        assert_eq!(h("statusCode=429 retry"), Signal::Warning);
        assert_eq!(h("status=200 ok; substatus=500"), Signal::None);
    }

    #[test]
    fn failure_phrases() {
        let f = |x: &str| failure_phrase(x.as_bytes());
        assert!(f("/usr/bin/ld: main.o: undefined reference to `foo'"));
        assert!(f("bash: jq: command not found"));
        assert!(f("cp: cannot stat 'x': No such file or directory"));
        assert!(f("Could not resolve dependencies for project app"));
        assert!(f("Segmentation fault (core dumped)"));
        assert!(!f("Downloading https://example.com/not/found/x.jar"));
        assert!(!f("Found 3 files, all good"));
    }

    #[test]
    fn levels() {
        let l = |s: &str| level(s.as_bytes(), false);
        assert_eq!(l("[INFO] Building"), Some(Level::Info));
        assert_eq!(l("148 INFO dfs.DataNode"), Some(Level::Info));
        assert_eq!(l("- WARN  [QuorumPeer]"), Some(Level::Warn));
        assert_eq!(l("npm ERR! code 1"), Some(Level::Error));
        assert_eq!(l("error: could not compile"), Some(Level::Error));
        assert_eq!(l("##[error]Process completed"), Some(Level::Error));
        assert_eq!(l("level=debug msg=x"), Some(Level::Debug));
        assert_eq!(l("E0412 12:00:00.1 1 x.go:1] boom"), Some(Level::Error));
        assert_eq!(l("For more info see"), None);
        assert_eq!(l("[main] started"), None);
        assert_eq!(l("Info about it"), None);
        assert_eq!(
            l("- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected"),
            Some(Level::Info)
        );
        assert_eq!(l("GET /a/b/c/d took 5 ms and then ERROR"), None);
        let lines = [
            "npm silly fetch manifest lodash@*",
            "npm http fetch GET 200 https://registry.npmjs.org/lodash 9ms",
            "npm warn deprecated glob@7.2.3: no longer supported",
            "npm error code E404",
            "the error was mine",
            "the info is here",
        ];
        let levels: Vec<Option<Level>> =
            classify_all(&lines, &[]).iter().map(|i| i.level).collect();
        use Level::*;
        assert_eq!(
            levels,
            [Some(Trace), Some(Info), Some(Warn), Some(Error), None, None]
        );
        assert_eq!(
            level(b"Info                  CBS    Loaded", true),
            Some(Level::Info)
        );
    }

    #[test]
    fn signals_skip_names() {
        let s = |x: &str| line_signal(x.as_bytes());
        assert_eq!(s("java.io.IOException: No space left"), Signal::Error);
        assert_eq!(
            s("org.opentest4j.AssertionFailedError: expected"),
            Signal::Error
        );
        assert_eq!(s("=== RUN TestErrorHandling"), Signal::None);
        assert_eq!(
            s("Downloading https://x/error_prone/2.3/a.pom"),
            Signal::None
        );
        assert_eq!(s("> git fetch --tags # timeout=10"), Signal::None);
        assert_eq!(s("mvn -Dmaven.test.failure.ignore=true"), Signal::None);
        assert_eq!(s("status=failed"), Signal::Error);
        assert_eq!(s("[WARNING] deprecated"), Signal::Warning);
        assert_eq!(s("--- FAIL: TestX (0.00s)"), Signal::Error);
        assert_eq!(
            s("Tests run: 5, Failures: 0, Errors: 0, Skipped: 0"),
            Signal::None
        );
        assert_eq!(s("Tests run: 5, Failures: 1, Errors: 0"), Signal::Error);
        assert_eq!(s("0 failed, 3 passed (0 warnings)"), Signal::None);
        assert_eq!(
            s("Running com.example.errors.BindingErrorTest"),
            Signal::None
        );
        assert_eq!(s("at error.log"), Signal::None);
    }

    #[test]
    fn frames_and_summaries() {
        let lines = [
            "Traceback (most recent call last):",
            "  File \"/x.py\", line 17, in <module>",
            "    result = f(x)",
            "             ^^^^",
            "ValueError: bad",
            "goroutine 21 [running]:",
            "testing.tRunner.func1.2({0x10cb460, 0x15cde10})",
            "\t/opt/go/src/testing/testing.go:1389 +0x24e",
            "\tat org.junit.Assert.fail(Assert.java:89)",
            "\t... 90 more",
            "Tests run: 10, Failures: 1, Errors: 0, Skipped: 0",
            "[INFO] BUILD FAILURE",
            "##[error]Process completed with exit code 1.",
            "plain text here",
        ];
        let info = classify_all(&lines, &[]);
        let classes: Vec<Class> = info.iter().map(|i| i.class).collect();
        use Class::*;
        assert_eq!(
            classes,
            [
                Frame, Frame, Frame, Frame, Error, Frame, Frame, Frame, Frame, Frame, Error, Error,
                Error, Plain
            ]
        );
        assert!(is_summary(
            b"Tests run: 10, Failures: 0, Errors: 0, Skipped: 0"
        ));
        assert!(is_summary(b"=== 1 failed, 4 passed in 0.12s ==="));
        assert!(is_summary(b"test result: ok. 5 passed; 0 failed"));
        assert!(is_summary(b"BUILD SUCCESSFUL in 3s"));
        assert!(!is_summary(b"Ran the linter"));
        // Numbers inside names are not counts.
        assert!(!is_summary(
            b"test_x.py::test_values[13] PASSED        [ 11%]"
        ));
        assert!(is_summary(b"(3 passed, 1 failed)"));
        assert!(is_header(
            b"[INFO] --- maven-compiler-plugin:3.1:compile (default) @ x ---"
        ));
        assert!(is_header(b"##[group]Run actions/checkout@v2"));
        assert!(!is_header(b"[INFO] -------------------------------------"));
    }
}
