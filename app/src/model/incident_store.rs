//! The client's copy of the incidents: summaries, the timelines fetched or streamed so far, channel
//! deliveries, and the list's settings (services, cadence, channel).
//!
//! Plain data with no signals, like `board.rs`, so the merge rules are unit-tested natively.
//! `net/live.rs` holds one [`IncidentStore`] for the whole app (every page and the header's overdue
//! banner read it) and feeds it from the websocket; pages feed it from HTTP answers too. Both
//! sources race, so every merge is order-independent: summaries keep the highest `version`,
//! timelines merge by `seq`, deliveries keep the latest change.

use wire::{
    Delivery, HealthSnapshot, IncidentDetail, IncidentList, IncidentSummary, ServerMsg,
    TimelineEntry, Written,
};

use crate::model::id_map::IdMap;

/// The list's settings from `GET /api/incidents`, needed by the forms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentMeta {
    /// Services a scope may name.
    pub services: Vec<String>,
    /// Minutes between status updates: the ETA's maximum and its default.
    pub cadence_minutes: u32,
    /// The incident channel's name (`#inc-olympus`), when status updates go to one.
    pub channel: Option<String>,
    pub time_zone: String,
}

/// Where a delivery came from: the socket's messages arrive in order and always apply; an HTTP
/// answer may be older than what the socket already delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Socket,
    Http,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentStore {
    /// By id.
    pub incidents: IdMap<IncidentSummary>,
    /// By incident id; each sorted by `seq`, without duplicates.
    pub timelines: IdMap<Vec<TimelineEntry>>,
    /// Channel messages by delivery id.
    pub deliveries: IdMap<Delivery>,
    pub meta: Option<IncidentMeta>,
    /// The websocket's action frames as they arrived (a request changed, a line of output),
    /// undecoded: the incident page's actions panel reads them, so the first screen carries no
    /// plan decoder.
    pub action_frames: Vec<String>,
    /// False until the socket's `incidents` message or an HTTP list arrived.
    pub loaded: bool,
    /// Counts `incidents` messages, i.e. (re)connections: a page showing a timeline refetches it
    /// when this changes, since entries may have been missed while the socket was down.
    pub epoch: u64,
}

impl IncidentStore {
    pub fn get(&self, id: i64) -> Option<&IncidentSummary> {
        self.incidents.get(id)
    }

    /// Open incidents (declared or acknowledged), for the nav's count.
    pub fn open_count(&self) -> usize {
        self.incidents
            .values()
            .filter(|i| i.phase.is_open())
            .count()
    }

