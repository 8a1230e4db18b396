//! The real host: one OpenSSH master connection, multiplexed natively, rebuilt with backoff.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use openssh::{KnownHosts, Session, SessionBuilder};
use tokio::sync::{Mutex, Semaphore};

use super::settings::SshSettings;
use super::{RemoteCommand, RemoteError, RemoteHost, RemoteOutput};

/// Longest wait between two reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(15);
/// Extra local grace past the remote timeout before we abandon a command ourselves.
const LOCAL_GRACE: Duration = Duration::from_secs(3);

/// Runs commands on the production host over one multiplexed SSH connection.
pub struct SshHost {
    settings: SshSettings,
    control_dir: PathBuf,
    /// Caps commands in flight below sshd's `MaxSessions`.
    permits: Semaphore,
    conn: Mutex<ConnState>,
}

#[derive(Default)]
struct ConnState {
    session: Option<Arc<Session>>,
    /// After a failed attempt: the error, and when the next attempt may start.
    last_failure: Option<(RemoteError, Instant)>,
    backoff: Duration,
}

impl SshHost {
    /// `control_dir` holds the master's socket; it must be private to the gateway.
    pub fn new(settings: SshSettings, control_dir: PathBuf, max_concurrent: usize) -> Self {
        SshHost {
            settings,
            control_dir,
            permits: Semaphore::new(max_concurrent.max(1)),
            conn: Mutex::default(),
        }
    }

    fn builder(&self) -> SessionBuilder {
        let s = &self.settings;
        let mut b = SessionBuilder::default();
        b.user(s.user.clone())
            .port(s.port)
            // Never trust on first use: the host key must already be in known_hosts.
            .known_hosts_check(KnownHosts::Strict)
            .connect_timeout(Duration::from_secs(s.connect_timeout_secs.max(1)))
            .server_alive_interval(Duration::from_secs(s.keepalive_secs.max(1)))
            .control_directory(&self.control_dir)
            // A backstop for a gateway killed outright (SIGKILL): a master idle for 10 minutes
            // goes by itself (a live gateway reconnects if its master went).
            .control_persist(openssh::ControlPersist::IdleFor(
                std::num::NonZeroUsize::new(600).unwrap_or(std::num::NonZeroUsize::MIN),
            ))
            // Ignore ~/.ssh/config of whoever runs the gateway: the settings are the whole truth.
            .config_file("/dev/null");
        if let Some(k) = &s.identity {
            b.keyfile(k);
        }
        if let Some(kh) = &s.known_hosts {
            b.user_known_hosts_file(kh);
        }
        b
    }

    /// The live session, connecting first if there is none and the backoff allows it.
    async fn session(&self) -> Result<Arc<Session>, RemoteError> {
        let mut conn = self.conn.lock().await;
        if let Some(s) = &conn.session {
            return Ok(s.clone());
        }
        if let Some((err, next)) = &conn.last_failure {
            if Instant::now() < *next {
                return Err(err.clone());
            }
        }
        std::fs::create_dir_all(&self.control_dir).map_err(|e| {
            RemoteError::Other(format!("cannot create {}: {e}", self.control_dir.display()))
        })?;
        let started = Instant::now();
        match self.builder().connect_mux(&self.settings.host).await {
            Ok(session) => {
                tracing::info!(target = %self.target(), ms = started.elapsed().as_millis() as u64, "ssh master connected");
                let session = Arc::new(session);
                conn.session = Some(session.clone());
                conn.last_failure = None;
                conn.backoff = Duration::ZERO;
                Ok(session)
            }
            Err(e) => {
                let err = classify_connect(&e);
                conn.backoff = (conn.backoff * 2).clamp(Duration::from_secs(1), MAX_BACKOFF);
                tracing::warn!(target = %self.target(), error = %err, retry_in_s = conn.backoff.as_secs(), "ssh connect failed");
                conn.last_failure = Some((err.clone(), Instant::now() + conn.backoff));
                Err(err)
            }
        }
    }

    /// Forgets `session` if it is still the current one, so that the next call reconnects.
    async fn invalidate(&self, session: &Arc<Session>, why: &RemoteError) {
        let mut conn = self.conn.lock().await;
        if conn
            .session
            .as_ref()
            .is_some_and(|s| Arc::ptr_eq(s, session))
        {
            tracing::warn!(target = %self.target(), error = %why, "ssh master lost; will reconnect");
            conn.session = None;
            conn.last_failure = None;
        }
    }

