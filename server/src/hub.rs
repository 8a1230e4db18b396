//! The live board: the current snapshot and a broadcast of every change to every connected browser.
//!
//! Messages are serialised once here and shared by all sockets, so a thousand viewers cost one
//! `serde_json` call per change, not a thousand.

use std::sync::{Arc, RwLock};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::broadcast;
use wire::{
    CheckResult, Delivery, HealthSnapshot, HostState, IncidentSummary, ServerMsg, Status,
    TimelineEntry,
};

pub(crate) mod projection;

pub use projection::Audience;

use crate::clock::Clock;
use crate::mask::mask_secrets;
use crate::probes::{Catalog, Outcome};

/// How many frames a slow socket may fall behind before it is sent a fresh snapshot instead.
const BACKLOG: usize = 64;

/// One message, serialised once for each audience; `None` when that audience must not see it.
#[derive(Debug)]
pub struct Frames {
    pub full: Utf8Bytes,
    pub public: Option<Utf8Bytes>,
}

impl Frames {
    pub fn of(msg: &ServerMsg) -> Arc<Frames> {
        Arc::new(Frames {
            full: encode(msg),
            public: projection::message(msg, Audience::Public).map(|m| encode(&m)),
        })
    }

    pub fn for_audience(&self, audience: Audience) -> Option<Utf8Bytes> {
        match audience {
            Audience::Full => Some(self.full.clone()),
            Audience::Public => self.public.clone(),
        }
    }
}

pub struct Hub {
    clock: Arc<dyn Clock>,
    board: RwLock<HealthSnapshot>,
    tx: broadcast::Sender<Arc<Frames>>,
}

