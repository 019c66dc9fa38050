//! TOON (Token-Oriented Object Notation, `toon-format/spec`) as the reference encoder
//! `@toon-format/toon` writes it: indentation instead of braces, inline arrays of primitives,
//! tables for uniform arrays of objects (nested objects as field groups `{a,b{c,d}}`), keyed
//! tables `[N:]` for maps of uniform objects, and list items otherwise. One difference: numbers
//! keep their original text (the format's readers accept any JSON number spelling).
//!
//! Documents TOON cannot carry exactly get no TOON form: duplicate keys (its readers reject them),
//! lone surrogates, numbers outside the double range or equal to -0 (they would read back as a
//! string or as 0), and nesting deeper than `MAX_DEPTH`.
//!
//! In a lossy view, omission markers in tables and lists are bare lines that the header's count
//! does not include; in inline arrays they are quoted string elements. The header's count is what
//! a reader gets, so a reduced array's header is followed by a marker line with its full count
//! (`[… 682 items in all …]`): asked how many, a model must not answer the header's count.

use super::strings;
use super::tape::{Kind, Tape, NONE, NUMBER_CHECK, SURROGATE};
use super::view::{Child, Children, View};
use crate::marker;

/// Deeper documents get no TOON form: every level costs two spaces on every line below it.
pub const MAX_DEPTH: u32 = 64;

/// Whether TOON can carry this document's value exactly.
pub fn eligible(tape: &Tape) -> bool {
    if tape.max_depth > MAX_DEPTH {
        return false;
    }
    // For duplicate keys: the last object whose children used each key id.
    let mut last_object = vec![NONE; tape.keys as usize];
    for (i, n) in tape.nodes.iter().enumerate() {
        let i = i as u32;
        if n.flags & SURROGATE != 0 && has_lone_surrogate(tape, i) {
            return false;
        }
        if n.kind == Kind::Number && n.flags & NUMBER_CHECK != 0 {
            let v: f64 = tape.raw(i).parse().unwrap_or(f64::INFINITY);
            if !v.is_finite() || (v == 0.0 && v.is_sign_negative()) {
                return false;
            }
        }
        if n.kind == Kind::Object && n.count > 1 {
            for c in tape.children(i) {
                let seen = &mut last_object[tape.nodes[c as usize].key as usize];
                if *seen == i {
                    return false;
                }
                *seen = i;
            }
        }
    }
    true
}

fn has_lone_surrogate(tape: &Tape, i: u32) -> bool {
    let lone = |raw: &str| strings::has_lone_surrogate(&raw[1..raw.len() - 1]);
    (tape.kind(i) == Kind::String && lone(tape.raw(i))) || tape.raw_key(i).is_some_and(lone)
}

/// A column of a table: a key, and for a nested field group, its sub-columns.
struct Field {
    /// A node (in the first row) whose key names the column.
    key: u32,
    /// Sub-columns `fields[first..first + len]`; `len == 0` for a leaf.
    first: u32,
    len: u32,
}

/// The columns of a table: `fields[0..top]` are the top-level columns.
struct Fields {
    fields: Vec<Field>,
    top: u32,
}

/// The value of the field named like `key_node` in object `obj`; `hint` is the child where it
/// usually is (rows mostly share one key order, so this is one comparison per cell).
fn lookup(view: &View, obj: u32, key_node: u32, hint: u32) -> Option<u32> {
    let tape = view.tape;
    if hint > obj && hint < tape.nodes[obj as usize].next && view.key_eq(hint, key_node) {
        return Some(hint);
    }
    tape.children(obj).find(|&c| view.key_eq(c, key_node))
}

