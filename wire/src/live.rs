//! The websocket protocol. Every frame is one JSON text message, tagged by `type`.

use serde::{Deserialize, Serialize};

use crate::{CheckResult, Delivery, HealthSnapshot, HostState, IncidentSummary, TimelineEntry};

/// What the gateway sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
// Read in one pass (see `fields`); written by the derive, tag first.
#[serde(try_from = "fields::Fields")]
// A message lives only while it is encoded or applied; boxing the large variants would only make
// both sides' matches noisier.
#[allow(clippy::large_enum_variant)]
pub enum ServerMsg {
    /// The whole board: first message after connecting, and after a client falls behind.
    Snapshot { snapshot: HealthSnapshot },
    /// A sweep finished: the checks whose status, detail or latency changed, and the sweep's
    /// bookkeeping. Every check ran in the sweep, so a check not listed here is unchanged and was
    /// checked at `swept_at_ms`.
    Changes {
        changed: Vec<CheckResult>,
        host: HostState,
        sweep_seq: u64,
        swept_at_ms: i64,
    },
    /// A sweep started (true) or finished (false).
    Sweeping { sweeping: bool },
    /// Sent every few seconds so that a client notices a dead connection and can correct its clock.
    Heartbeat { server_now_ms: i64 },
    /// The incidents a client should list (open ones and recently resolved), sent after the
    /// snapshot on connect. Later changes arrive as `incident` messages.
    Incidents { incidents: Vec<IncidentSummary> },
    /// An incident was declared or changed: replace the one with this id if `version` is newer.
    Incident { incident: IncidentSummary },
    /// A timeline entry was appended (merge by `seq`; stakeholders get only public entries).
    Entry { entry: TimelineEntry },
    /// A message to the incident channel was sent, retried, or failed (responders only).
    Delivery { delivery: Delivery },
    /// A message the client sent could not be handled.
    Error { message: String },
}

mod fields;

/// What a client may send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMsg {
    /// Run a sweep now instead of waiting for the interval.
    SweepNow,
    /// Answered with a heartbeat.
    Ping,
}

/// Answer to `POST /api/sweep`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepAccepted {
    /// False when a sweep was already running; the running one's results will arrive.
    pub started: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_messages_round_trip_with_a_type_tag() {
        let json = serde_json::to_string(&ClientMsg::SweepNow).unwrap();
        assert_eq!(json, r#"{"type":"sweep_now"}"#);
        assert_eq!(
            serde_json::from_str::<ClientMsg>(&json).unwrap(),
            ClientMsg::SweepNow
        );
    }

    #[test]
    fn unknown_client_message_is_an_error() {
        assert!(serde_json::from_str::<ClientMsg>(r#"{"type":"rm_rf"}"#).is_err());
    }
}