    async fn run_on(
        &self,
        session: &Session,
        cmd: &RemoteCommand,
    ) -> Result<RemoteOutput, openssh::Error> {
        let argv = cmd.wrapped_argv();
        let mut command = session.command(argv[0].as_str());
        for a in &argv[1..] {
            command.arg(a.as_str());
        }
        let out = match cmd.input() {
            None => command.output().await?,
            Some(input) => {
                command
                    .stdin(openssh::Stdio::piped())
                    .stdout(openssh::Stdio::piped())
                    .stderr(openssh::Stdio::piped());
                let mut child = command.spawn().await?;
                let stdin = child.stdin().take();
                // Written while the output is read, so that a command that prints before it has
                // read everything cannot fill its pipe and stall both sides.
                let write = async move {
                    if let Some(mut stdin) = stdin {
                        use tokio::io::AsyncWriteExt;
                        // A command that exits without reading all of it is not an error here:
                        // its exit code says what happened.
                        let _ = stdin.write_all(input.as_bytes()).await;
                        let _ = stdin.shutdown().await;
                    }
                };
                let (_, out) = tokio::join!(write, child.wait_with_output());
                out?
            }
        };
        Ok(RemoteOutput {
            // A remote process killed by a signal has no code; report it the way a shell would.
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }
}

#[async_trait]
impl RemoteHost for SshHost {
    async fn run(&self, cmd: &RemoteCommand) -> Result<RemoteOutput, RemoteError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| RemoteError::Other("gateway shutting down".into()))?;
        let session = self.session().await?;
        let backstop = cmd.timeout() + LOCAL_GRACE;
        match tokio::time::timeout(backstop, self.run_on(&session, cmd)).await {
            Err(_) => {
                // The remote `timeout` should have fired first: the connection is probably wedged.
                let err = RemoteError::TimedOut(cmd.timeout());
                if session.check().await.is_err() {
                    self.invalidate(
                        &session,
                        &RemoteError::Disconnected("keep-alive failed".into()),
                    )
                    .await;
                }
                Err(err)
            }
            Ok(Ok(out)) if out.code == 124 => Err(RemoteError::TimedOut(cmd.timeout())),
            // `timeout` reports 137 when it had to send KILL after the grace period.
            Ok(Ok(out)) if out.code == 137 => Err(RemoteError::TimedOut(cmd.timeout())),
            Ok(Ok(out)) if out.code == 127 => Err(RemoteError::NotFound(cmd.program().to_string())),
            Ok(Ok(out)) => Ok(out),
            Ok(Err(e)) => {
                let err = classify_run(&e, cmd);
                if matches!(err, RemoteError::NotFound(_)) {
                    return Err(err);
                }
                // Whatever went wrong, find out whether the master is still there.
                if session.check().await.is_err() {
                    let lost = RemoteError::Disconnected(err.to_string());
                    self.invalidate(&session, &lost).await;
                    return Err(lost);
                }
                Err(err)
            }
        }
    }

    async fn close(&self) {
        let Some(session) = self.conn.lock().await.session.take() else {
            return;
        };
        match Arc::try_unwrap(session) {
            // An explicit close stops the master; leaving it to the OS would orphan `ssh -M`.
            Ok(session) => {
                if let Err(e) = session.close().await {
                    tracing::debug!(error = %e, "closing the ssh master");
                }
            }
            // A command still holds the session (the process is stopping mid-sweep): ask the
            // master to exit through its control socket, which ends those commands too.
            Err(shared) => {
                let exited = tokio::process::Command::new("ssh")
                    .arg("-S")
                    .arg(shared.control_socket())
                    .arg("-O")
                    .arg("exit")
                    .arg("aegis-master")
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .status()
                    .await;
                if let Err(e) = exited {
                    tracing::debug!(error = %e, "asking the ssh master to exit");
                }
            }
        }
    }

    fn target(&self) -> String {
        format!(
            "{}@{}:{}",
            self.settings.user, self.settings.host, self.settings.port
        )
    }

    async fn ensure_connected(&self) -> Result<(), RemoteError> {
        let session = self.session().await?;
        if let Err(e) = session.check().await {
            let lost = RemoteError::Disconnected(e.to_string());
            self.invalidate(&session, &lost).await;
            // Try once more at once: a dead master after an sshd restart reconnects immediately.
            self.session().await?;
        }
        Ok(())
    }
}

fn classify_connect(e: &openssh::Error) -> RemoteError {
    match e {
        openssh::Error::Connect(io) => RemoteError::from_ssh_connect_message(&io.to_string()),
        openssh::Error::Master(io) if io.kind() == std::io::ErrorKind::NotFound => {
            RemoteError::Other(
                "the local `ssh` client is not installed (apt-get install openssh-client)".into(),
            )
        }
        other => RemoteError::Other(other.to_string()),
    }
}

fn classify_run(e: &openssh::Error, cmd: &RemoteCommand) -> RemoteError {
    match e {
        // Exit 127 arrives as an error with the remote's stderr lost.
        openssh::Error::Remote(io) if io.kind() == std::io::ErrorKind::NotFound => {
            RemoteError::NotFound(cmd.program().to_string())
        }
        openssh::Error::Disconnected => {
            RemoteError::Disconnected("the SSH connection dropped".into())
        }
        openssh::Error::RemoteProcessTerminated => {
            RemoteError::Disconnected("the remote process or the connection was terminated".into())
        }
        other => RemoteError::Other(other.to_string()),
    }
}
