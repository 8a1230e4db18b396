//! `/ws`: a snapshot on connect, then every change, with heartbeats.
//!
//! The socket loop is written against `Sink`/`Stream` so that tests can drive it without a network:
//! a send task forwards hub frames and replies, a receive task reads client messages, and whichever
//! ends first ends the other.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures::{Sink, SinkExt, Stream, StreamExt};
use tokio::sync::{broadcast, mpsc};
use tower_sessions::Session;
use wire::{ClientMsg, ServerMsg};

use crate::auth::access::from_own_origin;
use crate::auth::{Principal, Viewer};
use crate::error::AppError;
use crate::hub::{encode, projection, Audience, Frames, Hub};
use crate::incidents::Incidents;
use crate::state::AppState;
use crate::sweeper::SweepTrigger;

/// Largest client message and frame accepted; client messages are tiny. The frame bound matters
/// as much as the message one: without it a client can start a 16 MB frame and hold it half-sent.
const MAX_CLIENT_FRAME: usize = 4 * 1024;
/// A viewer that does not take a frame within this long is dropped, not buffered for: the SPA
/// reconnects and gets a fresh snapshot, and a client that stopped reading holds nothing.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Live sockets one session may hold (tabs, a reconnect racing its predecessor). More is refused.
pub const MAX_SOCKETS_PER_SESSION: usize = 8;
/// Per-socket buffers. The defaults (128 KiB each way) cost ~140 KiB a viewer; a board frame is a
/// few KiB, so small buffers keep a thousand viewers cheap (measured by `cargo xtask bench viewers`).
const READ_BUFFER: usize = 4 * 1024;
const WRITE_BUFFER: usize = 8 * 1024;

/// The handshake: the session was checked by the route's rule; here the `Origin` must be the
/// console's own, so another site's page cannot ride a responder's cookie.
pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    session: Session,
    headers: HeaderMap,
) -> Response {
    if !from_own_origin(&state.settings.allowed_origins(), &headers) {
        tracing::warn!("websocket handshake from a foreign origin refused");
        return AppError::Forbidden(
            "this console only accepts connections from its own pages".into(),
        )
        .into_response();
    }
    let ends_in = crate::auth::time_left(&session, &state.settings.auth, state.hub.now_ms()).await;
    let session_id = session.id().map(|id| id.to_string());
    let Some(slot) = state.sockets.take(
        session_id.as_deref().unwrap_or(&user.key),
        MAX_SOCKETS_PER_SESSION,
    ) else {
        return AppError::TooManySockets(MAX_SOCKETS_PER_SESSION).into_response();
    };
    // Subscribed here, before the handshake completes, so no change can slip in unseen.
    let changes = state.access.subscribe();
    let ended = crate::auth::session_end::session_ended(
        state.backend.clone(),
        user.clone(),
        session_id,
        changes,
        ends_in,
    );
    let viewer = Viewer::of(user.role);
    ws.max_message_size(MAX_CLIENT_FRAME)
        .max_frame_size(MAX_CLIENT_FRAME)
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .on_upgrade(move |socket: WebSocket| async move {
            // Held for the socket's life: dropping it gives the session's slot back.
            let _slot = slot;
            let (sink, stream) = socket.split();
            let feeds = Feeds {
                hub: state.hub.clone(),
                incidents: Some(state.incidents.clone()),
            };
            let socket = Socket {
                feeds,
                sweep: state.sweep.clone(),
                heartbeat: state.heartbeat,
                viewer,
            };
            serve_socket(sink, stream, socket, ended).await;
        })
}

/// What a socket streams: the board, and incidents when the gateway has them (unit tests of the
/// socket loop run with the board alone).
#[derive(Clone)]
pub struct Feeds {
    pub hub: Arc<Hub>,
    pub incidents: Option<Incidents>,
}

impl Feeds {
    /// Subscribes, then reads the state to start from: the board and the incident list. Frames
    /// published after the subscription may repeat what the list holds; clients keep the newest
    /// version, so a repeat is harmless and nothing is missed.
    async fn start(
        &self,
        audience: Audience,
    ) -> (Vec<Utf8Bytes>, broadcast::Receiver<Arc<Frames>>) {
        let (snapshot, updates) = self.hub.subscribe();
        let snapshot = match audience {
            Audience::Full => snapshot,
            Audience::Public => projection::snapshot(&snapshot),
        };
        let mut frames = vec![encode(&ServerMsg::Snapshot { snapshot })];
        if let Some(incidents) = &self.incidents {
            match incidents.for_socket().await {
                Ok(list) => frames.push(encode(&ServerMsg::Incidents {
                    incidents: list
                        .iter()
                        .map(|i| projection::incident(i, audience))
                        .collect(),
                })),
                Err(e) => {
                    tracing::error!(error = %e, "cannot list incidents for a socket");
                    frames.push(error_frame(
                        "the incident list could not be read from the gateway's database; reload to try again",
                    ));
                }
            }
        }
        (frames, updates)
    }
}

