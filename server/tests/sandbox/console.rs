//! The console as a browser uses it, against a gateway on the sandbox host: accounts of every role
//! signed in over HTTP, incidents declared, actions planned, requested, approved and awaited,
//! websockets recorded in the background. And the sandbox's own state, read from the host (the
//! stand-ins' `counts` files, their admin APIs on 127.0.0.1, podman, Caddy's edge): what a test
//! checks an action against.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use wire::{ActionPlan, ActionRequestInfo, RequestAnswer, Role, Written};

use super::support::{gateway, Sandbox, TestGateway};

pub const PASSWORD: &str = "sandbox actions password 1";
/// Requests actions (a responder may request every one of them).
pub const RESPONDER: &str = "ana";
/// Approves what `RESPONDER` requests.
pub const COMMANDER: &str = "bo";
/// A second commander, for what a commander requests.
pub const COMMANDER_2: &str = "cleo";
pub const STAKEHOLDER: &str = "vic";

/// A gateway on the sandbox with the four accounts above.
pub struct Console {
    pub gw: TestGateway,
    pub base: String,
}

/// A signed-in browser: its cookie jar, CSRF token, and the session cookie (for websockets).
pub struct User {
    pub client: Client,
    pub csrf: String,
    pub cookie: String,
}

impl Console {
    pub async fn start(sb: &Sandbox) -> Console {
        let gw = gateway(sb.settings()).await;
        for (name, role) in [
            (RESPONDER, Role::Responder),
            (COMMANDER, Role::Commander),
            (COMMANDER_2, Role::Commander),
            (STAKEHOLDER, Role::Stakeholder),
        ] {
            gw.state
                .accounts
                .create(name, role, PASSWORD)
                .await
                .expect("account created");
        }
        let base = format!("http://{}", gw.addr);
        Console { gw, base }
    }

    /// Signs `name` in (no Origin header: a script, which the gateway accepts like its own page).
    pub async fn sign_in(&self, name: &str) -> User {
        sign_in(&self.base, name).await
    }

