//! The pure layer: what the app knows and how it words it, as plain data and functions of wire
//! types and the gateway's clock.
//!
//! Nothing here uses Leptos, web-sys, js-sys or gloo, so every rule is unit-tested on the host with
//! `cargo test -p app`. The clock, the network and the DOM are the other layers' business: `net`
//! feeds these types, `pages` and `components` print them.

pub(crate) mod access;
pub(crate) mod adapters;
pub(crate) mod board;
pub(crate) mod conn;
pub(crate) mod id_map;
pub(crate) mod incident_store;
pub(crate) mod route;
pub(crate) mod time;

#[cfg(test)]
mod fixtures;
