//! Block structure: a document's lines become headings, paragraphs, lists, code, quotes, rules
//! and tables. Quotes and list items are parsed again as documents of their own, from their
//! lines with the `>` or the item's indentation removed (subslices, never copies), at most
//! [`MAX_DEPTH`] deep.
//!
//! Block markers are ASCII, so every index the code slices at is a character boundary.

use super::inline::parse_inlines;
use super::{Align, Block, Item, List, Table};

/// How deeply quotes and lists may nest; deeper markers show as text.
const MAX_DEPTH: usize = 8;

/// What a line starts.
enum Start<'a> {
    Fence {
        ch: u8,
        len: usize,
        indent: usize,
        info: &'a str,
    },
    Heading(u8, &'a str),
    Rule,
    Quote,
    List(Marker<'a>),
    /// This line is a table's header and the next its `---` separator.
    Table,
}

/// A list item's first line.
struct Marker<'a> {
    /// Columns before the marker.
    indent: usize,
    /// The number of an ordered item, `None` for a bullet.
    number: Option<u64>,
    /// Where the item's content starts, in columns: lines indented this far belong to it.
    content_col: usize,
    /// The first line's text after the marker.
    text: &'a str,
}

/// The blocks of `lines`, `depth` quotes or list items deep.
pub(super) fn parse_blocks(lines: &[&str], depth: usize) -> Vec<Block> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if is_blank(lines[i]) {
            i += 1;
            continue;
        }
        i = match start(lines, i, depth) {
            Some(Start::Fence {
                ch,
                len,
                indent,
                info,
            }) => fenced(lines, i, ch, len, indent, info, &mut out),
            Some(Start::Heading(level, text)) => {
                out.push(Block::Heading {
                    level,
                    content: parse_inlines(text),
                });
                i + 1
            }
            Some(Start::Rule) => {
                out.push(Block::Rule);
                i + 1
            }
            Some(Start::Quote) => quote(lines, i, depth, &mut out),
            Some(Start::List(marker)) => list(lines, i, depth, marker, &mut out),
            Some(Start::Table) => table(lines, i, depth, &mut out),
            None => paragraph(lines, i, depth, &mut out),
        };
    }
    out
}

/// What line `i` starts, if anything but a paragraph.
fn start<'a>(lines: &[&'a str], i: usize, depth: usize) -> Option<Start<'a>> {
    let line = lines[i];
    let (indent, rest) = indentation(line);
    if indent > 3 || rest.is_empty() {
        return None;
    }
    if let Some(fence) = fence_open(rest, indent) {
        return Some(fence);
    }
    if let Some((level, text)) = heading(rest) {
        return Some(Start::Heading(level, text));
    }
    if is_rule(rest) {
        return Some(Start::Rule);
    }
    if depth < MAX_DEPTH {
        if rest.starts_with('>') {
            return Some(Start::Quote);
        }
        if let Some(marker) = list_marker(line, 3) {
            return Some(Start::List(marker));
        }
    }
    if table_head(lines, i).is_some() {
        return Some(Start::Table);
    }
    None
}

/// Whether line `i` ends the paragraph above it. A list interrupts a paragraph only with a
/// non-empty bullet or `1.` item, so that a wrapped line starting "2019. " stays text.
fn interrupts(lines: &[&str], i: usize, depth: usize) -> bool {
    match start(lines, i, depth) {
        Some(Start::List(m)) => !m.text.trim().is_empty() && matches!(m.number, None | Some(1)),
        Some(_) => true,
        None => false,
    }
}

fn paragraph(lines: &[&str], i: usize, depth: usize, out: &mut Vec<Block>) -> usize {
    let mut text = lines[i].trim().to_string();
    let mut j = i + 1;
    while j < lines.len() && !is_blank(lines[j]) && !interrupts(lines, j, depth) {
        text.push('\n');
        text.push_str(lines[j].trim());
        j += 1;
    }
    out.push(Block::Paragraph(parse_inlines(&text)));
    j
}