/// TOON's tabular test over `rows` (all objects with the same key set, every column primitive
/// or a nested group of such objects), giving the columns.
fn table_fields(view: &View, rows: &[u32]) -> Option<Fields> {
    let tape = view.tape;
    let mut fields: Vec<Field> = Vec::new();
    // Groups still to classify: (index of the group field or NONE for the top, its rows).
    let mut work: Vec<(Option<usize>, Vec<u32>)> = Vec::new();
    let mut top = 0;
    let mut current: Option<(Option<usize>, Vec<u32>)> = Some((None, rows.to_vec()));
    while let Some((owner, rows)) = current.take().or_else(|| work.pop()) {
        let &first = rows.first()?;
        let width = tape.nodes[first as usize].count;
        if tape.kind(first) != Kind::Object || width == 0 {
            return None;
        }
        for &r in &rows {
            let n = &tape.nodes[r as usize];
            if n.kind != Kind::Object || n.count != width {
                return None;
            }
        }
        let start = fields.len();
        let keys: Vec<u32> = tape.children(first).collect();
        let mut hints: Vec<u32> = rows.iter().map(|&r| r + 1).collect();
        for &k in &keys {
            let mut all_scalar = true;
            let mut all_objects = true;
            let mut column: Vec<u32> = Vec::new();
            for (&r, hint) in rows.iter().zip(hints.iter_mut()) {
                let v = lookup(view, r, k, *hint)?;
                *hint = tape.nodes[v as usize].next;
                let n = &tape.nodes[v as usize];
                match n.kind {
                    Kind::Array => return None,
                    Kind::Object => {
                        all_scalar = false;
                        all_objects &= n.count > 0;
                    }
                    _ => all_objects = false,
                }
                if all_objects {
                    column.push(v);
                }
            }
            if !all_scalar && !all_objects {
                return None;
            }
            fields.push(Field {
                key: k,
                first: 0,
                len: 0,
            });
            if !all_scalar {
                work.push((Some(fields.len() - 1), column));
            }
        }
        match owner {
            None => top = fields.len() as u32,
            Some(f) => {
                fields[f].first = start as u32;
                fields[f].len = (fields.len() - start) as u32;
            }
        }
    }
    Some(Fields { fields, top })
}

/// How a cell's TOON text opens, for the tokenizer: both pretokenizers give a digit run no
/// leading space, so a row that opens with a digit pays its indent's last space as a token of its
/// own, where a letter takes that space (or, mid-row, the comma) into its word.
#[derive(PartialEq)]
enum Lead {
    Digit,
    Letter,
    Other,
}

fn lead(view: &View, v: u32) -> Lead {
    let first = match view.kind(v) {
        Kind::Number => view.tape.raw(v).as_bytes().first().copied(),
        Kind::String => {
            let s = view.string(v);
            if strings::toon_safe_unquoted(&s) {
                s.as_bytes().first().copied()
            } else {
                None
            }
        }
        Kind::True | Kind::False | Kind::Null => Some(b'n'),
        _ => None,
    };
    match first {
        Some(b) if b.is_ascii_digit() => Lead::Digit,
        Some(b) if b.is_ascii_alphabetic() => Lead::Letter,
        _ => Lead::Other,
    }
}

/// Rows a moved column must save, net: the header's new key order may cost a few tokens.
const MIN_GAIN: i64 = 4;

/// Moves a top-level leaf column to the front when rows then open with a letter instead of a
/// digit often enough to save tokens (`MIN_GAIN` rows, net); the column saving most, the
/// earliest on ties. JSON gives key order no meaning
/// and TOON's own tables already write every row in its first row's order.
fn lead_with_word(view: &View, f: &mut Fields, rows: &[u32]) {
    let top = f.top as usize;
    if f.fields.first().is_none_or(|c| c.len > 0) {
        return;
    }
    let first_key = f.fields[0].key;
    let leads: Vec<bool> = rows
        .iter()
        .map(|&r| lookup(view, r, first_key, r + 1).is_some_and(|v| lead(view, v) == Lead::Digit))
        .collect();
    if !leads.iter().any(|&d| d) {
        return;
    }
    let mut gains = vec![0i64; top];
    for (&r, &digit) in rows.iter().zip(&leads) {
        let mut hint = r + 1;
        for (c, gain) in gains.iter_mut().enumerate() {
            let Some(v) = lookup(view, r, f.fields[c].key, hint) else {
                continue;
            };
            hint = view.tape.nodes[v as usize].next;
            match lead(view, v) {
                Lead::Letter if digit => *gain += 1,
                Lead::Digit if !digit => *gain -= 1,
                _ => {}
            }
        }
    }
    let mut best = 0;
    for c in 1..top {
        if f.fields[c].len == 0 && gains[c] >= MIN_GAIN && gains[c] > gains[best] {
            best = c;
        }
    }
    f.fields[..=best].rotate_right(1);
}

