//! What a probe's output means: each reader turns a command's real output into the typed fields a
//! decision tests, and refuses output it does not recognise (a different tool, a truncated answer)
//! with a message rather than guessing.
//!
//! Readers are pure, so each is tested on outputs captured from the real tools and on malformed
//! ones; the probes that run the commands over SSH use them.

pub mod certificate;
pub mod courier;
pub mod env;
pub mod http;
pub mod logs;

/// Output a reader could not make sense of, in words for the responder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unreadable(pub String);