/// What one socket serves, and to whom.
pub struct Socket {
    pub feeds: Feeds,
    pub sweep: SweepTrigger,
    /// How often the client gets a heartbeat.
    pub heartbeat: Duration,
    pub viewer: Viewer,
}

/// Runs one client's socket until either side closes, or `ended` resolves (its session is over).
pub async fn serve_socket<S, R, E>(
    mut sink: S,
    mut stream: R,
    socket: Socket,
    ended: impl std::future::Future<Output = ()> + Send + 'static,
) where
    S: Sink<Message> + Unpin + Send + 'static,
    R: Stream<Item = Result<Message, E>> + Unpin + Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    let Socket {
        feeds,
        sweep,
        heartbeat,
        viewer,
    } = socket;
    let hub = feeds.hub.clone();
    let (first, mut updates) = feeds.start(viewer.audience).await;
    for frame in first {
        if !send_within(&mut sink, Message::Text(frame)).await {
            return;
        }
    }
    // Replies from the receive task go out through the send task, which owns the sink.
    let (reply_tx, mut reply_rx) = mpsc::channel::<Utf8Bytes>(8);

    let send_hub = hub.clone();
    let mut send_task = tokio::spawn(async move {
        let mut beat = tokio::time::interval(heartbeat);
        beat.tick().await;
        tokio::pin!(ended);
        loop {
            let frames = tokio::select! {
                update = updates.recv() => match update {
                    Ok(frames) => frames.for_audience(viewer.audience).into_iter().collect(),
                    // Fell behind: the current state is the cheapest way to catch up.
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        let (fresh_frames, fresh) = feeds.start(viewer.audience).await;
                        updates = fresh;
                        fresh_frames
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                },
                Some(reply) = reply_rx.recv() => vec![reply],
                _ = beat.tick() => vec![send_hub.heartbeat()],
                _ = &mut ended => {
                    // Policy violation (1008): the session that opened this socket is over.
                    let close = CloseFrame { code: 1008, reason: Utf8Bytes::from_static("session ended; sign in again") };
                    send_within(&mut sink, Message::Close(Some(close))).await;
                    break;
                }
            };
            let mut failed = false;
            for frame in frames {
                if !send_within(&mut sink, Message::Text(frame)).await {
                    failed = true;
                    break;
                }
            }
            if failed {
                break;
            }
        }
        let _ = tokio::time::timeout(SEND_TIMEOUT, sink.close()).await;
    });

    let mut recv_task = tokio::spawn(async move {
        while let Some(msg) = stream.next().await {
            let text = match msg {
                Ok(Message::Text(t)) => t,
                Ok(Message::Close(_)) => break,
                Ok(Message::Binary(_)) => {
                    let _ = reply_tx
                        .send(error_frame(
                            "binary frames are not accepted; send JSON text",
                        ))
                        .await;
                    continue;
                }
                Ok(_) => continue,
                Err(e) => {
                    tracing::debug!(error = %e, "websocket read failed");
                    break;
                }
            };
            let reply = match serde_json::from_str::<ClientMsg>(text.as_str()) {
                Ok(ClientMsg::SweepNow) if viewer.can_sweep() => {
                    sweep.request();
                    None
                }
                Ok(ClientMsg::SweepNow) => Some(error_frame(&format!(
                    "your role ({}) cannot start a sweep",
                    viewer.role.as_str()
                ))),
                Ok(ClientMsg::Ping) => Some(hub.heartbeat()),
                Err(e) => Some(error_frame(&format!("unreadable message ({e}); expected {{\"type\":\"sweep_now\"}} or {{\"type\":\"ping\"}}"))),
            };
            if let Some(reply) = reply {
                if reply_tx.send(reply).await.is_err() {
                    break;
                }
            }
        }
    });

    tokio::select! {
        _ = &mut send_task => recv_task.abort(),
        _ = &mut recv_task => send_task.abort(),
    }
}

/// Sends one message; `false` when the socket failed or the viewer took longer than
/// [`SEND_TIMEOUT`] to take it (the socket is then dropped).
async fn send_within<S: Sink<Message> + Unpin>(sink: &mut S, msg: Message) -> bool {
    match tokio::time::timeout(SEND_TIMEOUT, sink.send(msg)).await {
        Ok(Ok(())) => true,
        Ok(Err(_)) => false,
        Err(_) => {
            tracing::info!("a websocket viewer stopped reading; dropping it");
            false
        }
    }
}

fn error_frame(message: &str) -> Utf8Bytes {
    encode(&ServerMsg::Error {
        message: message.to_string(),
    })
}

#[cfg(test)]
mod tests;