/// The shape TOON gives an array.
enum Form {
    Empty,
    /// All elements primitive (markers included, as strings).
    Inline,
    Table(Fields),
    List,
}

struct Writer<'v, 't, 'a> {
    view: &'v View<'t, 'a>,
    out: String,
    lines: usize,
}

enum Task<'t> {
    /// Object fields as `key: value` lines.
    Fields(Children<'t>, u32),
    /// Array elements as `- ` list items.
    Items(Children<'t>, u32),
}

impl<'v, 't, 'a> Writer<'v, 't, 'a> {
    fn line(&mut self, depth: u32) {
        if self.lines > 0 {
            self.out.push('\n');
        }
        self.lines += 1;
        for _ in 0..depth {
            self.out.push_str("  ");
        }
    }

    fn key(&mut self, i: u32) {
        let k = self.view.key(i);
        strings::write_toon_key(&mut self.out, &k);
    }

    fn primitive(&mut self, i: u32) {
        match self.view.kind(i) {
            Kind::String => {
                let v = self.view.string(i);
                strings::write_toon_string(&mut self.out, &v);
            }
            _ => self.out.push_str(self.view.tape.raw(i)),
        }
    }

    fn items(&self, arr: u32) -> Vec<u32> {
        self.view
            .children(arr)
            .filter_map(|c| match c {
                Child::Node(i) => Some(i),
                Child::Marker(_) => None,
            })
            .collect()
    }

    fn form(&self, arr: u32, tables: bool) -> Form {
        if self.view.len(arr) == 0 {
            return Form::Empty;
        }
        let primitive = self.view.children(arr).all(|c| match c {
            Child::Marker(_) => true,
            Child::Node(i) => !self.view.kind(i).is_container(),
        });
        if primitive {
            return Form::Inline;
        }
        if tables {
            let items = self.items(arr);
            if items.iter().all(|&i| self.view.kind(i) == Kind::Object) {
                if let Some(mut f) = table_fields(self.view, &items) {
                    lead_with_word(self.view, &mut f, &items);
                    return Form::Table(f);
                }
            }
        }
        Form::List
    }

    /// A map of two or more uniform non-empty objects, as a keyed table.
    fn keyed(&self, obj: u32) -> Option<Fields> {
        let tape = self.view.tape;
        if tape.nodes[obj as usize].count < 2 {
            return None;
        }
        let values: Vec<u32> = tape.children(obj).collect();
        if !values
            .iter()
            .all(|&v| tape.kind(v) == Kind::Object && tape.nodes[v as usize].count > 0)
        {
            return None;
        }
        table_fields(self.view, &values)
    }

    /// `[N]`, `[N:]` and `{fields}` after an optional key.
    fn header(&mut self, key: Option<u32>, n: usize, keyed: bool, fields: Option<&Fields>) {
        if let Some(k) = key {
            self.key(k);
        }
        self.out.push('[');
        self.out.push_str(&n.to_string());
        if keyed {
            self.out.push(':');
        }
        self.out.push(']');
        if let Some(f) = fields {
            self.field_list(f);
        }
        self.out.push(':');
    }

    fn field_list(&mut self, f: &Fields) {
        // (next field, end of its range, start of the range) per open group.
        let mut stack: Vec<(u32, u32, u32)> = vec![(0, f.top, 0)];
        self.out.push('{');
        while let Some((at, end, start)) = stack.last_mut() {
            if *at >= *end {
                stack.pop();
                self.out.push('}');
                continue;
            }
            let field = &f.fields[*at as usize];
            if *at > *start {
                self.out.push(',');
            }
            *at += 1;
            self.key(field.key);
            if field.len > 0 {
                self.out.push('{');
                stack.push((field.first, field.first + field.len, field.first));
            }
        }
    }

    /// One row: the leaves of `row` in column order.
    fn row(&mut self, f: &Fields, row: u32) {
        // (next field, end of its range, object, hint) per open group.
        let mut stack: Vec<(u32, u32, u32, u32)> = vec![(0, f.top, row, row + 1)];
        let mut first = true;
        while let Some((at, end, obj, hint)) = stack.last_mut() {
            if *at >= *end {
                stack.pop();
                continue;
            }
            let field = &f.fields[*at as usize];
            *at += 1;
            let Some(v) = lookup(self.view, *obj, field.key, *hint) else {
                continue;
            };
            *hint = self.view.tape.nodes[v as usize].next;
            if field.len > 0 {
                stack.push((field.first, field.first + field.len, v, v + 1));
                continue;
            }
            if !first {
                self.out.push(',');
            }
            first = false;
            self.primitive(v);
        }
    }

    fn rows(&mut self, f: &Fields, container: u32, keyed: bool, depth: u32) {
        for c in self.view.children(container) {
            self.line(depth);
            match c {
                Child::Marker(m) => self.out.push_str(m),
                Child::Node(r) => {
                    if keyed {
                        self.key(r);
                        self.out.push_str(": ");
                    }
                    self.row(f, r);
                }
            }
        }
    }

    /// After the header (or the inline values) of an array that selection reduced: a marker line
    /// with its full count.
    fn shown_line(&mut self, arr: u32, depth: u32) {
        if self.view.plan.is_some_and(|p| p.arrays.contains_key(&arr)) {
            let total = self.view.tape.nodes[arr as usize].count as usize;
            self.line(depth);
            self.out.push_str(&marker::json_items_in_all(total));
        }
    }

    fn inline_values(&mut self, arr: u32) {
        let mut first = true;
        for c in self.view.children(arr) {
            self.out.push(if first { ' ' } else { ',' });
            first = false;
            match c {
                Child::Marker(m) => strings::write_toon_string(&mut self.out, m),
                Child::Node(i) => self.primitive(i),
            }
        }
    }

    /// `key: value`, `key:` + nested fields, or an array or keyed table under `key`; returns the
    /// task for nested lines, if any.
    fn field(&mut self, c: u32, depth: u32) -> Option<Task<'t>> {
        match self.view.kind(c) {
            Kind::Array => return self.array(Some(c), c, depth),
            Kind::Object => {
                if let Some(f) = self.keyed(c) {
                    self.line(depth);
                    self.header(Some(c), self.view.len(c), true, Some(&f));
                    self.rows(&f, c, true, depth + 1);
                    return None;
                }
                self.line(depth);
                self.key(c);
                self.out.push(':');
                return (self.view.len(c) > 0)
                    .then(|| Task::Fields(self.view.children(c), depth + 1));
            }
            _ => {
                self.line(depth);
                self.key(c);
                self.out.push_str(": ");
                self.primitive(c);
            }
        }
        None
    }

    /// An array under `key` (or at the root) at `depth`.
    fn array(&mut self, key: Option<u32>, arr: u32, depth: u32) -> Option<Task<'t>> {
        self.line(depth);
        match self.form(arr, true) {
            Form::Empty => {
                if let Some(k) = key {
                    self.key(k);
                    self.out.push_str(": ");
                }
                self.out.push_str("[]");
                None
            }
            Form::Inline => {
                self.header(key, self.view.len(arr), false, None);
                self.inline_values(arr);
                self.shown_line(arr, depth + 1);
                None
            }
            Form::Table(f) => {
                let n = self.items(arr).len();
                self.header(key, n, false, Some(&f));
                self.shown_line(arr, depth + 1);
                self.rows(&f, arr, false, depth + 1);
                None
            }
            Form::List => {
                let n = self.items(arr).len();
                self.header(key, n, false, None);
                self.shown_line(arr, depth + 1);
                Some(Task::Items(self.view.children(arr), depth + 1))
            }
        }
    }

    /// One list item; returns tasks to run (in order) for its nested lines.
    fn item(&mut self, c: Child<'t>, depth: u32, tasks: &mut Vec<Task<'t>>) {
        let i = match c {
            Child::Marker(m) => {
                self.line(depth);
                self.out.push_str(m);
                return;
            }
            Child::Node(i) => i,
        };
        match self.view.kind(i) {
            Kind::Array => {
                self.line(depth);
                self.out.push_str("- ");
                match self.form(i, false) {
                    Form::Empty | Form::Inline => {
                        self.header(None, self.view.len(i), false, None);
                        self.inline_values(i);
                        self.shown_line(i, depth + 1);
                    }
                    _ => {
                        let n = self.items(i).len();
                        self.header(None, n, false, None);
                        self.shown_line(i, depth + 1);
                        tasks.push(Task::Items(self.view.children(i), depth + 1));
                    }
                }
            }
            Kind::Object => self.object_item(i, depth, tasks),
            _ => {
                self.line(depth);
                self.out.push_str("- ");
                self.primitive(i);
            }
        }
    }

    /// An object as a list item: its first field on the hyphen line, the rest one level deeper.
    fn object_item(&mut self, obj: u32, depth: u32, tasks: &mut Vec<Task<'t>>) {
        self.line(depth);
        let mut fields = self.view.children(obj);
        let Some(Child::Node(f)) = fields.next() else {
            self.out.push('-');
            return;
        };
        self.out.push_str("- ");
        let mut nested: Option<Task<'t>> = None;
        match self.view.kind(f) {
            Kind::Array => match self.form(f, true) {
                Form::Table(t) => {
                    let n = self.items(f).len();
                    self.header(Some(f), n, false, Some(&t));
                    self.shown_line(f, depth + 2);
                    self.rows(&t, f, false, depth + 2);
                }
                Form::Empty => {
                    self.key(f);
                    self.out.push_str(": []");
                }
                Form::Inline => {
                    self.header(Some(f), self.view.len(f), false, None);
                    self.inline_values(f);
                    self.shown_line(f, depth + 2);
                }
                Form::List => {
                    let n = self.items(f).len();
                    self.header(Some(f), n, false, None);
                    self.shown_line(f, depth + 2);
                    nested = Some(Task::Items(self.view.children(f), depth + 2));
                }
            },
            Kind::Object => {
                if let Some(t) = self.keyed(f) {
                    self.header(Some(f), self.view.len(f), true, Some(&t));
                    self.rows(&t, f, true, depth + 2);
                } else {
                    self.key(f);
                    self.out.push(':');
                    if self.view.len(f) > 0 {
                        nested = Some(Task::Fields(self.view.children(f), depth + 2));
                    }
                }
            }
            _ => {
                self.key(f);
                self.out.push_str(": ");
                self.primitive(f);
            }
        }
        // The rest of the fields follow the first field's nested lines.
        tasks.push(Task::Fields(fields, depth + 1));
        if let Some(t) = nested {
            tasks.push(t);
        }
    }
}

