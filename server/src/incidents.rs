//! Incidents: declared by the severity matrix, timed by the playbook, recorded on an append-only
//! timeline, streamed to every browser and, when configured, posted to the incident channel.
//!
//! Writes are serialised by one lock (a console has a handful of writers; ordering matters more
//! than throughput), checked by the pure [`lifecycle`] rules, stored in one SQLite transaction each,
//! and only then published: what a browser sees is on disk.

pub(crate) mod courier;
mod events;
pub(crate) mod lifecycle;
pub(crate) mod settings;
pub(crate) mod timers;
pub(crate) mod webhook;

use std::sync::Arc;

use tokio::sync::Mutex;
use wire::{
    Acknowledged, Delivery, EntryKind, IncidentDetail, IncidentList, IncidentScope,
    IncidentSummary, NewIncident, NewNote, NewStatusUpdate, Regrade, Resolve, Role, Written,
    SYSTEM_ACTOR,
};

use crate::clock::Clock;
use crate::hub::{Audience, Hub};
use crate::store::incidents::{ListFilter, NewEntry, Page};
use crate::store::{Store, StoreError};
use courier::Courier;
use lifecycle::{Refusal, Rules};
use settings::IncidentSettings;
use timers::BusinessHours;

/// Timeline entries per page of an incident's page; earlier ones are a `?before=` away. A long
/// Sev 1 with a flapping check gathers thousands of health entries; a phone needs the latest.
pub const TIMELINE_PAGE: u32 = 500;

/// Why an incident operation failed.
#[derive(Debug, thiserror::Error)]
pub enum IncidentError {
    #[error("INC-{0}")]
    NotFound(i64),
    #[error("channel message {delivery} of INC-{incident}")]
    NoSuchDelivery { incident: i64, delivery: i64 },
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who is asking.
#[derive(Debug, Clone)]
pub struct Actor {
    pub name: String,
    pub role: Role,
}

/// The incidents service. Cheap to clone.
#[derive(Clone)]
pub struct Incidents {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    hub: Arc<Hub>,
    clock: Arc<dyn Clock>,
    hours: BusinessHours,
    cadence_minutes: u32,
    channel: Option<String>,
    services: Vec<String>,
    recent_resolved: u32,
    max_open: u32,
    courier: Option<Courier>,
    writes: Mutex<()>,
}

impl Incidents {
    /// Builds the service; when a webhook is configured, starts the courier and resumes the
    /// deliveries a previous run left pending.
    pub async fn start(
        settings: &IncidentSettings,
        services: Vec<String>,
        store: Store,
        hub: Arc<Hub>,
        clock: Arc<dyn Clock>,
        stop: crate::shutdown::CancelToken,
    ) -> anyhow::Result<Incidents> {
        let hours = settings.business_hours();
        let courier = match &settings.webhook_url {
            Some(url) => Some(Courier::new(url, settings)?),
            None => None,
        };
        let channel = settings.webhook_url.as_ref().map(|_| {
            settings
                .channel
                .clone()
                .unwrap_or_else(|| "incident channel".into())
        });
        let incidents = Incidents {
            inner: Arc::new(Inner {
                store,
                hub,
                clock,
                hours,
                cadence_minutes: settings.cadence_minutes,
                channel,
                services,
                recent_resolved: settings.recent_resolved,
                max_open: settings.max_open,
                courier,
                writes: Mutex::new(()),
            }),
        };
        if let Some(c) = &incidents.inner.courier {
            c.run(incidents.clone(), stop).await?;
        }
        Ok(incidents)
    }