    pub async fn declare(&self, who: &User, title: &str) -> i64 {
        let (status, body) = call(
            &self.base,
            who,
            Method::POST,
            "/api/incidents",
            Some(json!({"title": title, "broken": "seen in the sandbox", "severity": "sev2"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        serde_json::from_value::<Written>(body).unwrap().incident.id
    }

    pub async fn call(
        &self,
        who: &User,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        call(&self.base, who, method, path, body).await
    }

    /// GETs `path`, expects 200, and reads the answer.
    pub async fn get<T: serde::de::DeserializeOwned>(&self, who: &User, path: &str) -> T {
        let (status, body) = self.call(who, Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        serde_json::from_value(body).unwrap()
    }

    /// `POST .../actions/plan`: the status and the answer.
    pub async fn try_plan(
        &self,
        who: &User,
        incident: i64,
        action: &str,
        params: Value,
    ) -> (StatusCode, Value) {
        self.call(
            who,
            Method::POST,
            &format!("/api/incidents/{incident}/actions/plan"),
            Some(json!({"action": action, "params": params})),
        )
        .await
    }

    /// The plan, which must be given.
    pub async fn plan(&self, who: &User, incident: i64, action: &str, params: Value) -> ActionPlan {
        let (status, body) = self.try_plan(who, incident, action, params).await;
        assert_eq!(status, StatusCode::OK, "plan {action}: {body}");
        serde_json::from_value(body).unwrap()
    }

    /// Requests `plan` with its confirmation typed as the plan asks.
    pub async fn request(&self, who: &User, incident: i64, plan: &ActionPlan) -> RequestAnswer {
        let (status, body) = self
            .call(
                who,
                Method::POST,
                &format!("/api/incidents/{incident}/actions"),
                Some(json!({
                    "action": plan.action,
                    "params": given(plan),
                    "plan_hash": plan.hash,
                    "confirm": plan.confirm,
                })),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "request {}: {body}",
            plan.action
        );
        serde_json::from_value(body).unwrap()
    }

    /// Plans and requests an action that runs at once, and returns its finished request.
    pub async fn run(
        &self,
        who: &User,
        incident: i64,
        action: &str,
        params: Value,
    ) -> (ActionPlan, RequestAnswer) {
        let plan = self.plan(who, incident, action, params).await;
        let answer = self.request(who, incident, &plan).await;
        (plan, answer)
    }

    /// A commander approves request `req` of `plan` with their password.
    pub async fn approve(&self, who: &User, incident: i64, req: i64, plan: &ActionPlan) {
        let (status, body) = self
            .call(
                who,
                Method::POST,
                &format!("/api/incidents/{incident}/actions/{req}/approve"),
                Some(json!({"plan_hash": plan.hash, "password": PASSWORD})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "approve #{req}: {body}");
    }

    /// The request as the incident's list shows it to `who`.
    pub async fn request_info(&self, who: &User, incident: i64, req: i64) -> ActionRequestInfo {
        let list: Value = self
            .get(who, &format!("/api/incidents/{incident}/actions"))
            .await;
        serde_json::from_value::<Vec<ActionRequestInfo>>(list["requests"].clone())
            .unwrap()
            .into_iter()
            .find(|r| r.id == req)
            .unwrap_or_else(|| panic!("request {req} not listed"))
    }

    /// Polls the incident's requests until `req` is final.
    pub async fn finished(
        &self,
        who: &User,
        incident: i64,
        req: i64,
        limit: Duration,
    ) -> ActionRequestInfo {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let r = self.request_info(who, incident, req).await;
            if r.state.is_final() {
                return r;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "request {req} not finished after {limit:?}: {r:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A websocket signed in as `who`, every text frame recorded from now on.
    pub async fn socket(&self, who: &User) -> Frames {
        Frames::open(&self.gw.addr.to_string(), &who.cookie).await
    }
}

/// A finished request's summary.
pub fn summary(r: &ActionRequestInfo) -> String {
    r.result
        .as_ref()
        .unwrap_or_else(|| panic!("no result: {r:?}"))
        .summary
        .clone()
}

pub fn assert_done(r: &ActionRequestInfo) {
    assert_eq!(r.state, wire::RequestState::Done, "{r:?}");
    assert!(r.result.as_ref().is_some_and(|x| x.ok), "{r:?}");
}

/// A number as the console writes it: 12,350.
pub fn thousands(n: i64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The values a request repeats: the plan's, less what the preflight resolved.
pub fn given(plan: &ActionPlan) -> BTreeMap<String, String> {
    plan.params
        .iter()
        .filter(|(k, _)| k.as_str() != "identity_id")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

pub async fn sign_in(base: &str, name: &str) -> User {
    let client = Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let resp = client
        .post(format!("{base}/api/login"))
        .json(&json!({"name": name, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "sign in as {name}");
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("aegis_session="))
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
        .expect("a session cookie");
    let me: wire::Me = resp.json().await.unwrap();
    User {
        client,
        csrf: me.csrf_token,
        cookie,
    }
}

/// Sends `body` as JSON to `method path` with the user's CSRF token: the status and the JSON
/// answer (`Null` when it is not JSON).
pub async fn call(
    base: &str,
    who: &User,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = who
        .client
        .request(method, format!("{base}{path}"))
        .header(wire::CSRF_HEADER, &who.csrf);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Sends raw bytes as a JSON body (what no serializer would write: invalid UTF-8, a raw NUL).
pub async fn call_raw(base: &str, who: &User, path: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let resp = who
        .client
        .post(format!("{base}{path}"))
        .header(wire::CSRF_HEADER, &who.csrf)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A websocket read in the background (a viewer that stops reading is dropped): every text frame
/// it got, in order.
pub struct Frames {
    got: Arc<Mutex<Vec<String>>>,
    reader: tokio::task::JoinHandle<()>,
}

impl Drop for Frames {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

impl Frames {
    async fn open(addr: &str, cookie: &str) -> Frames {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        use tokio_tungstenite::tungstenite::Message;
        let mut req = format!("ws://{addr}{}", wire::WS_PATH)
            .into_client_request()
            .unwrap();
        req.headers_mut().insert("cookie", cookie.parse().unwrap());
        let (ws, _): (Ws, _) = tokio_tungstenite::connect_async(req)
            .await
            .expect("websocket connects");
        let got: Arc<Mutex<Vec<String>>> = Arc::default();
        let sink = got.clone();
        let reader = tokio::spawn(async move {
            let mut ws = ws;
            while let Some(Ok(m)) = ws.next().await {
                if let Message::Text(t) = m {
                    sink.lock().unwrap().push(t.as_str().to_owned());
                }
            }
        });
        let frames = Frames { got, reader };
        // The first frame (the board) says the socket is served.
        frames
            .wait_for("the first frame", Duration::from_secs(10), |_| true)
            .await;
        frames
    }

    pub fn texts(&self) -> Vec<String> {
        self.got.lock().unwrap().clone()
    }

    /// Every frame parsed as JSON.
    pub fn values(&self) -> Vec<Value> {
        self.texts()
            .iter()
            .filter_map(|t| serde_json::from_str(t).ok())
            .collect()
    }

    /// Waits until a frame satisfies `pred`; every frame so far.
    pub async fn wait_for(
        &self,
        what: &str,
        limit: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let all = self.values();
            if all.iter().any(&pred) {
                return all;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no frame for {what} within {limit:?}; got {} frames: {:?}",
                all.len(),
                all.iter()
                    .map(|v| v["type"].as_str().unwrap_or("?").to_owned())
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Whether `frame` says request `req` reached a final state.
pub fn final_action_frame(frame: &Value, req: i64) -> bool {
    frame["type"] == "action"
        && frame["action"]["id"] == req
        && matches!(
            frame["action"]["state"].as_str(),
            Some("done" | "failed" | "expired" | "withdrawn")
        )
}

// ---------------------------------------------------------------------------------------------
// The sandbox's state, read from the host.

/// `.sandbox/ory/SERVICE/counts` as numbers.
pub fn counts(sb: &Sandbox, service: &str) -> BTreeMap<String, i64> {
    let path = sb.dir.join("ory").join(service).join("counts");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().parse().unwrap_or(-1)))
        .collect()
}

pub fn count(sb: &Sandbox, service: &str, key: &str) -> i64 {
    *counts(sb, service)
        .get(key)
        .unwrap_or_else(|| panic!("{service} counts have no {key}"))
}

/// The session ids Kratos logged as revoked, one per revocation.
pub fn revoked_log(sb: &Sandbox, service: &str) -> Vec<String> {
    let path = sb
        .dir
        .join("ory")
        .join(service)
        .join("revoked-sessions.log");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// Every session seeded is in the log exactly once, and none is active.
pub fn assert_revoked_exactly_once(sb: &Sandbox, service: &str) {
    let log = revoked_log(sb, service);
    let c = counts(sb, service);
    let unique: std::collections::BTreeSet<&String> = log.iter().collect();
    assert_eq!(
        unique.len(),
        log.len(),
        "a session was logged as revoked twice"
    );
    assert_eq!(
        log.len() as i64,
        c["sessions_seeded"],
        "every seeded session revoked once: {c:?}"
    );
    assert_eq!(c["sessions_active"], 0, "{c:?}");
}

/// A stand-in's admin origin (`http://127.0.0.1:42123`), from the sandbox's config.
pub fn admin_origin(sb: &Sandbox, service: &str) -> String {
    let s = sb.settings();
    let svc = s
        .services
        .iter()
        .find(|x| x.name == service)
        .unwrap_or_else(|| panic!("no service {service}"));
    let url = svc.admin_url.as_ref().expect("an admin_url").as_str();
    let after = url.find("://").unwrap() + 3;
    match url[after..].find('/') {
        Some(i) => url[..after + i].to_owned(),
        None => url.to_owned(),
    }
}

/// GET on an admin API from the test itself: status, headers and JSON body.
pub async fn admin_get(origin: &str, path: &str) -> (u16, reqwest::header::HeaderMap, Value) {
    let resp = reqwest::get(format!("{origin}{path}"))
        .await
        .unwrap_or_else(|e| panic!("GET {origin}{path}: {e}"));
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.json().await.unwrap_or(Value::Null))
}

/// `podman inspect`'s `{{.State.Status}} {{.State.StartedAt}}` for a container.
pub fn started_at(container: &str) -> String {
    let out = Command::new("podman")
        .args([
            "inspect",
            "--format",
            "{{.State.Status}} {{.State.StartedAt}}",
            container,
        ])
        .output()
        .expect("podman inspect");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// `podman exec CONTAINER printenv NAME`: the value, or `None` when it is not set.
pub fn printenv(container: &str, name: &str) -> Option<String> {
    let out = Command::new("podman")
        .args(["exec", container, "printenv", name])
        .output()
        .expect("podman exec");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The status the ciam edge answers a request from `source` (127.0.0.1, 127.0.0.2).
pub fn edge_status(sb: &Sandbox, source: &str) -> u16 {
    let out = Command::new("curl")
        .args([
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "--max-time",
            "5",
        ])
        .args(["--interface", source])
        .args(["--resolve", "ciam.olympus.test:42443:127.0.0.1", "--cacert"])
        .arg(sb.dir.join("caddy-root.crt"))
        .arg("https://ciam.olympus.test:42443/healthz")
        .output()
        .expect("curl");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

/// Runs `script` on the sandbox host over its SSH login, as the gateway's user.
pub fn over_ssh(sb: &Sandbox, script: &str) -> std::process::Output {
    let s = sb.settings();
    Command::new("ssh")
        .args(["-F", "/dev/null", "-o", "BatchMode=yes"])
        .args(["-o", "StrictHostKeyChecking=yes"])
        .arg("-o")
        .arg(format!(
            "UserKnownHostsFile={}",
            s.ssh.known_hosts.as_ref().expect("known_hosts").display()
        ))
        .arg("-i")
        .arg(s.ssh.identity.as_ref().expect("identity"))
        .arg("-p")
        .arg(s.ssh.port.to_string())
        .arg(format!("{}@{}", s.ssh.user, s.ssh.host))
        .arg(script)
        .output()
        .expect("ssh")
}

/// The gateway's data directory (its SQLite file).
pub fn data_dir(c: &Console) -> PathBuf {
    c.gw.state.settings.data_dir.clone()
}
