//! One module per route (the shell in `lib.rs` maps paths to them). Pages hold markup and
//! reactivity only: wording comes from `model::adapters`, requests from `net`.

pub(crate) mod action_items;
pub(crate) mod board;
pub(crate) mod declare;
pub(crate) mod incident;
pub(crate) mod incidents;
pub(crate) mod login;
pub(crate) mod not_found;
pub(crate) mod retro;
pub(crate) mod share_links;
pub(crate) mod share_open;
pub(crate) mod users;
