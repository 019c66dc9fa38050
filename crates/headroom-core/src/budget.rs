//! A cheap token estimate that steers lossy selection toward `max_block_tokens` (twin of
//! `budget.ts`). Exact counting of every candidate line would cost a full tokenizer pass per
//! block; selection only needs relative costs, and the caller rescales them against one exact
//! count of the whole lossless form, then checks the result exactly.

/// Roughly how many BPE tokens `text` costs: letters in fours, digits in threes (o200k and
/// cl100k split digit runs into groups of at most three), punctuation runs in pairs, runs of
/// spaces beyond one as a token, other UTF-8 bytes in pairs.
pub fn estimate_tokens(text: &str) -> usize {
    let b = text.as_bytes();
    let mut total = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        i += 1;
        if c.is_ascii_alphabetic() {
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            total += (i - start).div_ceil(4);
        } else if c.is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            total += (i - start).div_ceil(3);
        } else if c == b' ' {
            while i < b.len() && b[i] == b' ' {
                i += 1;
            }
            if i - start > 1 {
                total += 1;
            }
        } else if c < 0x80 {
            while i < b.len() && b[i] < 0x80 && !b[i].is_ascii_alphanumeric() && b[i] != b' ' {
                i += 1;
            }
            total += (i - start).div_ceil(2);
        } else {
            while i < b.len() && b[i] >= 0x80 {
                i += 1;
            }
            total += (i - start).div_ceil(2);
        }
    }
    total
}

/// `value * num / den` in integers without overflow for any realistic sizes (at least 1 when
/// `value` is).
pub fn scale(value: usize, num: usize, den: usize) -> usize {
    if den == 0 {
        return value;
    }
    let r = (value as u128 * num as u128 / den as u128) as usize;
    if value > 0 {
        r.max(1)
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_are_in_the_right_range() {
        assert_eq!(estimate_tokens(""), 0);
        assert_eq!(estimate_tokens("hello world"), 4);
        assert_eq!(estimate_tokens("2022-04-13T14:53:12.0907779Z"), 17);
        assert!(estimate_tokens("été") >= 2);
    }
}
