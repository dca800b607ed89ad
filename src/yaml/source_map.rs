//! Where each node of a YAML document sits in its file.
//!
//! serde_yaml reports the position of the errors it finds itself, but once a
//! file has deserialised cleanly the positions are gone. Checks that run
//! after deserialisation (ranges, references between sections) still need to
//! point at a line, so the same text is walked once more with yaml-rust2's
//! marked event parser and every node is recorded under its key path.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    /// The start of the file, for errors that concern a file as a whole.
    pub const START: Pos = Pos { line: 1, column: 1 };

    fn of(m: Marker) -> Pos {
        // yaml-rust2 counts lines from 1 and columns from 0.
        Pos {
            line: m.line(),
            column: m.col() + 1,
        }
    }
}

#[derive(Debug, Clone)]
struct Node {
    at: Pos,
    /// Where the mapping key that names this node starts, if a key does.
    key_at: Option<Pos>,
    /// Mapping entries by key, sequence items by their 0-based index.
    children: Vec<(String, Node)>,
}

impl Node {
    fn new(at: Pos) -> Node {
        Node {
            at,
            key_at: None,
            children: Vec::new(),
        }
    }
    fn child(&self, key: &str) -> Option<&Node> {
        self.children.iter().find(|(k, _)| k == key).map(|(_, n)| n)
    }
}

/// A lookup from key path (`["tracks", "2", "sends", "0", "bus"]`, sequence
/// items by 0-based index) to the position of that node.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    root: Option<Node>,
}

impl SourceMap {
    /// Map a YAML text (the first document of it). On a syntax error, returns
    /// its position and yaml-rust2's description.
    pub fn parse(text: &str) -> Result<SourceMap, (Pos, String)> {
        let mut b = Builder::default();
        Parser::new_from_str(text)
            .load(&mut b, false)
            .map_err(|e| (Pos::of(*e.marker()), e.info().to_string()))?;
        Ok(SourceMap { root: b.root })
    }

    /// Whether the document has any content at all.
    pub fn is_empty(&self) -> bool {
        self.root.is_none()
    }

    fn node(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self.root.as_ref()?, |n, k| n.child(k))
    }

    /// Position of the node's value.
    pub fn value(&self, path: &[&str]) -> Option<Pos> {
        self.node(path).map(|n| n.at)
    }

    /// Position of the key that names the node (its value's position for
    /// sequence items and the root).
    pub fn key(&self, path: &[&str]) -> Option<Pos> {
        self.node(path).map(|n| n.key_at.unwrap_or(n.at))
    }

    /// Position of the node, or of its deepest ancestor that exists (keys
    /// filled in by defaults have no position of their own).
    pub fn nearest(&self, path: &[&str]) -> Pos {
        (0..=path.len())
            .rev()
            .find_map(|n| self.value(&path[..n]))
            .unwrap_or(Pos::START)
    }

    /// The entries of a mapping node in file order, repeated keys included
    /// (serde keeps only the last of them): key, key position, value position.
    pub fn entries(&self, path: &[&str]) -> Vec<(&str, Pos, Pos)> {
        self.node(path)
            .map(|n| {
                n.children
                    .iter()
                    .map(|(k, c)| (k.as_str(), c.key_at.unwrap_or(c.at), c.at))
                    .collect()
            })
            .unwrap_or_default()
    }
}