/// Writes the document (or its lossy view) as TOON; call only when `eligible` holds.
pub fn write(view: &View) -> String {
    let mut w = Writer {
        view,
        out: String::with_capacity(view.tape.text.len()),
        lines: 0,
    };
    let mut tasks: Vec<Task> = Vec::new();
    match view.kind(0) {
        Kind::Array => tasks.extend(w.array(None, 0, 0)),
        Kind::Object => {
            if let Some(f) = w.keyed(0) {
                w.line(0);
                w.header(None, view.len(0), true, Some(&f));
                w.rows(&f, 0, true, 1);
            } else {
                tasks.push(Task::Fields(view.children(0), 0));
            }
        }
        Kind::String => {
            let v = view.string(0);
            if v.starts_with('\u{FEFF}') {
                strings::write_toon_quoted(&mut w.out, &v);
            } else {
                strings::write_toon_string(&mut w.out, &v);
            }
        }
        _ => w.out.push_str(view.tape.raw(0)),
    }
    while let Some(task) = tasks.last_mut() {
        match task {
            Task::Fields(children, depth) => {
                let depth = *depth;
                match children.next() {
                    Some(Child::Node(c)) => {
                        if let Some(t) = w.field(c, depth) {
                            tasks.push(t);
                        }
                    }
                    Some(Child::Marker(_)) => {}
                    None => {
                        tasks.pop();
                    }
                }
            }
            Task::Items(children, depth) => {
                let depth = *depth;
                match children.next() {
                    Some(c) => {
                        let mut nested = Vec::new();
                        w.item(c, depth, &mut nested);
                        tasks.extend(nested);
                    }
                    None => {
                        tasks.pop();
                    }
                }
            }
        }
    }
    w.out
}

