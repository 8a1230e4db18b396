//! The socket loop driven through channels: no network, real protocol frames.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Message;
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use wire::{ClientMsg, ServerMsg};

use super::{serve_socket, Socket};
use crate::auth::Viewer;
use crate::clock::ManualClock;
use crate::hub::tests::{catalog, outcome};
use crate::hub::Hub;
use crate::remote::fake::{ok, FakeHost};
use crate::shutdown::CancelToken;
use wire::Role;

struct Client {
    to_server: mpsc::Sender<Result<Message, axum::Error>>,
    from_server: mpsc::Receiver<Message>,
}

impl Client {
    async fn next(&mut self) -> ServerMsg {
        let msg = tokio::time::timeout(Duration::from_secs(10), self.from_server.next())
            .await
            .expect("a frame within 10 s")
            .expect("socket open");
        match msg {
            Message::Text(t) => serde_json::from_str(t.as_str()).expect("valid ServerMsg"),
            other => panic!("unexpected frame {other:?}"),
        }
    }

    /// The next frame that is not sweep bookkeeping (the sweep loop runs in these tests too).
    async fn next_reply(&mut self) -> ServerMsg {
        loop {
            match self.next().await {
                ServerMsg::Sweeping { .. } | ServerMsg::Changes { .. } => continue,
                other => return other,
            }
        }
    }

    async fn send(&mut self, text: &str) {
        self.to_server
            .send(Ok(Message::Text(text.into())))
            .await
            .unwrap();
    }
}

/// A hub whose clock stands still at `ms`.
fn hub_at(cat: &crate::probes::Catalog, ms: i64) -> Arc<Hub> {
    Arc::new(Hub::new(
        "t".into(),
        cat,
        10_000,
        Arc::new(ManualClock::at(ms)),
    ))
}

fn start(hub: Arc<Hub>, heartbeat: Duration) -> Client {
    start_as(hub, heartbeat, Role::Responder, std::future::pending())
}

fn start_as(
    hub: Arc<Hub>,
    heartbeat: Duration,
    role: Role,
    ended: impl std::future::Future<Output = ()> + Send + 'static,
) -> Client {
    let (server_sink, from_server) = mpsc::channel::<Message>(16);
    let (to_server, server_stream) = mpsc::channel::<Result<Message, axum::Error>>(16);
    let socket = socket_for(hub, heartbeat, Viewer::of(role));
    tokio::spawn(serve_socket(server_sink, server_stream, socket, ended));
    Client {
        to_server,
        from_server,
    }
}

/// What a socket on `hub` serves to `viewer`, with a sweep loop of its own.
fn socket_for(hub: Arc<Hub>, heartbeat: Duration, viewer: Viewer) -> Socket {
    // An hour-long interval: the sweep loop never fires on its own in these tests.
    let trigger = crate::sweeper::spawn(
        Arc::new(catalog()),
        Arc::new(FakeHost::new(|_| ok(""))),
        hub.clone(),
        None,
        Duration::from_secs(3600),
        CancelToken::default(),
    );
    Socket {
        feeds: super::Feeds {
            hub,
            incidents: None,
        },
        sweep: trigger,
        heartbeat,
        viewer,
    }
}

#[tokio::test]
async fn snapshot_first_then_changes() {
    let cat = catalog();
    let hub = hub_at(&cat, 1);
    let mut client = start(hub.clone(), Duration::from_secs(3600));
    // The sweep loop's first tick fires at once; drain until we see the snapshot first of all.
    match client.next().await {
        ServerMsg::Snapshot { snapshot } => assert_eq!(snapshot.checks.len(), cat.checks.len()),
        other => panic!("first frame must be the snapshot, got {other:?}"),
    }
    hub.apply(&cat, outcome(&cat, &["health.ciam-kratos"]));
    loop {
        if let ServerMsg::Changes { changed, .. } = client.next().await {
            if changed
                .iter()
                .any(|c| c.id == "health.ciam-kratos" && c.status == wire::Status::Down)
            {
                break;
            }
        }
    }
}

