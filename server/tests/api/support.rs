//! A gateway on 127.0.0.1:0 with a scripted host, accounts of every role, and signed-in clients.

use std::sync::Arc;

use server::clock::{Clock, SystemClock};
use server::config::Settings;
use server::remote::fake::{ok, FakeHost};
use server::Gateway;
use wire::{LoginRequest, Me, Role};

pub const PASSWORD: &str = "correct horse battery staple";

pub struct Running {
    pub base: String,
    pub addr: std::net::SocketAddr,
    pub state: server::state::AppState,
    pub stop: server::shutdown::CancelToken,
    pub dir: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

pub fn settings(dir: &std::path::Path) -> Settings {
    let mut settings = Settings::default();
    settings.ssh.host = "fake".into();
    settings.site_dir = dir.join("site");
    settings.data_dir = dir.join("data");
    settings.auth.secure_cookies = false;
    settings
}

/// Starts a gateway with `settings` (from [`settings`], adjusted) and the accounts
/// `commander`, `responder`, `stakeholder`.
pub async fn start_with(dir: tempfile::TempDir, settings: Settings) -> Running {
    let host = Arc::new(FakeHost::new(|_| ok("[]")));
    start_full(dir, settings, host, Arc::new(SystemClock)).await
}

/// As [`start_with`], with the host and the clock given (tests that move time or break the host).
pub async fn start_full(
    dir: tempfile::TempDir,
    settings: Settings,
    host: Arc<FakeHost>,
    clock: Arc<dyn Clock>,
) -> Running {
    start_full_env(dir, settings, host, clock, |_| None).await
}

/// As [`start_full`], with the environment the config's secrets are read from.
pub async fn start_full_env(
    dir: tempfile::TempDir,
    mut settings: Settings,
    host: Arc<FakeHost>,
    clock: Arc<dyn Clock>,
    env: impl Fn(&str) -> Option<String>,
) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    if settings.public_url.is_none() {
        settings.public_url = Some(format!("http://{addr}"));
    }
    let gateway = Gateway::with_parts_env(settings, host, clock, env)
        .await
        .unwrap();
    for role in Role::ALL {
        if gateway
            .state
            .store
            .credentials(role.as_str())
            .await
            .unwrap()
            .is_none()
        {
            gateway
                .state
                .accounts
                .create(role.as_str(), role, PASSWORD)
                .await
                .unwrap();
        }
    }
    let state = gateway.state.clone();
    let stop = gateway.stop.clone();
    tokio::spawn(server::serve(gateway, listener, std::future::pending()));
    Running {
        base: format!("http://{addr}"),
        addr,
        state,
        stop,
        dir,
    }
}

/// Waits (up to 10 s) for the live board to satisfy `done`, woken by each hub change: no polling.
pub async fn wait_board(g: &Running, done: impl Fn(&wire::HealthSnapshot) -> bool) {
    let (_, mut rx) = g.state.hub.subscribe();
    tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while !done(&g.state.hub.snapshot()) {
            let _ = rx.recv().await;
        }
    })
    .await
    .expect("the board reached the expected state within 10 s");
}

pub async fn start() -> Running {
    let dir = tempfile::tempdir().unwrap();
    let s = settings(dir.path());
    start_with(dir, s).await
}

/// A browser-like client: keeps cookies, sends the console's Origin.
pub fn client(g: &Running) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("origin", g.base.parse().unwrap());
    reqwest::Client::builder()
        .cookie_store(true)
        .no_gzip()
        .default_headers(headers)
        .build()
        .unwrap()
}

/// `POST /api/login` with `name` and `password`, from `client`, ready to send.
pub fn sign_in_request(
    g: &Running,
    client: &reqwest::Client,
    name: &str,
    password: &str,
) -> reqwest::RequestBuilder {
    client
        .post(format!("{}/api/login", g.base))
        .json(&LoginRequest {
            name: name.into(),
            password: password.into(),
        })
}

pub async fn login(g: &Running, client: &reqwest::Client, name: &str) -> Me {
    let resp = sign_in_request(g, client, name, PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "login as {name}");
    resp.json().await.unwrap()
}

/// A client signed in as `role`, and its CSRF token.
pub async fn signed_in(g: &Running, role: Role) -> (reqwest::Client, String) {
    let c = client(g);
    let me = login(g, &c, role.as_str()).await;
    assert_eq!(me.role, role);
    (c, me.csrf_token)
}