impl Hub {
    /// A board with every check "unknown: not checked yet" until the first sweep lands.
    pub fn new(target: String, catalog: &Catalog, interval_ms: u64, clock: Arc<dyn Clock>) -> Self {
        let now = clock.now_ms();
        let checks = catalog
            .checks
            .iter()
            .map(|c| CheckResult {
                id: c.id.clone(),
                name: c.name.clone(),
                scope: c.scope,
                status: Status::Unknown,
                detail: "not checked yet".into(),
                latency_ms: None,
                checked_at_ms: now,
                since_ms: now,
            })
            .collect();
        let board = HealthSnapshot {
            host: HostState {
                target,
                reachable: false,
                detail: "connecting".into(),
            },
            checks,
            sweep_seq: 0,
            swept_at_ms: 0,
            interval_ms,
            sweeping: false,
        };
        let (tx, _) = broadcast::channel(BACKLOG);
        Hub {
            clock,
            board: RwLock::new(board),
            tx,
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn snapshot(&self) -> HealthSnapshot {
        self.read().clone()
    }

    /// The current board and a receiver for everything after it, taken together so nothing is lost
    /// or seen twice between the two.
    pub fn subscribe(&self) -> (HealthSnapshot, broadcast::Receiver<Arc<Frames>>) {
        let board = self.read();
        (board.clone(), self.tx.subscribe())
    }

    /// How many sockets are listening (for the load benchmark and logs).
    pub fn viewers(&self) -> usize {
        self.tx.receiver_count()
    }

    /// Marks a sweep as started or finished and tells everyone.
    pub fn set_sweeping(&self, sweeping: bool) {
        let mut board = self.write();
        board.sweeping = sweeping;
        self.publish(&ServerMsg::Sweeping { sweeping });
    }

    /// Folds a sweep's outcome into the board; returns the checks whose status or detail changed,
    /// each with the status it had before.
    ///
    /// The `changes` message carries every check whose status, detail or latency differs. Every
    /// check ran in the sweep, so clients count the ones not in it as checked at `swept_at_ms`.
    pub fn apply(&self, catalog: &Catalog, outcome: Outcome) -> Vec<(CheckResult, Status)> {
        let now = self.clock.now_ms();
        let mut board = self.write();
        let mut changed = Vec::new();
        let mut sent = Vec::new();
        for (spec, mut finding) in catalog.checks.iter().zip(outcome.findings) {
            // Details can quote what the host printed: secrets are masked before anyone sees them.
            finding.detail = mask_secrets(&finding.detail);
            let latency_ms = finding.latency.map(|d| d.as_millis() as u64);
            let Some(slot) = board.checks.iter_mut().find(|c| c.id == spec.id) else {
                continue;
            };
            let before = slot.status;
            let status_changed = before != finding.status;
            let is_change = status_changed || slot.detail != finding.detail;
            let is_news = is_change || slot.latency_ms != latency_ms;
            slot.since_ms = if status_changed { now } else { slot.since_ms };
            slot.status = finding.status;
            slot.detail = finding.detail;
            slot.latency_ms = latency_ms;
            slot.checked_at_ms = now;
            if is_news {
                sent.push(slot.clone());
            }
            if is_change {
                changed.push((slot.clone(), before));
            }
        }
        board.checks.sort_by(CheckResult::board_order);
        board.host = outcome.host;
        board.host.detail = mask_secrets(&board.host.detail);
        board.sweep_seq += 1;
        board.swept_at_ms = now;
        board.sweeping = false;
        self.publish(&ServerMsg::Changes {
            changed: sent,
            host: board.host.clone(),
            sweep_seq: board.sweep_seq,
            swept_at_ms: now,
        });
        self.publish(&ServerMsg::Sweeping { sweeping: false });
        changed
    }

    /// A heartbeat frame with the gateway's clock.
    pub fn heartbeat(&self) -> Utf8Bytes {
        encode(&ServerMsg::Heartbeat {
            server_now_ms: self.clock.now_ms(),
        })
    }

    /// An incident was declared or changed.
    pub fn publish_incident(&self, incident: &IncidentSummary) {
        self.publish(&ServerMsg::Incident {
            incident: incident.clone(),
        });
    }

    /// A timeline entry was written.
    pub fn publish_entry(&self, entry: &TimelineEntry) {
        self.publish(&ServerMsg::Entry {
            entry: entry.clone(),
        });
    }

    /// A channel message changed state (responders only).
    pub fn publish_delivery(&self, delivery: &Delivery) {
        self.publish(&ServerMsg::Delivery {
            delivery: delivery.clone(),
        });
    }

    /// An action request changed: everything for responders, the outline for stakeholders.
    pub fn publish_action(&self, action: &wire::ActionRequestInfo) {
        let public = wire::ActionMsg::Action {
            action: projection::action_request(action),
        };
        self.send(Frames {
            full: encode_any(&wire::ActionMsg::Action {
                action: action.clone(),
            }),
            public: Some(encode_any(&public)),
        });
    }

    /// A line of a running action's output (responders only).
    pub fn publish_action_output(&self, request_id: i64, line: String) {
        self.send(Frames {
            full: encode_any(&wire::ActionMsg::ActionOutput { request_id, line }),
            public: None,
        });
    }

    /// An incident's stars or mitigation mark changed (responders only).
    pub fn publish_marks(&self, incident_id: i64, marks: &wire::Marks) {
        self.send(Frames {
            full: encode_any(&wire::ActionMsg::ActionMarks {
                incident_id,
                marks: marks.clone(),
            }),
            public: None,
        });
    }

    fn send(&self, frames: Frames) {
        if self.tx.receiver_count() > 0 {
            let _ = self.tx.send(Arc::new(frames));
        }
    }

    fn publish(&self, msg: &ServerMsg) {
        // No receivers is fine: nobody is looking at the board.
        if self.tx.receiver_count() > 0 {
            let _ = self.tx.send(Frames::of(msg));
        }
    }

    /// The board as `audience` may see it.
    pub fn snapshot_for(&self, audience: Audience) -> HealthSnapshot {
        match audience {
            Audience::Full => self.snapshot(),
            Audience::Public => projection::snapshot(&self.read()),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HealthSnapshot> {
        // A panic while holding the lock cannot leave the board half-written (each write is a few
        // assignments), so a poisoned lock is still safe to read.
        self.board.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HealthSnapshot> {
        self.board.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// Serialises a server message to a text frame.
/// Any frame the hub sends besides `ServerMsg` (the actions' messages).
fn encode_any<T: serde::Serialize>(msg: &T) -> Utf8Bytes {
    Utf8Bytes::from(serde_json::to_string(msg).unwrap_or_else(|e| {
        tracing::error!(error = %e, "cannot encode a server message");
        r#"{"type":"error","message":"internal encoding error"}"#.to_string()
    }))
}

pub fn encode(msg: &ServerMsg) -> Utf8Bytes {
    // ServerMsg holds only strings, numbers and enums: serialising it cannot fail.
    Utf8Bytes::from(serde_json::to_string(msg).unwrap_or_else(|e| {
        tracing::error!(error = %e, "cannot encode a server message");
        r#"{"type":"error","message":"internal encoding error"}"#.to_string()
    }))
}

#[cfg(test)]
pub(crate) mod tests;
