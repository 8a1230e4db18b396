//! `/ws`: a snapshot on connect, then every change, with heartbeats.
//!
//! The socket loop is written against `Sink`/`Stream` so that tests can drive it without a network:
//! a send task forwards hub frames and replies, a receive task reads client messages, and whichever
//! ends first ends the other.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use futures::{Sink, SinkExt, Stream, StreamExt};
use tokio::sync::{broadcast, mpsc};
use wire::{ClientMsg, ServerMsg};

use crate::hub::{encode, Hub};
use crate::state::AppState;
use crate::sweeper::SweepTrigger;

/// Largest client frame accepted; client messages are tiny.
const MAX_CLIENT_FRAME: usize = 4 * 1024;
/// Per-socket buffers. The defaults (128 KiB each way) cost ~140 KiB a viewer; a board frame is a
/// few KiB, so small buffers keep a thousand viewers cheap (measured by `cargo xtask bench viewers`).
const READ_BUFFER: usize = 4 * 1024;
const WRITE_BUFFER: usize = 8 * 1024;

pub async fn upgrade(ws: WebSocketUpgrade, State(state): State<AppState>) -> Response {
    ws.max_message_size(MAX_CLIENT_FRAME)
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .on_upgrade(move |socket: WebSocket| async move {
            let (sink, stream) = socket.split();
            serve_socket(
                sink,
                stream,
                state.hub.clone(),
                state.sweep.clone(),
                state.heartbeat,
            )
            .await;
        })
}

/// Runs one client's socket until either side closes.
pub async fn serve_socket<S, R, E>(
    mut sink: S,
    mut stream: R,
    hub: Arc<Hub>,
    sweep: SweepTrigger,
    heartbeat: Duration,
) where
    S: Sink<Message> + Unpin + Send + 'static,
    R: Stream<Item = Result<Message, E>> + Unpin + Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    let (snapshot, mut updates) = hub.subscribe();
    if sink
        .send(Message::Text(encode(&ServerMsg::Snapshot { snapshot })))
        .await
        .is_err()
    {
        return;
    }
    // Replies from the receive task go out through the send task, which owns the sink.
    let (reply_tx, mut reply_rx) = mpsc::channel::<Utf8Bytes>(8);

    let send_hub = hub.clone();
    let mut send_task = tokio::spawn(async move {
        let mut beat = tokio::time::interval(heartbeat);
        beat.tick().await;
        loop {
            let frame = tokio::select! {
                update = updates.recv() => match update {
                    Ok(frame) => frame,
                    // Fell behind: the board itself is the cheapest way to catch up.
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        let (snapshot, fresh) = send_hub.subscribe();
                        updates = fresh;
                        encode(&ServerMsg::Snapshot { snapshot })
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                },
                Some(reply) = reply_rx.recv() => reply,
                _ = beat.tick() => send_hub.heartbeat(),
            };
            if sink.send(Message::Text(frame)).await.is_err() {
                break;
            }
        }
        let _ = sink.close().await;
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
                Ok(ClientMsg::SweepNow) => {
                    sweep.request();
                    None
                }
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

fn error_frame(message: &str) -> Utf8Bytes {
    encode(&ServerMsg::Error {
        message: message.to_string(),
    })
}

#[cfg(test)]
mod tests;