    /// The timeline known so far, oldest first.
    pub fn timeline(&self, incident_id: i64) -> &[TimelineEntry] {
        self.timelines
            .get(incident_id)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The channel message that carries entry `seq` of an incident (the newest, should there be
    /// more than one).
    pub fn delivery_for(&self, incident_id: i64, seq: i64) -> Option<&Delivery> {
        self.deliveries
            .values()
            .filter(|d| d.incident_id == incident_id && d.entry_seq == seq)
            .max_by_key(|d| d.id)
    }

    /// Applies what the websocket says about incidents; other messages are ignored (the board's
    /// `BoardState::apply` takes those).
    pub fn apply(&mut self, msg: ServerMsg) {
        match msg {
            ServerMsg::Incidents { incidents } => self.replace_all(incidents),
            ServerMsg::Incident { incident } => {
                self.upsert(incident);
            }
            ServerMsg::Entry { entry } => self.merge_entry(entry),
            ServerMsg::Delivery { delivery } => {
                self.upsert_delivery(delivery, Source::Socket);
            }
            ServerMsg::Snapshot { .. }
            | ServerMsg::Changes { .. }
            | ServerMsg::Sweeping { .. }
            | ServerMsg::Heartbeat { .. }
            | ServerMsg::Error { .. } => {}
        }
    }

    /// Keeps an action frame for the actions panel. Bounded: the panel refetches the requests
    /// (which keep their output) when it sees the list start over.
    pub fn action_frame(&mut self, text: String) {
        if self.action_frames.len() >= 4000 {
            self.action_frames.clear();
        }
        self.action_frames.push(text);
    }

    /// The socket's list on (re)connect: it replaces the set of incidents. For one already held
    /// the higher version still wins (a write's answer may be newer than the list). Timelines and
    /// deliveries of incidents no longer listed are dropped; the others are kept (entries never
    /// change) and pages refetch them because [`IncidentStore::epoch`] moves.
    pub fn replace_all(&mut self, incidents: Vec<IncidentSummary>) {
        let mut held = std::mem::take(&mut self.incidents);
        self.incidents = incidents
            .into_iter()
            .map(|listed| match held.remove(listed.id) {
                Some(mine) if mine.version > listed.version => (mine.id, mine),
                _ => (listed.id, listed),
            })
            .collect();
        let listed = &self.incidents;
        self.timelines.retain(|id, _| listed.contains(id));
        self.deliveries
            .retain(|_, d| listed.contains(d.incident_id));
        self.loaded = true;
        self.epoch += 1;
    }

    /// Keeps `incident` unless a newer version is already held. Returns whether it was applied.
    pub fn upsert(&mut self, incident: IncidentSummary) -> bool {
        match self.incidents.get_mut(incident.id) {
            Some(held) if held.version > incident.version => false,
            Some(held) => {
                *held = incident;
                true
            }
            None => {
                self.incidents.insert(incident.id, incident);
                true
            }
        }
    }

    /// Adds one entry to its incident's timeline, in `seq` order; a duplicate is ignored.
    pub fn merge_entry(&mut self, entry: TimelineEntry) {
        let timeline = self.timelines.get_or_default(entry.incident_id);
        if let Err(at) = timeline.binary_search_by_key(&entry.seq, |e| e.seq) {
            timeline.insert(at, entry);
        }
    }

    /// Merges a fetched timeline into what the socket may already have delivered.
    pub fn merge_timeline(&mut self, entries: Vec<TimelineEntry>) {
        for entry in entries {
            self.merge_entry(entry);
        }
    }

    /// Keeps the delivery unless the one held changed later. From the socket (in order), equal
    /// times count as newer; from HTTP they do not. Returns whether it was applied.
    pub fn upsert_delivery(&mut self, delivery: Delivery, source: Source) -> bool {
        if let Some(held) = self.deliveries.get(delivery.id) {
            let (new, old) = (
                (delivery.updated_at_ms, delivery.attempts),
                (held.updated_at_ms, held.attempts),
            );
            let newer = match source {
                Source::Socket => new >= old,
                Source::Http => new > old,
            };
            if !newer {
                return false;
            }
        }
        self.deliveries.insert(delivery.id, delivery);
        true
    }

    /// A write's answer: the incident as it now is and the entry it appended (the socket brings
    /// the same again; merging twice is harmless).
    pub fn apply_written(&mut self, written: Written) {
        self.upsert(written.incident);
        self.merge_entry(written.entry);
    }

    /// `GET /api/incidents/{id}`: merges everything and hands back the board at declaration,
    /// which only the detail page shows.
    pub fn apply_detail(&mut self, detail: IncidentDetail) -> HealthSnapshot {
        let IncidentDetail {
            incident,
            timeline,
            board_at_declaration,
            deliveries,
        } = detail;
        self.upsert(incident);
        self.merge_timeline(timeline);
        for delivery in deliveries {
            self.upsert_delivery(delivery, Source::Http);
        }
        board_at_declaration
    }

    /// `GET /api/incidents`: the settings, and each listed incident (possibly older resolved ones
    /// the socket's list leaves out) upserted.
    pub fn apply_list(&mut self, list: IncidentList) {
        let IncidentList {
            incidents,
            services,
            cadence_minutes,
            channel,
            time_zone,
        } = list;
        self.meta = Some(IncidentMeta {
            services,
            cadence_minutes,
            channel,
            time_zone,
        });
        for incident in incidents {
            self.upsert(incident);
        }
        self.loaded = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{delivery, incident, note};
    use wire::{DeliveryState, Phase};

    fn seqs(store: &IncidentStore, id: i64) -> Vec<i64> {
        store.timeline(id).iter().map(|e| e.seq).collect()
    }

    #[test]
    fn incidents_message_replaces_the_list_and_moves_the_epoch() {
        let mut store = IncidentStore::default();
        assert!(!store.loaded);
        store.apply(ServerMsg::Incidents {
            incidents: vec![incident(1, 1), incident(2, 1)],
        });
        assert!(store.loaded);
        assert_eq!(store.epoch, 1);
        store.merge_entry(note(1, 3));
        store.merge_entry(note(2, 4));
        store.upsert_delivery(delivery(9, DeliveryState::Pending, 0, 1), Source::Socket);

        store.upsert(incident(2, 5));
        store.apply(ServerMsg::Incidents {
            incidents: vec![incident(2, 3), incident(4, 1)],
        });
        assert_eq!(
            store.incidents.values().map(|i| i.id).collect::<Vec<_>>(),
            [2, 4]
        );
        assert_eq!(
            store.get(2).map(|i| i.version),
            Some(5),
            "a newer write answer survives the list"
        );
        assert!(
            store.timeline(1).is_empty(),
            "unlisted incident's timeline dropped"
        );
        assert_eq!(seqs(&store, 2), [4], "listed incident's timeline kept");
        assert!(store.deliveries.values().next().is_none());
        assert_eq!(store.epoch, 2);
    }

    #[test]
    fn an_older_version_never_replaces_a_newer_one() {
        let mut store = IncidentStore::default();
        assert!(store.upsert(incident(1, 2)));
        let mut stale = incident(1, 1);
        stale.title = "stale".to_owned();
        store.apply(ServerMsg::Incident { incident: stale });
        assert_eq!(store.get(1).map(|i| i.version), Some(2));
        assert_ne!(store.get(1).map(|i| i.title.as_str()), Some("stale"));

        let mut same = incident(1, 2);
        same.title = "same version".to_owned();
        assert!(store.upsert(same), "an equal version is kept");
        let mut acked = incident(1, 3);
        acked.phase = Phase::Acknowledged;
        store.apply(ServerMsg::Incident { incident: acked });
        assert_eq!(store.get(1).map(|i| i.phase), Some(Phase::Acknowledged));
    }

    #[test]
    fn entries_merge_by_seq_without_duplicates_whatever_the_order() {
        let mut store = IncidentStore::default();
        // The socket delivers 7 before the detail fetch (which has 3, 5 and 7) returns.
        store.apply(ServerMsg::Entry { entry: note(1, 7) });
        store.merge_timeline(vec![note(1, 3), note(1, 5), note(1, 7)]);
        store.apply(ServerMsg::Entry { entry: note(1, 5) });
        store.apply(ServerMsg::Entry { entry: note(1, 9) });
        store.merge_entry(note(2, 8));
        assert_eq!(seqs(&store, 1), [3, 5, 7, 9]);
        assert_eq!(seqs(&store, 2), [8]);
        assert!(store.timeline(3).is_empty());
    }

    #[test]
    fn deliveries_keep_the_latest_change() {
        let mut store = IncidentStore::default();
        store.apply(ServerMsg::Delivery {
            delivery: delivery(4, DeliveryState::Pending, 1, 100),
        });
        store.apply(ServerMsg::Delivery {
            delivery: delivery(4, DeliveryState::Failed, 5, 900),
        });
        // A detail fetch that started before the failure must not bring "pending" back.
        assert!(!store.upsert_delivery(delivery(4, DeliveryState::Pending, 1, 100), Source::Http));
        assert!(!store.upsert_delivery(delivery(4, DeliveryState::Pending, 5, 900), Source::Http));
        assert_eq!(
            store.delivery_for(1, 5).map(|d| d.state),
            Some(DeliveryState::Failed)
        );
        // From the socket an equal time is a newer message (a retry queued in the same ms).
        store.apply(ServerMsg::Delivery {
            delivery: delivery(4, DeliveryState::Pending, 5, 900),
        });
        assert_eq!(
            store.delivery_for(1, 5).map(|d| d.state),
            Some(DeliveryState::Pending)
        );
        assert_eq!(store.delivery_for(1, 6), None);
        assert_eq!(store.delivery_for(2, 5), None);
        // Two messages for one entry: the newer delivery id counts.
        store.upsert_delivery(delivery(6, DeliveryState::Delivered, 1, 50), Source::Http);
        assert_eq!(store.delivery_for(1, 5).map(|d| d.id), Some(6));
    }

    #[test]
    fn detail_list_and_written_answers_merge() {
        let mut store = IncidentStore::default();
        store.apply(ServerMsg::Entry { entry: note(1, 6) });
        let board = store.apply_detail(IncidentDetail {
            incident: incident(1, 2),
            timeline: vec![note(1, 2), note(1, 4)],
            board_at_declaration: HealthSnapshot {
                host: wire::HostState {
                    target: "olympus".to_owned(),
                    reachable: true,
                    detail: String::new(),
                },
                checks: vec![],
                sweep_seq: 7,
                swept_at_ms: 0,
                interval_ms: 0,
                sweeping: false,
            },
            deliveries: vec![delivery(1, DeliveryState::Delivered, 1, 5)],
        });
        assert_eq!(board.sweep_seq, 7);
        assert_eq!(seqs(&store, 1), [2, 4, 6]);
        assert_eq!(store.deliveries.values().count(), 1);

        let mut newer = incident(1, 3);
        newer.updates = 1;
        store.apply_written(Written {
            incident: newer,
            entry: note(1, 8),
        });
        assert_eq!(store.get(1).map(|i| i.updates), Some(1));
        assert_eq!(seqs(&store, 1), [2, 4, 6, 8]);

        store.apply_list(IncidentList {
            incidents: vec![incident(1, 1), incident(5, 1)],
            services: vec!["caddy".to_owned()],
            cadence_minutes: 30,
            channel: Some("#inc".to_owned()),
            time_zone: "UTC".to_owned(),
        });
        assert!(store.loaded);
        assert_eq!(store.get(1).map(|i| i.version), Some(3));
        assert!(store.get(5).is_some());
        assert_eq!(store.meta.as_ref().map(|m| m.cadence_minutes), Some(30));
        assert_eq!(store.epoch, 0, "only the socket's list is a reconnect");
    }

    #[test]
    fn open_count_and_unrelated_messages() {
        let mut store = IncidentStore::default();
        let mut resolved = incident(2, 1);
        resolved.phase = Phase::Resolved;
        store.replace_all(vec![incident(1, 1), resolved, incident(3, 1)]);
        assert_eq!(store.open_count(), 2);
        let before = store.clone();
        store.apply(ServerMsg::Heartbeat { server_now_ms: 1 });
        store.apply(ServerMsg::Sweeping { sweeping: true });
        assert_eq!(store, before);
    }
}
