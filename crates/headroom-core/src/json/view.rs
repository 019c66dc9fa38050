//! A document as the writers see it: the tape, plus (after lossy selection) a plan saying which
//! items of which arrays are kept, where omission markers go, and which long strings are cut.

use super::strings;
use super::tape::{Kind, Tape, ESCAPED};
use std::borrow::Cow;
use std::collections::HashMap;

/// One element of a reduced array: a kept item, or a marker string standing for a dropped run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    Item(u32),
    Marker(String),
}

/// The outcome of lossy selection.
#[derive(Default, Debug)]
pub struct Plan {
    /// Reduced arrays: node → its entries.
    pub arrays: HashMap<u32, Vec<Entry>>,
    /// Cut strings: node → the value that replaces it (a prefix and a marker).
    pub strings: HashMap<u32, String>,
}

/// An element of an array as a writer meets it.
#[derive(Clone, Copy)]
pub enum Child<'p> {
    Node(u32),
    Marker(&'p str),
}

/// Iterates an array's elements or an object's fields.
pub enum Children<'p> {
    Tape {
        next: &'p [super::tape::Node],
        at: u32,
        end: u32,
    },
    Plan(std::slice::Iter<'p, Entry>),
}

impl<'p> Iterator for Children<'p> {
    type Item = Child<'p>;
    fn next(&mut self) -> Option<Child<'p>> {
        match self {
            Children::Tape { next, at, end } => {
                if *at >= *end {
                    return None;
                }
                let i = *at;
                *at = next[i as usize].next;
                Some(Child::Node(i))
            }
            Children::Plan(it) => it.next().map(|e| match e {
                Entry::Item(i) => Child::Node(*i),
                Entry::Marker(m) => Child::Marker(m),
            }),
        }
    }
}

pub struct View<'t, 'a> {
    pub tape: &'t Tape<'a>,
    pub plan: Option<&'t Plan>,
}

impl<'t, 'a> View<'t, 'a> {
    pub fn new(tape: &'t Tape<'a>, plan: Option<&'t Plan>) -> Self {
        View { tape, plan }
    }

    pub fn kind(&self, i: u32) -> Kind {
        self.tape.nodes[i as usize].kind
    }

    /// The elements of an array (kept items and markers) or the fields of an object.
    pub fn children(&self, i: u32) -> Children<'t> {
        if let Some(entries) = self.plan.and_then(|p| p.arrays.get(&i)) {
            return Children::Plan(entries.iter());
        }
        let n = &self.tape.nodes[i as usize];
        let first = if n.count > 0 { i + 1 } else { n.next };
        Children::Tape {
            next: &self.tape.nodes,
            at: first,
            end: n.next,
        }
    }

    /// How many elements `children` yields.
    pub fn len(&self, i: u32) -> usize {
        match self.plan.and_then(|p| p.arrays.get(&i)) {
            Some(entries) => entries.len(),
            None => self.tape.nodes[i as usize].count as usize,
        }
    }

    /// The string that replaces a cut string node, if any.
    pub fn cut(&self, i: u32) -> Option<&'t str> {
        self.plan
            .and_then(|p| p.strings.get(&i))
            .map(String::as_str)
    }

    /// The value of a string node (decoded, or its cut replacement).
    pub fn string(&self, i: u32) -> Cow<'t, str> {
        if let Some(c) = self.cut(i) {
            return Cow::Borrowed(c);
        }
        let raw = self.tape.raw(i);
        let inner = &raw[1..raw.len() - 1];
        if self.escaped(i) {
            strings::decode(inner)
        } else {
            Cow::Borrowed(inner)
        }
    }

    /// The decoded key of a node (empty when it has none).
    pub fn key(&self, i: u32) -> Cow<'a, str> {
        match self.tape.raw_key(i) {
            Some(raw) => strings::decode(&raw[1..raw.len() - 1]),
            None => Cow::Borrowed(""),
        }
    }

    /// Whether two nodes have the same key.
    pub fn key_eq(&self, a: u32, b: u32) -> bool {
        self.tape.nodes[a as usize].key == self.tape.nodes[b as usize].key
    }

    /// Whether a string node's raw text has escapes.
    pub fn escaped(&self, i: u32) -> bool {
        self.tape.nodes[i as usize].flags & ESCAPED != 0
    }
}
