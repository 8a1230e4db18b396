use std::time::{Duration, Instant};

use super::*;

fn t(s: &str) -> Inline {
    Inline::Text(s.to_string())
}

fn para(inlines: Vec<Inline>) -> Block {
    Block::Paragraph(inlines)
}

/// The inlines of a source that is one paragraph.
fn inlines(src: &str) -> Vec<Inline> {
    match parse(src).as_slice() {
        [Block::Paragraph(inlines)] => inlines.clone(),
        other => panic!("not one paragraph: {other:?}"),
    }
}

fn link(href: &str, external: bool, children: Vec<Inline>) -> Inline {
    Inline::Link {
        href: href.to_string(),
        external,
        children,
    }
}

/// The list that a source is.
fn one_list(blocks: Vec<Block>) -> List {
    match <[Block; 1]>::try_from(blocks) {
        Ok([Block::List(list)]) => list,
        other => panic!("not one list: {other:?}"),
    }
}

fn item(task: Option<bool>, blocks: Vec<Block>) -> Item {
    Item { task, blocks }
}

/// Everything that is shown, as text.
fn plain(inlines: &[Inline]) -> String {
    inlines
        .iter()
        .map(|i| match i {
            Inline::Text(s) | Inline::Code(s) => s.clone(),
            Inline::Strong(c) | Inline::Emph(c) | Inline::Link { children: c, .. } => plain(c),
        })
        .collect()
}

/// Every inline list in the blocks, depth first.
fn all_inlines(blocks: &[Block], out: &mut Vec<Vec<Inline>>) {
    for block in blocks {
        match block {
            Block::Heading { content, .. } | Block::Paragraph(content) => out.push(content.clone()),
            Block::Quote(inner) => all_inlines(inner, out),
            Block::List(list) => list.items.iter().for_each(|i| all_inlines(&i.blocks, out)),
            Block::Table(table) => {
                out.extend(table.head.iter().cloned());
                out.extend(table.rows.iter().flatten().cloned());
            }
            Block::Code { .. } | Block::Rule | Block::Cut { .. } => {}
        }
    }
}

/// Every link's href, however deep.
fn hrefs(blocks: &[Block]) -> Vec<String> {
    fn walk(inlines: &[Inline], out: &mut Vec<String>) {
        for i in inlines {
            match i {
                Inline::Link { href, children, .. } => {
                    out.push(href.clone());
                    walk(children, out);
                }
                Inline::Strong(c) | Inline::Emph(c) => walk(c, out),
                Inline::Text(_) | Inline::Code(_) => {}
            }
        }
    }
    let mut lists = Vec::new();
    all_inlines(blocks, &mut lists);
    let mut out = Vec::new();
    lists.iter().for_each(|l| walk(l, &mut out));
    out
}

// ---- Blocks -------------------------------------------------------------------------------

#[test]
fn atx_headings_of_each_level() {
    assert_eq!(
        parse("# One\n## Two\n### Three ###\n#### Four\n##### Five\n###### Six #\n####### Seven\n#tag"),
        vec![
            Block::Heading { level: 1, content: vec![t("One")] },
            Block::Heading { level: 2, content: vec![t("Two")] },
            Block::Heading { level: 3, content: vec![t("Three")] },
            Block::Heading { level: 4, content: vec![t("Four")] },
            Block::Heading { level: 5, content: vec![t("Five")] },
            Block::Heading { level: 6, content: vec![t("Six")] },
            para(vec![t("####### Seven\n#tag")]),
        ]
    );
    assert_eq!(
        parse("## Fix in C#\n#"),
        vec![
            Block::Heading {
                level: 2,
                content: vec![t("Fix in C#")]
            },
            Block::Heading {
                level: 1,
                content: vec![]
            },
        ]
    );
}

#[test]
fn paragraphs_join_lines_and_split_at_blank_lines() {
    assert_eq!(
        parse("first line\n  second line  \n\n\n\r\nnext\r\nparagraph"),
        vec![
            para(vec![t("first line\nsecond line")]),
            para(vec![t("next\nparagraph")])
        ]
    );
    assert_eq!(parse(""), vec![]);
    assert_eq!(parse(" \n\t\n"), vec![]);
}

#[test]
fn unordered_lists_with_each_marker() {
    let list = one_list(parse("- dash\n* star\n+ plus"));
    assert_eq!(list.start, None);
    assert!(list.tight);
    let texts: Vec<_> = list.items.iter().map(|i| i.blocks.clone()).collect();
    assert_eq!(
        texts,
        vec![
            vec![para(vec![t("dash")])],
            vec![para(vec![t("star")])],
            vec![para(vec![t("plus")])]
        ]
    );
}

