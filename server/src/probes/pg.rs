//! `podman exec CONTAINER pg_isready`: is PostgreSQL accepting connections?

use std::time::Duration;

use wire::Status;

use super::{ContainerName, Finding};
use crate::remote::{RemoteCommand, RemoteOutput};

/// `podman exec CONTAINER timeout -s KILL M pg_isready -t N`.
///
/// pg_isready's own `-t` answers first. The `timeout` inside the container is there because killing
/// `podman exec` on the host does not end the process it started in the container (measured on the
/// sandbox: a hung pg_isready outlived `timeout -k 1 3 podman exec ...`), so a hung check would
/// pile up one process per sweep. It fires a second before the host's own `timeout`.
pub fn command(
    container: &ContainerName,
    pg_timeout: Duration,
    command_timeout: Duration,
) -> RemoteCommand {
    let inner = command_timeout.as_secs().saturating_sub(1).max(1);
    RemoteCommand::new("podman", command_timeout)
        .arg("exec")
        .arg(container.as_str())
        .arg("timeout")
        .arg("-s")
        .arg("KILL")
        .arg(inner.to_string())
        .arg("pg_isready")
        .arg("-t")
        .arg(pg_timeout.as_secs().max(1).to_string())
}

/// Reads pg_isready's documented exit codes (0 accepting, 1 rejecting, 2 no response, 3 no attempt)
/// and podman exec's own (125 podman error, 126 cannot run, 127 not found in the container).
pub fn judge(out: &RemoteOutput) -> Finding {
    let line = out
        .stdout
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let server_said = line.rsplit_once(" - ").map(|(_, s)| s).unwrap_or(line);
    match out.code {
        0 => Finding::new(Status::Up, "accepting connections"),
        1 => Finding::new(
            Status::Down,
            "rejecting connections (starting up, shutting down or in recovery)",
        ),
        2 => Finding::new(Status::Down, "no response from the server"),
        3 => Finding::new(
            Status::Unknown,
            format!(
                "pg_isready made no attempt (bad parameters): {}",
                out.stderr_line()
            ),
        ),
        125 => {
            let err = out.stderr_line();
            if err.contains("state improper") || err.contains("not running") {
                Finding::new(Status::Down, "database container is not running")
            } else if err.contains("no such container") || err.contains("no container with name") {
                Finding::new(Status::Down, "database container does not exist")
            } else {
                Finding::new(Status::Unknown, format!("podman exec failed: {err}"))
            }
        }
        126 | 127 => Finding::new(
            Status::Unknown,
            "pg_isready (or timeout) is not available inside the database container",
        ),
        n => Finding::new(
            Status::Unknown,
            format!(
                "pg_isready exit {n}: {}",
                if server_said.is_empty() {
                    out.stderr_line()
                } else {
                    server_said
                }
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(code: i32, stdout: &str, stderr: &str) -> RemoteOutput {
        RemoteOutput {
            code,
            stdout: stdout.into(),
            stderr: stderr.into(),
        }
    }

    #[test]
    fn reads_pg_isready_exit_codes() {
        assert_eq!(
            judge(&out(
                0,
                "/var/run/postgresql:5432 - accepting connections\n",
                ""
            ))
            .status,
            Status::Up
        );
        let f = judge(&out(
            1,
            "/var/run/postgresql:5432 - rejecting connections\n",
            "",
        ));
        assert_eq!(f.status, Status::Down);
        assert!(f.detail.starts_with("rejecting"));
        assert_eq!(
            judge(&out(2, "127.0.0.1:5432 - no response\n", "")).detail,
            "no response from the server"
        );
        assert_eq!(
            judge(&out(3, "", "pg_isready: invalid port\n")).status,
            Status::Unknown
        );
    }

    #[test]
    fn podman_errors_are_told_apart() {
        let f = judge(&out(125, "", "Error: can only create exec sessions on running containers: container state improper\n"));
        assert_eq!(
            (f.status, f.detail.as_str()),
            (Status::Down, "database container is not running")
        );
        let f = judge(&out(
            125,
            "",
            "Error: no container with name or ID \"olympus-postgres\" found: no such container\n",
        ));
        assert_eq!(f.detail, "database container does not exist");
        assert_eq!(judge(&out(127, "", "")).status, Status::Unknown);
    }

    #[test]
    fn command_passes_the_container_as_one_argument() {
        let c = ContainerName::parse("olympus-postgres").unwrap();
        let cmd = command(&c, Duration::from_secs(3), Duration::from_secs(8));
        assert_eq!(
            cmd.args(),
            [
                "exec",
                "olympus-postgres",
                "timeout",
                "-s",
                "KILL",
                "7",
                "pg_isready",
                "-t",
                "3"
            ]
        );
    }
}
