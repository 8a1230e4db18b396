//! A scripted host for tests: answers each command with whatever the script says.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::{RemoteCommand, RemoteError, RemoteHost, RemoteOutput};

type Script = dyn Fn(&RemoteCommand) -> Result<RemoteOutput, RemoteError> + Send + Sync;

/// A [`RemoteHost`] whose answers come from a closure, and which records what it was asked to run.
pub struct FakeHost {
    script: Mutex<Arc<Script>>,
    connect: Mutex<Result<(), RemoteError>>,
    ran: Mutex<Vec<RemoteCommand>>,
}

impl FakeHost {
    pub fn new(
        script: impl Fn(&RemoteCommand) -> Result<RemoteOutput, RemoteError> + Send + Sync + 'static,
    ) -> Self {
        FakeHost {
            script: Mutex::new(Arc::new(script)),
            connect: Mutex::new(Ok(())),
            ran: Mutex::default(),
        }
    }

    /// Replaces the script.
    pub fn set_script(
        &self,
        script: impl Fn(&RemoteCommand) -> Result<RemoteOutput, RemoteError> + Send + Sync + 'static,
    ) {
        *self.script.lock().unwrap_or_else(|e| e.into_inner()) = Arc::new(script);
    }

    /// Makes `ensure_connected` fail (or succeed again).
    pub fn set_connect(&self, result: Result<(), RemoteError>) {
        *self.connect.lock().unwrap_or_else(|e| e.into_inner()) = result;
    }

    pub fn ran(&self) -> Vec<RemoteCommand> {
        self.ran.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Output with exit code 0.
pub fn ok(stdout: &str) -> Result<RemoteOutput, RemoteError> {
    Ok(RemoteOutput {
        code: 0,
        stdout: stdout.into(),
        stderr: String::new(),
    })
}

/// Output with the given exit code and stderr.
pub fn exit(code: i32, stdout: &str, stderr: &str) -> Result<RemoteOutput, RemoteError> {
    Ok(RemoteOutput {
        code,
        stdout: stdout.into(),
        stderr: stderr.into(),
    })
}

#[async_trait]
impl RemoteHost for FakeHost {
    async fn run(&self, cmd: &RemoteCommand) -> Result<RemoteOutput, RemoteError> {
        self.ran
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(cmd.clone());
        let script = self
            .script
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        script(cmd)
    }

    fn target(&self) -> String {
        "fake@host:22".into()
    }

    async fn ensure_connected(&self) -> Result<(), RemoteError> {
        self.connect
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}