#[test]
fn ordered_lists_keep_their_start_and_end_at_another_kind() {
    assert_eq!(
        parse("3. three\n4) four\n\n- bullet"),
        vec![
            Block::List(List {
                start: Some(3),
                tight: true,
                items: vec![
                    item(None, vec![para(vec![t("three")])]),
                    item(None, vec![para(vec![t("four")])])
                ],
            }),
            Block::List(List {
                start: None,
                tight: true,
                items: vec![item(None, vec![para(vec![t("bullet")])])],
            }),
        ]
    );
    // Only a `1.` starts a list inside a paragraph.
    assert_eq!(
        parse("began in\n2019. Then"),
        vec![para(vec![t("began in\n2019. Then")])]
    );
}

#[test]
fn list_items_nest_by_indentation_and_continue_lazily() {
    let nested = |items: Vec<Item>| {
        Block::List(List {
            start: None,
            tight: true,
            items,
        })
    };
    assert_eq!(
        parse("- a\n  - b\n  wraps\n  - c\n- d\ncontinued"),
        vec![nested(vec![
            item(
                None,
                vec![
                    para(vec![t("a")]),
                    nested(vec![
                        item(None, vec![para(vec![t("b\nwraps")])]),
                        item(None, vec![para(vec![t("c")])]),
                    ]),
                ]
            ),
            item(None, vec![para(vec![t("d\ncontinued")])]),
        ])]
    );
    // Two columns are enough under a numbered item too; a blank line makes the list loose.
    let list = one_list(parse("1. a\n  - b\n\n2. c"));
    assert!(!list.tight);
    assert_eq!(list.items.len(), 2);
    assert!(matches!(
        list.items[0].blocks.as_slice(),
        [Block::Paragraph(_), Block::List(_)]
    ));
}

#[test]
fn task_items_are_marked_done_or_not() {
    let list = one_list(parse(
        "- [ ] page the DBA\n- [x] roll back\n- [X]\n- [link](/x)\n- [ ]no space",
    ));
    let tasks: Vec<_> = list.items.iter().map(|i| i.task).collect();
    assert_eq!(tasks, vec![Some(false), Some(true), Some(true), None, None]);
    assert_eq!(list.items[0].blocks, vec![para(vec![t("page the DBA")])]);
    assert_eq!(list.items[2].blocks, vec![]);
    assert_eq!(
        list.items[3].blocks,
        vec![para(vec![link("/x", false, vec![t("link")])])]
    );
}

#[test]
fn fenced_code_is_verbatim() {
    assert_eq!(
        parse(
            "  ```rust extra\n  fn main() {\n      <b>**not bold**</b> [x](/y)\n  }\n  ```\nafter"
        ),
        vec![
            Block::Code {
                lang: "rust".into(),
                text: "fn main() {\n    <b>**not bold**</b> [x](/y)\n}".into()
            },
            para(vec![t("after")]),
        ]
    );
    // Tildes; a shorter fence does not close; an unclosed fence runs to the end.
    assert_eq!(
        parse("~~~~\n~~~\n\n# not a heading"),
        vec![Block::Code {
            lang: String::new(),
            text: "~~~\n\n# not a heading".into()
        }]
    );
    // Backticks on one line are inline code.
    assert_eq!(inlines("```x```"), vec![Inline::Code("x".into())]);
}

#[test]
fn block_quotes_hold_blocks_and_nest() {
    assert_eq!(
        parse("> ## Impact\n> users saw\nerrors\n\n> > nested\n> - item"),
        vec![
            Block::Quote(vec![
                Block::Heading {
                    level: 2,
                    content: vec![t("Impact")]
                },
                para(vec![t("users saw\nerrors")]),
            ]),
            Block::Quote(vec![
                Block::Quote(vec![para(vec![t("nested")])]),
                Block::List(List {
                    start: None,
                    tight: true,
                    items: vec![item(None, vec![para(vec![t("item")])])]
                }),
            ]),
        ]
    );
}

#[test]
fn horizontal_rules() {
    assert_eq!(
        parse("above\n---\n***\n_ _ _\n--\n- - -"),
        vec![
            para(vec![t("above")]),
            Block::Rule,
            Block::Rule,
            Block::Rule,
            para(vec![t("--")]),
            Block::Rule,
        ]
    );
}

