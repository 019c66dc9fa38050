//! Compact JSON: no insignificant whitespace, numbers as written, strings in `JSON.stringify`
//! spelling, duplicate keys kept. Iterative, so nesting depth costs nothing.

use super::strings;
use super::tape::{Kind, KEY_ESCAPED};
use super::view::{Child, Children, View};

/// Writes the document (or its lossy view) as compact JSON.
pub fn write(view: &View) -> String {
    write_prefix(view, usize::MAX)
}

/// Writes compact JSON until at least `limit` bytes are written (a sample of a large document).
pub fn write_prefix(view: &View, limit: usize) -> String {
    let tape = view.tape;
    let mut out = String::with_capacity(tape.text.len().min(limit.saturating_add(64)));
    let mut stack: Vec<(Children, bool, bool)> = Vec::new();
    let mut pending = Some(Child::Node(0));
    loop {
        if let Some(child) = pending.take() {
            match child {
                Child::Marker(m) => strings::write_json_value(&mut out, m),
                Child::Node(i) => match view.kind(i) {
                    Kind::Array | Kind::Object => {
                        let obj = view.kind(i) == Kind::Object;
                        out.push(if obj { '{' } else { '[' });
                        stack.push((view.children(i), obj, true));
                    }
                    Kind::String => match view.cut(i) {
                        Some(v) => strings::write_json_value(&mut out, v),
                        None => strings::write_json_raw(&mut out, tape.raw(i), view.escaped(i)),
                    },
                    _ => out.push_str(tape.raw(i)),
                },
            }
        }
        if out.len() >= limit {
            break;
        }
        let Some((children, obj, first)) = stack.last_mut() else {
            break;
        };
        match children.next() {
            Some(child) => {
                if !*first {
                    out.push(',');
                }
                *first = false;
                if *obj {
                    if let Child::Node(i) = child {
                        let escaped = tape.nodes[i as usize].flags & KEY_ESCAPED != 0;
                        strings::write_json_raw(
                            &mut out,
                            tape.raw_key(i).unwrap_or("\"\""),
                            escaped,
                        );
                        out.push(':');
                    }
                }
                pending = Some(child);
            }
            None => {
                out.push(if *obj { '}' } else { ']' });
                stack.pop();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tape;
    use super::*;

    fn compact(s: &str) -> String {
        let t = tape::parse(s).unwrap();
        write(&View::new(&t, None))
    }

    #[test]
    fn removes_whitespace_and_keeps_values_exactly() {
        assert_eq!(
            compact(" { \"a\" : [ 1.0 , -0, 1e400 , 12345678901234567890123 ], \"a\": { } , \"\\u0062\": \"\\u00e9\" } "),
            r#"{"a":[1.0,-0,1e400,12345678901234567890123],"a":{},"b":"é"}"#
        );
        assert_eq!(compact(" [ ] "), "[]");
        assert_eq!(compact(" \"x\" "), "\"x\"");
    }
}
