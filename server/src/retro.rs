//! Retrospectives and action items: the spec's "Post-incident" rules in one place.
//!
//! - Every Sev 1 and Sev 2 gets a written retrospective within 48 hours of resolution; the
//!   deadline counts down in the console and the channel is reminded at 24 hours left and when
//!   it is overdue.
//! - Every retrospective of a Sev 1/2 has at least one action item with an owner and a due date
//!   before it can be finished.
//! - A retrospective starts from the record (the timeline, starred entries first, and the
//!   durations), and proposes findings from facts the console knows.
//! - A finished retrospective is read-only until a commander reopens it; stakeholders read it
//!   then, and not before.

pub(crate) mod findings;
#[cfg(test)]
mod fixture;
pub(crate) mod items;
pub(crate) mod markdown;
pub(crate) mod record;
pub(crate) mod reminders;
mod tickets;

use std::sync::Arc;

use wire::{
    ActionItem, IncidentSummary, ItemFields, ItemList, ItemRow, ItemStatus, Marks, Phase,
    RetroSections, RetroState, RetroVersion, Retrospective, Role, SaveRetro, MAX_SECTION,
};

use crate::incidents::{Actor, IncidentError, Incidents};
use crate::playbooks::ProbeSpec;
use crate::playbooks::{Catalog, StepKind};
use crate::store::retro::StoredVersion;
use crate::store::{Store, StoreError};
use findings::{CertSeen, Known};
use record::Facts;

