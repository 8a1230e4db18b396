//! Timeline entries in words, for the incident page and the retrospective the gateway pre-fills:
//! one wording, so that the record a retrospective quotes reads as the page did.

use super::EntryKind;

/// A timeline entry in words: one headline, then labelled lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryText {
    pub headline: String,
    /// `(label, text)`; an empty label prints the text alone.
    pub lines: Vec<(&'static str, String)>,
}

/// How each kind of entry reads. Fields the stakeholder projection empties are left out rather
/// than printed blank.
pub fn entry_text(kind: &EntryKind) -> EntryText {
    let mut lines = Vec::new();
    let mut line = |label: &'static str, text: &str| {
        if !text.trim().is_empty() {
            lines.push((label, text.to_owned()));
        }
    };
    let headline = match kind {
        EntryKind::Declared {
            title,
            broken,
            severity,
            compromise,
        } => {
            line("What is broken", broken);
            if *compromise {
                line("", "Declared as a confirmed compromise (always Sev 1).");
            }
            format!("Declared {}: {title}", severity.label())
        }
        EntryKind::Acknowledged => "Acknowledged".to_owned(),
        EntryKind::StatusUpdate {
            known,
            trying,
            eta_minutes,
        } => {
            line("What we know", known);
            line("What we're trying", trying);
            line("ETA on next update", &format!("{eta_minutes} min"));
            "Status update".to_owned()
        }
        EntryKind::SeverityChanged { from, to, reason } => {
            line("Reason", reason);
            format!("Severity {} → {}", from.label(), to.label())
        }
        EntryKind::ScopeChanged { scope } => format!("Scope: {}", scope.summary()),
        EntryKind::Note { text } => {
            line("", text);
            "Note".to_owned()
        }
        EntryKind::Health {
            check_id,
            name,
            from,
            to,
            detail,
        } => {
            let name = if name.trim().is_empty() {
                check_id
            } else {
                name
            };
            let mut text = format!("{name}: {} → {}", from.label(), to.label());
            if !detail.trim().is_empty() {
                text.push_str(" — ");
                text.push_str(detail);
            }
            text
        }
        EntryKind::Resolved {
            impact,
            override_reason,
            audit_head,
        } => {
            line("Impact", impact);
            if let Some(reason) = override_reason {
                line("Resolved although not all up", reason);
            }
            if let Some(head) = audit_head {
                line("Audit log head", head);
            }
            "Resolved".to_owned()
        }
        EntryKind::Action {
            title,
            target,
            did,
            reason,
        } => {
            if let Some(reason) = reason.as_deref().filter(|r| !r.is_empty()) {
                line("Break-glass", reason);
            }
            format!("{title} · {target}: {did}")
        }
        EntryKind::Retrospective { did } => format!("Retrospective {did}"),
        EntryKind::Walkthrough {
            playbook,
            step,
            did,
            note,
        } => {
            line("Note", note);
            if step.is_empty() {
                format!("Walkthrough {did}: {playbook}")
            } else {
                format!("{playbook} · {step}: {did}")
            }
        }
    };
    EntryText { headline, lines }
}
