//! Retrospectives and action items in words: an item's due line, its Markdown for pasting into a
//! ticket by hand, and the editor's section labels.

use wire::{ActionItem, ItemStatus};

/// "due 2026-12-09", "OVERDUE since 2026-12-01", "no due date"; and whether it is overdue.
pub fn due_text(item: &ActionItem, today: &str) -> (String, bool) {
    let due = &item.fields.due;
    if due.is_empty() {
        ("no due date".to_owned(), false)
    } else if item.overdue(today) {
        (format!("OVERDUE since {due}"), true)
    } else if item.fields.status == ItemStatus::Done {
        (format!("was due {due}"), false)
    } else {
        (format!("due {due}"), false)
    }
}

/// The owner, or a loud "no owner" (the spec wants one on every item).
pub fn owner_text(item: &ActionItem) -> String {
    if item.fields.owner.is_empty() {
        "no owner".to_owned()
    } else {
        item.fields.owner.clone()
    }
}

/// The item as a Markdown task line, for a ticket written by hand when no tracker is configured.
/// `link` is the retrospective's address.
pub fn item_markdown(item: &ActionItem, link: &str) -> String {
    let f = &item.fields;
    let mut md = format!(
        "- [{}] **{}**\n  - Owner: {}\n  - Due: {}\n",
        if f.status == ItemStatus::Done {
            "x"
        } else {
            " "
        },
        f.title,
        owner_text(item),
        if f.due.is_empty() { "not set" } else { &f.due }
    );
    if !f.done_when.is_empty() {
        md.push_str(&format!("  - Done when: {}\n", f.done_when));
    }
    md.push_str(&format!(
        "  - From the retrospective of INC-{}: {link}\n",
        item.incident_id
    ));
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::ItemFields;

    fn item(due: &str, status: ItemStatus) -> ActionItem {
        ActionItem {
            id: 3,
            incident_id: 7,
            fields: ItemFields {
                title: "Add a secondary provider".into(),
                owner: String::new(),
                due: due.into(),
                done_when: "a mail goes out through it".into(),
                status,
                ticket_url: String::new(),
                finding: None,
            },
            created_by: "ana".into(),
            created_at_ms: 0,
            updated_at_ms: 0,
            ticket_state: None,
            version: 1,
        }
    }

    #[test]
    fn due_lines_say_when_it_is_late() {
        let today = "2026-12-03";
        assert_eq!(
            due_text(&item("", ItemStatus::Open), today),
            ("no due date".into(), false)
        );
        assert_eq!(
            due_text(&item("2026-12-02", ItemStatus::Open), today),
            ("OVERDUE since 2026-12-02".into(), true)
        );
        assert_eq!(
            due_text(&item("2026-12-03", ItemStatus::Open), today),
            ("due 2026-12-03".into(), false),
            "due today is not late yet"
        );
        assert_eq!(
            due_text(&item("2026-12-02", ItemStatus::Done), today),
            ("was due 2026-12-02".into(), false)
        );
    }

    #[test]
    fn markdown_carries_everything_a_ticket_needs() {
        let md = item_markdown(
            &item("2026-12-09", ItemStatus::Open),
            "https://aegis/incidents/7/retrospective",
        );
        assert!(md.starts_with("- [ ] **Add a secondary provider**"));
        assert!(md.contains("Owner: no owner"));
        assert!(md.contains("Due: 2026-12-09"));
        assert!(md.contains("Done when: a mail goes out through it"));
        assert!(md.contains("INC-7: https://aegis/incidents/7/retrospective"));
    }
}