/// The session cookie a client holds, as a `Cookie` header value.
pub fn cookie_header(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("aegis_session="))
        .map(|v| v.split(';').next().unwrap_or("").to_string())
}

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens `/ws` with a session cookie and an `Origin`.
pub async fn ws_with(
    g: &Running,
    cookie: &str,
    origin: &str,
) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req = format!("ws://{}/ws", g.addr).into_client_request().unwrap();
    req.headers_mut().insert("cookie", cookie.parse().unwrap());
    req.headers_mut().insert("origin", origin.parse().unwrap());
    tokio_tungstenite::connect_async(req)
        .await
        .map(|(ws, _)| ws)
}

/// The next text frame, within 10 s; `None` when the socket closed instead.
pub async fn next_text_or_close(ws: &mut Ws) -> Option<String> {
    use futures::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    loop {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next())
            .await
            .expect("a frame within 10 s");
        match frame {
            Some(Ok(Message::Text(t))) => return Some(t.as_str().to_string()),
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(_)) => continue,
        }
    }
}

/// Reads until the server closes the socket; fails when it is still open after `secs` (an open
/// socket gets a heartbeat every few seconds, so "open" is observed, not assumed).
pub async fn closed_within(ws: &mut Ws, secs: u64) {
    tokio::time::timeout(std::time::Duration::from_secs(secs), async {
        while next_text_or_close(ws).await.is_some() {}
    })
    .await
    .expect("the socket is closed");
}

pub async fn next_text(ws: &mut Ws) -> String {
    next_text_or_close(ws).await.expect("the socket stays open")
}

/// Logs in with a plain client and returns the session cookie and CSRF token.
pub async fn session_cookie(g: &Running, role: Role) -> (String, String) {
    let resp = sign_in_request(g, &client(g), role.as_str(), PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let cookie = cookie_header(&resp).expect("a session cookie");
    let me: Me = resp.json().await.unwrap();
    (cookie, me.csrf_token)
}

/// A request with an explicit cookie (no cookie store), as a stolen or old cookie would be sent.
pub fn with_cookie(
    g: &Running,
    method: reqwest::Method,
    path: &str,
    cookie: &str,
) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(method, format!("{}{path}", g.base))
        .header("cookie", cookie)
        .header("origin", &g.base)
}

/// The status of `method path` sent with `cookie` (and nothing else).
pub async fn status_with_cookie(
    g: &Running,
    method: reqwest::Method,
    path: &str,
    cookie: &str,
) -> u16 {
    with_cookie(g, method, path, cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Sends `body` as JSON to `method path` as a signed-in client (with its CSRF token); the status
/// and the JSON answer (`Null` when the answer is not JSON).
pub async fn call(
    g: &Running,
    (c, csrf): &(reqwest::Client, String),
    method: reqwest::Method,
    path: &str,
    body: serde_json::Value,
) -> (reqwest::StatusCode, serde_json::Value) {
    let resp = c
        .request(method, format!("{}{path}", g.base))
        .header(wire::CSRF_HEADER, csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}

/// A websocket signed in as `role`.
pub async fn ws_as(g: &Running, role: Role) -> Ws {
    let (cookie, _) = session_cookie(g, role).await;
    ws_with(g, &cookie, &g.base).await.expect("ws connects")
}

/// The next message on the socket, parsed.
pub async fn next_msg(ws: &mut Ws) -> wire::ServerMsg {
    serde_json::from_str(&next_text(ws).await).unwrap()
}

/// GETs `path` as a signed-in client, expects 200, and reads the JSON answer.
pub async fn get<T: serde::de::DeserializeOwned>(
    g: &Running,
    who: &(reqwest::Client, String),
    path: &str,
) -> T {
    let (status, answer) = call(g, who, reqwest::Method::GET, path, serde_json::Value::Null).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{path}: {answer}");
    serde_json::from_value(answer).unwrap()
}

/// A commander's new share link (`admin` is the commander's session cookie).
pub async fn create_link(
    g: &Running,
    admin: &str,
    csrf: &str,
    label: &str,
    hours: u32,
) -> wire::CreatedShareLink {
    with_cookie(g, reqwest::Method::POST, wire::SHARE_LINKS_PATH, admin)
        .header(wire::CSRF_HEADER, csrf)
        .json(&wire::NewShareLink {
            label: label.into(),
            expires_in_hours: hours,
        })
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// What the gateway logs, captured (`tracing::subscriber::set_default` with this as the writer):
/// tests look for what must never be logged.
#[derive(Clone, Default)]
pub struct LogCapture(pub Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogCapture {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}