/// Why a retrospective operation failed; each maps to one HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum RetroError {
    #[error("{0}")]
    NotFound(String),
    /// The request is wrong: 400.
    #[error("{0}")]
    Invalid(String),
    /// The state does not allow it (finished, changed meanwhile): 409.
    #[error("{0}")]
    Conflict(String),
    /// The role does not allow it: 403.
    #[error("{0}")]
    Forbidden(String),
    /// The ticket tracker failed or refused; nothing was lost and it can be tried again.
    #[error("{0}")]
    Tracker(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Incident(#[from] IncidentError),
}

/// The retrospectives service. Cheap to clone.
#[derive(Clone)]
pub struct Retros {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    incidents: Incidents,
    playbooks: Arc<Catalog>,
    /// The console's address, for the link posted to the channel.
    public_url: String,
    tickets: Option<crate::tickets::Tickets>,
    /// Items whose ticket is being created: one at a time per item.
    ticketing: std::sync::Mutex<std::collections::HashSet<i64>>,
}

impl Retros {
    pub fn new(
        store: Store,
        incidents: Incidents,
        playbooks: Arc<Catalog>,
        public_url: String,
        tickets: Option<crate::tickets::Tickets>,
    ) -> Retros {
        Retros {
            inner: Arc::new(Inner {
                store,
                incidents,
                playbooks,
                public_url: public_url.trim_end_matches('/').to_owned(),
                tickets,
                ticketing: Default::default(),
            }),
        }
    }

    fn store(&self) -> &Store {
        &self.inner.store
    }

    fn today(&self) -> String {
        let i = &self.inner.incidents;
        i.hours().local_date(i.now_ms())
    }

    /// The link to an incident's retrospective, as posted to the channel.
    pub fn link(&self, id: i64) -> String {
        format!("{}/incidents/{id}/retrospective", self.inner.public_url)
    }

    async fn incident(&self, id: i64) -> Result<IncidentSummary, RetroError> {
        self.store()
            .incident(id)
            .await?
            .ok_or_else(|| RetroError::NotFound(format!("INC-{id}")))
    }

    /// Accounts an item may be given to: every account not disabled.
    async fn owners(&self) -> Result<Vec<String>, RetroError> {
        Ok(self
            .store()
            .list_users()
            .await?
            .into_iter()
            .filter(|u| !u.disabled)
            .map(|u| u.name)
            .collect())
    }

    /// An incident's retrospective as `role` may read it: stakeholders (and share links) read
    /// finished ones only.
    pub async fn get(&self, id: i64, role: Role) -> Result<Retrospective, RetroError> {
        let incident = self.incident(id).await?;
        self.assemble(&incident, role).await
    }

    /// The retrospective of `incident` as `role` may read it.
    async fn assemble(
        &self,
        incident: &IncidentSummary,
        role: Role,
    ) -> Result<Retrospective, RetroError> {
        let id = incident.id;
        let versions = self.store().retro_versions(id).await?;
        readable(incident, versions.first(), role)?;
        let state = versions.first().map(|v| v.state);
        // Stakeholders read the record as they read the incident: without notes, reasons or
        // host details.
        let audience = if role.at_least(Role::Responder) {
            crate::hub::Audience::Full
        } else {
            crate::hub::Audience::Public
        };
        let timeline: Vec<wire::TimelineEntry> = self
            .store()
            .whole_timeline(id)
            .await?
            .iter()
            .filter_map(|e| crate::hub::projection::entry(e, audience))
            .collect();
        let stars = self.store().stars(id).await?;
        let mitigation = self.store().mitigation(id).await?;
        let inc = &self.inner.incidents;
        let facts = Facts {
            incident,
            timeline: &timeline,
            stars: &stars,
            mitigation,
            hours: inc.hours(),
            cadence_minutes: inc.cadence_minutes(),
        };
        let record = record::record(&facts);
        let items = self.store().items(id).await?;
        let sections = match versions.first() {
            Some(v) => v.version.sections.clone(),
            None => record::draft(&facts, &record),
        };
        let findings = if role == Role::Stakeholder {
            Vec::new()
        } else {
            let taken: Vec<String> = items
                .iter()
                .filter_map(|i| i.fields.finding.clone())
                .collect();
            let mitigations = crate::actions::mitigations(self.store(), id).await?;
            let certificates = self.certificates().await?;
            let walked = self.walked(id).await?;
            findings::findings(
                &facts,
                &Known {
                    mitigations: &mitigations,
                    certificates: &certificates,
                    walked: &walked,
                    taken: &taken,
                },
            )
        };
        let required = incident.severity.needs_retrospective();
        let missing = missing(incident, &sections, &items);
        Ok(Retrospective {
            incident_id: id,
            title: incident.title.clone(),
            severity: incident.severity,
            state,
            version: versions.first().map_or(0, |v| v.version.version),
            sections,
            versions: versions
                .into_iter()
                .map(|v| RetroVersion {
                    sections: RetroSections::default(),
                    ..v.version
                })
                .collect(),
            record,
            findings,
            items,
            due_ms: incident.retrospective_due_ms,
            required,
            missing,
            tickets: self.inner.tickets.is_some(),
            owners: if role == Role::Stakeholder {
                Vec::new()
            } else {
                self.owners().await?
            },
            today: self.today(),
        })
    }

    /// One saved version's text.
    pub async fn version(
        &self,
        id: i64,
        version: u32,
        role: Role,
    ) -> Result<RetroVersion, RetroError> {
        // The same reading rule as the retrospective itself, then per version: stakeholders
        // read finished text only, not the drafts before it.
        let incident = self.incident(id).await?;
        let versions = self.store().retro_versions(id).await?;
        readable(&incident, versions.first(), role)?;
        let found = versions
            .into_iter()
            .find(|v| v.version.version == version)
            .ok_or_else(|| {
                RetroError::NotFound(format!("version {version} of INC-{id}'s retrospective"))
            })?;
        if role == Role::Stakeholder && found.state != RetroState::Finished {
            return Err(RetroError::Forbidden(format!(
                "version {version} is a draft; stakeholders read the finished text"
            )));
        }
        Ok(found.version)
    }

    /// The latest certificate each certificate check of a walkthrough found, in any incident.
    async fn certificates(&self) -> Result<Vec<CertSeen>, RetroError> {
        let mut seen = Vec::new();
        for p in &self.inner.playbooks.playbooks {
            for s in &p.steps {
                let StepKind::Probe { probe, .. } = &s.kind else {
                    continue;
                };
                if !matches!(
                    probe,
                    ProbeSpec::DatabaseCertificate | ProbeSpec::ServedCertificate { .. }
                ) {
                    continue;
                }
                let Some(r) = self.store().last_probe_result(&p.id, &s.id).await? else {
                    continue;
                };
                if let Some(wire::FieldValue::Number(days_left)) = r.fields.get("days_left") {
                    seen.push(CertSeen {
                        at: format!("{} › {}", p.title, s.title),
                        days_left: *days_left,
                        summary: r.summary.clone(),
                    });
                }
            }
        }
        Ok(seen)
    }

    /// The findings of every playbook walked on this incident.
    async fn walked(
        &self,
        id: i64,
    ) -> Result<Vec<(String, String, crate::playbooks::PlaybookFinding)>, RetroError> {
        let runs = self.store().runs(id).await?;
        let mut out = Vec::new();
        for p in &self.inner.playbooks.playbooks {
            if runs.iter().any(|r| r.playbook == p.id) {
                for f in &p.findings {
                    out.push((p.id.clone(), p.title.clone(), f.clone()));
                }
            }
        }
        Ok(out)
    }

    /// Saves the editor's text as a new version. The first save starts the retrospective and
    /// posts its link to the channel.
    pub async fn save(
        &self,
        who: &Actor,
        id: i64,
        save: &SaveRetro,
    ) -> Result<Retrospective, RetroError> {
        let incident = self.incident(id).await?;
        if incident.phase != Phase::Resolved {
            return Err(RetroError::Conflict(format!(
                "{} is still open; its retrospective starts once it is resolved",
                incident.reference()
            )));
        }
        let sections = checked_sections(&save.sections)?;
        let versions = self.store().retro_versions(id).await?;
        if versions.first().map(|v| v.state) == Some(RetroState::Finished) {
            return Err(RetroError::Conflict(format!(
                "the retrospective of {} is finished and read-only; a commander can reopen it",
                incident.reference()
            )));
        }
        let newest = versions.first().map_or(0, |v| v.version.version);
        if save.base != newest {
            return Err(self.changed_meanwhile(&versions));
        }
        self.append(who, id, newest, "saved", RetroState::Draft, sections)
            .await?;
        if newest == 0 {
            self.inner
                .incidents
                .retrospective_changed(who, id, format!("started: {}", self.link(id)))
                .await?;
        }
        self.get(id, who.role).await
    }

    fn changed_meanwhile(&self, versions: &[StoredVersion]) -> RetroError {
        match versions.first() {
            Some(v) => RetroError::Conflict(format!(
                "{} saved version {} meanwhile; your text is kept in the editor: reload their \
                 version and merge",
                v.version.author, v.version.version
            )),
            None => RetroError::Conflict("the retrospective changed meanwhile; reload it".into()),
        }
    }

    /// Appends version `newest + 1`; refused (naming who saved first) when another save took
    /// that number meanwhile.
    async fn append(
        &self,
        who: &Actor,
        id: i64,
        newest: u32,
        did: &str,
        state: RetroState,
        sections: RetroSections,
    ) -> Result<(), RetroError> {
        let v = StoredVersion {
            version: RetroVersion {
                version: newest + 1,
                author: who.name.clone(),
                at_ms: self.inner.incidents.now_ms(),
                did: did.to_owned(),
                sections,
            },
            state,
        };
        match self.store().insert_retro_version(id, &v).await? {
            Some(()) => Ok(()),
            None => {
                let now = self.store().retro_versions(id).await?;
                Err(self.changed_meanwhile(&now))
            }
        }
    }

    /// Marks it finished (read-only), if the spec's rule holds.
    pub async fn finish(&self, who: &Actor, id: i64) -> Result<Retrospective, RetroError> {
        let incident = self.incident(id).await?;
        let versions = self.store().retro_versions(id).await?;
        let Some(newest) = versions.first() else {
            return Err(RetroError::Conflict(
                "nothing is saved yet: save the retrospective, then finish it".into(),
            ));
        };
        if newest.state == RetroState::Finished {
            return Err(RetroError::Conflict("it is already finished".into()));
        }
        let items = self.store().items(id).await?;
        let missing = missing(&incident, &newest.version.sections, &items);
        if !missing.is_empty() {
            return Err(RetroError::Conflict(format!(
                "it cannot be finished yet: {}",
                missing.join("; ")
            )));
        }
        let sections = newest.version.sections.clone();
        let n = newest.version.version;
        self.append(who, id, n, "finished", RetroState::Finished, sections)
            .await?;
        self.inner
            .incidents
            .retrospective_changed(who, id, format!("finished: {}", self.link(id)))
            .await?;
        self.get(id, who.role).await
    }

    /// Reopens a finished retrospective for editing (commanders).
    pub async fn reopen(&self, who: &Actor, id: i64) -> Result<Retrospective, RetroError> {
        if who.role != Role::Commander {
            return Err(RetroError::Forbidden(
                "only an incident commander can reopen a finished retrospective".into(),
            ));
        }
        let versions = self.store().retro_versions(id).await?;
        let Some(newest) = versions.first().filter(|v| v.state == RetroState::Finished) else {
            return Err(RetroError::Conflict(
                "it is not finished; there is nothing to reopen".into(),
            ));
        };
        let sections = newest.version.sections.clone();
        let n = newest.version.version;
        self.append(who, id, n, "reopened", RetroState::Draft, sections)
            .await?;
        self.inner
            .incidents
            .retrospective_changed(who, id, "reopened".to_owned())
            .await?;
        self.get(id, who.role).await
    }

    /// Adds an action item to an incident's retrospective.
    pub async fn add_item(
        &self,
        who: &Actor,
        id: i64,
        fields: &ItemFields,
    ) -> Result<ActionItem, RetroError> {
        let incident = self.incident(id).await?;
        self.writable(&incident).await?;
        let fields = items::checked(fields, &self.owners().await?).map_err(RetroError::Invalid)?;
        let now = self.inner.incidents.now_ms();
        let item = ActionItem {
            id: 0,
            incident_id: id,
            fields,
            created_by: who.name.clone(),
            created_at_ms: now,
            updated_at_ms: now,
            ticket_state: None,
            version: 1,
        };
        Ok(self.store().insert_item(&item).await?)
    }

    /// Items are added while the retrospective is a draft (or not started); a finished one is
    /// read-only. Their status and ticket change later, with the work.
    async fn writable(&self, incident: &IncidentSummary) -> Result<(), RetroError> {
        let versions = self.store().retro_versions(incident.id).await?;
        if versions.first().map(|v| v.state) == Some(RetroState::Finished) {
            return Err(RetroError::Conflict(format!(
                "the retrospective of {} is finished; a commander can reopen it to add items",
                incident.reference()
            )));
        }
        Ok(())
    }

    /// Changes an item. `version` is the one the editor read: a change made meanwhile is not
    /// overwritten.
    pub async fn update_item(
        &self,
        item_id: i64,
        version: Option<i64>,
        fields: &ItemFields,
    ) -> Result<ActionItem, RetroError> {
        let item = self.item(item_id).await?;
        if version.is_some_and(|v| v != item.version) {
            return Err(RetroError::Conflict(
                "someone changed this item meanwhile; reload it".into(),
            ));
        }
        let mut fields =
            items::checked(fields, &self.owners().await?).map_err(RetroError::Invalid)?;
        // The finding an item was made from stays with it.
        fields.finding = item.fields.finding.clone();
        let changed = ActionItem {
            fields,
            updated_at_ms: self.inner.incidents.now_ms(),
            ..item
        };
        self.store().update_item(&changed).await?.ok_or_else(|| {
            RetroError::Conflict("someone changed this item meanwhile; reload it".into())
        })
    }

    async fn item(&self, item_id: i64) -> Result<ActionItem, RetroError> {
        self.store()
            .item(item_id)
            .await?
            .ok_or_else(|| RetroError::NotFound(format!("action item {item_id}")))
    }

    /// Items across incidents: open ones (or all), one owner's or everyone's, overdue first.
    pub async fn list_items(&self, all: bool, owner: Option<&str>) -> Result<ItemList, RetroError> {
        let owner = owner.map(|o| o.trim().to_lowercase());
        let rows = self.store().items_across(all, owner.as_deref()).await?;
        let today = self.today();
        let mut items: Vec<ItemRow> = rows
            .into_iter()
            .map(|r| ItemRow {
                services: serde_json::from_str::<wire::IncidentScope>(&r.scope_json)
                    .map(|s| s.services)
                    .unwrap_or_default(),
                item: r.item,
                incident_title: r.incident_title,
            })
            .collect();
        items::sort(&mut items, &today);
        Ok(ItemList {
            items,
            today,
            owners: self.owners().await?,
            tickets: self.inner.tickets.is_some(),
        })
    }

    /// Open items that past incidents on any of this incident's services left: "this was supposed
    /// to be fixed by …".
    pub async fn related_items(&self, id: i64) -> Result<ItemList, RetroError> {
        let incident = self.incident(id).await?;
        let mut list = self.list_items(false, None).await?;
        list.items.retain(|r| {
            r.item.incident_id != id
                && r.item.incident_id < id
                && r.services
                    .iter()
                    .any(|s| incident.scope.services.contains(s))
        });
        Ok(list)
    }

    pub async fn marks(&self, id: i64) -> Result<Marks, RetroError> {
        self.incident(id).await?;
        Ok(Marks {
            starred: self.store().stars(id).await?,
            mitigation: self.store().mitigation(id).await?,
        })
    }

    /// Stars an entry (or takes the star off); starred entries lead the retrospective's timeline.
    pub async fn star(
        &self,
        who: &Actor,
        id: i64,
        seq: i64,
        on: bool,
    ) -> Result<Marks, RetroError> {
        self.entry_of(id, seq).await?;
        let now = self.inner.incidents.now_ms();
        self.store().set_star(id, seq, &who.name, now, on).await?;
        self.marks_changed(id).await
    }

    /// Marks the entry where the bleeding stopped (or clears the mark if it is this one).
    pub async fn mark_mitigation(
        &self,
        who: &Actor,
        id: i64,
        seq: i64,
        on: bool,
    ) -> Result<Marks, RetroError> {
        self.entry_of(id, seq).await?;
        let now = self.inner.incidents.now_ms();
        let current = self.store().mitigation(id).await?;
        let seq = match (on, current) {
            (true, _) => Some(seq),
            (false, Some(c)) if c == seq => None,
            (false, other) => other,
        };
        self.store().set_mitigation(id, seq, &who.name, now).await?;
        self.marks_changed(id).await
    }

    /// The incident's marks after a change, also sent to every responder watching it.
    async fn marks_changed(&self, id: i64) -> Result<Marks, RetroError> {
        let marks = self.marks(id).await?;
        self.inner.incidents.hub().publish_marks(id, &marks);
        Ok(marks)
    }

    async fn entry_of(&self, id: i64, seq: i64) -> Result<(), RetroError> {
        self.incident(id).await?;
        if !self.store().entry_belongs(id, seq).await? {
            return Err(RetroError::NotFound(format!(
                "timeline entry {seq} of INC-{id}"
            )));
        }
        Ok(())
    }

    /// The retrospective as one Markdown file.
    pub async fn markdown(&self, id: i64, role: Role) -> Result<String, RetroError> {
        let incident = self.incident(id).await?;
        let r = self.assemble(&incident, role).await?;
        Ok(markdown::render(
            &incident,
            &r,
            self.inner.incidents.hours(),
        ))
    }
}

/// The reading rule: stakeholders (and share links) read a finished retrospective only;
/// responders and commanders read it at any time.
fn readable(
    incident: &IncidentSummary,
    newest: Option<&StoredVersion>,
    role: Role,
) -> Result<(), RetroError> {
    if role == Role::Stakeholder && newest.map(|v| v.state) != Some(RetroState::Finished) {
        return Err(RetroError::Forbidden(format!(
            "the retrospective of {} is not finished yet; it can be read here once it is",
            incident.reference()
        )));
    }
    Ok(())
}

/// What finishing still needs. Every retrospective says what happened (a summary); a Sev 1/2 one
/// also names its root cause and has at least one action item with an owner and a due date (the
/// spec: "every retrospective has at least one action item with an owner and a due date").
fn missing(i: &IncidentSummary, s: &RetroSections, items: &[ActionItem]) -> Vec<String> {
    let mut out = Vec::new();
    if s.summary.trim().is_empty() {
        out.push("a summary".to_owned());
    }
    if i.severity.needs_retrospective() {
        if s.root_cause.trim().is_empty() {
            out.push("the root cause".to_owned());
        }
        let owned = items
            .iter()
            .any(|it| !it.fields.owner.is_empty() && !it.fields.due.is_empty());
        if !owned {
            out.push(format!(
                "at least one action item with an owner and a due date ({} needs one)",
                i.severity.label()
            ));
        }
    }
    out
}

fn checked_sections(s: &RetroSections) -> Result<RetroSections, RetroError> {
    for (heading, text) in s.headed() {
        if text.chars().count() > MAX_SECTION {
            return Err(RetroError::Invalid(format!(
                "\"{heading}\" is longer than {MAX_SECTION} characters; link to a longer document instead"
            )));
        }
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
        {
            return Err(RetroError::Invalid(format!(
                "\"{heading}\" holds control characters; paste it as plain text"
            )));
        }
    }
    Ok(RetroSections {
        summary: s.summary.trim_end().to_owned(),
        impact: s.impact.trim_end().to_owned(),
        root_cause: s.root_cause.trim_end().to_owned(),
        went_well: s.went_well.trim_end().to_owned(),
        went_badly: s.went_badly.trim_end().to_owned(),
    })
}

impl Retros {
    /// Marks an item done (used when its ticket was closed, after the user confirmed).
    pub async fn set_status(
        &self,
        item_id: i64,
        status: ItemStatus,
    ) -> Result<ActionItem, RetroError> {
        let item = self.item(item_id).await?;
        let fields = ItemFields {
            status,
            ..item.fields.clone()
        };
        self.update_item(item_id, Some(item.version), &fields).await
    }
}
