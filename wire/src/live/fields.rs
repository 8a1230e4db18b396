//! Reading a [`ServerMsg`] without serde's buffering.
//!
//! serde's derive reads an internally tagged enum (`{"type": "...", ...}`) by first copying the
//! whole object into an in-memory tree, because the tag may come after the fields, and then reads
//! every variant's types a second time from that tree. In the SPA that second set of readers was
//! the largest part of serde in the first screen's wasm. The variants' fields have distinct names,
//! so one flat struct with every field optional reads any message in a single pass; the tag then
//! says which fields must have been there. The JSON is the same as the derive's: `Serialize` is
//! still derived with `tag = "type"`.

use serde::Deserialize;

use super::ServerMsg;
use crate::one_pass::{required, Invalid};
use crate::{CheckResult, Delivery, HealthSnapshot, HostState, IncidentSummary, TimelineEntry};

/// Every variant's fields, each optional.
#[derive(Deserialize)]
pub(super) struct Fields {
    #[serde(rename = "type")]
    kind: String,
    snapshot: Option<HealthSnapshot>,
    changed: Option<Vec<CheckResult>>,
    host: Option<HostState>,
    sweep_seq: Option<u64>,
    swept_at_ms: Option<i64>,
    sweeping: Option<bool>,
    server_now_ms: Option<i64>,
    incidents: Option<Vec<IncidentSummary>>,
    incident: Option<IncidentSummary>,
    entry: Option<TimelineEntry>,
    delivery: Option<Delivery>,
    message: Option<String>,
}

impl TryFrom<Fields> for ServerMsg {
    type Error = Invalid;

    fn try_from(f: Fields) -> Result<Self, Invalid> {
        Ok(match f.kind.as_str() {
            "snapshot" => ServerMsg::Snapshot {
                snapshot: required(f.snapshot, "snapshot")?,
            },
            "changes" => ServerMsg::Changes {
                changed: required(f.changed, "changed")?,
                host: required(f.host, "host")?,
                sweep_seq: required(f.sweep_seq, "sweep_seq")?,
                swept_at_ms: required(f.swept_at_ms, "swept_at_ms")?,
            },
            "sweeping" => ServerMsg::Sweeping {
                sweeping: required(f.sweeping, "sweeping")?,
            },
            "heartbeat" => ServerMsg::Heartbeat {
                server_now_ms: required(f.server_now_ms, "server_now_ms")?,
            },
            "incidents" => ServerMsg::Incidents {
                incidents: required(f.incidents, "incidents")?,
            },
            "incident" => ServerMsg::Incident {
                incident: required(f.incident, "incident")?,
            },
            "entry" => ServerMsg::Entry {
                entry: required(f.entry, "entry")?,
            },
            "delivery" => ServerMsg::Delivery {
                delivery: required(f.delivery, "delivery")?,
            },
            "error" => ServerMsg::Error {
                message: required(f.message, "message")?,
            },
            _ => {
                return Err(Invalid::Wrong {
                    field: "type",
                    expected: "message type",
                })
            }
        })
    }
}
