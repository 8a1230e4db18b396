//! Inline Markdown, in three linear passes: the text is cut into tokens (text, escapes, code
//! spans, autolinks, `*`/`_` runs, brackets), brackets and then emphasis runs are paired with a
//! stack each, and the tree is built from the pairs. A run or bracket left without a partner is
//! shown as the characters it was.
//!
//! Every special character is ASCII, so each index the code slices at is a character boundary.

use std::collections::HashMap;
use std::ops::Range;

use super::{link_target, Inline};

/// How deeply emphasis and links may nest; deeper markers show as text.
const MAX_DEPTH: usize = 8;

enum Tok {
    /// Source text, as it is.
    Text(Range<usize>),
    /// A backslash-escaped ASCII punctuation character.
    Escaped(char),
    Code(String),
    /// `<https://…>` with an absolute URL [`link_target`] accepts.
    Autolink {
        href: String,
        raw: Range<usize>,
    },
    /// A run of `*` or `_`, and whether it may open or close emphasis.
    Delim {
        len: usize,
        open: bool,
        close: bool,
        raw: Range<usize>,
    },
    /// `[`
    Open,
    /// `]` not followed by an acceptable `(url)`.
    Close,
    /// `](url)` with a URL [`link_target`] accepts.
    CloseLink {
        href: String,
        external: bool,
        raw: Range<usize>,
    },
}

/// The inlines of `src` (a paragraph's lines joined by `\n`, a heading, a table cell).
pub(super) fn parse_inlines(src: &str) -> Vec<Inline> {
    let toks = lex(src);
    let partners = pair(src, &toks);
    let cx = Cx {
        src,
        toks: &toks,
        partners: &partners,
    };
    build(&cx, 0, toks.len(), 0, false)
}

fn lex(src: &str) -> Vec<Tok> {
    let b = src.as_bytes();
    let ticks = backtick_runs(b);
    let mut toks = Vec::new();
    let mut text_from = 0;
    let mut i = 0;
    while i < b.len() {
        let found = match b[i] {
            b'\\' => match b.get(i + 1) {
                Some(&n) if n.is_ascii_punctuation() => Some((Tok::Escaped(n as char), i + 2)),
                _ => None,
            },
            b'`' => {
                let n = run_len(b, i);
                Some(match code_span(src, &ticks, i, n) {
                    Some((code, end)) => (Tok::Code(code), end),
                    // An unmatched run is text, all of it (not a shorter opener).
                    None => (Tok::Text(i..i + n), i + n),
                })
            }
            c @ (b'*' | b'_') => {
                let n = run_len(b, i);
                let (open, close) = flanking(src, i, i + n, c);
                let raw = i..i + n;
                Some((
                    Tok::Delim {
                        len: n,
                        open,
                        close,
                        raw,
                    },
                    i + n,
                ))
            }
            b'[' => Some((Tok::Open, i + 1)),
            b']' => Some(match destination(src, i + 1) {
                Some((href, external, end)) => (
                    Tok::CloseLink {
                        href,
                        external,
                        raw: i..end,
                    },
                    end,
                ),
                None => (Tok::Close, i + 1),
            }),
            b'<' => autolink(src, i).map(|(href, end)| (Tok::Autolink { href, raw: i..end }, end)),
            _ => None,
        };
        match found {
            Some((tok, end)) => {
                if text_from < i {
                    toks.push(Tok::Text(text_from..i));
                }
                toks.push(tok);
                i = end;
                text_from = end;
            }
            None => i += 1,
        }
    }
    if text_from < b.len() {
        toks.push(Tok::Text(text_from..b.len()));
    }
    toks
}

/// The length of the run of `b[i]` starting at `i`.
fn run_len(b: &[u8], i: usize) -> usize {
    b[i..].iter().take_while(|&&c| c == b[i]).count()
}

/// Where each run of backticks starts, by its length (ascending positions).
fn backtick_runs(b: &[u8]) -> HashMap<usize, Vec<usize>> {
    let mut runs: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'`' {
            let n = run_len(b, i);
            runs.entry(n).or_default().push(i);
            i += n;
        } else {
            i += 1;
        }
    }
    runs
}

