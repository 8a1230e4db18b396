//! The stakeholder's view: status per component, nothing about the host's insides.
//!
//! No host names, ports, commands, latencies or raw output: a component's name, its scope, its
//! status and how long it has been so. Of incidents: status, severity, updates and scope; no
//! responders' notes, no reasons or health details (they quote the host), no channel deliveries.

use wire::{
    CheckResult, EntryKind, HealthSnapshot, HostState, IncidentDetail, IncidentSummary, ServerMsg,
    TimelineEntry,
};

/// Who a frame is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Responders and commanders: everything.
    Full,
    /// Stakeholders and share-link viewers.
    Public,
}

/// A check's name for stakeholders: the component, not the probe ("ciam-kratos", not
/// "ciam-kratos /health/alive"; "Host connection", not "SSH to 10.0.0.5").
fn public_name(check_id: &str) -> String {
    match check_id {
        "host.ssh" => "Host connection".to_string(),
        "host.containers" => "Containers".to_string(),
        "database.pg_isready" => "Database".to_string(),
        id => match id.split_once('.') {
            Some(("health", service)) => service.to_string(),
            Some(("edge", edge)) => format!("{edge} edge"),
            _ => "Component".to_string(),
        },
    }
}

/// A check's id for stakeholders: the component it watches, not the probe that watches it
/// ("database", not "database.pg_isready"; "host.connection", not "host.ssh").
fn public_id(check_id: &str) -> String {
    match check_id.split_once('.') {
        Some(("database", _)) => "database".to_string(),
        Some(("host", "ssh")) => "host.connection".to_string(),
        _ => check_id.to_string(),
    }
}

pub fn check(c: &CheckResult) -> CheckResult {
    CheckResult {
        id: public_id(&c.id),
        name: public_name(&c.id),
        scope: c.scope,
        status: c.status,
        detail: c.status.label().to_string(),
        latency_ms: None,
        checked_at_ms: c.checked_at_ms,
        since_ms: c.since_ms,
    }
}

pub fn host(h: &HostState) -> HostState {
    HostState {
        target: "production".into(),
        reachable: h.reachable,
        detail: if h.reachable {
            "reachable"
        } else {
            "unreachable"
        }
        .into(),
    }
}

pub fn snapshot(s: &HealthSnapshot) -> HealthSnapshot {
    HealthSnapshot {
        host: host(&s.host),
        checks: s.checks.iter().map(check).collect(),
        sweep_seq: s.sweep_seq,
        swept_at_ms: s.swept_at_ms,
        interval_ms: s.interval_ms,
        sweeping: s.sweeping,
    }
}

/// An incident as `audience` may see it.
pub fn incident(i: &IncidentSummary, audience: Audience) -> IncidentSummary {
    match audience {
        Audience::Full => i.clone(),
        Audience::Public => IncidentSummary {
            failed_deliveries: 0,
            ..i.clone()
        },
    }
}

/// A timeline entry as `audience` may see it; `None` when it is not theirs to see.
pub fn entry(e: &TimelineEntry, audience: Audience) -> Option<TimelineEntry> {
    if audience == Audience::Full {
        return Some(e.clone());
    }
    let kind = match &e.kind {
        k if !k.is_public() => return None,
        EntryKind::SeverityChanged { from, to, .. } => EntryKind::SeverityChanged {
            from: *from,
            to: *to,
            reason: String::new(),
        },
        EntryKind::Health {
            check_id, from, to, ..
        } => EntryKind::Health {
            check_id: public_id(check_id),
            name: public_name(check_id),
            from: *from,
            to: *to,
            detail: String::new(),
        },
        EntryKind::Resolved {
            impact, audit_head, ..
        } => EntryKind::Resolved {
            impact: impact.clone(),
            override_reason: None,
            // Not a secret: anyone holding a copy of the channel can check the log against it.
            audit_head: audit_head.clone(),
        },
        EntryKind::Action {
            title,
            target,
            did,
            reason,
        } => EntryKind::Action {
            title: title.clone(),
            target: target.clone(),
            did: did.clone(),
            // Marked in `did`; the reason is the responders'.
            reason: reason.as_ref().map(|_| String::new()),
        },
        EntryKind::Walkthrough {
            playbook,
            step,
            did,
            ..
        } => EntryKind::Walkthrough {
            playbook: playbook.clone(),
            step: step.clone(),
            did: did.clone(),
            note: String::new(),
        },
        k => k.clone(),
    };
    Some(TimelineEntry { kind, ..e.clone() })
}

