//! The gateway's HTTP and websocket surface on a real socket (port 0) with a scripted host: who may
//! call what, sessions, attacks, and the SPA's files.

#![allow(clippy::unwrap_used)] // a test may panic: that is how it fails

mod api {
    pub mod support;

    mod access;
    mod actions;
    mod attacks;
    mod incidents;
    mod limits;
    mod playbooks;
    mod retro;
    mod sessions;
    mod site;
    mod tickets;
    mod webhook;
}
