//! Typed failures of running something on the host.

use std::time::Duration;

/// Why a command did not give an answer. Each says what a responder can do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoteError {
    /// No TCP connection: refused, no route, DNS failure, connect timeout.
    #[error("host unreachable: {0}")]
    Unreachable(String),
    /// sshd answered but refused our key.
    #[error("authentication refused: {0}")]
    AuthRefused(String),
    /// The host's key is unknown to, or differs from, the configured known_hosts.
    #[error("host key rejected: {0}")]
    HostKeyRejected(String),
    /// The command ran past its time and was killed on the host (or abandoned locally).
    #[error("timed out after {} s", .0.as_secs())]
    TimedOut(Duration),
    /// The program is not installed on the host (exit 127).
    #[error("`{0}` is not installed on the host")]
    NotFound(String),
    /// The connection dropped while the command ran.
    #[error("connection lost: {0}")]
    Disconnected(String),
    /// A command exited with a code its caller did not expect.
    #[error("exited with code {code}: {detail}")]
    Exited { code: i32, detail: String },
    /// Anything else from the SSH layer (local ssh binary missing, control socket trouble).
    #[error("ssh error: {0}")]
    Other(String),
}

impl RemoteError {
    /// True when the failure is about reaching the host, not about the command: every check that
    /// depends on the host shows this reason.
    pub fn is_connection(&self) -> bool {
        matches!(
            self,
            RemoteError::Unreachable(_)
                | RemoteError::AuthRefused(_)
                | RemoteError::HostKeyRejected(_)
                | RemoteError::Disconnected(_)
                | RemoteError::Other(_)
        )
    }

    /// Classifies what `ssh` printed when the master connection could not be set up.
    pub fn from_ssh_connect_message(message: &str) -> RemoteError {
        let one_line = message.split_whitespace().collect::<Vec<_>>().join(" ");
        let lower = one_line.to_ascii_lowercase();
        if lower.contains("remote host identification has changed") {
            RemoteError::HostKeyRejected(
                "the host's key differs from known_hosts (possible impersonation); verify it before updating known_hosts"
                    .into(),
            )
        } else if lower.contains("host key verification failed")
            || (lower.contains("no ") && lower.contains("host key is known"))
        {
            RemoteError::HostKeyRejected(
                "the host's key is not in the configured known_hosts; add it after verifying its fingerprint".into(),
            )
        } else if lower.contains("permission denied (") {
            RemoteError::AuthRefused(
                "the host refused the gateway's key (check ssh.user and ssh.identity)".into(),
            )
        } else if lower.contains("connection refused") {
            RemoteError::Unreachable("connection refused (is sshd running on that port?)".into())
        } else if lower.contains("timed out") {
            RemoteError::Unreachable("connection timed out".into())
        } else if lower.contains("could not resolve") {
            RemoteError::Unreachable("host name does not resolve".into())
        } else if lower.contains("no route to host") || lower.contains("network is unreachable") {
            RemoteError::Unreachable("no route to host".into())
        } else if (lower.contains("no such file") && lower.contains("identity"))
            || lower.contains("load key")
        {
            RemoteError::AuthRefused(format!(
                "cannot use the configured identity: {}",
                truncate(&one_line)
            ))
        } else if one_line.is_empty() {
            RemoteError::Unreachable("ssh exited without saying why".into())
        } else {
            RemoteError::Unreachable(truncate(&one_line))
        }
    }
}

fn truncate(s: &str) -> String {
    const MAX: usize = 200;
    if s.len() <= MAX {
        s.to_string()
    } else {
        let mut end = MAX;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &s[..end])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_what_openssh_prints() {
        let cases = [
            ("ssh: connect to host 127.0.0.1 port 2: Connection refused", "unreachable"),
            ("olympus@127.0.0.1: Permission denied (publickey).", "auth"),
            (
                "No ED25519 host key is known for [127.0.0.1]:42022 and you have requested strict checking.\r\nHost key verification failed.",
                "hostkey",
            ),
            (
                "@@@@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nHost key verification failed.",
                "hostkey",
            ),
            ("ssh: connect to host 10.9.9.9 port 22: Connection timed out", "unreachable"),
            ("ssh: Could not resolve hostname nope: Name or service not known", "unreachable"),
        ];
        for (msg, want) in cases {
            let got = RemoteError::from_ssh_connect_message(msg);
            let kind = match got {
                RemoteError::Unreachable(_) => "unreachable",
                RemoteError::AuthRefused(_) => "auth",
                RemoteError::HostKeyRejected(_) => "hostkey",
                _ => "other",
            };
            assert_eq!(kind, want, "{msg}");
        }
    }

    #[test]
    fn changed_key_says_possible_impersonation() {
        let e = RemoteError::from_ssh_connect_message(
            "WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!",
        );
        assert!(e.to_string().contains("impersonation"));
    }
}
