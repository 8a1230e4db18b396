//! Pieces that more than one page shows: the header, the session gate, the form helper and its
//! outcome line, the router and its links, the severity badge, the scope picker, the overdue banner, and the incident
//! settings and local times the incident pages share.

pub mod form;
pub mod gate;
pub mod header;
pub mod incident_meta;
pub mod local_time;
pub mod overdue_banner;
pub mod router;
pub mod scope_picker;
pub mod severity_badge;
