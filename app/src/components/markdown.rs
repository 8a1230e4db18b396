//! A small, safe Markdown renderer for the retrospective editor's live preview.
//!
//! Two halves: [`parse`], plain Rust that turns the source into [`Block`]s (unit-tested on the
//! host), and the [`Markdown`] component, which builds them as Leptos views. Nothing is ever
//! handed to the browser as HTML: every piece of the source ends up in a text node or an
//! attribute, so `<img src=x onerror=alert(1)>` shows as those characters.
//!
//! Supported: ATX headings, paragraphs, `-`/`*`/`+` and `1.` lists (nested by indentation) with
//! `[ ]`/`[x]` task items, fenced code, block quotes, rules, GitHub pipe tables; inline `**strong**`,
//! `*em*`/`_em_`, `` `code` ``, `[text](url)` and `<https://…>`, backslash escapes. Links go
//! through [`link_target`]: only `http:`, `https:`, `mailto:` and paths starting with `/` or `#`
//! become links; anything else stays text.
//!
//! The work is bounded: at most [`MAX_CHARS`] characters are parsed (a [`Block::Cut`] says the
//! rest was left out), nesting is capped, and every scan is linear or `n log n` in the input.

mod block;
mod inline;
#[cfg(test)]
mod tests;

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use leptos::prelude::*;

/// How many characters of the source are parsed; a longer paste is cut there.
pub const MAX_CHARS: usize = 200_000;

/// A block of the document.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Block {
    /// `#` to `######`: `level` is 1 to 6.
    Heading {
        level: u8,
        content: Vec<Inline>,
    },
    /// Consecutive lines, joined.
    Paragraph(Vec<Inline>),
    /// A fenced code block: its text verbatim, and the first word after the opening fence.
    Code {
        lang: String,
        text: String,
    },
    /// `>` lines, parsed as blocks of their own.
    Quote(Vec<Block>),
    List(List),
    /// `---`, `***` or `___`.
    Rule,
    Table(Table),
    /// The source was longer than [`MAX_CHARS`]: only its first `shown` of `total` characters
    /// were parsed. Always the last block.
    Cut {
        shown: usize,
        total: usize,
    },
}

/// A bulleted or numbered list.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct List {
    /// The first item's number for a numbered list, `None` for bullets.
    pub start: Option<u64>,
    /// No blank line between its items: paragraphs show without their margins.
    pub tight: bool,
    pub items: Vec<Item>,
}

/// A list item: its content as blocks (nested lists among them).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Item {
    /// `Some(done)` for a task item, `- [ ]` or `- [x]`.
    pub task: Option<bool>,
    pub blocks: Vec<Block>,
}

/// A pipe table. Every row has as many cells as the header.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Table {
    pub align: Vec<Align>,
    pub head: Vec<Vec<Inline>>,
    pub rows: Vec<Vec<Vec<Inline>>>,
}

/// A table column's alignment, from the colons of its `---` separator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Align {
    None,
    Left,
    Center,
    Right,
}

/// A run of text within a block.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Inline {
    /// Shown as it is (line breaks of a paragraph included, which the browser shows as spaces).
    Text(String),
    Code(String),
    Strong(Vec<Inline>),
    Emph(Vec<Inline>),
    /// `href` passed [`link_target`]; `external` is its answer.
    Link {
        href: String,
        external: bool,
        children: Vec<Inline>,
    },
}

/// The source's blocks. Never panics; parses at most [`MAX_CHARS`] characters.
pub fn parse(src: &str) -> Vec<Block> {
    let (shown, rest) = match src.char_indices().nth(MAX_CHARS) {
        Some((at, _)) => src.split_at(at),
        None => (src, ""),
    };
    let lines: Vec<&str> = shown
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut blocks = block::parse_blocks(&lines, 0);
    if !rest.is_empty() {
        blocks.push(Block::Cut {
            shown: MAX_CHARS,
            total: MAX_CHARS + rest.chars().count(),
        });
    }
    blocks
}

/// Whether `url` may be a link: `Some(true)` for an absolute URL (`http:`, `https:`, `mailto:`
/// in any case, or `//host`), opened in a new tab; `Some(false)` for a path of the app (`/…`
/// or `#…`); `None` for anything else, `javascript:` and `data:` included, and for any URL with
/// whitespace or control characters in it (browsers drop those, so `java\tscript:` would run).
pub fn link_target(url: &str) -> Option<bool> {
    if url.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let scheme_ok = ["http:", "https:", "mailto:"].iter().any(|p| {
        url.get(..p.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(p))
    });
    if scheme_ok {
        return Some(true);
    }
    match url.as_bytes() {
        // `//host` and `/\host` leave the app (browsers read `\` as `/`).
        [b'/', b'/' | b'\\', ..] => Some(true),
        [b'/', ..] | [b'#', ..] => Some(false),
        _ => None,
    }
}

