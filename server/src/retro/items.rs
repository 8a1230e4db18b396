//! Action items: what a person may write into one, and the order `/actions` lists them in.

use wire::{ItemFields, ItemRow, MAX_DONE_WHEN, MAX_ITEM_TITLE};

/// The longest ticket link kept.
pub const MAX_TICKET_URL: usize = 500;

/// A ticket link becomes a link in responders' browsers: an http(s) web page, at most
/// [`MAX_TICKET_URL`] bytes, without spaces or control characters. Typed in by a responder or
/// answered by the tracker, it is checked by this one rule.
pub fn is_ticket_link(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= MAX_TICKET_URL
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// `fields` as stored: trimmed, each checked; the error says which field and why. `owners` are
/// the accounts an item may be given to.
pub fn checked(fields: &ItemFields, owners: &[String]) -> Result<ItemFields, String> {
    let title = one_line(&fields.title);
    if title.is_empty() {
        return Err("an action item needs a title: what is to be done".into());
    }
    if title.chars().count() > MAX_ITEM_TITLE {
        return Err(format!(
            "the title is longer than {MAX_ITEM_TITLE} characters; put the detail in \"done when\""
        ));
    }
    let owner = fields.owner.trim().to_lowercase();
    if !owner.is_empty() && !owners.contains(&owner) {
        return Err(format!(
            "no account is named `{}`; an owner is one of the console's accounts",
            short(&owner)
        ));
    }
    let due = fields.due.trim().to_owned();
    if !due.is_empty() && !is_date(&due) {
        return Err(format!(
            "the due date `{}` is not a date as YYYY-MM-DD",
            short(&due)
        ));
    }
    let done_when = fields.done_when.trim().to_owned();
    if done_when.chars().count() > MAX_DONE_WHEN {
        return Err(format!(
            "\"done when\" is longer than {MAX_DONE_WHEN} characters"
        ));
    }
    let ticket_url = fields.ticket_url.trim().to_owned();
    if !ticket_url.is_empty() && !is_ticket_link(&ticket_url) {
        return Err(format!(
            "the ticket link must be an http(s) URL of at most {MAX_TICKET_URL} characters"
        ));
    }
    let finding = fields
        .finding
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(|f| f.chars().take(300).collect());
    Ok(ItemFields {
        title,
        owner,
        due,
        done_when,
        status: fields.status,
        ticket_url,
        finding,
    })
}

/// A real calendar date written `YYYY-MM-DD`.
pub fn is_date(s: &str) -> bool {
    s.len() == 10
        && s.as_bytes()[4] == b'-'
        && s.as_bytes()[7] == b'-'
        && s.parse::<jiff::civil::Date>().is_ok()
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// `/actions`'s order: overdue first (longest overdue first), then by due date, undated last;
/// ties by id.
pub fn sort(rows: &mut [ItemRow], today: &str) {
    rows.sort_by(|a, b| {
        let key = |r: &ItemRow| {
            let due = r.item.fields.due.clone();
            (!r.item.overdue(today), due.is_empty(), due, r.item.id)
        };
        key(a).cmp(&key(b))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::{ActionItem, ItemStatus};

    fn fields(title: &str, owner: &str, due: &str) -> ItemFields {
        ItemFields {
            title: title.into(),
            owner: owner.into(),
            due: due.into(),
            done_when: String::new(),
            status: ItemStatus::Open,
            ticket_url: String::new(),
            finding: None,
        }
    }

    #[test]
    fn fields_are_trimmed_and_checked() {
        let owners = vec!["ana".to_owned()];
        let ok = checked(
            &fields("  Add a   secondary\nprovider ", " Ana ", "2026-12-10"),
            &owners,
        )
        .unwrap();
        assert_eq!(ok.title, "Add a secondary provider");
        assert_eq!(ok.owner, "ana");
        assert!(checked(&fields("   ", "", ""), &owners)
            .unwrap_err()
            .contains("title"));
        assert!(checked(&fields("x", "mallory", ""), &owners)
            .unwrap_err()
            .contains("mallory"));
        for bad in [
            "2026-02-30",
            "2026-2-3",
            "tomorrow",
            "2026-12-10x",
            "２０２６-12-10",
        ] {
            assert!(
                checked(&fields("x", "", bad), &owners).is_err(),
                "{bad} is not a date"
            );
        }
        let long = "x".repeat(MAX_ITEM_TITLE + 1);
        assert!(checked(&fields(&long, "", ""), &owners).is_err());
        let mut f = fields("x", "", "");
        f.ticket_url = "javascript:alert(1)".into();
        assert!(checked(&f, &owners).is_err());
        f.ticket_url = "https://git.example/o/r/issues/3".into();
        assert!(checked(&f, &owners).is_ok());
    }

    #[test]
    fn overdue_first_then_by_date_undated_last() {
        let row = |id: i64, due: &str, status: ItemStatus| ItemRow {
            item: ActionItem {
                id,
                incident_id: 1,
                fields: ItemFields {
                    status,
                    ..fields("t", "", due)
                },
                created_by: "ana".into(),
                created_at_ms: 0,
                updated_at_ms: 0,
                ticket_state: None,
                version: 1,
            },
            incident_title: "t".into(),
            services: vec![],
        };
        let mut rows = vec![
            row(1, "", ItemStatus::Open),
            row(2, "2026-12-20", ItemStatus::Open),
            row(3, "2026-11-30", ItemStatus::Open),
            row(4, "2026-12-01", ItemStatus::Open),
            row(5, "2026-11-01", ItemStatus::Done),
        ];
        sort(&mut rows, "2026-12-02");
        let ids: Vec<i64> = rows.iter().map(|r| r.item.id).collect();
        assert_eq!(ids, [3, 4, 5, 2, 1]);
    }
}