    fn rules(&self) -> Rules<'_> {
        Rules {
            hours: &self.inner.hours,
            cadence_minutes: self.inner.cadence_minutes,
            services: &self.inner.services,
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The live hub, for services that publish beside the incident (retrospective marks).
    pub(crate) fn hub(&self) -> &Hub {
        &self.inner.hub
    }

    pub fn now_ms(&self) -> i64 {
        self.inner.clock.now_ms()
    }

    /// The configured business hours: the time zone dates and local times are told in.
    pub fn hours(&self) -> &BusinessHours {
        &self.inner.hours
    }

    /// Minutes between status updates.
    pub fn cadence_minutes(&self) -> u32 {
        self.inner.cadence_minutes
    }

    /// Records a change to the incident's retrospective (started, finished, reopened): a new
    /// version of the incident, so that every list and board sees its countdown stop or restart,
    /// and an entry that goes to the channel.
    pub async fn retrospective_changed(
        &self,
        who: &Actor,
        id: i64,
        did: String,
    ) -> Result<Written, IncidentError> {
        self.change(who, id, |i, _| {
            i.version += 1;
            Ok(EntryKind::Retrospective { did })
        })
        .await
    }

    /// The list for `audience`, with what the SPA needs to declare and scope, and whether older
    /// resolved incidents lie beyond this page.
    pub async fn list(
        &self,
        filter: ListFilter,
        audience: Audience,
    ) -> Result<(IncidentList, bool), IncidentError> {
        let page = self.matching(filter).await?;
        let list = IncidentList {
            incidents: page
                .items
                .iter()
                .map(|i| crate::hub::projection::incident(i, audience))
                .collect(),
            services: self.inner.services.clone(),
            cadence_minutes: self.inner.cadence_minutes,
            channel: match audience {
                Audience::Full => self.inner.channel.clone(),
                Audience::Public => None,
            },
            time_zone: self.inner.hours.time_zone().to_string(),
        };
        Ok((list, page.more))
    }

    /// What a browser lists on connect: open incidents and the recently resolved.
    pub async fn for_socket(&self) -> Result<Vec<IncidentSummary>, IncidentError> {
        Ok(self.matching(ListFilter::default()).await?.items)
    }

    /// The incidents `filter` selects, with at most `recent_resolved` resolved ones per page.
    async fn matching(&self, filter: ListFilter) -> Result<Page<IncidentSummary>, IncidentError> {
        let filter = ListFilter {
            resolved_limit: self.inner.recent_resolved,
            ..filter
        };
        Ok(self.inner.store.incidents(filter).await?)
    }

    /// An incident's page: its newest [`TIMELINE_PAGE`] entries before `before` (a timeline
    /// `seq`; `None`: the newest), and whether earlier ones remain.
    pub async fn detail(
        &self,
        id: i64,
        before: Option<i64>,
        audience: Audience,
    ) -> Result<(IncidentDetail, bool), IncidentError> {
        let store = &self.inner.store;
        let incident = store
            .incident(id)
            .await?
            .ok_or(IncidentError::NotFound(id))?;
        let timeline = store.timeline(id, before, TIMELINE_PAGE).await?;
        let detail = IncidentDetail {
            incident,
            timeline: timeline.items,
            board_at_declaration: store.board_at_declaration(id).await?,
            deliveries: store.deliveries(id).await?,
        };
        Ok((
            crate::hub::projection::detail(detail, audience),
            timeline.more,
        ))
    }

    pub async fn declare(&self, who: &Actor, new: &NewIncident) -> Result<Written, IncidentError> {
        let _w = self.inner.writes.lock().await;
        let now = self.now_ms();
        let declaration = lifecycle::declare(new, &who.name, now, &self.rules())?;
        // Counted under the write lock: two declarations cannot both take the last place.
        let open = self.inner.store.open_incidents().await?;
        if open >= self.inner.max_open {
            return Err(IncidentError::Refused(Refusal::Conflict(format!(
                "{open} incidents are already open, the most this console keeps at once \
                 ([incidents] max_open); resolve one, or record this on an open incident's timeline"
            ))));
        }
        let board = self.inner.hub.snapshot();
        let (incident, entry, delivery) = self
            .inner
            .store
            .insert_incident(&board, |id| {
                let incident = declaration.numbered(id);
                let first = self.entry(&incident, &who.name, now, declaration.entry());
                (incident, first)
            })
            .await?;
        let id = incident.id;
        tracing::info!(incident = id, severity = incident.severity.as_str(), by = %who.name, "incident declared");
        self.published(incident, entry, delivery)
    }

    pub async fn acknowledge(&self, who: &Actor, id: i64) -> Result<Acknowledged, IncidentError> {
        let mut proposed_update = None;
        let written = self
            .change(who, id, |i, now| {
                let (kind, proposal) = lifecycle::acknowledge(i, &who.name, now, &self.rules())?;
                proposed_update = proposal;
                Ok(kind)
            })
            .await?;
        Ok(Acknowledged {
            incident: written.incident,
            entry: written.entry,
            proposed_update,
        })
    }

    pub async fn post_update(
        &self,
        who: &Actor,
        id: i64,
        update: &NewStatusUpdate,
    ) -> Result<Written, IncidentError> {
        self.change(who, id, |i, now| {
            lifecycle::post_update(i, update, now, &self.rules())
        })
        .await
    }

    pub async fn regrade(
        &self,
        who: &Actor,
        id: i64,
        r: &Regrade,
    ) -> Result<Written, IncidentError> {
        self.change(who, id, |i, now| {
            lifecycle::regrade(i, r, who.role, now, &self.rules())
        })
        .await
    }

    pub async fn set_scope(
        &self,
        who: &Actor,
        id: i64,
        scope: &IncidentScope,
    ) -> Result<Written, IncidentError> {
        self.change(who, id, |i, _| {
            lifecycle::set_scope(i, scope, &self.rules())
        })
        .await
    }

    pub async fn note(
        &self,
        who: &Actor,
        id: i64,
        note: &NewNote,
    ) -> Result<Written, IncidentError> {
        let _w = self.inner.writes.lock().await;
        let incident = self.load(id).await?;
        let kind = lifecycle::note(&incident, &note.text)?;
        let e = self.entry(&incident, &who.name, self.now_ms(), kind);
        let entry = self.inner.store.append_entry(id, e).await?;
        self.published(incident, entry, None)
    }

    /// Writes an entry that changes nothing about the incident itself (a walkthrough's progress,
    /// an action) and sends it to every viewer, and to the channel when it is news there (a
    /// break-glass approval).
    pub async fn record(
        &self,
        who: &str,
        id: i64,
        kind: EntryKind,
    ) -> Result<wire::TimelineEntry, IncidentError> {
        let _w = self.inner.writes.lock().await;
        let incident = self.load(id).await?;
        let e = self.entry(&incident, who, self.now_ms(), kind);
        let (entry, delivery) = self.inner.store.append_entry_delivered(id, e).await?;
        self.inner.hub.publish_entry(&entry);
        if let (Some(d), Some(c)) = (&delivery, &self.inner.courier) {
            self.inner.hub.publish_delivery(d);
            c.send(d.id);
        }
        Ok(entry)
    }

    pub async fn resolve(
        &self,
        who: &Actor,
        id: i64,
        r: &Resolve,
    ) -> Result<Written, IncidentError> {
        let mitigations = crate::actions::mitigations(&self.inner.store, id).await?;
        // The head as of the resolution, for the channel: entries written later are not covered.
        let head = self.inner.store.audit_head().await?.map(|h| {
            wire::AuditHead {
                seq: h.seq,
                hash: h.hash,
            }
            .text()
        });
        let written = self
            .change(who, id, |i, now| {
                let board = self.inner.hub.snapshot();
                lifecycle::resolve(
                    i,
                    r,
                    (&who.name, who.role),
                    (&board, &mitigations),
                    now,
                    head,
                )
            })
            .await?;
        tracing::info!(incident = id, by = %who.name, "incident resolved");
        Ok(written)
    }

    /// One lifecycle change to incident `id`, under the write lock: load it, let `apply` change it
    /// at the current time (or refuse), then store it with the entry `apply` returned and publish.
    async fn change(
        &self,
        who: &Actor,
        id: i64,
        apply: impl FnOnce(&mut IncidentSummary, i64) -> Result<EntryKind, Refusal>,
    ) -> Result<Written, IncidentError> {
        let _w = self.inner.writes.lock().await;
        let mut incident = self.load(id).await?;
        let now = self.now_ms();
        let kind = apply(&mut incident, now)?;
        let e = self.entry(&incident, &who.name, now, kind);
        let (entry, delivery) = self.inner.store.save_incident(&incident, e).await?;
        // Reloaded, not reused: the failure count is derived in the database, and the courier
        // (which does not take the write lock) may have changed it since the load.
        let incident = self.load(incident.id).await?;
        self.published(incident, entry, delivery)
    }

    async fn load(&self, id: i64) -> Result<IncidentSummary, IncidentError> {
        self.inner
            .store
            .incident(id)
            .await?
            .ok_or(IncidentError::NotFound(id))
    }

    /// A new entry, with its channel message when a channel is configured and the entry is news
    /// for it (declaration, acknowledgement, updates, severity, resolution).
    fn entry(&self, i: &IncidentSummary, actor: &str, now: i64, kind: EntryKind) -> NewEntry {
        let channel_payload = self
            .inner
            .courier
            .as_ref()
            .and_then(|_| courier::message(i, actor, &kind, &self.inner.hours))
            .map(|text| webhook::payload(&text));
        NewEntry {
            at_ms: now,
            actor: actor.to_string(),
            kind,
            channel_payload,
        }
    }

    fn published(
        &self,
        incident: IncidentSummary,
        entry: wire::TimelineEntry,
        delivery: Option<Delivery>,
    ) -> Result<Written, IncidentError> {
        let hub = &self.inner.hub;
        hub.publish_incident(&incident);
        hub.publish_entry(&entry);
        if let (Some(d), Some(c)) = (&delivery, &self.inner.courier) {
            hub.publish_delivery(d);
            c.send(d.id);
        }
        Ok(Written { incident, entry })
    }
}
