//! Handlers, one file per resource.

pub mod auth;
pub mod health;
pub mod incidents;
pub mod share_links;
pub mod users;
pub mod ws;
