//! One module per route (the shell in `lib.rs` maps paths to them). Pages hold markup and
//! reactivity only: wording comes from `model::adapters`, requests from `net`.

pub mod board;
pub mod declare;
pub mod incident;
pub mod incidents;
pub mod login;
pub mod not_found;
pub mod share_links;
pub mod share_open;
pub mod users;
