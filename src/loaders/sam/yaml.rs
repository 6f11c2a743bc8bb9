//! A YAML document as a tree that remembers where each scalar's text is in the source, so that a
//! value can be replaced in the text itself: everything else (comments, CloudFormation's short tags
//! `!Ref`, `!GetAtt`, `!Sub`, the layout) stays byte for byte.
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A node of the document. Mappings keep their keys' order; a tag (`!Ref`) is kept by name.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Scalar {
        value: String,
        tag: Option<String>,
        /// Where the scalar's text starts in the source (its quote, for a quoted one).
        start: usize,
        style: Style,
    },
    Sequence(Vec<Node>, Option<String>),
    Mapping(Vec<(String, Node)>, Option<String>),
    /// An alias (`*anchor`): never the value of a key this tool reads.
    Alias,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Block,
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Mapping(entries, _) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of an untagged scalar.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Scalar {
                value, tag: None, ..
            } => Some(value),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[(String, Node)] {
        match self {
            Node::Mapping(entries, _) => entries,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match self {
            Node::Sequence(items, _) => items,
            _ => &[],
        }
    }

    pub fn tag(&self) -> Option<&str> {
        match self {
            Node::Scalar { tag, .. } | Node::Sequence(_, tag) | Node::Mapping(_, tag) => {
                tag.as_deref()
            }
            Node::Alias => None,
        }
    }

    /// The byte range of a one-line scalar's text in `source` (quotes included), found from its
    /// start marker; `None` for a block scalar or one whose text spans lines.
    pub fn span(&self, source: &str) -> Option<std::ops::Range<usize>> {
        let Node::Scalar {
            value,
            start,
            style,
            ..
        } = self
        else {
            return None;
        };
        let rest = source.get(*start..)?;
        let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
        let len = match style {
            Style::Plain => line.starts_with(value.as_str()).then_some(value.len())?,
            Style::SingleQuoted => closing_quote(line, '\'')?,
            Style::DoubleQuoted => closing_quote(line, '"')?,
            Style::Block => return None,
        };
        Some(*start..*start + len)
    }
}

/// The length of a quoted scalar's text up to and with its closing quote, on one line.
fn closing_quote(line: &str, quote: char) -> Option<usize> {
    let mut chars = line.char_indices().skip(1).peekable();
    while let Some((index, c)) = chars.next() {
        if quote == '"' && c == '\\' {
            chars.next();
        } else if c == quote {
            // '' inside single quotes is one quote.
            if quote == '\'' && chars.peek().is_some_and(|&(_, next)| next == '\'') {
                chars.next();
            } else {
                return Some(index + 1);
            }
        }
    }
    None
}

/// The text of a YAML parse error, with its line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError(pub String);

/// The first document of `source`.
pub fn parse(source: &str) -> Result<Node, YamlError> {
    let mut builder = Builder::default();
    Parser::new_from_str(source)
        .load(&mut builder, false)
        .map_err(|err| YamlError(err.to_string()))?;
    builder
        .done
        .ok_or_else(|| YamlError("the file holds no YAML document".into()))
}

fn tag_name(tag: Option<Tag>) -> Option<String> {
    tag.map(|t| {
        if t.handle == "!" {
            format!("!{}", t.suffix)
        } else {
            format!("{}{}", t.handle, t.suffix)
        }
    })
}

#[derive(Default)]
struct Builder {
    stack: Vec<Partial>,
    done: Option<Node>,
}

enum Partial {
    Sequence(Vec<Node>, Option<String>),
    /// Entries so far, and a key waiting for its value.
    Mapping(Vec<(String, Node)>, Option<String>, Option<String>),
}

impl Builder {
    fn add(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => {
                if self.done.is_none() {
                    self.done = Some(node);
                }
            }
            Some(Partial::Sequence(items, _)) => items.push(node),
            Some(Partial::Mapping(entries, _, key)) => match key.take() {
                Some(key) => entries.push((key, node)),
                None => {
                    *key = Some(match node {
                        Node::Scalar { value, .. } => value,
                        // A complex key: never one this tool reads.
                        _ => String::new(),
                    })
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(value, style, _, tag) => {
                let style = match style {
                    TScalarStyle::Plain => Style::Plain,
                    TScalarStyle::SingleQuoted => Style::SingleQuoted,
                    TScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                    TScalarStyle::Literal | TScalarStyle::Folded => Style::Block,
                };
                self.add(Node::Scalar {
                    value,
                    tag: tag_name(tag),
                    start: mark.index(),
                    style,
                });
            }
            Event::SequenceStart(_, tag) => self
                .stack
                .push(Partial::Sequence(Vec::new(), tag_name(tag))),
            Event::MappingStart(_, tag) => {
                self.stack
                    .push(Partial::Mapping(Vec::new(), tag_name(tag), None))
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match self.stack.pop() {
                    Some(Partial::Sequence(items, tag)) => Node::Sequence(items, tag),
                    Some(Partial::Mapping(entries, tag, _)) => Node::Mapping(entries, tag),
                    None => return,
                };
                self.add(node);
            }
            Event::Alias(_) => self.add(Node::Alias),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_know_their_text_in_the_source() {
        let source = "A:\n  B: hello_world/  # code\n  C: \"quoted \\\" dir/\"\n  D: 'it''s'\n  E: !Ref Layer\n  F: caf\u{e9}/x\n";
        let doc = parse(source).unwrap();
        let a = doc.get("A").unwrap();
        let text = |key: &str| &source[a.get(key).unwrap().span(source).unwrap()];
        assert_eq!(text("B"), "hello_world/");
        assert_eq!(text("C"), "\"quoted \\\" dir/\"");
        assert_eq!(text("D"), "'it''s'");
        assert_eq!(text("F"), "caf\u{e9}/x");
        assert_eq!(a.get("E").unwrap().tag(), Some("!Ref"));
        assert_eq!(a.get("C").unwrap().as_str(), Some("quoted \" dir/"));
    }

    #[test]
    fn bad_yaml_is_an_error() {
        assert!(parse("A: [b\n").is_err());
    }
}