#[test]
fn pipe_tables_with_alignment_and_ragged_rows() {
    let src = "Timeline:\n| Time | What | Who |\n|:-----|:----:|---:|\n| 03:12 | **paged** | [ana](mailto:a@x.io) |\n| 03:20 |\n| a | b | c | extra |\n\nafter";
    assert_eq!(
        parse(src),
        vec![
            para(vec![t("Timeline:")]),
            Block::Table(Table {
                align: vec![Align::Left, Align::Center, Align::Right],
                head: vec![vec![t("Time")], vec![t("What")], vec![t("Who")]],
                rows: vec![
                    vec![
                        vec![t("03:12")],
                        vec![Inline::Strong(vec![t("paged")])],
                        vec![link("mailto:a@x.io", true, vec![t("ana")])],
                    ],
                    vec![vec![t("03:20")], vec![], vec![]],
                    vec![vec![t("a")], vec![t("b")], vec![t("c")]],
                ],
            }),
            para(vec![t("after")]),
        ]
    );
    // Without pipes, or with a separator of another width, it is no table.
    assert_eq!(
        parse("a | b\n---"),
        vec![para(vec![t("a | b")]), Block::Rule]
    );
    assert_eq!(
        parse("a | b\n--|--|--"),
        vec![para(vec![t("a | b\n--|--|--")])]
    );
}

#[test]
fn table_cells_keep_escaped_pipes() {
    assert_eq!(
        parse("cmd | note\n--- | ---\n`grep a\\|b` | x \\| y \\* z\n\\|lead | `a|b`"),
        vec![Block::Table(Table {
            align: vec![Align::None, Align::None],
            head: vec![vec![t("cmd")], vec![t("note")]],
            rows: vec![
                vec![vec![Inline::Code("grep a|b".into())], vec![t("x | y * z")]],
                // An unescaped pipe splits even inside backticks, as on GitHub.
                vec![vec![t("|lead")], vec![t("`a")]],
            ],
        })]
    );
}

// ---- Inlines ------------------------------------------------------------------------------

#[test]
fn strong_emphasis_and_code() {
    assert_eq!(
        inlines("**bold** *em* _em_ `code` ***both*** `` a ` b `` 2*3*4"),
        vec![
            Inline::Strong(vec![t("bold")]),
            t(" "),
            Inline::Emph(vec![t("em")]),
            t(" "),
            Inline::Emph(vec![t("em")]),
            t(" "),
            Inline::Code("code".into()),
            t(" "),
            Inline::Emph(vec![Inline::Strong(vec![t("both")])]),
            t(" "),
            Inline::Code("a ` b".into()),
            t(" 2"),
            Inline::Emph(vec![t("3")]),
            t("4"),
        ]
    );
    assert_eq!(
        inlines("**a *b* c**"),
        vec![Inline::Strong(vec![
            t("a "),
            Inline::Emph(vec![t("b")]),
            t(" c")
        ])]
    );
}

#[test]
fn underscores_inside_words_and_lone_stars_are_text() {
    assert_eq!(
        inlines("see snake_case_name and a * b"),
        vec![t("see snake_case_name and a * b")]
    );
    assert_eq!(inlines("**** x"), vec![t("**** x")]);
}

#[test]
fn links_autolinks_and_relative_paths() {
    assert_eq!(
        inlines("[wiki](https://en.wikipedia.org/wiki/Foo_(bar)) <https://status.example.com/p?q=1> [inc](/incidents/7) [top](#timeline) [mail](MAILTO:oncall@x.io)"),
        vec![
            link("https://en.wikipedia.org/wiki/Foo_(bar)", true, vec![t("wiki")]),
            t(" "),
            link("https://status.example.com/p?q=1", true, vec![t("https://status.example.com/p?q=1")]),
            t(" "),
            link("/incidents/7", false, vec![t("inc")]),
            t(" "),
            link("#timeline", false, vec![t("top")]),
            t(" "),
            link("MAILTO:oncall@x.io", true, vec![t("mail")]),
        ]
    );
    // Not links: a missing destination, a title, a relative path without `/`.
    for src in [
        "[a] (b)",
        "[a]",
        "[a](/x \"title\")",
        "[a](page.html)",
        "[a]()",
        "</p>",
    ] {
        assert_eq!(inlines(src), vec![t(src)], "{src}");
    }
}

