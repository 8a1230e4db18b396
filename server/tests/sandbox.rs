//! The gateway against the sandbox Olympus host: real sshd, real podman containers, real Caddy.
//!
//! Bring the sandbox up first (`cargo xtask sandbox up`; `cargo xtask test` does it). Scenarios share
//! one host, so they take a lock and reset the host's faults before they start.

#![allow(clippy::unwrap_used)] // a test may panic: that is how it fails

mod sandbox {
    pub mod console;
    pub mod support;

    mod actions;
    mod edge_tls;
    mod errors;
    mod faults;
    mod injection;
    mod live;
    mod ory_ports;
    mod probes;
    mod revocation;
    mod served;
    mod shutdown;
    mod walkthroughs;
    mod watching;
}