enum Frame {
    Map {
        node: Node,
        key: Option<(String, Pos)>,
    },
    Seq {
        node: Node,
    },
    /// A mapping or sequence used as a mapping key; only its extent matters.
    ComplexKey {
        depth: usize,
        at: Pos,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
}

impl Builder {
    /// Whether the next node is in key position of the innermost mapping.
    fn expecting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { key: None, .. }))
    }

    fn attach(&mut self, mut node: Node) {
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Map { node: parent, key }) => {
                if let Some((k, at)) = key.take() {
                    node.key_at = Some(at);
                    if parent.children.is_empty() {
                        // A block mapping's start mark lies after its first
                        // key; the key is where a reader looks.
                        parent.at = parent.at.min(at);
                    }
                    parent.children.push((k, node));
                }
            }
            Some(Frame::Seq { node: parent }) => {
                let i = parent.children.len().to_string();
                parent.children.push((i, node));
            }
            Some(Frame::ComplexKey { .. }) => {}
        }
    }

    fn set_key(&mut self, k: String, at: Pos) {
        if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
            *key = Some((k, at));
        }
    }

    fn open(&mut self, at: Pos, map: bool) {
        if let Some(Frame::ComplexKey { depth, .. }) = self.stack.last_mut() {
            *depth += 1;
        } else if self.expecting_key() {
            self.stack.push(Frame::ComplexKey { depth: 1, at });
        } else if map {
            self.stack.push(Frame::Map {
                node: Node::new(at),
                key: None,
            });
        } else {
            self.stack.push(Frame::Seq {
                node: Node::new(at),
            });
        }
    }

    fn close(&mut self) {
        match self.stack.pop() {
            Some(Frame::ComplexKey { depth, at }) if depth > 1 => {
                self.stack.push(Frame::ComplexKey {
                    depth: depth - 1,
                    at,
                });
            }
            Some(Frame::ComplexKey { at, .. }) => self.set_key(String::new(), at),
            Some(Frame::Map { node, .. } | Frame::Seq { node }) => self.attach(node),
            None => {}
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let at = Pos::of(mark);
        match ev {
            Event::Scalar(v, ..) => {
                if matches!(self.stack.last(), Some(Frame::ComplexKey { .. })) {
                } else if self.expecting_key() {
                    self.set_key(v, at);
                } else {
                    self.attach(Node::new(at));
                }
            }
            Event::Alias(_) => {
                if self.expecting_key() {
                    self.set_key(String::new(), at);
                } else if !matches!(self.stack.last(), Some(Frame::ComplexKey { .. })) {
                    self.attach(Node::new(at));
                }
            }
            Event::MappingStart(..) => self.open(at, true),
            Event::SequenceStart(..) => self.open(at, false),
            Event::MappingEnd | Event::SequenceEnd => self.close(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
# a comment
tempo: 120
tracks:
  - name: Kick
    source: { input: 1 }
  - { name: Keys, channels: 2, source: { input: [5, 6] } }
  - name: Vox
    sends:
      - bus: 2
        level: -12
mix:
  track/2/gain: -4.5
";

    fn at(line: usize, column: usize) -> Option<Pos> {
        Some(Pos { line, column })
    }

    #[test]
    fn block_and_flow_nodes_are_found_where_they_are_written() {
        let m = SourceMap::parse(TEXT).unwrap();
        assert_eq!(m.value(&["tempo"]), at(2, 8));
        assert_eq!(m.key(&["tempo"]), at(2, 1));
        assert_eq!(m.value(&["tracks", "0"]), at(4, 5));
        assert_eq!(m.value(&["tracks", "0", "source", "input"]), at(5, 22));
        assert_eq!(m.value(&["tracks", "1"]), at(6, 5));
        assert_eq!(m.value(&["tracks", "1", "channels"]), at(6, 29));
        assert_eq!(m.value(&["tracks", "1", "source", "input", "1"]), at(6, 53));
        assert_eq!(m.value(&["tracks", "2", "sends", "0", "bus"]), at(9, 14));
        assert_eq!(m.key(&["tracks", "2", "sends", "0", "level"]), at(10, 9));
        assert_eq!(m.key(&["mix", "track/2/gain"]), at(12, 3));
        assert_eq!(m.value(&["mix"]), at(12, 3));
        let keys: Vec<&str> = m.entries(&["tracks", "2"]).iter().map(|e| e.0).collect();
        assert_eq!(keys, vec!["name", "sends"]);
    }

    #[test]
    fn missing_nodes_fall_back_to_their_nearest_ancestor() {
        let m = SourceMap::parse(TEXT).unwrap();
        assert_eq!(m.value(&["tracks", "0", "channels"]), None);
        assert_eq!(
            m.nearest(&["tracks", "0", "channels"]),
            Pos { line: 4, column: 5 }
        );
        assert_eq!(m.nearest(&["nothing", "here"]), Pos { line: 2, column: 1 });
        assert_eq!(SourceMap::parse("").unwrap().nearest(&["x"]), Pos::START);
        assert!(SourceMap::parse("# only a comment\n").unwrap().is_empty());
    }

    #[test]
    fn complex_keys_and_aliases_do_not_derail_the_walk() {
        let text = "a: &x [1, 2]\n? [k, l]\n: 3\nb: *x\nc: 4\n";
        let m = SourceMap::parse(text).unwrap();
        let keys: Vec<&str> = m.entries(&[]).iter().map(|e| e.0).collect();
        assert_eq!(keys, vec!["a", "", "b", "c"]);
        assert_eq!(m.value(&["a", "1"]), at(1, 11));
        assert_eq!(m.value(&["b"]), at(4, 4));
        assert_eq!(m.value(&["c"]), at(5, 4));
    }

    #[test]
    fn repeated_keys_are_all_kept_in_order() {
        let m = SourceMap::parse("mix:\n  a: 1\n  b: 2\n  a: 3\n").unwrap();
        let e = m.entries(&["mix"]);
        assert_eq!(e.len(), 3);
        assert_eq!(
            (e[2].0, e[2].1, e[2].2),
            ("a", Pos { line: 4, column: 3 }, Pos { line: 4, column: 6 })
        );
    }

    #[test]
    fn syntax_errors_carry_a_position() {
        let (pos, msg) = SourceMap::parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(pos.line >= 1, "{pos:?}");
        assert!(!msg.is_empty());
    }
}
