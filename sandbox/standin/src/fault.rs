//! Fault files: one word in `STATE_DIR/NAME`, written atomically by `sandbox.sh fault ...`.

use std::io;
use std::path::{Path, PathBuf};

/// Behaviour of an HTTP stand-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpFault {
    /// 200 `{"status":"ok"}`.
    Ok,
    /// 503 with a JSON error body.
    Unavailable,
    /// Accept the connection, read the request, never answer.
    Hang,
    /// Listener closed: a connect gets ECONNREFUSED.
    Refuse,
    /// Kratos, Hydra: the database's TLS certificate is rejected (`sandbox.sh fault
    /// pg-cert-expired`): health 503, failed pings logged (`playbook.rs`).
    DbTls,
    /// Kratos: login answers Kratos's CSRF violation (`fault cookie-rotate`).
    Csrf,
    /// Kratos: the courier worker stopped, its queue grows (`courier.rs`).
    CourierStuck,
}

/// Behaviour of the PostgreSQL stand-in (and of `pg_isready` run next to it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PgFault {
    /// Accepts connections (AuthenticationOk).
    Ok,
    /// Answers the startup packet with SQLSTATE 57P03 ("the database system is starting up").
    Reject,
    /// Listener closed: a connect gets ECONNREFUSED.
    Down,
    /// The server never answers; `pg_isready` itself sleeps forever, ignoring `-t`.
    Hang,
}

pub trait Fault: Copy + PartialEq + std::fmt::Debug {
    const DEFAULT: Self;
    fn parse(word: &str) -> Option<Self>;
}

impl Fault for HttpFault {
    const DEFAULT: Self = HttpFault::Ok;
    fn parse(word: &str) -> Option<Self> {
        match normalise(word).as_str() {
            "" | "ok" => Some(HttpFault::Ok),
            "503" => Some(HttpFault::Unavailable),
            "hang" => Some(HttpFault::Hang),
            "refuse" => Some(HttpFault::Refuse),
            "db-tls" => Some(HttpFault::DbTls),
            "csrf" => Some(HttpFault::Csrf),
            "courier-stuck" => Some(HttpFault::CourierStuck),
            _ => None,
        }
    }
}

impl Fault for PgFault {
    const DEFAULT: Self = PgFault::Ok;
    fn parse(word: &str) -> Option<Self> {
        match normalise(word).as_str() {
            "" | "ok" => Some(PgFault::Ok),
            "reject" => Some(PgFault::Reject),
            "down" => Some(PgFault::Down),
            "hang" => Some(PgFault::Hang),
            _ => None,
        }
    }
}

fn normalise(word: &str) -> String {
    word.trim().to_ascii_lowercase()
}

/// What a fault file says: `Ok(fault)`, or `Err(raw text)` when the word is not understood.
/// A missing file is the default (healthy).
pub fn read<F: Fault>(path: &Path) -> Result<F, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => F::parse(&text).ok_or_else(|| text.trim().to_string()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(F::DEFAULT),
        Err(e) => Err(format!("unreadable: {e}")),
    }
}

/// Reads a fault file and reports changes on stderr (seen in `podman logs`).
pub struct Watch<F: Fault> {
    label: String,
    path: PathBuf,
    last: Option<Result<F, String>>,
}

impl<F: Fault> Watch<F> {
    pub fn new(label: &str, path: PathBuf) -> Self {
        Watch {
            label: label.to_string(),
            path,
            last: None,
        }
    }

    /// Current fault; unknown words count as healthy and are reported once.
    pub fn poll(&mut self) -> F {
        let now = read::<F>(&self.path);
        if self.last.as_ref() != Some(&now) {
            match &now {
                Ok(f) => say!("standin[{}]: fault is now {:?}", self.label, f),
                Err(raw) => say!(
                    "standin[{}]: ignoring fault file {}: {:?} (treated as ok)",
                    self.label,
                    self.path.display(),
                    raw
                ),
            }
            self.last = Some(now.clone());
        }
        now.unwrap_or(F::DEFAULT)
    }
}

/// When the fault file was last written, if it exists.
pub fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Kratos's courier worker is stuck: the fault file says `courier-stuck` and was written after
/// `started` (when this process began). A worker that died inside a running container is revived
/// by restarting the container, so a fault set before the start is ignored.
pub fn courier_stuck(path: &Path, started: std::time::SystemTime) -> bool {
    current::<HttpFault>(path) == HttpFault::CourierStuck
        && modified(path).is_some_and(|m| m > started)
}

/// Current fault for a single request; unknown words count as healthy.
pub fn current<F: Fault>(path: &Path) -> F {
    read(path).unwrap_or(F::DEFAULT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_words() {
        assert_eq!(HttpFault::parse("ok"), Some(HttpFault::Ok));
        assert_eq!(HttpFault::parse(""), Some(HttpFault::Ok));
        assert_eq!(HttpFault::parse("503\n"), Some(HttpFault::Unavailable));
        assert_eq!(HttpFault::parse(" HANG "), Some(HttpFault::Hang));
        assert_eq!(HttpFault::parse("refuse"), Some(HttpFault::Refuse));
        assert_eq!(HttpFault::parse("db-tls\n"), Some(HttpFault::DbTls));
        assert_eq!(HttpFault::parse("csrf"), Some(HttpFault::Csrf));
        assert_eq!(
            HttpFault::parse("courier-stuck"),
            Some(HttpFault::CourierStuck)
        );
        assert_eq!(HttpFault::parse("reject"), None);
        assert_eq!(HttpFault::parse("500"), None);
    }

    #[test]
    fn pg_words() {
        assert_eq!(PgFault::parse("ok\n"), Some(PgFault::Ok));
        assert_eq!(PgFault::parse("reject"), Some(PgFault::Reject));
        assert_eq!(PgFault::parse("Down"), Some(PgFault::Down));
        assert_eq!(PgFault::parse("hang"), Some(PgFault::Hang));
        assert_eq!(PgFault::parse("refuse"), None);
    }

    #[test]
    fn files() {
        let dir = crate::listener::tests::temp_dir("fault-files");
        let path = dir.join("ciam-kratos");
        assert_eq!(read::<HttpFault>(&path), Ok(HttpFault::Ok), "missing = ok");
        std::fs::write(&path, "503\n").expect("write");
        assert_eq!(read::<HttpFault>(&path), Ok(HttpFault::Unavailable));
        std::fs::write(&path, "bogus").expect("write");
        assert_eq!(read::<HttpFault>(&path), Err("bogus".to_string()));
        assert_eq!(current::<HttpFault>(&path), HttpFault::Ok);
        let mut watch = Watch::<HttpFault>::new("t", path.clone());
        assert_eq!(watch.poll(), HttpFault::Ok);
        std::fs::write(&path, "refuse").expect("write");
        assert_eq!(watch.poll(), HttpFault::Refuse);
        // courier-stuck counts only when written after the process started.
        let before = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        std::fs::write(&path, "courier-stuck").expect("write");
        assert!(courier_stuck(&path, before));
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
        assert!(
            !courier_stuck(&path, later),
            "set before the start: ignored"
        );
        std::fs::write(&path, "ok").expect("write");
        assert!(!courier_stuck(&path, before));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
