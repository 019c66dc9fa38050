//! Leading timestamps of log lines (twin of `timestamp.ts`): ISO 8601 and its relatives, syslog,
//! ctime, compact (HDFS), Common Log Format, bare times, kernel uptimes in brackets.

use crate::lines::is_blank;

/// A small cursor over ASCII structure.
pub(super) struct Cur<'a> {
    pub(super) b: &'a [u8],
    pub(super) i: usize,
}

impl Cur<'_> {
    pub(super) fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    pub(super) fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Consumes a run of `min..=max` digits (the whole run, or nothing).
    pub(super) fn digits(&mut self, min: usize, max: usize) -> bool {
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
}