/// The rendered source, re-parsed when it changes. Blocks are keyed by their content, so an edit
/// rebuilds only the blocks it touched.
#[component]
pub fn Markdown(#[prop(into)] source: Signal<String>) -> impl IntoView {
    let blocks = move || source.with(|s| keyed(parse(s)));
    view! {
        <div class="markdown" data-testid="markdown">
            <For
                each=blocks
                key=|(key, _)| *key
                children=|(_, block)| block_view(block, false)
            />
        </div>
    }
}

/// Each block with a key unique in the document: its content's hash, and how many blocks with
/// that hash came before it.
fn keyed(blocks: Vec<Block>) -> Vec<((u64, u32), Block)> {
    let mut seen: HashMap<u64, u32> = HashMap::new();
    blocks
        .into_iter()
        .map(|block| {
            let mut hasher = DefaultHasher::new();
            block.hash(&mut hasher);
            let hash = hasher.finish();
            let n = seen.entry(hash).or_default();
            *n += 1;
            ((hash, *n), block)
        })
        .collect()
}

/// A block as a view; `tight` (in a tight list's item) shows a paragraph without its `<p>`.
fn block_view(block: Block, tight: bool) -> AnyView {
    match block {
        Block::Heading { level, content } => {
            let content = inlines_view(content);
            match level {
                1 => view! { <h1>{content}</h1> }.into_any(),
                2 => view! { <h2>{content}</h2> }.into_any(),
                3 => view! { <h3>{content}</h3> }.into_any(),
                4 => view! { <h4>{content}</h4> }.into_any(),
                5 => view! { <h5>{content}</h5> }.into_any(),
                _ => view! { <h6>{content}</h6> }.into_any(),
            }
        }
        Block::Paragraph(content) if tight => inlines_view(content),
        Block::Paragraph(content) => view! { <p>{inlines_view(content)}</p> }.into_any(),
        Block::Code { lang, text } => {
            let lang = (!lang.is_empty()).then_some(lang);
            view! {
                <pre class="md-code" data-lang=lang>
                    <code>{text}</code>
                </pre>
            }
            .into_any()
        }
        Block::Quote(blocks) => {
            view! { <blockquote>{blocks_view(blocks, false)}</blockquote> }.into_any()
        }
        Block::List(list) => list_view(list),
        Block::Rule => view! { <hr /> }.into_any(),
        Block::Table(table) => table_view(table),
        Block::Cut { shown, total } => view! {
            <p class="md-cut" role="note" data-testid="markdown-cut">
                {format!(
                    "Preview cut: only the first {shown} of {total} characters are shown.",
                )}
            </p>
        }
        .into_any(),
    }
}

fn blocks_view(blocks: Vec<Block>, tight: bool) -> AnyView {
    blocks
        .into_iter()
        .map(|b| block_view(b, tight))
        .collect_view()
        .into_any()
}

fn list_view(list: List) -> AnyView {
    let tight = list.tight;
    let items = list
        .items
        .into_iter()
        .map(|item| {
            let check = item.task.map(|done| {
                view! { <input type="checkbox" class="md-task" disabled=true checked=done /> }
            });
            view! {
                <li class=item.task.map(|_| "md-task-item")>
                    {check}
                    {blocks_view(item.blocks, tight)}
                </li>
            }
        })
        .collect_view();
    match list.start {
        Some(start) => view! { <ol start=start.to_string()>{items}</ol> }.into_any(),
        None => view! { <ul>{items}</ul> }.into_any(),
    }
}

fn align_class(align: Align) -> Option<&'static str> {
    match align {
        Align::None => None,
        Align::Left => Some("md-left"),
        Align::Center => Some("md-center"),
        Align::Right => Some("md-right"),
    }
}

fn table_view(table: Table) -> AnyView {
    let align = table.align;
    let head = table
        .head
        .into_iter()
        .zip(align.iter().copied())
        .map(|(cell, a)| view! { <th class=align_class(a)>{inlines_view(cell)}</th> })
        .collect_view();
    let rows = table
        .rows
        .into_iter()
        .map(|row| {
            let cells = row
                .into_iter()
                .zip(align.iter().copied())
                .map(|(cell, a)| view! { <td class=align_class(a)>{inlines_view(cell)}</td> })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    // The wrapper scrolls sideways on a phone instead of the page.
    view! {
        <div class="md-table">
            <table>
                <thead>
                    <tr>{head}</tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

fn inlines_view(inlines: Vec<Inline>) -> AnyView {
    inlines
        .into_iter()
        .map(inline_view)
        .collect_view()
        .into_any()
}

fn inline_view(inline: Inline) -> AnyView {
    match inline {
        Inline::Text(text) => text.into_any(),
        Inline::Code(code) => view! { <code>{code}</code> }.into_any(),
        Inline::Strong(c) => view! { <strong>{inlines_view(c)}</strong> }.into_any(),
        Inline::Emph(c) => view! { <em>{inlines_view(c)}</em> }.into_any(),
        Inline::Link {
            href,
            external,
            children,
        } => view! {
            <a href=href rel="noopener noreferrer" target=external.then_some("_blank")>
                {inlines_view(children)}
            </a>
        }
        .into_any(),
    }
}
