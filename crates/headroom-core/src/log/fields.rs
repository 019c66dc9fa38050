//! The fields inside a log token (twin of `log/fields.ts`): `duration_ms=84` is the words
//! `duration`, `ms`, punctuation and the number `84`; `/api/v1/orders/5000` ends in the number
//! `5000`; `12ms` is a number with a unit; `06:55:09,187`, `10.0.0.1` and the `2.3` of `v1.2.3`
//! are compounds (times, addresses, versions), never numbers; `v1`, `0x1f` and `T10` are
//! identifiers. Template lines show a numeric field's range, and the outlier rules read its
//! values. ASCII rules only: bytes of other characters belong to words, so pieces never split a
//! character.

use std::cmp::Ordering;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PieceKind {
    /// Letters (and non-ASCII characters).
    Word,
    /// Digits, with at most one decimal fraction: `84`, `0.35`.
    Number,
    /// Letters and digits mixed: `v1`, `0x1f3a`, `sha256`.
    Ident,
    /// Digit groups joined by `.` `:` `,` `-` `/`: dates, times, addresses, versions.
    Compound,
    /// One ASCII character that is not a letter or digit (`_` included).
    Punct,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    pub kind: PieceKind,
    pub start: usize,
    pub end: usize,
}

fn is_sep(c: u8) -> bool {
    matches!(c, b'.' | b':' | b',' | b'-' | b'/')
}

fn is_letter(c: u8) -> bool {
    c.is_ascii_alphabetic() || c >= 0x80
}

/// Cuts token `t` into pieces (into `out`, which is cleared first).
pub fn pieces(t: &[u8], out: &mut Vec<Piece>) {
    out.clear();
    let n = t.len();
    let mut i = 0;
    while i < n {
        let c = t[i];
        let start = i;
        if c.is_ascii_digit() {
            i += t[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            let (mut seps, mut dotted) = (0, true);
            while i + 1 < n && is_sep(t[i]) && t[i + 1].is_ascii_digit() {
                dotted &= t[i] == b'.';
                seps += 1;
                i += 1;
                i += t[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            }
            // A group right after `1.` or `3:` continues a compound (`v1.2.3`).
            let continues = start >= 2 && is_sep(t[start - 1]) && t[start - 2].is_ascii_digit();
            let number = !continues && (seps == 0 || (seps == 1 && dotted));
            let run = t[i..]
                .iter()
                .take_while(|c| is_letter(**c) || c.is_ascii_digit())
                .count();
            if run > 0 {
                let unit = t[i..i + run].iter().all(|c| is_letter(*c));
                if number && unit {
                    // `12ms`, `1.5s`: a number and its unit.
                    out.push(Piece {
                        kind: PieceKind::Number,
                        start,
                        end: i,
                    });
                    out.push(Piece {
                        kind: PieceKind::Word,
                        start: i,
                        end: i + run,
                    });
                } else {
                    out.push(Piece {
                        kind: PieceKind::Ident,
                        start,
                        end: i + run,
                    });
                }
                i += run;
                continue;
            }
            out.push(Piece {
                kind: if number {
                    PieceKind::Number
                } else {
                    PieceKind::Compound
                },
                start,
                end: i,
            });
        } else if is_letter(c) {
            let mut digits = false;
            while i < n && (is_letter(t[i]) || t[i].is_ascii_digit()) {
                digits |= t[i].is_ascii_digit();
                i += 1;
            }
            out.push(Piece {
                kind: if digits {
                    PieceKind::Ident
                } else {
                    PieceKind::Word
                },
                start,
                end: i,
            });
        } else {
            i += 1;
            out.push(Piece {
                kind: PieceKind::Punct,
                start,
                end: i,
            });
        }
    }
}

/// Same kinds in the same order, and the same punctuation.
pub fn same_shape(a: &[u8], pa: &[Piece], b: &[u8], pb: &[Piece]) -> bool {
    pa.len() == pb.len()
        && pa.iter().zip(pb).all(|(x, y)| {
            x.kind == y.kind
                && (x.kind != PieceKind::Punct || a[x.start..x.end] == b[y.start..y.end])
        })
}

/// Compares two number pieces (`[0-9]+(\.[0-9]+)?`) by value, exactly.
pub fn cmp_number(a: &str, b: &str) -> Ordering {
    let (ai, af) = a.split_once('.').unwrap_or((a, ""));
    let (bi, bf) = b.split_once('.').unwrap_or((b, ""));
    let ai = ai.trim_start_matches('0');
    let bi = bi.trim_start_matches('0');
    ai.len()
        .cmp(&bi.len())
        .then_with(|| ai.cmp(bi))
        .then_with(|| {
            // Fractions digit by digit, a missing digit being 0.
            let (af, bf) = (af.as_bytes(), bf.as_bytes());
            for k in 0..af.len().max(bf.len()) {
                let x = af.get(k).copied().unwrap_or(b'0');
                let y = bf.get(k).copied().unwrap_or(b'0');
                if x != y {
                    return x.cmp(&y);
                }
            }
            Ordering::Equal
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(t: &str) -> Vec<(PieceKind, &str)> {
        let mut out = Vec::new();
        pieces(t.as_bytes(), &mut out);
        out.iter().map(|p| (p.kind, &t[p.start..p.end])).collect()
    }

    #[test]
    fn cuts_tokens_into_pieces() {
        use PieceKind::*;
        assert_eq!(
            kinds("duration_ms=84"),
            [
                (Word, "duration"),
                (Punct, "_"),
                (Word, "ms"),
                (Punct, "="),
                (Number, "84")
            ]
        );
        assert_eq!(
            kinds("(12.5ms)"),
            [(Punct, "("), (Number, "12.5"), (Word, "ms"), (Punct, ")")]
        );
        assert_eq!(kinds("06:55:09,187"), [(Compound, "06:55:09,187")]);
        assert_eq!(
            kinds("v1.2.3"),
            [(Ident, "v1"), (Punct, "."), (Compound, "2.3")]
        );
        assert_eq!(kinds("0x1f3a"), [(Ident, "0x1f3a")]);
        assert_eq!(kinds("10.0.0.1:80"), [(Compound, "10.0.0.1:80")]);
        assert_eq!(kinds("é5"), [(Ident, "é5")]);
        assert_eq!(kinds("-3"), [(Punct, "-"), (Number, "3")]);
    }

    #[test]
    fn compares_numbers_by_value() {
        assert_eq!(cmp_number("007", "7"), Ordering::Equal);
        assert_eq!(cmp_number("9", "10"), Ordering::Less);
        assert_eq!(cmp_number("1.50", "1.5"), Ordering::Equal);
        assert_eq!(cmp_number("1.05", "1.5"), Ordering::Less);
        assert_eq!(cmp_number("0.9", "1"), Ordering::Less);
    }
}
