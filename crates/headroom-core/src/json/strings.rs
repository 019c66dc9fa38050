//! JSON string spelling: decoding escapes, and writing strings for compact JSON (the spelling
//! `JSON.stringify` uses) and for TOON (its quoting rules and five escapes plus `\u00XX`).

use std::borrow::Cow;

fn hex4(b: &[u8]) -> u32 {
    b.iter()
        .fold(0, |v, &h| v * 16 + (h as char).to_digit(16).unwrap_or(0))
}

/// One step of escape decoding at `raw[i] == b'\\'`: the code point (or lone surrogate as
/// `Err(unit)`) and the index after the escape. Pairs of `\uD8xx\uDCxx` escapes decode together.
fn escape_at(raw: &[u8], i: usize) -> (Result<char, u32>, usize) {
    let c = raw.get(i + 1).copied().unwrap_or(b'\\');
    let simple = match c {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let unit = hex4(raw.get(i + 2..i + 6).unwrap_or(b"0000"));
            if (0xD800..0xDC00).contains(&unit)
                && raw.get(i + 6) == Some(&b'\\')
                && raw.get(i + 7) == Some(&b'u')
            {
                let low = hex4(raw.get(i + 8..i + 12).unwrap_or(b"0000"));
                if (0xDC00..0xE000).contains(&low) {
                    let cp = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                    return (char::from_u32(cp).ok_or(unit), i + 12);
                }
            }
            return (char::from_u32(unit).ok_or(unit), i + 6);
        }
        _ => '\\',
    };
    (Ok(simple), i + 2)
}

/// The value of a raw JSON string's contents (between the quotes). Lone surrogate escapes become
/// U+FFFD, as in the JS engine (PRODUCT §9).
pub fn decode(inner: &str) -> Cow<'_, str> {
    let raw = inner.as_bytes();
    let Some(first) = raw.iter().position(|&b| b == b'\\') else {
        return Cow::Borrowed(inner);
    };
    let mut out = String::with_capacity(inner.len());
    out.push_str(&inner[..first]);
    let mut i = first;
    while i < raw.len() {
        if raw[i] == b'\\' {
            let (ch, next) = escape_at(raw, i);
            out.push(ch.unwrap_or('\u{FFFD}'));
            i = next;
        } else {
            let run = raw[i..]
                .iter()
                .position(|&b| b == b'\\')
                .map_or(raw.len(), |p| i + p);
            out.push_str(&inner[i..run]);
            i = run;
        }
    }
    Cow::Owned(out)
}

/// Whether a raw string's contents have a `\uD800`–`\uDFFF` escape that is not half of a pair.
pub fn has_lone_surrogate(inner: &str) -> bool {
    let raw = inner.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' {
            let (ch, next) = escape_at(raw, i);
            if ch.is_err() {
                return true;
            }
            i = next;
        } else {
            i += 1;
        }
    }
    false
}

fn push_u_escape(out: &mut String, unit: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push_str("\\u");
    for shift in [12, 8, 4, 0] {
        out.push(HEX[((unit >> shift) & 0xF) as usize] as char);
    }
}

/// Appends `c` as `JSON.stringify` spells it inside a string.
fn push_json_char(out: &mut String, c: char) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x20 => push_u_escape(out, c as u32),
        c => out.push(c),
    }
}

/// Appends a raw JSON string (quotes included) in compact spelling: unchanged when it has no
/// escapes, otherwise re-escaped as `JSON.stringify` would (lone surrogate escapes stay escapes,
/// so the value is kept exactly).
pub fn write_json_raw(out: &mut String, raw: &str, escaped: bool) {
    if !escaped {
        out.push_str(raw);
        return;
    }
    let inner = &raw[1..raw.len() - 1];
    let b = inner.as_bytes();
    out.push('"');
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            let (ch, next) = escape_at(b, i);
            match ch {
                Ok(c) => push_json_char(out, c),
                Err(unit) => push_u_escape(out, unit),
            }
            i = next;
        } else {
            let run = b[i..]
                .iter()
                .position(|&c| c == b'\\')
                .map_or(b.len(), |p| i + p);
            out.push_str(&inner[i..run]);
            i = run;
        }
    }
    out.push('"');
}

/// UTF-8 length of a raw JSON string in compact spelling (what `write_json_raw` appends).
pub fn json_raw_len(raw: &str, escaped: bool) -> usize {
    if !escaped {
        return raw.len();
    }
    let mut s = String::new();
    write_json_raw(&mut s, raw, true);
    s.len()
}

