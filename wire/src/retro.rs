//! Retrospectives and their action items: the spec's "Post-incident" section.
//!
//! A retrospective is versioned text in six sections, written over a record the gateway pre-fills
//! from what actually happened (the timeline, its starred entries, the durations). Action items are
//! rows of their own, because they outlive the incident: `/actions` lists the open ones across
//! incidents, and a new incident on a service shows the ones its past incidents left open.

use serde::{Deserialize, Serialize};

/// Every action item across incidents (GET; `?owner=`, `?state=open|all`), and new ones under an
/// incident at `/api/incidents/{id}/retrospective/items`.
pub const ACTION_ITEMS_PATH: &str = "/api/action-items";

/// Longest text of one retrospective section.
pub const MAX_SECTION: usize = 20_000;
/// Longest action item title.
pub const MAX_ITEM_TITLE: usize = 200;
/// Longest "done when".
pub const MAX_DONE_WHEN: usize = 1_000;

/// Where a retrospective is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetroState {
    /// Being written; responders and commanders edit it.
    Draft,
    /// Read-only until a commander reopens it; stakeholders can read it.
    Finished,
}

impl RetroState {
    pub fn as_str(self) -> &'static str {
        match self {
            RetroState::Draft => "draft",
            RetroState::Finished => "finished",
        }
    }

    pub fn parse(s: &str) -> Option<RetroState> {
        [RetroState::Draft, RetroState::Finished]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// The written sections, in the spec's order ("root cause, what went well, what didn't, follow-up
/// items"); the action items are rows of their own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetroSections {
    pub summary: String,
    pub impact: String,
    pub root_cause: String,
    pub went_well: String,
    pub went_badly: String,
}

impl RetroSections {
    /// Each section's heading and text, in order.
    pub fn headed(&self) -> [(&'static str, &str); 5] {
        [
            ("Summary", &self.summary),
            ("Impact", &self.impact),
            ("Root cause", &self.root_cause),
            ("What went well", &self.went_well),
            ("What didn't", &self.went_badly),
        ]
    }
}

/// `PUT /api/incidents/{id}/retrospective`: a save. `base` is the version the editor started
/// from; a save over a newer one is refused (nothing is lost: the editor keeps its text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveRetro {
    pub sections: RetroSections,
    pub base: u32,
}

/// One saved version: who saved it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetroVersion {
    pub version: u32,
    pub author: String,
    pub at_ms: i64,
    /// What the save did: `saved`, `finished`, `reopened`.
    pub did: String,
    pub sections: RetroSections,
}

/// One line of the pre-filled timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordLine {
    pub seq: i64,
    pub at_ms: i64,
    pub actor: String,
    /// What happened, in words.
    pub text: String,
    pub starred: bool,
    /// The entry a responder marked as where the bleeding stopped.
    pub mitigation: bool,
}

/// What the gateway knows of the incident, for the retrospective to start from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetroRecord {
    /// Starred entries first, then the rest, each group in time order.
    pub timeline: Vec<RecordLine>,
    pub declared_at_ms: i64,
    pub response_due_ms: i64,
    /// Declaration to acknowledgement.
    pub to_first_response_ms: Option<i64>,
    /// Declaration to the entry marked as mitigation.
    pub to_mitigation_ms: Option<i64>,
    /// Declaration to resolution.
    pub to_resolution_ms: Option<i64>,
    /// The impact recorded at resolution.
    pub impact: Option<String>,
}

/// A finding the console proposes from facts it knows; one click makes it an action item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable key (`mitigation:captcha-off`, `late:first-response`, …): an item made from it
    /// carries it, so it is proposed once.
    pub key: String,
    pub title: String,
    /// The fact behind it.
    pub detail: String,
    /// The "done when" an item made from it starts with.
    pub done_when: String,
    /// An action item already carries it.
    pub taken: bool,
}

/// Whether an action item is still to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Open,
    Done,
}

impl ItemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Open => "open",
            ItemStatus::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<ItemStatus> {
        [ItemStatus::Open, ItemStatus::Done]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// An action item's fields, as written by a person: `POST …/retrospective/items` and
/// `PUT /api/action-items/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemFields {
    pub title: String,
    /// An account name; empty: nobody yet.
    #[serde(default)]
    pub owner: String,
    /// `YYYY-MM-DD`; empty: not set.
    #[serde(default)]
    pub due: String,
    /// The condition that closes it.
    #[serde(default)]
    pub done_when: String,
    #[serde(default = "open")]
    pub status: ItemStatus,
    /// A ticket's URL typed by hand (or set by "Create ticket").
    #[serde(default)]
    pub ticket_url: String,
    /// The finding it was made from, if any.
    #[serde(default)]
    pub finding: Option<String>,
}

fn open() -> ItemStatus {
    ItemStatus::Open
}

/// An action item as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItem {
    pub id: i64,
    pub incident_id: i64,
    #[serde(flatten)]
    pub fields: ItemFields,
    pub created_by: String,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// The ticket's state as last read back (`open`, `closed`), when it was.
    #[serde(default)]
    pub ticket_state: Option<String>,
    /// Bumped on every change.
    pub version: i64,
}

impl ActionItem {
    /// Open and past its due date (`today` is `YYYY-MM-DD` in the console's time zone).
    pub fn overdue(&self, today: &str) -> bool {
        self.fields.status == ItemStatus::Open
            && !self.fields.due.is_empty()
            && self.fields.due.as_str() < today
    }
}

/// `GET /api/incidents/{id}/retrospective`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retrospective {
    pub incident_id: i64,
    /// The incident's title and severity, for the page's head.
    pub title: String,
    pub severity: crate::Severity,
    /// `None` until the first save.
    pub state: Option<RetroState>,
    /// The newest version (0: none saved; the sections are then the pre-filled draft).
    pub version: u32,
    pub sections: RetroSections,
    /// Newest first, without their text (`?version=N` is a separate read).
    pub versions: Vec<RetroVersion>,
    pub record: RetroRecord,
    /// Empty for stakeholders.
    pub findings: Vec<Finding>,
    pub items: Vec<ActionItem>,
    /// Sev 1/2: the deadline; `None` when none is required.
    pub due_ms: Option<i64>,
    /// Whether the spec requires one (Sev 1/2).
    pub required: bool,
    /// What finishing still needs, in words; empty when it can be finished.
    pub missing: Vec<String>,
    /// Tickets are configured: "Create ticket" instead of "Copy as Markdown".
    pub tickets: bool,
    /// The accounts an item may be given to.
    pub owners: Vec<String>,
    /// Today in the console's time zone, `YYYY-MM-DD`, for "overdue".
    pub today: String,
}

/// An open item with the incident it came from: `/actions` and a new incident's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRow {
    #[serde(flatten)]
    pub item: ActionItem,
    pub incident_title: String,
    pub services: Vec<String>,
}

/// `GET /api/action-items`: overdue first, then by due date, undated last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemList {
    pub items: Vec<ItemRow>,
    pub today: String,
    pub owners: Vec<String>,
    pub tickets: bool,
}

/// `PUT /api/incidents/{id}/timeline/{seq}/star` and `…/mitigation`: on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mark {
    pub on: bool,
}

/// An incident's stars and its mitigation mark (GET `/api/incidents/{id}/marks`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marks {
    pub starred: Vec<i64>,
    pub mitigation: Option<i64>,
}

/// `POST /api/action-items/{id}/ticket/state`'s answer, and `…/ticket`'s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketAnswer {
    pub item: ActionItem,
    /// The ticket is closed and the item still open: the console asks before marking it done.
    pub closed_elsewhere: bool,
}