#[test]
fn nested_emphasis_inside_links() {
    assert_eq!(
        inlines("*see [the **runbook** and *`db` notes*](/r) now*"),
        vec![Inline::Emph(vec![
            t("see "),
            link(
                "/r",
                false,
                vec![
                    t("the "),
                    Inline::Strong(vec![t("runbook")]),
                    t(" and "),
                    Inline::Emph(vec![Inline::Code("db".into()), t(" notes")]),
                ]
            ),
            t(" now"),
        ])]
    );
    // Emphasis does not straddle a link's edge; a link in a link's text is text.
    assert_eq!(
        inlines("*a [b* c](/x)"),
        vec![t("*a "), link("/x", false, vec![t("b* c")])]
    );
    assert_eq!(
        inlines("[a <https://x.io> b](/y)"),
        vec![link("/y", false, vec![t("a <https://x.io> b")])]
    );
}

#[test]
fn unclosed_markers_stay_literal() {
    assert_eq!(
        inlines("**never closed and *this* too"),
        vec![
            t("**never closed and "),
            Inline::Emph(vec![t("this")]),
            t(" too")
        ]
    );
    for src in [
        "a ** b",
        "`unclosed code",
        "**a*",
        "[open",
        "close]",
        "_a",
        "a](/x)",
    ] {
        assert_eq!(plain(&inlines(src)), src, "{src}");
    }
    assert_eq!(inlines("[x](/a"), vec![t("[x](/a")]);
}

#[test]
fn backslash_escapes() {
    assert_eq!(
        inlines(r"\*not em\* \_no\_ \[not link\](/x) \`x\` \\ \a \<https://x.io>"),
        vec![t(r"*not em* _no_ [not link](/x) `x` \ \a <https://x.io>")]
    );
    assert_eq!(parse(r"\# text"), vec![para(vec![t("# text")])]);
    assert_eq!(parse(r"\- text"), vec![para(vec![t("- text")])]);
    // Escapes do not apply in code.
    assert_eq!(inlines(r"`a\*b`"), vec![Inline::Code(r"a\*b".into())]);
}

// ---- Safety -------------------------------------------------------------------------------

#[test]
fn html_is_text() {
    let title = "<img src=x onerror=alert(1)>";
    assert_eq!(
        parse(&format!(
            "# {title}\n\n<script>alert(1)</script>\n<div onclick=\"x()\">**b**</div>"
        )),
        vec![
            Block::Heading {
                level: 1,
                content: vec![t(title)]
            },
            para(vec![
                t("<script>alert(1)</script>\n<div onclick=\"x()\">"),
                Inline::Strong(vec![t("b")]),
                t("</div>"),
            ]),
        ]
    );
    assert_eq!(
        parse("```html\n<iframe src=\"javascript:x\">\n```"),
        vec![Block::Code {
            lang: "html".into(),
            text: "<iframe src=\"javascript:x\">".into()
        }]
    );
}

#[test]
fn script_links_are_text() {
    for src in [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](java\tscript:alert(1))",
        "[x](java\u{1}script:alert(1))",
        "[x](\u{0}javascript:alert(1))",
        "[x](javascript&#58;alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](VBScript:msgbox(1))",
        "[x](%20javascript:alert(1))",
        "[**x**](javascript:alert(1))",
        "<javascript:alert(1)>",
        "<JAVASCRIPT:alert(1)>",
        "<data:text/html,x>",
    ] {
        let blocks = parse(src);
        assert_eq!(hrefs(&blocks), Vec::<String>::new(), "{src:?}");
        let [Block::Paragraph(inlines)] = blocks.as_slice() else {
            panic!("{src:?}: {blocks:?}")
        };
        assert_eq!(plain(inlines), src.replace("**", ""), "{src:?}");
    }
    // In a table cell and a list item too.
    assert!(hrefs(&parse(
        "a | b\n--|--\n[x](javascript:alert(1)) | <vbscript:x>"
    ))
    .is_empty());
    assert!(hrefs(&parse("- [ ] [x](JavaScript:alert(1))")).is_empty());
}

#[test]
fn link_targets() {
    assert_eq!(link_target("https://x.io"), Some(true));
    assert_eq!(link_target("HTTP://x.io"), Some(true));
    assert_eq!(link_target("mailto:a@b.c"), Some(true));
    assert_eq!(link_target("//evil.example"), Some(true));
    assert_eq!(link_target("/\\evil.example"), Some(true));
    assert_eq!(link_target("/incidents/7"), Some(false));
    assert_eq!(link_target("#timeline"), Some(false));
    for bad in [
        "",
        "javascript:alert(1)",
        " https://x.io",
        "https://x.io/a b",
        "https://x.io/\u{2028}",
        "java\nscript:x",
        "ftp://x.io",
        "page.html",
        "é:",
        "\u{7f}http://x",
    ] {
        assert_eq!(link_target(bad), None, "{bad:?}");
    }
}

