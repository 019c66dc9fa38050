//! tiktoken's pre-tokenization, hand-written (twin of the JS engine's `pretokenize.ts`, line for
//! line, so both engines split identically by construction; tests hold both to tiktoken). Walking
//! the pattern by hand with a code point class table is several times faster than evaluating it as
//! a regex. Each function is one alternative of the pattern, with the regex's leftmost-first,
//! greedy-with-backtracking semantics.
//!
//! o200k_base:  `[^\r\n\p{L}\p{N}]?[UL]*[LW]+C? | [^\r\n\p{L}\p{N}]?[UL]+[LW]*C? | \p{N}{1,3}
//!              | ?[^\s\p{L}\p{N}]+[\r\n/]* | \s*[\r\n]+ | \s+(?!\S) | \s+`
//! cl100k_base: `C | [^\r\n\p{L}\p{N}]?\p{L}+ | \p{N}{1,3} | ?[^\s\p{L}\p{N}]+[\r\n]* | \s*[\r\n]+
//!              | \s+(?!\S) | \s+`
//!
//! where UL = `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`, LW = `[\p{Ll}\p{Lm}\p{Lo}\p{M}]` and C is the
//! case-insensitive contraction `'s|'t|'re|'ve|'m|'ll|'d`.

use std::sync::LazyLock;

use regex_syntax::hir::{Class, HirKind};

const L: u8 = 1;
const N: u8 = 2;
const WS: u8 = 4;
const UL: u8 = 8;
const LW: u8 = 16;

/// The classes, from regex-syntax's Unicode tables (the ones tiktoken's regex uses). The JS engine's
/// `unicode-classes.ts` is generated from the same tables (tests/unicode_classes.rs).
pub(crate) const CLASS_PATTERNS: [(&str, u8); 5] = [
    (r"\p{L}", L),
    (r"\p{N}", N),
    (r"\s", WS),
    (r"[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]", UL),
    (r"[\p{Ll}\p{Lm}\p{Lo}\p{M}]", LW),
];

/// Class bits for every code point (1.1 MB, built once).
static CLASSES: LazyLock<Box<[u8]>> = LazyLock::new(|| {
    let mut table = vec![0u8; 0x11_0000];
    for (pattern, bit) in CLASS_PATTERNS {
        let hir = regex_syntax::parse(pattern).expect("constant class pattern");
        if let HirKind::Class(Class::Unicode(class)) = hir.kind() {
            for r in class.iter() {
                for class in &mut table[r.start() as usize..=r.end() as usize] {
                    *class |= bit;
                }
            }
        }
    }
    table.into_boxed_slice()
});

/// The code point starting at byte `i` of valid UTF-8, and its length in bytes.
#[inline]
fn cp_at(s: &[u8], i: usize) -> (u32, usize) {
    let b0 = s[i] as u32;
    if b0 < 0x80 {
        (b0, 1)
    } else if b0 < 0xe0 {
        (((b0 & 0x1f) << 6) | (s[i + 1] as u32 & 0x3f), 2)
    } else if b0 < 0xf0 {
        let cp = ((b0 & 0x0f) << 12) | ((s[i + 1] as u32 & 0x3f) << 6) | (s[i + 2] as u32 & 0x3f);
        (cp, 3)
    } else {
        let cp = ((b0 & 0x07) << 18)
            | ((s[i + 1] as u32 & 0x3f) << 12)
            | ((s[i + 2] as u32 & 0x3f) << 6)
            | (s[i + 3] as u32 & 0x3f);
        (cp, 4)
    }
}

/// Splits text into pieces; `next(i)` returns where the piece starting at byte `i` ends.
pub(crate) struct Pretokenizer<'a> {
    s: &'a [u8],
    t: &'static [u8],
    o200k: bool,
}

impl<'a> Pretokenizer<'a> {
    pub(crate) fn new(text: &'a str, o200k: bool) -> Self {
        Pretokenizer {
            s: text.as_bytes(),
            t: &CLASSES,
            o200k,
        }
    }

    pub(crate) fn next(&self, i: usize) -> usize {
        let end = if self.o200k {
            self.next_o200k(i)
        } else {
            self.next_cl100k(i)
        };
        // Unreachable fallback: every code point matches some alternative.
        end.unwrap_or_else(|| i + cp_at(self.s, i).1)
    }

    fn next_o200k(&self, i: usize) -> Option<usize> {
        self.letters(i, true)
            .or_else(|| self.letters(i, false))
            .or_else(|| self.digits(i))
            .or_else(|| self.punctuation(i, true))
            .or_else(|| self.whitespace(i))
    }

    fn next_cl100k(&self, i: usize) -> Option<usize> {
        contraction(self.s, i)
            .or_else(|| self.word(i))
            .or_else(|| self.digits(i))
            .or_else(|| self.punctuation(i, false))
            .or_else(|| self.whitespace(i))
    }

    #[inline]
    fn cls(&self, i: usize) -> u8 {
        if i < self.s.len() {
            self.t[cp_at(self.s, i).0 as usize]
        } else {
            0
        }
    }

    /// End of the run of code points from `i` having any of `bits`.
    #[inline]
    fn run(&self, mut i: usize, bits: u8) -> usize {
        while i < self.s.len() {
            let (cp, w) = cp_at(self.s, i);
            if self.t[cp as usize] & bits == 0 {
                break;
            }
            i += w;
        }
        i
    }

