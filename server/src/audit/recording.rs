//! A host that writes down every command it runs, as sent, with its exit status, duration and a
//! digest of its output: what an audit entry records of a probe or an action.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use wire::AuditCommand;

use crate::remote::{RemoteCommand, RemoteError, RemoteHost, RemoteOutput};

/// Wraps the real host for one probe or action.
pub struct Recording {
    inner: Arc<dyn RemoteHost>,
    ran: Mutex<Vec<AuditCommand>>,
}

impl Recording {
    pub fn new(inner: Arc<dyn RemoteHost>) -> Recording {
        Recording {
            inner,
            ran: Mutex::default(),
        }
    }

    /// What ran so far, in order, and forgets it.
    pub fn take(&self) -> Vec<AuditCommand> {
        std::mem::take(&mut *self.ran.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// SHA-256 (hex) of stdout, a zero byte, then stderr.
pub fn output_digest(out: &RemoteOutput) -> String {
    let mut h = Sha256::new();
    h.update(out.stdout.as_bytes());
    h.update([0u8]);
    h.update(out.stderr.as_bytes());
    super::chain::hex(&h.finalize())
}

#[async_trait]
impl RemoteHost for Recording {
    async fn run(&self, cmd: &RemoteCommand) -> Result<RemoteOutput, RemoteError> {
        let started = Instant::now();
        let result = self.inner.run(cmd).await;
        let duration_ms = started.elapsed().as_millis() as u64;
        let entry = match &result {
            Ok(out) => AuditCommand {
                argv: cmd.wrapped_argv(),
                exit: Some(out.code),
                duration_ms,
                output_sha256: output_digest(out),
                error: None,
            },
            Err(e) => AuditCommand {
                argv: cmd.wrapped_argv(),
                exit: None,
                duration_ms,
                output_sha256: String::new(),
                error: Some(e.to_string()),
            },
        };
        self.ran
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(entry);
        result
    }

    fn target(&self) -> String {
        self.inner.target()
    }

    async fn ensure_connected(&self) -> Result<(), RemoteError> {
        self.inner.ensure_connected().await
    }
}
