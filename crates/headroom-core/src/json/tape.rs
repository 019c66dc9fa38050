//! The JSON reader: a flat tape of nodes in document order, built without recursion (an explicit
//! stack of open containers), so 100 000 levels of nesting cost no more than 100 000 siblings.
//! Nodes keep raw slices of the input: numbers keep their original text, strings their original
//! spelling (decoded only on demand), and duplicate keys are all kept. Keys are interned as they
//! are read (by decoded value), so every later key comparison is one integer comparison.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Null,
    False,
    True,
    Number,
    String,
    Array,
    Object,
}

impl Kind {
    pub fn is_container(self) -> bool {
        matches!(self, Kind::Array | Kind::Object)
    }
}

/// The value string contains backslash escapes.
pub const ESCAPED: u8 = 1;
/// The key string contains backslash escapes.
pub const KEY_ESCAPED: u8 = 2;
/// The value or key string has a `\uD800`–`\uDFFF` escape (possibly a lone surrogate).
pub const SURROGATE: u8 = 4;
/// The number's text may not denote a finite, non-negative-zero double (exponent, `-0…`, or
/// very long): TOON cannot carry those, so the TOON writer checks these precisely.
pub const NUMBER_CHECK: u8 = 8;

/// No parent, no key.
pub const NONE: u32 = u32::MAX;

/// One value of the document. Spans are byte offsets into the input; `key_*` is the raw key
/// string (quotes included) when the parent is an object.
#[derive(Clone, Copy, Debug)]
pub struct Node {
    pub kind: Kind,
    pub flags: u8,
    pub start: u32,
    pub end: u32,
    pub key_start: u32,
    pub key_end: u32,
    /// Index of the first node after this node's subtree.
    pub next: u32,
    pub parent: u32,
    /// Number of children (containers only).
    pub count: u32,
    /// The key's id (equal ids, equal decoded keys), or `NONE`.
    pub key: u32,
}

/// A parsed document: `nodes[0]` is the root.
pub struct Tape<'a> {
    pub text: &'a str,
    pub nodes: Vec<Node>,
    /// Deepest container nesting (the root container is depth 1).
    pub max_depth: u32,
    /// Number of distinct keys (ids are `0..keys`).
    pub keys: u32,
}

impl<'a> Tape<'a> {
    pub fn kind(&self, i: u32) -> Kind {
        self.nodes[i as usize].kind
    }

    /// The raw text of a node's value (strings with their quotes).
    pub fn raw(&self, i: u32) -> &'a str {
        let n = &self.nodes[i as usize];
        &self.text[n.start as usize..n.end as usize]
    }

    /// The raw key of a node, quotes included, or `None` when its parent is not an object.
    pub fn raw_key(&self, i: u32) -> Option<&'a str> {
        let n = &self.nodes[i as usize];
        (n.key_end != 0).then(|| &self.text[n.key_start as usize..n.key_end as usize])
    }

    /// The children of a container, in order.
    pub fn children(&self, i: u32) -> Children<'_, 'a> {
        let n = &self.nodes[i as usize];
        let first = if n.kind.is_container() && n.count > 0 {
            i + 1
        } else {
            n.next
        };
        Children {
            tape: self,
            at: first,
            end: n.next,
        }
    }
}

#[derive(Clone)]
pub struct Children<'t, 'a> {
    tape: &'t Tape<'a>,
    at: u32,
    end: u32,
}

impl Iterator for Children<'_, '_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.at >= self.end {
            return None;
        }
        let i = self.at;
        self.at = self.tape.nodes[i as usize].next;
        Some(i)
    }
}

/// True when the whole text is one JSON value (surrounding JSON whitespace allowed).
pub fn is_json(text: &str) -> bool {
    Parser::<false>::new(text).run().is_some()
}

/// Parses `text` as one JSON value; `None` when it is not valid JSON.
pub fn parse(text: &str) -> Option<Tape<'_>> {
    let mut p = Parser::<true>::new(text);
    p.run()?;
    Some(Tape {
        text,
        nodes: p.nodes,
        max_depth: p.max_depth,
        keys: p.keys.len() as u32,
    })
}

/// FxHash (as in rustc): keys are short and trusted to be no attack on a per-call table, so a
/// multiply-rotate hash beats SipHash by several times.
#[derive(Default)]
pub struct Fx(u64);

/// A hash map with `Fx` hashing.
pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(K);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// One pass over the input; `BUILD = false` only validates (detection), without a tape.
struct Parser<'a, const BUILD: bool> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    nodes: Vec<Node>,
    /// Open containers: node index (or, when not building, the container's kind).
    stack: Vec<u32>,
    kinds: Vec<bool>,
    max_depth: u32,
    keys: FxMap<Cow<'a, str>, u32>,
}