#[tokio::test]
async fn malformed_message_gets_an_error_and_the_socket_stays_up() {
    let cat = catalog();
    let hub = hub_at(&cat, 1);
    let mut client = start(hub, Duration::from_secs(3600));
    assert!(matches!(client.next().await, ServerMsg::Snapshot { .. }));
    client.send("{\"type\":\"drop_database\"}").await;
    match client.next_reply().await {
        ServerMsg::Error { message } => assert!(message.contains("sweep_now"), "{message}"),
        other => panic!("expected an error, got {other:?}"),
    }
    client
        .send(&serde_json::to_string(&ClientMsg::Ping).unwrap())
        .await;
    match client.next_reply().await {
        ServerMsg::Heartbeat { server_now_ms } => assert_eq!(server_now_ms, 1),
        other => panic!("expected a heartbeat, got {other:?}"),
    }
}

#[tokio::test]
async fn heartbeats_arrive_unasked() {
    let cat = catalog();
    let hub = hub_at(&cat, 7);
    let mut client = start(hub, Duration::from_millis(50));
    loop {
        if let ServerMsg::Heartbeat { server_now_ms } = client.next().await {
            assert_eq!(server_now_ms, 7);
            break;
        }
    }
}

#[tokio::test]
async fn a_stakeholder_cannot_sweep_and_sees_no_host_details() {
    let cat = catalog();
    let hub = hub_at(&cat, 1);
    let mut client = start_as(
        hub.clone(),
        Duration::from_secs(3600),
        Role::Stakeholder,
        std::future::pending(),
    );
    match client.next().await {
        ServerMsg::Snapshot { snapshot } => assert_eq!(snapshot.host.target, "production"),
        other => panic!("snapshot first, got {other:?}"),
    }
    client.send(r#"{"type":"sweep_now"}"#).await;
    match client.next_reply().await {
        ServerMsg::Error { message } => assert!(message.contains("stakeholder"), "{message}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let mut out = outcome(&cat, &["health.ciam-kratos"]);
    out.host.target = "olympus@10.1.2.3:22".into();
    hub.apply(&cat, out);
    // The test's own sweep loop also publishes (its scripted host makes every check unknown):
    // wait for the change this test applied, the one that turns the check down.
    loop {
        if let ServerMsg::Changes { changed, host, .. } = client.next().await {
            assert_eq!(host.target, "production");
            let Some(c) = changed
                .iter()
                .find(|c| c.id == "health.ciam-kratos" && c.status == wire::Status::Down)
            else {
                continue;
            };
            assert_eq!((c.detail.as_str(), c.latency_ms), ("down", None));
            break;
        }
    }
}

#[tokio::test]
async fn the_socket_closes_when_its_session_ends() {
    let cat = catalog();
    let (end_tx, end_rx) = tokio::sync::oneshot::channel::<()>();
    let mut client = start_as(
        hub_at(&cat, 1),
        Duration::from_secs(3600),
        Role::Responder,
        async move {
            let _ = end_rx.await;
        },
    );
    assert!(matches!(client.next().await, ServerMsg::Snapshot { .. }));
    end_tx.send(()).unwrap();
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), client.from_server.next())
            .await
            .unwrap();
        match msg {
            Some(Message::Close(Some(frame))) => {
                assert_eq!(frame.code, 1008);
                break;
            }
            Some(Message::Text(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

/// A viewer whose connection takes nothing: every send waits forever.
struct StalledSink;

impl futures::Sink<Message> for StalledSink {
    type Error = axum::Error;
    fn poll_ready(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), axum::Error>> {
        std::task::Poll::Pending
    }
    fn start_send(self: std::pin::Pin<&mut Self>, _: Message) -> Result<(), axum::Error> {
        Ok(())
    }
    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), axum::Error>> {
        std::task::Poll::Pending
    }
    fn poll_close(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), axum::Error>> {
        std::task::Poll::Pending
    }
}

#[tokio::test(start_paused = true)]
async fn a_viewer_that_stops_reading_is_dropped_not_buffered_for() {
    let cat = catalog();
    let hub = hub_at(&cat, 1);
    let (_to_server, server_stream) = mpsc::channel::<Result<Message, axum::Error>>(16);
    let socket = socket_for(hub, Duration::from_secs(1), Viewer::of(Role::Responder));
    let serving = tokio::spawn(serve_socket(
        StalledSink,
        server_stream,
        socket,
        std::future::pending(),
    ));
    // Paused time runs ahead whenever everything waits: the send timeout is what ends the socket.
    tokio::time::timeout(super::SEND_TIMEOUT * 3, serving)
        .await
        .expect("the stalled viewer's socket ends after the send timeout")
        .unwrap();
}
