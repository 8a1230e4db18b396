//! Handlers, one file per resource.

pub(crate) mod actions;
pub(crate) mod audit;
pub(crate) mod auth;
pub(crate) mod health;
pub(crate) mod incidents;
pub(crate) mod playbooks;
pub(crate) mod retro;
pub(crate) mod share_links;
pub(crate) mod users;
pub(crate) mod ws;