/// The code span opened by the `n` backticks at `i`: its text and where it ends. It closes at
/// the next run of exactly `n` backticks; its line breaks become spaces and one space is dropped
/// from each end when both have one.
fn code_span(
    src: &str,
    ticks: &HashMap<usize, Vec<usize>>,
    i: usize,
    n: usize,
) -> Option<(String, usize)> {
    let runs = ticks.get(&n)?;
    let close = *runs.get(runs.partition_point(|&p| p <= i))?;
    let text = src.get(i + n..close)?.replace('\n', " ");
    let trimmed = match text.strip_prefix(' ').and_then(|t| t.strip_suffix(' ')) {
        Some(inner) if !text.bytes().all(|c| c == b' ') => inner.to_string(),
        _ => text,
    };
    Some((trimmed, close + n))
}

/// Whether the run of `c` at `start..end` may open and may close emphasis (CommonMark's
/// flanking rules; `_` also may not open or close inside a word, as in `snake_case_name`).
fn flanking(src: &str, start: usize, end: usize, c: u8) -> (bool, bool) {
    let before = src[..start].chars().next_back();
    let after = src[end..].chars().next();
    let space = |c: Option<char>| c.is_none_or(char::is_whitespace);
    let punct = |c: Option<char>| c.is_some_and(is_punctuation);
    let left = !space(after) && (!punct(after) || space(before) || punct(before));
    let right = !space(before) && (!punct(before) || space(after) || punct(after));
    if c == b'_' {
        (
            left && (!right || punct(before)),
            right && (!left || punct(after)),
        )
    } else {
        (left, right)
    }
}

fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() || (!c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace())
}

/// The `(url)` right after a `]` at `i`: the URL (escapes resolved), whether it is absolute, and
/// where it ends. `None` when there is none or [`link_target`] refuses it. The URL may hold
/// balanced parentheses but no space, control character, `<`, `>`, `[` or `]`: the scan stops at
/// the next bracket, so scans never overlap and the whole pass stays linear.
fn destination(src: &str, i: usize) -> Option<(String, bool, usize)> {
    let b = src.as_bytes();
    if b.get(i) != Some(&b'(') {
        return None;
    }
    let mut url = String::new();
    let mut depth = 0usize;
    let mut j = i + 1;
    loop {
        match *b.get(j)? {
            b'\\' if b.get(j + 1).is_some_and(u8::is_ascii_punctuation) => {
                url.push(char::from(b[j + 1]));
                j += 2;
            }
            b'(' => {
                depth += 1;
                url.push('(');
                j += 1;
            }
            b')' if depth == 0 => break,
            b')' => {
                depth -= 1;
                url.push(')');
                j += 1;
            }
            c if c.is_ascii_whitespace()
                || c.is_ascii_control()
                || matches!(c, b'<' | b'>' | b'[' | b']') =>
            {
                return None
            }
            _ => {
                let ch = src.get(j..)?.chars().next()?;
                url.push(ch);
                j += ch.len_utf8();
            }
        }
    }
    let external = link_target(&url)?;
    Some((url, external, j + 1))
}

/// `<scheme:…>` at `i` with an absolute URL [`link_target`] accepts: the URL and where it ends.
/// The scan stops at the next `<`, so scans never overlap.
fn autolink(src: &str, i: usize) -> Option<(String, usize)> {
    let b = src.as_bytes();
    let len = b[i + 1..]
        .iter()
        .position(|&c| c == b'>' || c == b'<' || c.is_ascii_whitespace() || c.is_ascii_control())?;
    let end = i + 1 + len;
    if b[end] != b'>' {
        return None;
    }
    let url = &src[i + 1..end];
    // Only absolute URLs: `</p>` is not a link to `/p`.
    match link_target(url) {
        Some(true) if !url.starts_with('/') => Some((url.to_string(), end + 1)),
        _ => None,
    }
}