/// An incident's page as `audience` may see it.
pub fn detail(d: IncidentDetail, audience: Audience) -> IncidentDetail {
    match audience {
        Audience::Full => d,
        Audience::Public => IncidentDetail {
            incident: incident(&d.incident, audience),
            timeline: d
                .timeline
                .iter()
                .filter_map(|e| entry(e, audience))
                .collect(),
            board_at_declaration: snapshot(&d.board_at_declaration),
            deliveries: Vec::new(),
        },
    }
}

/// The message as `audience` may see it; `None` when nothing of it is theirs to see.
/// An action for stakeholders: what, on which part, by whom and how it ended, in words; never the
/// commands, the plan or the output.
pub fn action_request(a: &wire::ActionRequestInfo) -> wire::ActionRequestInfo {
    wire::ActionRequestInfo {
        plan: None,
        progress: None,
        result: a.result.as_ref().map(|r| wire::ActionResult {
            output: Vec::new(),
            ..r.clone()
        }),
        ..a.clone()
    }
}

pub fn message(msg: &ServerMsg, audience: Audience) -> Option<ServerMsg> {
    Some(match (audience, msg) {
        (Audience::Full, m) => m.clone(),
        (Audience::Public, ServerMsg::Snapshot { snapshot: s }) => ServerMsg::Snapshot {
            snapshot: snapshot(s),
        },
        (Audience::Public, ServerMsg::Incidents { incidents }) => ServerMsg::Incidents {
            incidents: incidents.iter().map(|i| incident(i, audience)).collect(),
        },
        (Audience::Public, ServerMsg::Incident { incident: i }) => ServerMsg::Incident {
            incident: incident(i, audience),
        },
        (Audience::Public, ServerMsg::Entry { entry: e }) => ServerMsg::Entry {
            entry: entry(e, audience)?,
        },
        (Audience::Public, ServerMsg::Delivery { .. }) => return None,
        (
            Audience::Public,
            ServerMsg::Changes {
                changed,
                host: h,
                sweep_seq,
                swept_at_ms,
            },
        ) => {
            ServerMsg::Changes {
                // A latency-only change is not news to a stakeholder, but harmless to send.
                changed: changed.iter().map(check).collect(),
                host: host(h),
                sweep_seq: *sweep_seq,
                swept_at_ms: *swept_at_ms,
            }
        }
        // Listed one by one, so that a new message kind must decide what stakeholders see.
        (
            Audience::Public,
            m
            @ (ServerMsg::Sweeping { .. } | ServerMsg::Heartbeat { .. } | ServerMsg::Error { .. }),
        ) => m.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::{Scope, Status};

    #[test]
    fn nothing_of_the_host_leaks() {
        let c = CheckResult {
            id: "health.ciam-kratos".into(),
            name: "ciam-kratos /health/alive".into(),
            scope: Scope::Ciam,
            status: Status::Down,
            detail: "connection refused; container olympus-ciam-kratos is exited".into(),
            latency_ms: Some(3),
            checked_at_ms: 5,
            since_ms: 4,
        };
        let p = check(&c);
        assert_eq!(
            (p.name.as_str(), p.detail.as_str(), p.latency_ms),
            ("ciam-kratos", "down", None)
        );
        let h = host(&HostState {
            target: "olympus@10.0.0.5:22".into(),
            reachable: false,
            detail: "host key rejected".into(),
        });
        assert_eq!(
            (h.target.as_str(), h.detail.as_str()),
            ("production", "unreachable")
        );
    }
}