// ---- Fenced code --------------------------------------------------------------------------

fn fence_open(rest: &str, indent: usize) -> Option<Start<'_>> {
    let ch = *rest.as_bytes().first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let len = rest.bytes().take_while(|&c| c == ch).count();
    let info = rest[len..].trim();
    // "```x```" on one line is inline code, not a fence.
    (len >= 3 && !(ch == b'`' && info.contains('`'))).then_some(Start::Fence {
        ch,
        len,
        indent,
        info,
    })
}

fn fence_close(line: &str, ch: u8, len: usize) -> bool {
    let (indent, rest) = indentation(line);
    let n = rest.bytes().take_while(|&c| c == ch).count();
    indent <= 3 && n >= len && is_blank(&rest[n..])
}

/// A fenced block from line `i` to its closing fence, or to the end when there is none. Its
/// lines are kept verbatim but for the fence's own indentation.
fn fenced(
    lines: &[&str],
    i: usize,
    ch: u8,
    len: usize,
    indent: usize,
    info: &str,
    out: &mut Vec<Block>,
) -> usize {
    let mut text = String::new();
    let mut j = i + 1;
    while j < lines.len() && !fence_close(lines[j], ch, len) {
        if j > i + 1 {
            text.push('\n');
        }
        text.push_str(strip_cols(lines[j], indent));
        j += 1;
    }
    let lang = info.split_whitespace().next().unwrap_or("").to_string();
    out.push(Block::Code { lang, text });
    (j + 1).min(lines.len())
}

// ---- Headings and rules -------------------------------------------------------------------

/// `# Title #`: the level and the title, without the optional closing `#`s.
fn heading(rest: &str) -> Option<(u8, &str)> {
    let level = rest.bytes().take_while(|&c| c == b'#').count();
    let after = &rest[level..];
    if !(1..=6).contains(&level) || !(after.is_empty() || after.starts_with([' ', '\t'])) {
        return None;
    }
    let text = after.trim();
    let unclosed = text.trim_end_matches('#');
    let text = if unclosed.is_empty() {
        unclosed
    } else if unclosed.ends_with([' ', '\t']) {
        unclosed.trim_end()
    } else {
        text
    };
    Some((level as u8, text))
}

/// Three or more `-`, `*` or `_` (the same one), spaces allowed between.
fn is_rule(rest: &str) -> bool {
    let mut marks = rest.bytes().filter(|&c| c != b' ' && c != b'\t');
    let Some(first) = marks.next() else {
        return false;
    };
    let mut n = 1;
    for c in marks {
        if c != first {
            return false;
        }
        n += 1;
    }
    matches!(first, b'-' | b'*' | b'_') && n >= 3
}

// ---- Quotes -------------------------------------------------------------------------------

/// The line without its `>` and the one space after it, if it is a quote's line.
fn quote_line(line: &str) -> Option<&str> {
    let (indent, rest) = indentation(line);
    let rest = rest.strip_prefix('>').filter(|_| indent <= 3)?;
    Some(rest.strip_prefix([' ', '\t']).unwrap_or(rest))
}

/// The `>` lines from line `i`, with the unmarked lines that continue a paragraph in them.
fn quote(lines: &[&str], i: usize, depth: usize, out: &mut Vec<Block>) -> usize {
    let mut inner = Vec::new();
    let mut j = i;
    while j < lines.len() {
        if let Some(rest) = quote_line(lines[j]) {
            inner.push(rest);
        } else if !is_blank(lines[j])
            && inner.last().is_some_and(|l: &&str| !is_blank(l))
            && start(lines, j, depth).is_none()
        {
            inner.push(lines[j]);
        } else {
            break;
        }
        j += 1;
    }
    out.push(Block::Quote(parse_blocks(&inner, depth + 1)));
    j
}

// ---- Lists --------------------------------------------------------------------------------

