//! The boundary to the production host: a trait, the real SSH implementation, and typed commands.
//!
//! Everything the gateway runs on the host goes through [`RemoteHost::run`] as a [`RemoteCommand`]:
//! a program and separate arguments, each escaped by the transport. There is no way to hand this
//! module a shell line, so user text can never become one.

mod command;
mod error;
pub mod fake;
pub(crate) mod settings;
mod ssh;

use async_trait::async_trait;

pub use command::{RemoteCommand, RemoteOutput};
pub use error::RemoteError;
pub use ssh::SshHost;

/// A host the gateway can run commands on.
#[async_trait]
pub trait RemoteHost: Send + Sync + 'static {
    /// Runs `cmd` and returns its exit code and output. A non-zero exit is `Ok`: callers decide
    /// what a code means (curl's 7 is "refused", pg_isready's 2 is "no response").
    async fn run(&self, cmd: &RemoteCommand) -> Result<RemoteOutput, RemoteError>;

    /// `user@host:port`, for the board's header.
    fn target(&self) -> String;

    /// Makes sure a connection is up (or says why not), without running a command.
    async fn ensure_connected(&self) -> Result<(), RemoteError>;

    /// Closes the connection for good (the gateway is stopping).
    async fn close(&self) {}
}
