//! A command for the host: program plus separately escaped arguments, under a remote `timeout`.

use std::time::Duration;

/// A command to run on the host. Build it with [`RemoteCommand::new`] and [`RemoteCommand::arg`];
/// the transport escapes each argument, so an argument is always one word on the remote side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteCommand {
    program: String,
    args: Vec<String>,
    timeout: Duration,
    /// Bytes written to the command's stdin, then closed. A value that must not appear in argv
    /// (visible in the host's process list) travels here; so does a file a command reads from
    /// `/dev/stdin` (a CA bundle held by the gateway).
    stdin: Option<String>,
}

impl RemoteCommand {
    pub fn new(program: impl Into<String>, timeout: Duration) -> Self {
        RemoteCommand {
            program: program.into(),
            args: Vec::new(),
            timeout,
            stdin: None,
        }
    }

    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Gives the command `input` on its stdin (otherwise stdin is empty and closed).
    pub fn stdin(mut self, input: impl Into<String>) -> Self {
        self.stdin = Some(input.into());
        self
    }

    pub fn input(&self) -> Option<&str> {
        self.stdin.as_deref()
    }

    pub fn program(&self) -> &str {
        &self.program
    }

    pub fn args(&self) -> &[String] {
        &self.args
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The argument vector actually sent: `timeout -k 1 N program args...`. The host's `timeout`
    /// kills a hung command there; dropping our side of the channel would leave it running.
    pub fn wrapped_argv(&self) -> Vec<String> {
        let secs = self.timeout.as_secs().max(1);
        let mut argv = vec![
            "timeout".to_string(),
            "-k".into(),
            "1".into(),
            secs.to_string(),
        ];
        argv.push(self.program.clone());
        argv.extend(self.args.iter().cloned());
        argv
    }

    /// How the command reads in a log line or an error (never sent anywhere as a shell line).
    pub fn display(&self) -> String {
        std::iter::once(self.program.as_str())
            .chain(self.args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// What a finished command produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteOutput {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl RemoteOutput {
    /// The first non-empty line of stderr, trimmed: the part of an error a responder reads.
    pub fn stderr_line(&self) -> &str {
        self.stderr
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_in_remote_timeout_with_kill_grace() {
        let cmd = RemoteCommand::new("curl", Duration::from_secs(8))
            .arg("-sS")
            .arg("http://x/;rm -rf /");
        assert_eq!(
            cmd.wrapped_argv(),
            [
                "timeout",
                "-k",
                "1",
                "8",
                "curl",
                "-sS",
                "http://x/;rm -rf /"
            ]
            .map(String::from)
            .to_vec()
        );
    }

    #[test]
    fn sub_second_timeout_rounds_up_to_one_second() {
        let cmd = RemoteCommand::new("true", Duration::from_millis(10));
        assert_eq!(cmd.wrapped_argv()[3], "1");
    }
}
