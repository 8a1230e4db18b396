//! The live feed: the websocket at `/ws`, its reconnect loop, the first `GET /api/health` and
//! `GET /api/incidents`, and the one-second clock that makes ages and countdowns tick.
//!
//! One [`Live`] is created for the whole app (not per page), so navigating between routes never
//! drops the connection. Its fields are `Copy` signals, passed to components as a prop.
//!
//! The feed runs only while someone is signed in: the gateway refuses `/ws` and `/api/health`
//! without a session. [`Live::start`] is called once the session's [`wire::Me`] is known and
//! [`Live::stop`] on sign-out. A browser does not expose a refused handshake's status, so after a
//! socket ends the loop asks `GET /api/me`: a 401 there means signed out, and the loop stops instead
//! of hammering the gateway.

use futures::channel::mpsc;
use futures::future::{abortable, select, AbortHandle, Either};
use futures::StreamExt;
use gloo_net::websocket::{futures::WebSocket, Message};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wire::ServerMsg;

use crate::model::board::{BoardState, Origin};
use crate::model::conn::{Backoff, Conn};
use crate::model::incident_store::IncidentStore;
use crate::model::time::ClockSync;
use crate::net::api;
use crate::net::session::Session;

/// No frame for this long means the socket is dead even if the browser has not noticed (a sleeping
/// phone, a proxy that silently dropped it). The gateway sends a heartbeat every ~5 s.
const WATCHDOG_MS: u32 = 15_000;

/// The app-wide live state.
#[derive(Clone, Copy)]
pub struct Live {
    pub board: RwSignal<BoardState>,
    /// Incidents (list, timelines seen so far, deliveries), shared by the incident pages and the
    /// header's overdue banner.
    pub incidents: RwSignal<IncidentStore>,
    pub conn: RwSignal<Conn>,
    pub clock: RwSignal<ClockSync>,
    /// This browser's clock (ms), refreshed every second: everything that shows an age reads it.
    pub now_ms: RwSignal<f64>,
    /// The last `error` message from the gateway, or why the first HTTP load failed.
    pub server_error: RwSignal<Option<String>>,
    /// Cancels the running feed (its socket closes when the future is dropped).
    task: StoredValue<Option<AbortHandle>>,
    /// Wakes the running feed's reconnect wait on `online`/`offline` events.
    wake: StoredValue<Option<mpsc::UnboundedSender<()>>>,
}

impl Live {
    /// The gateway's clock now (reactive: re-runs every tick).
    pub fn server_now(&self) -> i64 {
        let now = self.now_ms.get();
        self.clock.with(|c| c.server_now(now))
    }

    /// Whether the board shows a last known state rather than a live one.
    pub fn stale(&self) -> bool {
        self.conn.get().stale()
    }

    /// Creates the live state and starts the clock; the feed itself waits for [`Live::start`].
    pub fn create() -> Live {
        let live = Live {
            board: RwSignal::new(BoardState::default()),
            incidents: RwSignal::new(IncidentStore::default()),
            conn: RwSignal::new(initial_conn()),
            clock: RwSignal::new(ClockSync::default()),
            now_ms: RwSignal::new(js_sys::Date::now()),
            server_error: RwSignal::new(None),
            task: StoredValue::new(None),
            wake: StoredValue::new(None),
        };

        spawn_local(async move {
            loop {
                TimeoutFuture::new(1_000).await;
                live.now_ms.set(js_sys::Date::now());
            }
        });

        // `online`/`offline` events cut the wait short: no point counting down 30 s once Wi-Fi is
        // back. The handles are dropped on purpose: the listeners live as long as the page.
        let _ = window_event_listener(leptos::ev::online, move |_| live.poke());
        let _ = window_event_listener(leptos::ev::offline, move |_| {
            live.conn.set(Conn::Offline);
            live.poke();
        });
        live
    }

    /// Starts the first HTTP load and the websocket loop for a signed-in `session` (stopping any
    /// feed already running, which belonged to an earlier session).
    pub fn start(self, session: Session) {
        self.stop();
        let (wake_tx, wake_rx) = mpsc::unbounded::<()>();
        self.wake.set_value(Some(wake_tx));
        let (feed, handle) = abortable(async move {
            futures::join!(
                initial_load(self, session),
                initial_incidents(self, session),
                run(self, session, wake_rx)
            );
        });
        self.task.set_value(Some(handle));
        spawn_local(async move {
            let _ = feed.await;
        });
    }

    /// Stops the feed and forgets the board and the incidents: the next person to sign in in this browser may see
    /// less of it (a stakeholder's projection).
    pub fn stop(self) {
        if let Some(handle) = self.task.try_update_value(Option::take).flatten() {
            handle.abort();
        }
        self.wake.set_value(None);
        self.board.set(BoardState::default());
        self.incidents.set(IncidentStore::default());
        self.conn.set(initial_conn());
        self.clock.set(ClockSync::default());
        self.server_error.set(None);
    }

    fn poke(self) {
        self.wake.try_with_value(|w| {
            if let Some(tx) = w {
                let _ = tx.unbounded_send(());
            }
        });
    }
}

fn initial_conn() -> Conn {
    if online() {
        Conn::Starting
    } else {
        Conn::Offline
    }
}

/// `GET /api/health`, so the board paints even if the websocket is slow or blocked by a proxy.
async fn initial_load(live: Live, session: Session) {
    match session.check(api::health().await) {
        Ok(health) => {
            let received = js_sys::Date::now();
            if let Some(date) = health.server_date_ms {
                live.clock.update(|c| c.on_http_date(date, received));
            }
            live.board
                .update(|b| _ = b.apply_snapshot(health.snapshot, Origin::Http));
        }
        // The session is over: `check` has already sent the user to sign in.
        Err(e) if e.signed_out() => {}
        Err(e) => {
            // Only worth showing if the socket has not delivered a board by now.
            if !live.board.with_untracked(|b| b.loaded) {
                live.server_error.set(Some(e.message));
            }
        }
    }
}

