//! A retrospective as one Markdown file: every section, the record's timeline and the action
//! items, for the platform repository or a wiki.

use wire::{IncidentSummary, ItemStatus, Retrospective};

use super::record::duration_text;
use crate::values::BusinessHours;

/// A table cell: one line, pipes escaped, so that no text can break out of its row.
fn cell(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('\\', "\\\\")
        .replace('|', "\\|")
}

pub fn render(i: &IncidentSummary, r: &Retrospective, hours: &BusinessHours) -> String {
    let mut md = format!(
        "# {} retrospective: {}\n\n",
        i.reference(),
        i.title.replace('\n', " ")
    );
    md.push_str(&format!("- **Severity:** {}\n", i.severity.label()));
    md.push_str(&format!(
        "- **Declared:** {} by {}\n",
        hours.local_text(i.declared_at_ms),
        i.declared_by
    ));
    if let (Some(at), Some(by)) = (i.resolved_at_ms, &i.resolved_by) {
        md.push_str(&format!(
            "- **Resolved:** {} by {by}\n",
            hours.local_text(at)
        ));
    }
    let rec = &r.record;
    let took = |ms: Option<i64>| ms.map_or_else(|| "—".to_owned(), duration_text);
    md.push_str(&format!(
        "- **Time to first response:** {} (due {})\n",
        took(rec.to_first_response_ms),
        hours.local_text(rec.response_due_ms)
    ));
    md.push_str(&format!(
        "- **Time to mitigation:** {}\n",
        took(rec.to_mitigation_ms)
    ));
    md.push_str(&format!(
        "- **Time to resolution:** {}\n",
        took(rec.to_resolution_ms)
    ));
    let state = match (r.state, r.versions.first()) {
        (Some(s), Some(v)) => format!(
            "{} (version {}, {} by {} at {})",
            s.as_str(),
            v.version,
            v.did,
            v.author,
            hours.local_text(v.at_ms)
        ),
        _ => "not saved yet (the pre-filled draft)".to_owned(),
    };
    md.push_str(&format!("- **Retrospective:** {state}\n"));
    if let Some(due) = r.due_ms {
        md.push_str(&format!("- **Due:** {}\n", hours.local_text(due)));
    }
    md.push('\n');
    let sections = r.sections.headed();
    for (heading, text) in &sections[..2] {
        section(&mut md, heading, text);
    }
    md.push_str("## Timeline\n\n");
    if rec.timeline.iter().any(|l| l.starred) {
        md.push_str("Starred entries first.\n\n");
    }
    md.push_str("| Time | Who | What |\n|---|---|---|\n");
    for l in &rec.timeline {
        let mut what = cell(&l.text);
        if l.mitigation {
            what.push_str(" **(mitigated here)**");
        }
        md.push_str(&format!(
            "| {}{} | {} | {} |\n",
            if l.starred { "★ " } else { "" },
            hours.local_text(l.at_ms),
            cell(&l.actor),
            what
        ));
    }
    md.push('\n');
    for (heading, text) in &sections[2..] {
        section(&mut md, heading, text);
    }
    md.push_str("## Action items\n\n");
    if r.items.is_empty() {
        md.push_str("None yet.\n");
    } else {
        md.push_str(
            "| Item | Owner | Due | Done when | Status | Ticket |\n|---|---|---|---|---|---|\n",
        );
        for it in &r.items {
            let f = &it.fields;
            md.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                cell(&f.title),
                or_dash(&cell(&f.owner)),
                or_dash(&f.due),
                or_dash(&cell(&f.done_when)),
                match f.status {
                    ItemStatus::Open => "open",
                    ItemStatus::Done => "done",
                },
                or_dash(&cell(&f.ticket_url)),
            ));
        }
    }
    md
}

fn or_dash(s: &str) -> String {
    if s.is_empty() {
        "—".to_owned()
    } else {
        s.to_owned()
    }
}

fn section(md: &mut String, heading: &str, text: &str) {
    md.push_str(&format!("## {heading}\n\n"));
    let text = text.trim();
    if text.is_empty() {
        md.push_str("_Not written._\n\n");
    } else {
        md.push_str(text);
        md.push_str("\n\n");
    }
}
