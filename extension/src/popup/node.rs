//! The view: a flat list of string tokens that `popup.js` turns into DOM with
//! `createElement`/`createElementNS`, `setAttribute` and text nodes (never `innerHTML`).
//! Each token's first character says what it is:
//!
//! | token | meaning |
//! | --- | --- |
//! | `=name` | what follows fills the slot `data-slot="name"` of popup.html (replacing what it held) |
//! | `+name` | what follows is added after what the slot holds (more history) |
//! | `<tag` | opens an element (inside the open one) |
//! | `@name`, then the value as the next token | an attribute of the open element |
//! | `#text` | a text node |
//! | `>` | closes the open element |
//!
//! Built through `&mut` calls, one per token: measured against a tree of structs built by
//! value (`el("li").class(..).child(..)`), the same views cost ~14 KB less WASM.
//!
//! Attribute names come from [`ALLOWED`] (plus `aria-*` and `data-*`); `popup.js` applies
//! the same list, so text from the backend can only ever be a text node or an attribute
//! value, never markup.

/// The attributes a view may carry (besides `aria-*` and `data-*`).
pub const ALLOWED: &[&str] = &[
    "class",
    "id",
    "role",
    "href",
    "target",
    "rel",
    "type",
    "name",
    "value",
    "checked",
    "selected",
    "title",
    "datetime",
    // SVG geometry
    "viewBox",
    "preserveAspectRatio",
    "x",
    "y",
    "width",
    "height",
    "focusable",
];