    /// `[^\r\n\p{L}\p{N}]` at i: the optional one-character prefix of letter pieces.
    fn prefix_at(&self, i: usize) -> bool {
        i < self.s.len() && self.s[i] != b'\n' && self.s[i] != b'\r' && self.cls(i) & (L | N) == 0
    }

    /// o200k's two letter alternatives: `P?[UL]*[LW]+C?` (lower_tail) or `P?[UL]+[LW]*C?`.
    fn letters(&self, i: usize, lower_tail: bool) -> Option<usize> {
        let core = |st: usize| {
            if lower_tail {
                self.upper_lower(st)
            } else {
                self.upper_then_lower(st)
            }
        };
        if self.prefix_at(i) {
            if let Some(e) = core(i + cp_at(self.s, i).1) {
                return Some(e);
            }
        }
        core(i)
    }

    /// `[UL]*[LW]+C?`: the greedy UL run gives back characters until an LW one can follow.
    fn upper_lower(&self, st: usize) -> Option<usize> {
        let mut last_lw: Option<usize> = None;
        let mut p = st;
        while p < self.s.len() {
            let (cp, w) = cp_at(self.s, p);
            let c = self.t[cp as usize];
            if c & UL == 0 {
                break;
            }
            if c & LW != 0 {
                last_lw = Some(p);
            }
            p += w;
        }
        let end = if self.cls(p) & LW != 0 {
            self.run(p, LW)
        } else {
            let q = last_lw?;
            q + cp_at(self.s, q).1
        };
        Some(contraction(self.s, end).unwrap_or(end))
    }

    /// `[UL]+[LW]*C?`
    fn upper_then_lower(&self, st: usize) -> Option<usize> {
        let e = self.run(st, UL);
        if e == st {
            return None;
        }
        let end = self.run(e, LW);
        Some(contraction(self.s, end).unwrap_or(end))
    }

    /// cl100k's `[^\r\n\p{L}\p{N}]?\p{L}+`
    fn word(&self, i: usize) -> Option<usize> {
        if self.prefix_at(i) {
            let j = i + cp_at(self.s, i).1;
            if self.cls(j) & L != 0 {
                return Some(self.run(j, L));
            }
        }
        (self.cls(i) & L != 0).then(|| self.run(i, L))
    }

    /// `\p{N}{1,3}`
    fn digits(&self, i: usize) -> Option<usize> {
        let mut p = i;
        for _ in 0..3 {
            if p >= self.s.len() {
                break;
            }
            let (cp, w) = cp_at(self.s, p);
            if self.t[cp as usize] & N == 0 {
                break;
            }
            p += w;
        }
        (p > i).then_some(p)
    }

    /// ` ?[^\s\p{L}\p{N}]+[\r\n/]*` (o200k) or ` ?[^\s\p{L}\p{N}]+[\r\n]*` (cl100k).
    fn punctuation(&self, i: usize, slash: bool) -> Option<usize> {
        let st = if self.s[i] == b' ' { i + 1 } else { i };
        let mut p = st;
        while p < self.s.len() {
            let (cp, w) = cp_at(self.s, p);
            if self.t[cp as usize] & (WS | L | N) != 0 {
                break;
            }
            p += w;
        }
        if p == st {
            return None;
        }
        while p < self.s.len() && matches!(self.s[p], b'\n' | b'\r' | b'/') {
            if self.s[p] == b'/' && !slash {
                break;
            }
            p += 1;
        }
        Some(p)
    }

    /// `\s*[\r\n]+ | \s+(?!\S) | \s+`
    fn whitespace(&self, i: usize) -> Option<usize> {
        let e = self.run(i, WS);
        if e == i {
            return None;
        }
        if let Some(p) = self.s[i..e]
            .iter()
            .rposition(|b| matches!(b, b'\n' | b'\r'))
        {
            return Some(i + p + 1);
        }
        if e == self.s.len() {
            return Some(e);
        }
        // `\s+(?!\S)` gives back the last whitespace character when more than one precedes \S.
        let last = self.s[..e]
            .iter()
            .rposition(|b| (*b & 0xc0) != 0x80)
            .unwrap_or(i);
        Some(if last > i { last } else { e })
    }
}

/// The case-insensitive forms of the contraction letters (Unicode simple folding: `ſ` is an `s`).
fn folds(cp: u32, letter: u8) -> bool {
    let lower = if cp < 0x80 {
        (cp as u8).to_ascii_lowercase()
    } else if cp == 0x17f {
        b's'
    } else {
        return false;
    };
    lower == letter
}

/// `'s|'t|'re|'ve|'m|'ll|'d`, case-insensitively.
fn contraction(s: &[u8], i: usize) -> Option<usize> {
    if i + 1 >= s.len() || s[i] != b'\'' {
        return None;
    }
    let (a, wa) = cp_at(s, i + 1);
    let j = i + 1 + wa;
    if [b's', b't', b'm', b'd'].iter().any(|&l| folds(a, l)) {
        return Some(j);
    }
    if j >= s.len() {
        return None;
    }
    let (b, wb) = cp_at(s, j);
    let pair =
        (folds(a, b'r') || folds(a, b'v')) && folds(b, b'e') || folds(a, b'l') && folds(b, b'l');
    pair.then_some(j + wb)
}
