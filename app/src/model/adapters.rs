//! Wire types → what the views print, one module per page (or per piece that several pages show).
//!
//! Views stay thin (markup and reactivity only); every wording and ordering decision a responder
//! reads lives here and is unit-tested natively. Enum names and the gateway's limits come from
//! `wire`, so the console and the gateway cannot disagree on them.

pub(crate) mod board;
pub(crate) mod deadlines;
pub(crate) mod header;
pub(crate) mod incident_forms;
pub(crate) mod incident_list;
pub(crate) mod retro;
pub(crate) mod share_links;
pub(crate) mod timeline;
pub(crate) mod users;
pub(crate) mod walkthrough;