/// `GET /api/incidents`, so the nav's count and the overdue banner do not wait for the socket (and
/// the forms get the services and the cadence). The incident pages fetch again and show their own
/// errors, so a failure here is only logged.
async fn initial_incidents(live: Live, session: Session) {
    match session.check(api::incidents("").await) {
        Ok(list) => live.incidents.update(|s| s.apply_list(list)),
        Err(e) if e.signed_out() => {}
        Err(e) => warn(&format!("GET {}: {e}", wire::INCIDENTS_PATH)),
    }
}

/// Connect, read until the socket dies, wait, repeat — until the session ends.
async fn run(live: Live, session: Session, mut wake: mpsc::UnboundedReceiver<()>) {
    let mut backoff = Backoff::new();
    let mut first = true;
    loop {
        if !online() {
            live.conn.set(Conn::Offline);
            first = false;
            wait(Backoff::MAX_MS, &mut wake).await;
            continue;
        }
        live.conn.set(if first {
            Conn::Starting
        } else {
            Conn::Connecting
        });
        first = false;
        if connect(live).await {
            backoff.reset();
        }
        if !online() {
            continue;
        }
        if !still_signed_in(session).await {
            return;
        }
        let delay = backoff.next_delay();
        let now = js_sys::Date::now();
        // Refresh the clock too, or the countdown starts from a reading up to a second old.
        live.now_ms.set(now);
        live.conn.set(Conn::Waiting {
            retry_at_ms: now + f64::from(delay),
        });
        if wait(delay, &mut wake).await {
            // Back online: start over from a short delay.
            backoff.reset();
        }
    }
}

/// Waits `ms`, or less if woken by an `online`/`offline` event. Returns whether it was woken.
async fn wait(ms: u32, wake: &mut mpsc::UnboundedReceiver<()>) -> bool {
    // Events that fired while a socket was up are old news; without this, a flapping network
    // would queue wake-ups that each skip a backoff delay later.
    while wake.try_recv().is_ok() {}
    matches!(
        select(TimeoutFuture::new(ms), wake.next()).await,
        Either::Right((Some(()), _))
    )
}

/// Asks `GET /api/me` whether the session survived the socket: `false` on 401 (and the session is
/// ended, which sends the user to sign in). A network failure counts as "still signed in": the
/// reconnect loop is the right answer to that. A changed role is picked up here too.
async fn still_signed_in(session: Session) -> bool {
    match session.check(api::me().await) {
        Ok(me) => {
            session.sign_in(me);
            true
        }
        Err(e) => !e.signed_out(),
    }
}

/// One websocket connection. Returns whether it delivered at least one readable message (a success,
/// which resets the backoff).
async fn connect(live: Live) -> bool {
    let Some(url) = socket_url() else {
        return false;
    };
    let socket = match WebSocket::open(&url) {
        Ok(socket) => socket,
        Err(e) => {
            warn(&format!("websocket {url}: {e}"));
            return false;
        }
    };
    // Keep the sending half alive for the whole session; the board only listens for now.
    let (_sink, mut stream) = socket.split();
    let mut delivered = false;
    loop {
        let frame = match select(stream.next(), TimeoutFuture::new(WATCHDOG_MS)).await {
            Either::Left((Some(Ok(frame)), _)) => frame,
            Either::Left((Some(Err(e)), _)) => {
                warn(&format!("websocket: {e}"));
                break;
            }
            Either::Left((None, _)) => break,
            Either::Right(_) => {
                warn("websocket: no frame for 15 s, reconnecting");
                break;
            }
        };
        let Message::Text(text) = frame else {
            continue;
        };
        // Actions' frames are the incident page's to read (its chunk decodes them).
        if text.starts_with(wire::ACTION_FRAME_PREFIX) {
            live.incidents.update(|s| s.action_frame(text.to_string()));
            continue;
        }
        let msg = match serde_json::from_str::<ServerMsg>(&text) {
            Ok(msg) => msg,
            Err(e) => {
                // A gateway speaking a newer protocol: not "live" until something makes sense.
                warn(&format!("websocket: unreadable frame: {e}"));
                continue;
            }
        };
        if !delivered {
            delivered = true;
            live.server_error.set(None);
        }
        // Checked on every frame: an `offline` event may have fired while this socket survived.
        if live.conn.get_untracked() != Conn::Live {
            live.conn.set(Conn::Live);
        }
        handle(live, msg);
    }
    // Dropping the halves closes the socket (a watchdog timeout leaves it open otherwise).
    delivered
}

fn handle(live: Live, msg: ServerMsg) {
    match msg {
        ServerMsg::Heartbeat { server_now_ms } => {
            let now = js_sys::Date::now();
            live.clock.update(|c| c.on_heartbeat(server_now_ms, now));
        }
        ServerMsg::Error { message } => live.server_error.set(Some(message)),
        msg @ (ServerMsg::Incidents { .. }
        | ServerMsg::Incident { .. }
        | ServerMsg::Entry { .. }
        | ServerMsg::Delivery { .. }) => live.incidents.update(|s| s.apply(msg)),
        msg => live.board.update(|b| b.apply(msg)),
    }
}

/// `ws://host/ws` or `wss://host/ws`, matching the page.
fn socket_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss:"
    } else {
        "ws:"
    };
    Some(format!(
        "{scheme}//{}{}",
        location.host().ok()?,
        wire::WS_PATH
    ))
}

/// `navigator.onLine`; assumes online when unknown.
fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

fn warn(message: &str) {
    web_sys::console::warn_1(&message.into());
}
