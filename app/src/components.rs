//! Pieces that more than one page shows: the header, the session gate, the form helper and its
//! outcome line, the router and its links, the severity badge, the scope picker, the overdue banner, and the incident
//! settings and local times the incident pages share.

pub(crate) mod action_item;
pub(crate) mod clipboard;
pub(crate) mod form;
pub(crate) mod gate;
pub(crate) mod header;
pub(crate) mod incident_meta;
pub(crate) mod local_time;
pub(crate) mod markdown;
pub(crate) mod overdue_banner;
pub(crate) mod router;
pub(crate) mod scope_picker;
pub(crate) mod severity_badge;