#[cfg(test)]
mod tests {
    use super::super::tape;
    use super::*;

    fn toon(s: &str) -> Option<String> {
        let t = tape::parse(s).unwrap();
        eligible(&t).then(|| write(&View::new(&t, None)))
    }

    #[test]
    fn writes_the_reference_forms() {
        assert_eq!(
            toon(r#"{"users":[{"id":1,"name":"Ada","tags":[]},{"name":"Bob","id":2.50,"tags":[]}]}"#)
                .unwrap(),
            "users[2]:\n  - id: 1\n    name: Ada\n    tags: []\n  - name: Bob\n    id: 2.50\n    tags: []"
        );
        assert_eq!(
            toon(r#"[{"a":{"b":1,"c":"x"},"d":true},{"d":false,"a":{"c":"y,z","b":2}}]"#).unwrap(),
            "[2]{a{b,c},d}:\n  1,x,true\n  2,\"y,z\",false"
        );
        assert_eq!(
            toon(r#"{"m":{"k1":{"p":1},"k 2":{"p":2}},"e":{},"s":"-x","n":[1,"a",null]}"#).unwrap(),
            "m[2:]{p}:\n  k1: 1\n  \"k 2\": 2\ne:\ns: \"-x\"\nn[3]: 1,a,null"
        );
        assert_eq!(
            toon(r#"[[1,2],[],{"a":[{"x":1}],"b":2},{},"s"]"#).unwrap(),
            "[5]:\n  - [2]: 1,2\n  - [0]:\n  - a[1]{x}:\n      1\n    b: 2\n  -\n  - s"
        );
    }

    #[test]
    fn a_reduced_array_states_its_full_count_after_its_header() {
        let doc = format!(
            "[{}]",
            (0..40)
                .map(|i| format!(r#"{{"n":"row {i}","v":{}}}"#, i % 3))
                .collect::<Vec<_>>()
                .join(",")
        );
        let t = tape::parse(&doc).unwrap();
        let sel = super::super::select::Selection::new(&t, "");
        let (plan, _) = sel.plan(0);
        let out = write(&View::new(&t, Some(&plan)));
        let mut lines = out.lines();
        let header = lines.next().unwrap();
        let shown: usize = header[1..header.find(']').unwrap()].parse().unwrap();
        assert!(shown < 40, "{out}");
        assert_eq!(lines.next(), Some("  [… 40 items in all …]"), "{out}");
    }

    #[test]
    fn refuses_what_toon_cannot_carry() {
        for s in [
            r#"{"a":1,"a":2}"#,
            "-0",
            "[1e400]",
            r#""\ud800""#,
            "[-1e-400]",
        ] {
            assert_eq!(toon(s), None, "{s}");
        }
        assert!(toon("[1.5e3, -0.5, \"\\ud83d\\ude00\"]").is_some());
    }
}