/// A list item's marker at the start of `line`, indented at most `max_indent` columns: `-`, `*`
/// or `+`, or up to 9 digits and `.` or `)`, then a space or the end of the line.
fn list_marker(line: &str, max_indent: usize) -> Option<Marker<'_>> {
    let (indent, rest) = indentation(line);
    if indent > max_indent {
        return None;
    }
    let b = rest.as_bytes();
    let (number, width) = match *b.first()? {
        b'-' | b'*' | b'+' => (None, 1),
        b'0'..=b'9' => {
            let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
            if digits > 9 || !matches!(b.get(digits), Some(b'.' | b')')) {
                return None;
            }
            (Some(rest[..digits].parse().ok()?), digits + 1)
        }
        _ => return None,
    };
    let after = &rest[width..];
    if is_blank(after) {
        return Some(Marker {
            indent,
            number,
            content_col: indent + width + 1,
            text: "",
        });
    }
    if !after.starts_with([' ', '\t']) {
        return None;
    }
    let spaces = after
        .bytes()
        .take_while(|&c| c == b' ' || c == b'\t')
        .count();
    // Five spaces or more: the content starts after one (the rest is the content's).
    let spaces = if spaces > 4 { 1 } else { spaces };
    Some(Marker {
        indent,
        number,
        content_col: indent + width + spaces,
        text: &after[spaces..],
    })
}

/// `[ ] ` or `[x] ` at the start of an item: whether it is done, and the text after it.
fn task(text: &str) -> (Option<bool>, &str) {
    let done = match text.get(..3) {
        Some("[ ]") => false,
        Some("[x]" | "[X]") => true,
        _ => return (None, text),
    };
    let after = &text[3..];
    if after.is_empty() {
        (Some(done), after)
    } else if after.starts_with([' ', '\t']) {
        (Some(done), &after[1..])
    } else {
        (None, text)
    }
}

/// A list from line `i` (whose marker is `first`): its items while they are of the same kind,
/// bulleted or numbered. An item holds the lines indented to its content, a list marker indented
/// two columns more than its own (a nested list), and unmarked lines continuing its text.
fn list(lines: &[&str], i: usize, depth: usize, first: Marker, out: &mut Vec<Block>) -> usize {
    let ordered = first.number.is_some();
    let number = first.number;
    let mut items = Vec::new();
    let mut tight = true;
    let mut marker = first;
    let mut j = i;
    loop {
        let (done, text) = task(marker.text);
        let mut item_lines = vec![text];
        let mut blanks = 0;
        j += 1;
        while j < lines.len() {
            let line = lines[j];
            if is_blank(line) {
                blanks += 1;
                j += 1;
                continue;
            }
            let (indent, _) = indentation(line);
            let nested = indent >= marker.indent + 2 && list_marker(line, usize::MAX).is_some();
            if indent >= marker.content_col || nested {
                if blanks > 0 {
                    tight = false;
                    item_lines.extend(std::iter::repeat_n("", blanks));
                    blanks = 0;
                }
                item_lines.push(strip_cols(line, indent.min(marker.content_col)));
                j += 1;
                continue;
            }
            if blanks == 0
                && item_lines.last().is_some_and(|l| !is_blank(l))
                && start(lines, j, depth).is_none()
            {
                item_lines.push(line.trim_start());
                j += 1;
                continue;
            }
            break;
        }
        items.push(Item {
            task: done,
            blocks: parse_blocks(&item_lines, depth + 1),
        });
        match lines.get(j).and_then(|l| list_marker(l, 3)) {
            Some(next) if next.number.is_some() == ordered => {
                if blanks > 0 {
                    tight = false;
                }
                marker = next;
            }
            _ => break,
        }
    }
    out.push(Block::List(List {
        start: number,
        tight,
        items,
    }));
    j
}

// ---- Tables -------------------------------------------------------------------------------

