//! The pure layer: what the app knows and how it words it, as plain data and functions of wire
//! types and the gateway's clock.
//!
//! Nothing here uses Leptos, web-sys, js-sys or gloo, so every rule is unit-tested on the host with
//! `cargo test -p app`. The clock, the network and the DOM are the other layers' business: `net`
//! feeds these types, `pages` and `components` print them.

pub mod access;
pub mod adapters;
pub mod board;
pub mod conn;
pub mod id_map;
pub mod incident_store;
pub mod route;
pub mod time;

#[cfg(test)]
mod fixtures;
