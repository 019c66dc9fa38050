//! The level a log line names (twin of `level.ts`): `INFO`, `[warn]`, `error:`, `level=debug`,
//! glog's `I0412`, CI annotations (`##[error]`), header fields before the level (BGL), and a
//! program's lowercase level word (`npm warn …`).

use crate::lines::tokens;
use crate::signal::starts_with_ci;

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
const MAX_HEADER_TOKENS: usize = 10;

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

/// The program name and level of `npm http fetch …`: a lowercase name (letters, digits, `-`,
/// `_`), a lowercase level word, then more text.
pub(super) fn program_level(msg: &str) -> Option<(&str, Level)> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            level(b"Info                  CBS    Loaded", true),
            Some(Level::Info)
        );
    }
}