/// Appends any string value as a JSON string.
pub fn write_json_value(out: &mut String, value: &str) {
    out.push('"');
    let mut start = 0;
    for (i, c) in value.char_indices() {
        if c == '"' || c == '\\' || (c as u32) < 0x20 {
            out.push_str(&value[start..i]);
            push_json_char(out, c);
            start = i + c.len_utf8();
        }
    }
    out.push_str(&value[start..]);
    out.push('"');
}

/// TOON §7.2: whether a string value may appear without quotes (document delimiter: comma).
pub fn toon_safe_unquoted(v: &str) -> bool {
    let b = v.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return false;
    };
    if matches!(first, b' ' | b'\t' | b'-' | b'#') || matches!(last, b' ' | b'\t') {
        return false;
    }
    if v == "true" || v == "false" || v == "null" || numeric_like(b) {
        return false;
    }
    !b.iter()
        .any(|&c| c < 0x20 || matches!(c, b':' | b'"' | b'\\' | b'[' | b']' | b'{' | b'}' | b','))
}

/// `/^[+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i`: strings a TOON reader could take for a number.
fn numeric_like(b: &[u8]) -> bool {
    let mut i = 0;
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > s
    };
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    if !digits(&mut i) {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

/// Appends `v` TOON-quoted: `\\ \" \n \r \t` and `\u00XX` for other control characters.
pub fn write_toon_quoted(out: &mut String, v: &str) {
    out.push('"');
    let mut start = 0;
    for (i, c) in v.char_indices() {
        let esc = match c {
            '\\' => "\\\\",
            '"' => "\\\"",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            c if (c as u32) < 0x20 => "",
            _ => continue,
        };
        out.push_str(&v[start..i]);
        if esc.is_empty() {
            push_u_escape(out, c as u32);
        } else {
            out.push_str(esc);
        }
        start = i + c.len_utf8();
    }
    out.push_str(&v[start..]);
    out.push('"');
}

/// Appends a string value for TOON, quoted only when it must be.
pub fn write_toon_string(out: &mut String, v: &str) {
    if toon_safe_unquoted(v) {
        out.push_str(v);
    } else {
        write_toon_quoted(out, v);
    }
}

/// Appends a key for TOON: bare when it matches `^[A-Za-z_][A-Za-z0-9_.]*$`, else quoted.
pub fn write_toon_key(out: &mut String, k: &str) {
    let b = k.as_bytes();
    let bare = b
        .first()
        .is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_')
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.');
    if bare {
        out.push_str(k);
    } else {
        write_toon_quoted(out, k);
    }
}

/// The longest prefix of `v` that is at most `max` bytes and ends on a character boundary.
pub fn prefix_within(v: &str, max: usize) -> &str {
    if v.len() <= max {
        return v;
    }
    let mut end = max;
    while !v.is_char_boundary(end) {
        end -= 1;
    }
    &v[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_replaces_lone_surrogates() {
        assert_eq!(decode(r"a\n\u00e9\ud83d\ude00\/"), "a\né😀/");
        assert_eq!(decode(r"x\ud800y\udc00"), "x\u{FFFD}y\u{FFFD}");
        assert!(matches!(decode("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn writes_compact_spelling_like_json_stringify() {
        let mut s = String::new();
        write_json_raw(&mut s, r#""\u0041\/\u001f\b\ud800\uD83D\uDE00\"""#, true);
        assert_eq!(s, r#""A/\u001f\b\ud800😀\"""#);
        let mut s = String::new();
        write_json_value(&mut s, "a\"\\\u{1}\n");
        assert_eq!(s, r#""a\"\\\u0001\n""#);
    }

    #[test]
    fn toon_quoting() {
        for q in [
            "", " a", "a ", "true", "42", "-3.5e+2", "05", "+1", "a:b", "a,b", "[x", "-x", "#x",
            "a\tb", "\u{1}",
        ] {
            assert!(!toon_safe_unquoted(q), "{q:?}");
        }
        for u in ["a b", "1.", ".5", "x-y", "é", "1e", "0x10", "Infinity"] {
            assert!(toon_safe_unquoted(u), "{u:?}");
        }
        let mut s = String::new();
        write_toon_quoted(&mut s, "a\"\\\n\r\t\u{1}");
        assert_eq!(s, r#""a\"\\\n\r\t\u0001""#);
        let mut k = String::new();
        write_toon_key(&mut k, "a.b_1");
        write_toon_key(&mut k, "1a");
        assert_eq!(k, r#"a.b_1"1a""#);
    }
}
