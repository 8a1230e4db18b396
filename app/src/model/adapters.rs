//! Wire types → what the views print, one module per page (or per piece that several pages show).
//!
//! Views stay thin (markup and reactivity only); every wording and ordering decision a responder
//! reads lives here and is unit-tested natively. Enum names and the gateway's limits come from
//! `wire`, so the console and the gateway cannot disagree on them.

pub mod board;
pub mod deadlines;
pub mod header;
pub mod incident_forms;
pub mod incident_list;
pub mod share_links;
pub mod timeline;
pub mod users;