/// The header cells and alignments when line `i` is a table's header row and the next line its
/// separator, with as many cells. Both must hold a `|`.
fn table_head(lines: &[&str], i: usize) -> Option<(Vec<String>, Vec<Align>)> {
    let head = lines[i];
    let sep = lines.get(i + 1)?;
    if !head.contains('|') || !sep.contains('|') || !sep.contains('-') {
        return None;
    }
    let align = separator(sep)?;
    let cells = cells(head);
    (cells.len() == align.len()).then_some((cells, align))
}

/// The alignments of a `|:---|:-:|--:|` row, if it is one.
fn separator(line: &str) -> Option<Vec<Align>> {
    let (indent, _) = indentation(line);
    if indent > 3 {
        return None;
    }
    let inner = line.trim();
    let inner = inner.strip_prefix('|').unwrap_or(inner);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    inner
        .split('|')
        .map(|cell| {
            let cell = cell.trim();
            let left = cell.starts_with(':');
            let right = cell.ends_with(':');
            let dashes = cell.trim_start_matches(':').trim_end_matches(':');
            if dashes.is_empty() || !dashes.bytes().all(|c| c == b'-') {
                return None;
            }
            Some(match (left, right) {
                (true, true) => Align::Center,
                (true, false) => Align::Left,
                (false, true) => Align::Right,
                (false, false) => Align::None,
            })
        })
        .collect()
}

/// A row's cells, trimmed: split at each `|` but `\|`, which becomes a `|` of the cell (inside
/// code too); the row's outer pipes are optional.
fn cells(line: &str) -> Vec<String> {
    let line = line.trim();
    let line = line.strip_prefix('|').unwrap_or(line);
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut ended_by_pipe = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        ended_by_pipe = false;
        match c {
            '\\' => match chars.next() {
                Some('|') => cell.push('|'),
                Some(next) => {
                    cell.push('\\');
                    cell.push(next);
                }
                None => cell.push('\\'),
            },
            '|' => {
                cells.push(cell.trim().to_string());
                cell.clear();
                ended_by_pipe = true;
            }
            c => cell.push(c),
        }
    }
    if !ended_by_pipe || cells.is_empty() {
        cells.push(cell.trim().to_string());
    }
    cells
}

/// A table from line `i` (its header): rows follow until a blank line or another block.
fn table(lines: &[&str], i: usize, depth: usize, out: &mut Vec<Block>) -> usize {
    let Some((head, align)) = table_head(lines, i) else {
        return paragraph(lines, i, depth, out);
    };
    let width = align.len();
    let mut rows = Vec::new();
    let mut j = i + 2;
    while j < lines.len() && !is_blank(lines[j]) && start(lines, j, depth).is_none() {
        let mut row: Vec<Vec<_>> = cells(lines[j])
            .iter()
            .take(width)
            .map(|c| parse_inlines(c))
            .collect();
        row.resize(width, Vec::new());
        rows.push(row);
        j += 1;
    }
    out.push(Block::Table(Table {
        align,
        head: head.iter().map(|c| parse_inlines(c)).collect(),
        rows,
    }));
    j
}

// ---- Lines --------------------------------------------------------------------------------

fn is_blank(line: &str) -> bool {
    line.bytes().all(|c| c == b' ' || c == b'\t')
}

/// The line's indentation in columns (a tab to the next multiple of 4) and the rest of it.
fn indentation(line: &str) -> (usize, &str) {
    let mut col = 0;
    for (at, c) in line.bytes().enumerate() {
        match c {
            b' ' => col += 1,
            b'\t' => col += 4 - col % 4,
            _ => return (col, &line[at..]),
        }
    }
    (col, "")
}

/// The line without up to `n` columns of indentation.
fn strip_cols(line: &str, n: usize) -> &str {
    let mut col = 0;
    for (at, c) in line.bytes().enumerate() {
        if col >= n {
            return &line[at..];
        }
        match c {
            b' ' => col += 1,
            b'\t' => col += 4 - col % 4,
            _ => return &line[at..],
        }
    }
    ""
}
