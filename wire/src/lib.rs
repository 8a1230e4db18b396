//! Types that cross the wire between the gateway and the SPA.
//!
//! This crate depends on `serde` only, so that it compiles for `wasm32-unknown-unknown` and for the
//! gateway alike. Times are Unix milliseconds (UTC): the browser has `Date.now()`, and the gateway
//! sends its own clock in every heartbeat so that a client can correct for skew when it shows ages.

mod action;
pub use action::{
    ActionInfo, ActionMsg, ActionPlan, ActionRequestInfo, ActionResult, ApproveAction,
    IncidentActions, Mitigation, ParamInfo, ParamKind, PlanAction, PlanChanged, PlannedCommand,
    RequestAction, RequestAnswer, RequestState, StepRef, ACTIONS_PATH, ACTION_FRAME_PREFIX,
    MARKS_FRAME_PREFIX,
};
mod audit;
mod health;
pub use audit::{
    AuditCommand, AuditEntry, AuditHead, AuditKind, AuditPage, AuditRecord, AUDIT_PATH,
};
mod incident;
mod live;
mod named;
mod playbook;
pub use named::UnknownName;
pub use playbook::{
    BranchInfo, FieldValue, PlaybookCatalog, PlaybookInfo, ProbeResult, ReportedOutcome,
    RunCountdown, RunInfo, RunRecord, StartRun, StepActionInfo, StepInfo, StepOutcome, StepReport,
    Suggestion,
};
mod one_pass;
mod retro;
pub use retro::{
    ActionItem, Finding, ItemFields, ItemList, ItemRow, ItemStatus, Mark, Marks, RecordLine,
    RetroRecord, RetroSections, RetroState, RetroVersion, Retrospective, SaveRetro, TicketAnswer,
    ACTION_ITEMS_PATH, MAX_DONE_WHEN, MAX_ITEM_TITLE, MAX_SECTION,
};

pub use health::{CheckResult, HealthSnapshot, HostState, Scope, Status};
pub use incident::{
    clock_text, countdown, entry_text, Acknowledged, Countdown, Declared, Delivery, DeliveryState,
    Domain, EntryKind, EntryText, IncidentDetail, IncidentList, IncidentScope, IncidentSummary,
    NewIncident, NewNote, NewStatusUpdate, Phase, Regrade, Resolve, Severity, StateFilter,
    TimelineEntry, Written, COMPROMISE_RULE, FIRST_POST, MINUTE_MS, SYSTEM_ACTOR,
};
pub use live::{ClientMsg, ServerMsg, SweepAccepted};

/// Path of the websocket endpoint, relative to the console's origin.
pub const WS_PATH: &str = "/ws";
/// Path of the JSON health snapshot, for the SPA, scripts and monitors.
pub const HEALTH_PATH: &str = "/api/health";
/// Path that asks the gateway for an immediate sweep (POST).
pub const SWEEP_PATH: &str = "/api/sweep";
/// Incidents: list (GET) and declare (POST); `/{id}` and its actions below it.
pub const INCIDENTS_PATH: &str = "/api/incidents";
/// The guided playbooks and what the board points to (GET, responders).
pub const PLAYBOOKS_PATH: &str = "/api/playbooks";
/// Who this session belongs to (GET).
pub const ME_PATH: &str = "/api/me";
/// Sign in with a name and password (POST).
pub const LOGIN_PATH: &str = "/api/login";
/// End this session (POST).
pub const LOGOUT_PATH: &str = "/api/logout";
/// Accounts: list (GET) and add (POST); `/{name}` to change one (PATCH).
pub const USERS_PATH: &str = "/api/users";
/// Share links: list (GET) and create (POST); `/{id}` to revoke one (DELETE).
pub const SHARE_LINKS_PATH: &str = "/api/share-links";
/// Opening a share link: `/{token}` (POST) turns it into a read-only session.
pub const SHARE_OPEN_PATH: &str = "/api/share";

mod account;
pub use account::{
    normalise_user_name, ApiError, CreatedShareLink, LoginRequest, Me, NewShareLink, NewUser, Role,
    ShareLinkInfo, UserInfo, UserPatch, MAX_PASSWORD, MAX_SHARE_HOURS, MAX_USER_NAME, MIN_PASSWORD,
};

/// Header that carries the session's CSRF token on state-changing requests.
pub const CSRF_HEADER: &str = "x-csrf-token";