/// Whether a view may set this attribute.
pub fn allowed(name: &str) -> bool {
    name.starts_with("aria-") || name.starts_with("data-") || ALLOWED.contains(&name)
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tokens(pub Vec<String>);

impl Tokens {
    fn push(&mut self, kind: char, rest: &str) -> &mut Self {
        let mut token = String::with_capacity(rest.len() + 1);
        token.push(kind);
        token.push_str(rest);
        self.0.push(token);
        self
    }

    /// The start of a slot's content.
    pub fn slot(&mut self, name: &str) -> &mut Self {
        self.push('=', name)
    }

    /// The start of nodes added to a slot's content.
    pub fn slot_append(&mut self, name: &str) -> &mut Self {
        self.push('+', name)
    }
    pub fn open(&mut self, tag: &str) -> &mut Self {
        self.push('<', tag)
    }
    pub fn attr(&mut self, name: &str, value: &str) -> &mut Self {
        debug_assert!(allowed(name), "attribute {name} is not allowed in a view");
        self.push('@', name);
        self.0.push(value.to_owned());
        self
    }
    pub fn class(&mut self, class: &str) -> &mut Self {
        self.attr("class", class)
    }
    pub fn text(&mut self, text: &str) -> &mut Self {
        self.push('#', text)
    }
    pub fn close(&mut self) -> &mut Self {
        self.0.push(">".to_owned());
        self
    }

    /// `<tag class="class">text</tag>`.
    pub fn leaf(&mut self, tag: &str, class: &str, text: &str) -> &mut Self {
        self.open(tag).class(class).text(text).close()
    }

    /// A `<button type="button" data-action data-value>`, closed.
    pub fn button(&mut self, action: &str, value: Option<&str>, text: &str) -> &mut Self {
        self.open("button").attr("type", "button").attr("data-action", action);
        if let Some(value) = value {
            self.attr("data-value", value);
        }
        self.text(text).close()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
pub use tree::{Node, find, parse};

#[cfg(test)]
mod tree {
    //! Test helpers: the tokens read back into a tree, queried like a DOM.
    use super::{Tokens, allowed};

    #[derive(Clone, Debug, PartialEq)]
    pub enum Node {
        Text(String),
        El { tag: String, attrs: Vec<(String, String)>, children: Vec<Node> },
    }

    /// Slot name -> its nodes, in order (tokens before any slot go under ""; an appended
    /// slot's name is written "+name").
    pub fn parse(tokens: &Tokens) -> Vec<(String, Vec<Node>)> {
        let mut slots: Vec<(String, Vec<Node>)> = vec![(String::new(), Vec::new())];
        // The open elements: (tag, attrs, children).
        type Open = (String, Vec<(String, String)>, Vec<Node>);
        let mut stack: Vec<Open> = Vec::new();
        let mut it = tokens.0.iter();
        while let Some(t) = it.next() {
            let (kind, rest) = t.split_at(1);
            match kind {
                "=" | "+" => {
                    assert!(stack.is_empty(), "slot {rest} starts inside an open element");
                    slots.push((if kind == "+" { t.clone() } else { rest.to_owned() }, Vec::new()));
                }
                "<" => stack.push((rest.to_owned(), Vec::new(), Vec::new())),
                "@" => {
                    assert!(allowed(rest), "attribute {rest}");
                    let value = it.next().expect("an attribute's value").clone();
                    stack.last_mut().expect("an attribute outside an element").1.push((rest.to_owned(), value));
                }
                "#" => {
                    let node = Node::Text(rest.to_owned());
                    match stack.last_mut() {
                        Some(open) => open.2.push(node),
                        None => slots.last_mut().unwrap().1.push(node),
                    }
                }
                ">" => {
                    let (tag, attrs, children) = stack.pop().expect("a close without an open element");
                    let node = Node::El { tag, attrs, children };
                    match stack.last_mut() {
                        Some(open) => open.2.push(node),
                        None => slots.last_mut().unwrap().1.push(node),
                    }
                }
                _ => panic!("unknown token {t:?}"),
            }
        }
        assert!(stack.is_empty(), "unclosed elements: {stack:?}");
        slots
    }

    /// The nodes of tokens that have no slot marker.
    pub fn nodes(tokens: &Tokens) -> Vec<Node> {
        parse(tokens).remove(0).1
    }

    impl Node {
        /// Every text below this node, concatenated (what `textContent` gives).
        pub fn text_content(&self) -> String {
            match self {
                Node::Text(t) => t.clone(),
                Node::El { children, .. } => children.iter().map(Node::text_content).collect(),
            }
        }

        pub fn attr(&self, name: &str) -> Option<&str> {
            match self {
                Node::El { attrs, .. } => attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()),
                Node::Text(_) => None,
            }
        }

        pub fn tag(&self) -> Option<&str> {
            match self {
                Node::El { tag, .. } => Some(tag),
                Node::Text(_) => None,
            }
        }

        pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Node)) {
            f(self);
            if let Node::El { children, .. } = self {
                for c in children {
                    c.walk(f);
                }
            }
        }
    }

    pub mod find {
        use super::Node;

        /// Every element below `nodes` whose class list has `class`.
        pub fn by_class<'a>(nodes: &'a [Node], class: &str) -> Vec<&'a Node> {
            let mut out = Vec::new();
            for n in nodes {
                n.walk(&mut |n| {
                    if n.attr("class").is_some_and(|c| c.split(' ').any(|c| c == class)) {
                        out.push(n);
                    }
                });
            }
            out
        }

        pub fn by_tag<'a>(nodes: &'a [Node], tag: &str) -> Vec<&'a Node> {
            let mut out = Vec::new();
            for n in nodes {
                n.walk(&mut |n| {
                    if n.tag() == Some(tag) {
                        out.push(n);
                    }
                });
            }
            out
        }

        pub fn texts(nodes: &[&Node]) -> Vec<String> {
            nodes.iter().map(|n| n.text_content()).collect()
        }

        pub fn all_text(nodes: &[Node]) -> String {
            nodes.iter().map(Node::text_content).collect::<Vec<_>>().join(" ")
        }
    }
}

#[cfg(test)]
pub fn nodes(tokens: &Tokens) -> Vec<Node> {
    tree::nodes(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_read_back_as_a_tree() {
        let mut v = Tokens::default();
        v.slot("rows").open("li").class("row").attr("data-id", "1").text("Cover ").leaf("span", "x", "Letter").close();
        v.slot("more").button("usage", Some("c"), "Show more");
        let slots = parse(&v);
        assert_eq!(slots[1].0, "rows");
        assert_eq!(slots[1].1[0].text_content(), "Cover Letter");
        assert_eq!(slots[1].1[0].attr("data-id"), Some("1"));
        assert_eq!(slots[2].1[0].attr("data-value"), Some("c"));
        // Backend text that looks like a token is still a text node.
        let mut v = Tokens::default();
        v.open("b").text("<script").text(">").close();
        assert_eq!(nodes(&v)[0].text_content(), "<script>");
    }

    #[test]
    fn only_listed_attributes_are_allowed() {
        for ok in ["class", "aria-labelledby", "data-action", "href", "viewBox"] {
            assert!(allowed(ok), "{ok}");
        }
        for bad in ["style", "onclick", "srcdoc", "src", "formaction"] {
            assert!(!allowed(bad), "{bad}");
        }
    }
}