/// Each opener's partner: an `[`'s `](url)`, an emphasis run's closing run.
fn pair(src: &str, toks: &[Tok]) -> Vec<Option<usize>> {
    let mut partners = vec![None; toks.len()];
    // Brackets: each `]` takes the nearest open `[`; only `](url)` makes a link.
    let mut opens = Vec::new();
    for (t, tok) in toks.iter().enumerate() {
        match tok {
            Tok::Open => opens.push(t),
            Tok::Close => {
                opens.pop();
            }
            Tok::CloseLink { .. } => {
                if let Some(o) = opens.pop() {
                    partners[o] = Some(t);
                }
            }
            _ => {}
        }
    }
    // Emphasis pairs with the nearest opener of the same character and length within the same
    // link text, so that emphasis never straddles a link's edge.
    let mut links = Vec::new();
    let mut stacks: HashMap<(u8, usize, usize), Vec<usize>> = HashMap::new();
    for (t, tok) in toks.iter().enumerate() {
        match tok {
            Tok::Open if partners[t].is_some() => links.push(t),
            Tok::CloseLink { .. } if links.last().is_some_and(|&o| partners[o] == Some(t)) => {
                links.pop();
            }
            Tok::Delim {
                len,
                open,
                close,
                raw,
            } if *len <= 3 => {
                let scope = links.last().copied().unwrap_or(usize::MAX);
                let key = (src.as_bytes()[raw.start], *len, scope);
                let stack = stacks.entry(key).or_default();
                match stack.pop() {
                    Some(o) if *close => partners[o] = Some(t),
                    popped => {
                        stack.extend(popped);
                        if *open {
                            stack.push(t);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    partners
}

struct Cx<'a> {
    src: &'a str,
    toks: &'a [Tok],
    partners: &'a [Option<usize>],
}

/// The inlines of tokens `lo..hi`. An opener whose partner lies outside the range (pairs of
/// different kinds may cross) shows as text, as does its partner then.
fn build(cx: &Cx, lo: usize, hi: usize, depth: usize, in_link: bool) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut t = lo;
    while t < hi {
        let partner = cx.partners[t].filter(|&c| c < hi && depth < MAX_DEPTH);
        match &cx.toks[t] {
            Tok::Text(r) => push_text(&mut out, &cx.src[r.clone()]),
            Tok::Escaped(c) => push_text(&mut out, c.encode_utf8(&mut [0; 4])),
            Tok::Code(code) => out.push(Inline::Code(code.clone())),
            Tok::Autolink { raw, .. } if in_link => push_text(&mut out, &cx.src[raw.clone()]),
            Tok::Autolink { href, .. } => out.push(Inline::Link {
                href: href.clone(),
                external: true,
                children: vec![Inline::Text(href.clone())],
            }),
            Tok::Delim { len, raw, .. } => match partner {
                Some(c) => {
                    let inner = build(cx, t + 1, c, depth + 1, in_link);
                    out.push(match len {
                        1 => Inline::Emph(inner),
                        2 => Inline::Strong(inner),
                        _ => Inline::Emph(vec![Inline::Strong(inner)]),
                    });
                    t = c + 1;
                    continue;
                }
                None => push_text(&mut out, &cx.src[raw.clone()]),
            },
            Tok::Open => match (partner, in_link) {
                (Some(c), false) => {
                    if let Tok::CloseLink { href, external, .. } = &cx.toks[c] {
                        out.push(Inline::Link {
                            href: href.clone(),
                            external: *external,
                            children: build(cx, t + 1, c, depth + 1, true),
                        });
                        t = c + 1;
                        continue;
                    }
                    push_text(&mut out, "[");
                }
                _ => push_text(&mut out, "["),
            },
            Tok::Close => push_text(&mut out, "]"),
            Tok::CloseLink { raw, .. } => push_text(&mut out, &cx.src[raw.clone()]),
        }
        t += 1;
    }
    out
}

/// Appends text, to the previous text when there is one.
fn push_text(out: &mut Vec<Inline>, s: &str) {
    if let Some(Inline::Text(last)) = out.last_mut() {
        last.push_str(s);
    } else if !s.is_empty() {
        out.push(Inline::Text(s.to_string()));
    }
}
