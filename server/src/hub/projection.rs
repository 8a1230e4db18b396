//! The stakeholder's view of the board: status per component, nothing about the host's insides.
//!
//! No host names, ports, commands, latencies or raw output: a component's name, its scope, its
//! status and how long it has been so.

use wire::{CheckResult, HealthSnapshot, HostState, ServerMsg};

/// Who a frame is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Responders and commanders: everything.
    Full,
    /// Stakeholders and share-link viewers.
    Public,
}

pub fn check(c: &CheckResult) -> CheckResult {
    let name = match c.id.as_str() {
        "host.ssh" => "Host connection".to_string(),
        "host.containers" => "Containers".to_string(),
        "database.pg_isready" => "Database".to_string(),
        id => match id.split_once('.') {
            Some(("health", service)) => service.to_string(),
            Some(("edge", edge)) => format!("{edge} edge"),
            _ => "Component".to_string(),
        },
    };
    CheckResult {
        id: c.id.clone(),
        name,
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

/// The message as `audience` may see it.
pub fn message(msg: &ServerMsg, audience: Audience) -> ServerMsg {
    match (audience, msg) {
        (Audience::Full, m) => m.clone(),
        (Audience::Public, ServerMsg::Snapshot { snapshot: s }) => ServerMsg::Snapshot {
            snapshot: snapshot(s),
        },
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
        (Audience::Public, m) => m.clone(),
    }
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
