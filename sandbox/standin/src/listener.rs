//! The accept loop shared by the stand-ins: a non-blocking listener that is closed while the fault
//! file says so (a connect then gets ECONNREFUSED) and reopened when the fault is cleared.

use crate::fault::{Fault, Watch};
use std::io::{self, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// How often the fault file is re-read to open or close the listener.
pub const FAULT_POLL: Duration = Duration::from_millis(100);
/// How long the accept loop sleeps when no connection is pending.
const ACCEPT_POLL: Duration = Duration::from_millis(5);
/// Connections handled at once; more are closed at once (hung clients must not exhaust threads).
const MAX_CONNECTIONS: usize = 512;

/// Runs until `stop` is set (never, outside tests). Returns the process exit code: 1 when the
/// first bind fails (port taken), so the container exits visibly instead of idling.
pub fn serve<F, C, H>(
    label: &str,
    addr: SocketAddr,
    mut watch: Watch<F>,
    closed: C,
    handler: H,
    stop: &AtomicBool,
) -> i32
where
    F: Fault,
    C: Fn(F) -> bool,
    H: Fn(TcpStream) + Send + Sync + 'static,
{
    let handler = Arc::new(handler);
    let active = Arc::new(AtomicUsize::new(0));
    let mut listener: Option<TcpListener> = None;
    let mut first = true;
    let mut bind_error_reported = false;
    let mut next_poll = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        if Instant::now() >= next_poll {
            next_poll = Instant::now() + FAULT_POLL;
            let want_closed = closed(watch.poll());
            if want_closed && listener.is_some() {
                listener = None;
                say!("standin[{label}]: listener on {addr} closed (fault)");
            } else if !want_closed && listener.is_none() {
                match open(addr) {
                    Ok(l) => {
                        say!("standin[{label}]: listening on {addr}");
                        listener = Some(l);
                        bind_error_reported = false;
                    }
                    Err(e) if first => {
                        say!("standin[{label}]: cannot listen on {addr}: {e}");
                        return 1;
                    }
                    Err(e) => {
                        if !bind_error_reported {
                            say!("standin[{label}]: cannot listen on {addr} (retrying): {e}");
                            bind_error_reported = true;
                        }
                    }
                }
            }
            first = false;
        }
        if let Some(l) = &listener {
            loop {
                match l.accept() {
                    Ok((stream, _)) => dispatch(stream, &handler, &active),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        say!("standin[{label}]: accept failed: {e}");
                        break;
                    }
                }
            }
        }
        thread::sleep(ACCEPT_POLL);
    }
    0
}

fn open(addr: SocketAddr) -> io::Result<TcpListener> {
    // std sets SO_REUSEADDR on Unix, so reopening after a close is not blocked by TIME_WAIT.
    let l = TcpListener::bind(addr)?;
    l.set_nonblocking(true)?;
    Ok(l)
}

struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn dispatch<H>(stream: TcpStream, handler: &Arc<H>, active: &Arc<AtomicUsize>)
where
    H: Fn(TcpStream) + Send + Sync + 'static,
{
    if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
        active.fetch_sub(1, Ordering::SeqCst);
        return; // dropping the stream closes it
    }
    let slot = Slot(Arc::clone(active));
    if stream.set_nonblocking(false).is_err() {
        return;
    }
    let handler = Arc::clone(handler);
    let spawned = thread::Builder::new()
        .name("conn".into())
        .stack_size(64 * 1024)
        .spawn(move || {
            let _slot = slot;
            handler(stream);
        });
    if let Err(e) = spawned {
        say!("standin: cannot start a connection thread: {e}");
    }
}

/// The `hang` faults: keep the connection open, never answer, until the client goes away or
/// `max` passes.
pub fn hold(stream: &mut TcpStream, max: Duration) {
    let started = Instant::now();
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let mut buf = [0u8; 512];
    while started.elapsed() < max {
        match stream.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(_) => return,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::fault::HttpFault;
    use std::path::PathBuf;

    /// A fresh directory under the system temp dir.
    pub(crate) fn temp_dir(tag: &str) -> PathBuf {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "standin-test-{}-{}-{}",
            std::process::id(),
            tag,
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    /// A port that was free a moment ago.
    pub(crate) fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port")
    }

    /// Waits up to 2 s for `cond`.
    pub(crate) fn eventually(mut cond: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if cond() {
                return true;
            }
            thread::sleep(Duration::from_millis(20));
        }
        false
    }

    #[test]
    fn refuse_closes_and_reopens_the_listener() {
        let dir = temp_dir("listener");
        let path = dir.join("svc");
        let port = free_port();
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = Arc::clone(&stop);
        let watch = Watch::<HttpFault>::new("test", path.clone());
        let server = thread::spawn(move || {
            serve(
                "test",
                addr,
                watch,
                |f| f == HttpFault::Refuse,
                drop,
                &stop2,
            )
        });
        assert!(eventually(|| TcpStream::connect(addr).is_ok()), "opens");
        std::fs::write(&path, "refuse").expect("write");
        assert!(
            eventually(|| matches!(
                TcpStream::connect(addr),
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused
            )),
            "closes on refuse"
        );
        std::fs::write(&path, "ok").expect("write");
        assert!(eventually(|| TcpStream::connect(addr).is_ok()), "reopens");
        stop.store(true, Ordering::Relaxed);
        assert_eq!(server.join().ok(), Some(0));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