/// Skips string bytes that need no attention (not `"`, `\\` or a control character), eight at a
/// time: most string bytes are plain, and this is the parser's hottest loop.
fn skip_plain(b: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = b.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let quote = x ^ (ONES * b'"' as u64);
        let slash = x ^ (ONES * b'\\' as u64);
        // A byte is zero in `v` or below 0x20 in `x` exactly when its high bit is set here.
        let special = (quote.wrapping_sub(ONES) & !quote)
            | (slash.wrapping_sub(ONES) & !slash)
            | (x.wrapping_sub(ONES * 0x20) & !x);
        if special & HIGHS != 0 {
            return i + ((special & HIGHS).trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i
}

/// A pending key: raw span (quotes included), key flags, id.
type Key = (u32, u32, u8, u32);
const NO_KEY: Key = (0, 0, 0, NONE);

const fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

impl<'a, const BUILD: bool> Parser<'a, BUILD> {
    fn new(text: &'a str) -> Self {
        Parser {
            text,
            b: text.as_bytes(),
            pos: 0,
            // Values of real documents average over 8 bytes; reserving avoids regrowth copies (pages
            // of the reservation that stay unused are never touched).
            nodes: Vec::with_capacity(if BUILD { text.len() / 8 } else { 0 }),
            stack: Vec::new(),
            kinds: Vec::new(),
            max_depth: 0,
            keys: HashMap::default(),
        }
    }

    fn ws(&mut self) {
        while self.pos < self.b.len() && is_ws(self.b[self.pos]) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn run(&mut self) -> Option<()> {
        if self.b.len() >= u32::MAX as usize {
            return None;
        }
        self.ws();
        let mut key: Key = NO_KEY;
        'value: loop {
            // A value starts here.
            let c = self.peek()?;
            match c {
                b'{' | b'[' => {
                    let is_obj = c == b'{';
                    let kind = if is_obj { Kind::Object } else { Kind::Array };
                    self.push_node(kind, self.pos, self.pos, key, 0);
                    self.pos += 1;
                    self.ws();
                    let close = if is_obj { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.pos += 1;
                        self.close();
                    } else {
                        if is_obj {
                            key = self.key()?;
                        } else {
                            key = NO_KEY;
                        }
                        continue 'value;
                    }
                }
                b'"' => {
                    let start = self.pos;
                    let flags = self.string()?;
                    self.push_node(Kind::String, start, self.pos, key, flags);
                }
                b't' => self.literal(b"true", Kind::True, key)?,
                b'f' => self.literal(b"false", Kind::False, key)?,
                b'n' => self.literal(b"null", Kind::Null, key)?,
                _ => {
                    let start = self.pos;
                    let flags = self.number()?;
                    self.push_node(Kind::Number, start, self.pos, key, flags);
                }
            }
            // After a value: a separator, a close, or the end of the document.
            loop {
                let Some(&is_obj) = self.kinds.last() else {
                    self.ws();
                    return (self.pos == self.b.len()).then_some(());
                };
                self.ws();
                match self.peek()? {
                    b',' => {
                        self.pos += 1;
                        self.ws();
                        key = if is_obj { self.key()? } else { NO_KEY };
                        continue 'value;
                    }
                    b'}' if is_obj => {
                        self.pos += 1;
                        self.close();
                    }
                    b']' if !is_obj => {
                        self.pos += 1;
                        self.close();
                    }
                    _ => return None,
                }
            }
        }
    }

    /// Reads `"key" :` and leaves `pos` at the value.
    fn key(&mut self) -> Option<Key> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.pos;
        let flags = self.string()?;
        let end = self.pos;
        self.ws();
        if self.peek()? != b':' {
            return None;
        }
        self.pos += 1;
        self.ws();
        let mut kf = 0;
        if flags & ESCAPED != 0 {
            kf |= KEY_ESCAPED;
        }
        kf |= flags & SURROGATE;
        let mut id = NONE;
        if BUILD {
            let inner = &self.text[start + 1..end - 1];
            let name = if flags & ESCAPED != 0 {
                super::strings::decode(inner)
            } else {
                Cow::Borrowed(inner)
            };
            let next = self.keys.len() as u32;
            id = match self.keys.get(name.as_ref()) {
                Some(&id) => id,
                None => {
                    self.keys.insert(name, next);
                    next
                }
            };
        }
        Some((start as u32, end as u32, kf, id))
    }

    fn push_node(&mut self, kind: Kind, start: usize, end: usize, key: Key, flags: u8) {
        crate::stop::poll(8);
        let container = kind.is_container();
        if BUILD {
            let idx = self.nodes.len() as u32;
            let parent = self.stack.last().copied().unwrap_or(NONE);
            if parent != NONE {
                self.nodes[parent as usize].count += 1;
            }
            self.nodes.push(Node {
                kind,
                flags: flags | key.2,
                start: start as u32,
                end: end as u32,
                key_start: key.0,
                key_end: key.1,
                next: idx + 1,
                parent,
                count: 0,
                key: key.3,
            });
            if container {
                self.stack.push(idx);
            }
        }
        if container {
            self.kinds.push(kind == Kind::Object);
            self.max_depth = self.max_depth.max(self.kinds.len() as u32);
        }
    }

    fn close(&mut self) {
        self.kinds.pop();
        if BUILD {
            if let Some(idx) = self.stack.pop() {
                let next = self.nodes.len() as u32;
                let n = &mut self.nodes[idx as usize];
                n.end = self.pos as u32;
                n.next = next;
            }
        }
    }

    fn literal(&mut self, word: &[u8], kind: Kind, key: Key) -> Option<()> {
        if !self.b[self.pos..].starts_with(word) {
            return None;
        }
        let start = self.pos;
        self.pos += word.len();
        self.push_node(kind, start, self.pos, key, 0);
        Some(())
    }

    /// Scans a string starting at its opening quote; returns its flags.
    fn string(&mut self) -> Option<u8> {
        let b = self.b;
        let mut i = self.pos + 1;
        let mut flags = 0;
        loop {
            i = skip_plain(b, i);
            let c = *b.get(i)?;
            if c == b'"' {
                self.pos = i + 1;
                return Some(flags);
            }
            if c < 0x20 {
                return None;
            }
            if c == b'\\' {
                flags |= ESCAPED;
                match *b.get(i + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                    b'u' => {
                        let hex = b.get(i + 2..i + 6)?;
                        let mut v: u32 = 0;
                        for &h in hex {
                            v = v * 16 + (h as char).to_digit(16)?;
                        }
                        if (0xD800..=0xDFFF).contains(&v) {
                            flags |= SURROGATE;
                        }
                        i += 6;
                    }
                    _ => return None,
                }
            } else {
                i += 1;
            }
        }
    }

    /// Scans a number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Option<u8> {
        let b = self.b;
        let start = self.pos;
        let mut i = start;
        let mut flags = 0;
        let negative = b.get(i) == Some(&b'-');
        if negative {
            i += 1;
        }
        match b.get(i)? {
            b'0' => {
                i += 1;
                if negative {
                    flags |= NUMBER_CHECK;
                }
            }
            b'1'..=b'9' => {
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
            }
            _ => return None,
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            if !b.get(i).is_some_and(u8::is_ascii_digit) {
                return None;
            }
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            flags |= NUMBER_CHECK;
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !b.get(i).is_some_and(u8::is_ascii_digit) {
                return None;
            }
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        if i - start > 300 {
            flags |= NUMBER_CHECK;
        }
        self.pos = i;
        Some(flags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_document_into_a_tape() {
        let t = parse(r#" {"a": [1, -2.5e3, "x\n"], "a": {}, "b": null} "#).unwrap();
        let kinds: Vec<Kind> = t.nodes.iter().map(|n| n.kind).collect();
        use Kind::*;
        assert_eq!(kinds, [Object, Array, Number, Number, String, Object, Null]);
        assert_eq!(t.raw(3), "-2.5e3");
        assert_eq!(t.raw(4), r#""x\n""#);
        assert_eq!(t.raw_key(5), Some(r#""a""#));
        assert_eq!(t.children(0).collect::<Vec<_>>(), [1, 5, 6]);
        assert_eq!(t.children(1).collect::<Vec<_>>(), [2, 3, 4]);
        assert_eq!(t.nodes[0].count, 3);
        assert_eq!(t.nodes[4].flags & ESCAPED, ESCAPED);
        assert_eq!(t.nodes[3].flags & NUMBER_CHECK, NUMBER_CHECK);
        assert_eq!(t.max_depth, 2);
    }

    #[test]
    fn rejects_invalid_json() {
        for bad in [
            "",
            " ",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            "-",
            "1e",
            "[1 2]",
            "\"\\x\"",
            "\"a\nb\"",
            "tru",
            "nul",
            "{\"a\" 1}",
            "{1:2}",
            "[1]]",
            "\"\\u12g4\"",
            "1 2",
            "[}",
            "{]",
        ] {
            assert!(parse(bad).is_none(), "{bad:?}");
            assert!(!is_json(bad), "{bad:?}");
        }
        for good in [
            "0",
            "-0",
            "1e400",
            "\"\\ud800\"",
            "[]",
            "{}",
            " [ [ ] ] ",
            "true",
        ] {
            assert!(parse(good).is_some(), "{good:?}");
            assert!(is_json(good), "{good:?}");
        }
    }

    #[test]
    fn deep_nesting_needs_no_recursion() {
        let depth = 100_000;
        let text = "[".repeat(depth) + &"]".repeat(depth);
        let t = parse(&text).unwrap();
        assert_eq!(t.nodes.len(), depth);
        assert_eq!(t.max_depth, depth as u32);
        assert_eq!(t.nodes[0].next, depth as u32);
        assert!(!is_json(&("[".repeat(depth) + &"]".repeat(depth - 1))));
    }
}