// ---- Robustness ---------------------------------------------------------------------------

#[test]
fn five_megabytes_finish_and_are_cut() {
    let line = "| 03:12 | **paged** the *on-call* [runbook](/r) `x` é |\n";
    let src = format!("a | b\n--|--\n{}", line.repeat(5_000_000 / line.len()));
    let total = src.chars().count();
    let started = Instant::now();
    let blocks = parse(&src);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        blocks.last(),
        Some(&Block::Cut {
            shown: MAX_CHARS,
            total
        })
    );
    let Some(Block::Table(table)) = blocks.first() else {
        panic!()
    };
    assert!(table.rows.len() > 3000);
    // Exactly MAX_CHARS is not cut.
    let exact = "é".repeat(MAX_CHARS);
    assert!(!matches!(parse(&exact).last(), Some(Block::Cut { .. })));
    assert!(
        matches!(parse(&(exact + "x")).last(), Some(Block::Cut { total, .. }) if *total == MAX_CHARS + 1)
    );
}

#[test]
fn pathological_inputs_stay_fast() {
    let n = MAX_CHARS;
    let sources = [
        "*a ".repeat(n / 3),
        "**a _b ".repeat(n / 7),
        "[a](b".repeat(n / 5),
        "[".repeat(n / 2) + &"](/x)".repeat(n / 10),
        "<a".repeat(n / 2),
        "<https://x".repeat(n / 10),
        (1..2000)
            .map(|k| "`".repeat(k % 97 + 1) + "a")
            .collect::<String>(),
        ">".repeat(n),
        "> ".repeat(n / 2),
        "- ".repeat(n / 2),
        "  - a\n".repeat(n / 6),
        "1. a\n   > b\n".repeat(n / 12),
        "a | b\n".repeat(n / 6),
        "|".repeat(n / 2) + "\n" + &"|-".repeat(n / 4),
        "```\n".repeat(n / 4),
        "\\".repeat(n),
        "*".repeat(n),
    ];
    let started = Instant::now();
    for src in &sources {
        let _ = parse(src);
    }
    // Quadratic work on 200 KB would take minutes even optimised.
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

/// A small xorshift, so that the soup is the same at every run.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn byte_soup_never_panics() {
    const PIECES: &[&str] = &[
        "*",
        "**",
        "***",
        "_",
        "__",
        "`",
        "``",
        "```",
        "~~~",
        "[",
        "]",
        "(",
        ")",
        "](",
        "](/",
        "<",
        ">",
        "> ",
        "\\",
        "|",
        "|-",
        ":-:",
        "-",
        "---",
        "#",
        "## ",
        " ",
        "    ",
        "\t",
        "\n",
        "\n\n",
        "\r\n",
        "1. ",
        "9)",
        "- ",
        "* ",
        "+ ",
        "[ ] ",
        "[x] ",
        "https://",
        "mailto:",
        "javascript:",
        "#x",
        "/p",
        "a",
        "word",
        "é",
        "日本",
        "🦀",
        "\u{0}",
        "\u{7f}",
        "\u{200b}",
        "\u{2028}",
        "!",
    ];
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for round in 0..4000 {
        let src = if round % 4 == 0 {
            // Raw bytes, made valid UTF-8 as a paste would be.
            let bytes: Vec<u8> = (0..rng.below(300)).map(|_| rng.next() as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            (0..rng.below(120))
                .map(|_| PIECES[rng.below(PIECES.len())])
                .collect()
        };
        let blocks = parse(&src);
        for href in hrefs(&blocks) {
            assert!(link_target(&href).is_some(), "{src:?} linked {href:?}");
        }
        let mut tables = Vec::new();
        collect_tables(&blocks, &mut tables);
        for table in tables {
            assert_eq!(table.head.len(), table.align.len(), "{src:?}");
            assert!(
                table.rows.iter().all(|r| r.len() == table.align.len()),
                "{src:?}"
            );
        }
    }
}

fn collect_tables<'a>(blocks: &'a [Block], out: &mut Vec<&'a Table>) {
    for block in blocks {
        match block {
            Block::Table(table) => out.push(table),
            Block::Quote(inner) => collect_tables(inner, out),
            Block::List(list) => list
                .items
                .iter()
                .for_each(|i| collect_tables(&i.blocks, out)),
            _ => {}
        }
    }
}
