//! Hydra's admin API over the sandbox's OAuth 2.0 state (v2.3.0's routes, status codes, JSON
//! shapes, pagination and error bodies, read from its source), on the admin listener:
//!
//! | request | answer |
//! |---|---|
//! | `GET /admin/clients` | offset pages (`page_size` default 250, at most 1000, `page_token`), `X-Total-Count` and `Link`; `client_name=`, `owner=` |
//! | `GET /admin/clients/{id}` | one client, or 404 |
//! | `GET /admin/oauth2/auth/sessions/consent?subject=S` | S's consent sessions, newest first (`[]` when none) |
//! | `DELETE /admin/oauth2/auth/sessions/consent?subject=S&all=true` (or `&client=C`) | revokes them with their access and refresh tokens: 204, also when there were none |
//! | `DELETE /admin/oauth2/auth/sessions/login?subject=S` | S's login sessions: 204 always |
//! | `DELETE /admin/oauth2/tokens?client_id=C` | every access token of client C: 204 always |
//!
//! Subjects are the same scope's Kratos identity ids (`seed.rs`); about 45% of them have one to
//! three consent sessions with the scope's interactive clients. Machine clients hold
//! client-credentials access tokens. Hydra's quirk of calling its pagination header with page and
//! size swapped on the consent list is kept.
//!
//! Files in the data directory for tests: `counts` (`clients=`, `subjects=`,
//! `subjects_with_consent=`, `consent_sessions=`, `access_tokens=`, `refresh_tokens=`,
//! `login_sessions=`) and `tokens-by-client` (one line per client: id, access and refresh tokens,
//! consent sessions, name). Hydra has no endpoint that lists tokens: these files are how a test
//! reads "access tokens left".

use crate::json::quote;
use crate::ory::{self, invalid_request};
use crate::paging::{self, OffsetStyle, Query};
use crate::playbook::Answer;
use crate::request::Request;
use crate::seed::{self, Micros, Rng};
use crate::store::{counts, DataDir, JOURNAL};
use std::collections::HashMap;
use std::path::Path;

pub const COUNTS: &str = "counts";
pub const TOKENS_BY_CLIENT: &str = "tokens-by-client";

/// One OAuth 2.0 client.
pub struct Client {
    pub id: String,
    pub name: &'static str,
    /// Authorization code (people) rather than client credentials (machines).
    pub interactive: bool,
    /// No secret (`token_endpoint_auth_method: none`).
    pub public: bool,
    pub created_at: Micros,
}

/// The scope's clients, the generator's first draws (so the PostgreSQL dump names the same).
pub fn seed_clients(rng: &mut Rng, scope: &str, epoch: Micros) -> Vec<Client> {
    client_specs(scope)
        .iter()
        .map(|&(name, interactive, public)| Client {
            id: rng.uuid(),
            name,
            interactive,
            public,
            created_at: epoch - 400 * seed::DAY + rng.below(30 * seed::DAY as u64) as i64,
        })
        .collect()
}

/// The generator Hydra's seed draws from.
pub fn rng(scope: &str) -> Rng {
    Rng::new(&format!("olympus-sandbox/{scope}/hydra"))
}

struct Consent {
    challenge: String,
    subject: usize,
    client: usize,
    requested_at: Micros,
    login_challenge: String,
    login_session_id: String,
    access_tokens: u32,
    refresh_tokens: u32,
    revoked: bool,
}

pub struct Hydra {
    scope: String,
    clients: Vec<Client>,
    client_index: HashMap<String, usize>,
    subjects: Vec<String>,
    subject_index: HashMap<String, usize>,
    consents: Vec<Consent>,
    by_subject: Vec<Vec<usize>>,
    login_sessions: Vec<u32>,
    /// Client-credentials access tokens per client (not tied to a consent).
    machine_tokens: Vec<u32>,
    data: Option<DataDir>,
}

/// The scope's clients: name, interactive (authorization code) or a machine (client
/// credentials), public (no secret).
fn client_specs(scope: &str) -> &'static [(&'static str, bool, bool)] {
    match scope {
        "ciam" => &[
            ("Hera web", true, false),
            ("Hera iOS", true, true),
            ("Hera Android", true, true),
            ("Partner portal", true, false),
            ("Support desk", true, false),
            ("Newsletter sync", false, false),
            ("Analytics export", false, false),
            ("Status page", false, false),
        ],
        _ => &[
            ("Athena console", true, false),
            ("Grafana", true, false),
            ("Wiki", true, false),
            ("CI deploy bot", false, false),
            ("Backup agent", false, false),
        ],
    }
}

const SCOPES: [&str; 4] = ["openid", "offline_access", "profile", "email"];

impl Hydra {
    pub fn open(scope: &str, count: usize, data_dir: Option<&Path>, now: Micros) -> Hydra {
        let mut data = data_dir.and_then(|p| match DataDir::open(p) {
            Ok(d) => Some(d),
            Err(e) => {
                say!(
                    "standin: data dir {}: {e}: keeping state in memory only",
                    p.display()
                );
                None
            }
        });
        let seeded_at = match data.as_mut() {
            Some(d) => d.seed(&format!("{scope} hydra"), count, now).0,
            None => now,
        };
        let mut h = Hydra::seeded(scope, count, seeded_at);
        if let Some(d) = data.as_ref() {
            let lines = d.lines(JOURNAL);
            for line in &lines {
                if let Err(e) = h.replay(line) {
                    say!("standin: journal line {line:?} skipped: {e}");
                }
            }
            if !lines.is_empty() {
                say!(
                    "standin: hydra state read back from {}: {} changes replayed",
                    d.path().display(),
                    lines.len()
                );
            }
        }
        h.data = data;
        h.write_counts();
        h
    }

    fn seeded(scope: &str, count: usize, epoch: Micros) -> Hydra {
        let people = seed::population(scope, count, epoch);
        let mut rng = rng(scope);
        let clients = seed_clients(&mut rng, scope, epoch);
        let interactive: Vec<usize> = (0..clients.len())
            .filter(|&c| clients[c].interactive)
            .collect();
        let machine_tokens = clients
            .iter()
            .map(|c| {
                if c.interactive {
                    0
                } else {
                    3 + rng.below(20) as u32
                }
            })
            .collect();
        let mut h = Hydra {
            scope: scope.to_string(),
            client_index: clients
                .iter()
                .enumerate()
                .map(|(i, c)| (c.id.clone(), i))
                .collect(),
            clients,
            subjects: Vec::with_capacity(people.len()),
            subject_index: HashMap::with_capacity(people.len()),
            consents: Vec::new(),
            by_subject: Vec::with_capacity(people.len()),
            login_sessions: Vec::with_capacity(people.len()),
            machine_tokens,
            data: None,
        };
        for p in people {
            let s = h.subjects.len();
            h.subject_index.insert(p.id.clone(), s);
            h.subjects.push(p.id);
            let mut mine = Vec::new();
            let mut logins = 0;
            if rng.below(100) < 45 {
                let n = 1 + rng.below(3) as usize;
                let mut pool = interactive.clone();
                logins = 1 + rng.below(2) as u32;
                let login_session_id = rng.uuid().replace('-', "");
                for _ in 0..n.min(pool.len()) {
                    let client = pool.remove(rng.below(pool.len() as u64) as usize);
                    mine.push(h.consents.len());
                    h.consents.push(Consent {
                        challenge: rng.uuid().replace('-', ""),
                        subject: s,
                        client,
                        requested_at: epoch
                            - seed::SECOND
                            - rng.below(30 * seed::DAY as u64) as i64,
                        login_challenge: rng.uuid().replace('-', ""),
                        login_session_id: login_session_id.clone(),
                        access_tokens: 1 + rng.below(3) as u32,
                        refresh_tokens: 1,
                        revoked: false,
                    });
                }
            }
            mine.sort_by(|&a, &b| h.consents[b].requested_at.cmp(&h.consents[a].requested_at));
            h.by_subject.push(mine);
            h.login_sessions.push(logins);
        }
        h
    }

    // -----------------------------------------------------------------------------------------
    // changes

    fn replay(&mut self, line: &str) -> Result<(), String> {
        let parts: Vec<&str> = line.split(' ').collect();
        match parts.as_slice() {
            ["consent", subject, "all", _at] => {
                let s = *self.subject_index.get(*subject).ok_or("unknown subject")?;
                self.revoke_consent(s, None);
            }
            ["consent", subject, client, _at] => {
                let s = *self.subject_index.get(*subject).ok_or("unknown subject")?;
                let c = *self.client_index.get(*client).ok_or("unknown client")?;
                self.revoke_consent(s, Some(c));
            }
            ["login", subject, _at] => {
                let s = *self.subject_index.get(*subject).ok_or("unknown subject")?;
                self.login_sessions[s] = 0;
            }
            ["tokens", client, _at] => {
                let c = *self.client_index.get(*client).ok_or("unknown client")?;
                self.delete_access_tokens(c);
            }
            _ => return Err("unknown change".into()),
        }
        Ok(())
    }

    fn commit(&mut self, line: String) {
        if let Some(d) = self.data.as_mut() {
            d.append(JOURNAL, &[line], 0o644);
            d.mark_dirty();
        }
        self.write_counts();
    }

    /// Revokes the subject's consent sessions (with one client, or all): their access and
    /// refresh tokens go with them. Returns how many.
    fn revoke_consent(&mut self, subject: usize, client: Option<usize>) -> usize {
        let mut n = 0;
        for &c in &self.by_subject[subject] {
            let consent = &mut self.consents[c];
            if consent.revoked || client.is_some_and(|cl| cl != consent.client) {
                continue;
            }
            consent.revoked = true;
            consent.access_tokens = 0;
            consent.refresh_tokens = 0;
            n += 1;
        }
        n
    }

    /// Every access token of a client (refresh tokens stay).
    fn delete_access_tokens(&mut self, client: usize) -> u32 {
        let mut n = std::mem::take(&mut self.machine_tokens[client]);
        for c in self.consents.iter_mut().filter(|c| c.client == client) {
            n += std::mem::take(&mut c.access_tokens);
        }
        n
    }

    fn live(&self) -> impl Iterator<Item = &Consent> {
        self.consents.iter().filter(|c| !c.revoked)
    }

    fn counts_text(&self) -> String {
        let consent = self.live().count();
        let with = self
            .by_subject
            .iter()
            .filter(|cs| cs.iter().any(|&c| !self.consents[c].revoked))
            .count();
        let access: u32 = self.live().map(|c| c.access_tokens).sum::<u32>()
            + self.machine_tokens.iter().sum::<u32>();
        let refresh: u32 = self.live().map(|c| c.refresh_tokens).sum();
        counts(&[
            ("clients", self.clients.len().to_string()),
            ("subjects", self.subjects.len().to_string()),
            ("subjects_with_consent", with.to_string()),
            ("consent_sessions", consent.to_string()),
            ("access_tokens", access.to_string()),
            ("refresh_tokens", refresh.to_string()),
            (
                "login_sessions",
                self.login_sessions.iter().sum::<u32>().to_string(),
            ),
        ])
    }

    fn tokens_by_client_text(&self) -> String {
        let mut out = String::new();
        for (i, c) in self.clients.iter().enumerate() {
            let mine = || self.live().filter(move |s| s.client == i);
            let access = self.machine_tokens[i] + mine().map(|s| s.access_tokens).sum::<u32>();
            let refresh: u32 = mine().map(|s| s.refresh_tokens).sum();
            out.push_str(&format!(
                "{} access_tokens={access} refresh_tokens={refresh} consent_sessions={} name={}\n",
                c.id,
                mine().count(),
                c.name.replace(' ', "_")
            ));
        }
        out
    }

    fn write_counts(&self) {
        let Some(d) = &self.data else { return };
        d.write(COUNTS, &self.counts_text(), 0o644);
        d.write(TOKENS_BY_CLIENT, &self.tokens_by_client_text(), 0o644);
    }

    // -----------------------------------------------------------------------------------------
    // HTTP

    /// The answer to an admin request, `None` for paths this module does not serve.
    pub fn handle(&mut self, req: &Request, now: Micros) -> Option<Answer> {
        let q = paging::query(req.query.as_deref());
        let m = req.method.as_str();
        let rest = req.path.strip_prefix("/admin/")?;
        let segs: Vec<&str> = rest.split('/').collect();
        Some(match (m, segs.as_slice()) {
            ("GET", ["clients"]) => self.list_clients(&q),
            ("GET", ["clients", id]) => self.get_client(id),
            ("GET", ["oauth2", "auth", "sessions", "consent"]) => self.list_consent(&q),
            ("DELETE", ["oauth2", "auth", "sessions", "consent"]) => {
                self.revoke_consent_sessions(&q, now)
            }
            ("DELETE", ["oauth2", "auth", "sessions", "login"]) => self.revoke_login(&q, now),
            ("DELETE", ["oauth2", "tokens"]) => self.delete_tokens(&q, now),
            (_, ["clients"] | ["clients", _] | ["oauth2", "tokens"])
            | (_, ["oauth2", "auth", "sessions", _]) => {
                let mut a = Answer::json(
                    501,
                    format!(
                        r#"{{"error":"not_implemented","error_description":{}}}"#,
                        quote(&format!(
                            "{m} {} is not implemented by the Olympus sandbox stand-in",
                            req.path
                        ))
                    ),
                );
                a.headers.push(("Allow", "GET, DELETE".into()));
                a
            }
            _ => return None,
        })
    }

    fn list_clients(&self, q: &Query) -> Answer {
        let (page, per) = paging::token_pagination(q);
        let name = paging::first(q, "client_name").unwrap_or("");
        let owner = paging::first(q, "owner").unwrap_or("");
        let items: Vec<String> = self
            .clients
            .iter()
            .filter(|c| {
                (name.is_empty() || c.name == name) && (owner.is_empty() || owner == "olympus")
            })
            .skip((page * per) as usize)
            .take(per as usize)
            .map(|c| self.client_json(c))
            .collect();
        let mut a = Answer::json(200, format!("[{}]", items.join(",")));
        a.headers.extend(paging::offset_headers(
            "/admin/clients",
            q,
            self.clients.len() as i64,
            page,
            per,
            OffsetStyle::Token,
        ));
        a
    }

    fn get_client(&self, id: &str) -> Answer {
        match self.client_index.get(id) {
            Some(&c) => Answer::json(200, self.client_json(&self.clients[c])),
            None => Answer::json(
                404,
                r#"{"error":"Unable to locate the resource","error_description":""}"#.into(),
            ),
        }
    }

    fn list_consent(&self, q: &Query) -> Answer {
        let subject = paging::first(q, "subject").unwrap_or("");
        if subject.is_empty() {
            return invalid_request(
                "Query parameter 'subject' is not defined but should have been.",
            );
        }
        let login_session = paging::first(q, "login_session_id").unwrap_or("");
        let (page, per) = paging::token_pagination(q);
        let Some(&s) = self.subject_index.get(subject) else {
            return Answer::json(200, "[]".into());
        };
        let mine: Vec<&Consent> = self.by_subject[s]
            .iter()
            .map(|&c| &self.consents[c])
            .filter(|c| !c.revoked)
            .collect();
        let page_items: Vec<&&Consent> = mine
            .iter()
            .filter(|c| login_session.is_empty() || c.login_session_id == login_session)
            .skip((page * per) as usize)
            .take(per as usize)
            .collect();
        if page_items.is_empty() {
            return Answer::json(200, "[]".into());
        }
        let items: Vec<String> = page_items.iter().map(|c| self.consent_json(c)).collect();
        let mut a = Answer::json(200, format!("[{}]", items.join(",")));
        // As Hydra v2.3.0 calls it: (total, page = items per page, items per page = offset).
        a.headers.extend(paging::offset_headers(
            "/admin/oauth2/auth/sessions/consent",
            q,
            mine.len() as i64,
            per,
            per * page,
            OffsetStyle::Token,
        ));
        a
    }

    fn revoke_consent_sessions(&mut self, q: &Query, now: Micros) -> Answer {
        let subject = paging::first(q, "subject").unwrap_or("").to_string();
        let client = paging::first(q, "client").unwrap_or("").to_string();
        let all = paging::first(q, "all") == Some("true");
        if subject.is_empty() {
            return invalid_request(
                "Query parameter 'subject' is not defined but should have been.",
            );
        }
        if client.is_empty() && !all {
            return invalid_request(
                "Query parameter both 'client' and 'all' is not defined but one of them should have been.",
            );
        }
        if let Some(&s) = self.subject_index.get(&subject) {
            let target = if client.is_empty() {
                Some(None)
            } else {
                self.client_index.get(&client).map(|&c| Some(c))
            };
            if let Some(target) = target {
                if self.revoke_consent(s, target) > 0 {
                    let which = if client.is_empty() { "all" } else { &client };
                    self.commit(format!("consent {subject} {which} {now}"));
                }
            }
        }
        Answer::no_content()
    }

    fn revoke_login(&mut self, q: &Query, now: Micros) -> Answer {
        let subject = paging::first(q, "subject").unwrap_or("").to_string();
        let sid = paging::first(q, "sid").unwrap_or("");
        if subject.is_empty() && sid.is_empty() {
            return invalid_request(
                "Either 'subject' or 'sid' query parameters need to be defined.",
            );
        }
        if !sid.is_empty() {
            return Answer::json(
                501,
                r#"{"error":"not_implemented","error_description":"Revoking a login session by sid (headless logout) is not implemented by the Olympus sandbox stand-in: use subject."}"#.into(),
            );
        }
        if let Some(&s) = self.subject_index.get(&subject) {
            if self.login_sessions[s] > 0 {
                self.login_sessions[s] = 0;
                self.commit(format!("login {subject} {now}"));
            }
        }
        Answer::no_content()
    }

    fn delete_tokens(&mut self, q: &Query, now: Micros) -> Answer {
        let client = paging::first(q, "client_id").unwrap_or("").to_string();
        if client.is_empty() {
            return invalid_request(
                "Query parameter 'client_id' is not defined but it should have been.",
            );
        }
        if let Some(&c) = self.client_index.get(&client) {
            if self.delete_access_tokens(c) > 0 {
                self.commit(format!("tokens {client} {now}"));
            }
        }
        Answer::no_content()
    }

    // -----------------------------------------------------------------------------------------
    // JSON

    fn client_json(&self, c: &Client) -> String {
        let t = ory::time;
        let (grants, responses, scope) = if c.interactive {
            (
                r#"["authorization_code","refresh_token"]"#,
                r#"["code"]"#,
                "openid offline_access profile email",
            )
        } else {
            (r#"["client_credentials"]"#, r#"["token"]"#, "")
        };
        let redirect = if c.interactive {
            format!(
                "[{}]",
                quote(&format!(
                    "https://{}.olympus.test/oauth2/callback/{}",
                    self.scope,
                    c.name.to_lowercase().replace(' ', "-")
                ))
            )
        } else {
            "[]".into()
        };
        let auth = if c.public {
            "none"
        } else {
            "client_secret_basic"
        };
        format!(
            concat!(
                r#"{{"client_id":"{id}","client_name":{name},"redirect_uris":{redirect},"grant_types":{grants},"#,
                r#""response_types":{responses},"scope":"{scope}","audience":[],"owner":"olympus","policy_uri":"","#,
                r#""allowed_cors_origins":[],"tos_uri":"","client_uri":"","logo_uri":"","contacts":null,"#,
                r#""client_secret_expires_at":0,"subject_type":"public","jwks":{{}},"token_endpoint_auth_method":"{auth}","#,
                r#""userinfo_signed_response_alg":"none","created_at":"{created}","updated_at":"{created}","metadata":{{}},"#,
                r#""skip_consent":false,"skip_logout_consent":null}}"#
            ),
            id = c.id,
            name = quote(c.name),
            redirect = redirect,
            grants = grants,
            responses = responses,
            scope = scope,
            auth = auth,
            created = t(c.created_at),
        )
    }

    fn consent_json(&self, c: &Consent) -> String {
        let t = ory::time;
        let client = &self.clients[c.client];
        let scopes = format!(
            "[{}]",
            SCOPES
                .iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(",")
        );
        format!(
            concat!(
                r#"{{"grant_scope":{scopes},"grant_access_token_audience":[],"session":{{"access_token":{{}},"id_token":{{}}}},"#,
                r#""remember":true,"remember_for":0,"handled_at":"{handled}","context":{{}},"#,
                r#""consent_request":{{"challenge":"{challenge}","requested_scope":{scopes},"requested_access_token_audience":[],"#,
                r#""skip":false,"subject":"{subject}","oidc_context":{{}},"client":{client},"#,
                r#""request_url":{url},"login_challenge":"{login}","login_session_id":"{sid}","acr":"","amr":["pwd"]}}}}"#
            ),
            scopes = scopes,
            handled = t(c.requested_at + 4 * seed::SECOND),
            challenge = c.challenge,
            subject = self.subjects[c.subject],
            client = self.client_json(client),
            url = quote(&format!(
                "https://{}.olympus.test/oauth2/auth?client_id={}&response_type=code&scope=openid+offline_access+profile+email",
                self.scope, client.id
            )),
            login = c.login_challenge,
            sid = c.login_session_id,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{self, Value};
    use crate::listener::tests::temp_dir;

    const NOW: Micros = 1_796_205_600 * seed::SECOND;

    fn call(h: &mut Hydra, method: &str, target: &str) -> Answer {
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_string(), Some(q.to_string())),
            None => (target.to_string(), None),
        };
        let req = Request {
            method: method.into(),
            path,
            query,
            ..Request::default()
        };
        h.handle(&req, NOW).expect("routed")
    }

    fn header<'a>(a: &'a Answer, name: &str) -> Option<&'a str> {
        a.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    fn count(h: &Hydra, key: &str) -> u64 {
        h.counts_text()
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .and_then(|v| v.parse().ok())
            .expect("a count")
    }

    #[test]
    fn subjects_are_kratoss_identities() {
        let h = Hydra::open("ciam", 200, None, NOW);
        let people = seed::population("ciam", 200, 0);
        assert_eq!(h.subjects.len(), 200);
        for (s, p) in h.subjects.iter().zip(&people) {
            assert_eq!(s, &p.id);
        }
        let with = count(&h, "subjects_with_consent");
        assert!((50..=130).contains(&with), "about 45%: {with}");
        assert!(count(&h, "consent_sessions") >= with);
    }

    #[test]
    fn clients_paginate_with_total_and_link() {
        let mut h = Hydra::open("ciam", 10, None, NOW);
        let a = call(&mut h, "GET", "/admin/clients?page_size=3");
        let v = json::parse(a.body.as_bytes()).expect("json");
        let Value::Array(items) = v else {
            panic!("array")
        };
        assert_eq!(items.len(), 3);
        assert_eq!(header(&a, "X-Total-Count"), Some("8"));
        let link = header(&a, "Link").expect("link");
        assert!(
            link.contains("rel=\"next\"") && link.contains("rel=\"last\""),
            "{link}"
        );
        let next = format!(
            "/admin/clients?page_size=3&page_token={}",
            paging::offset_token(3)
        );
        let b = call(&mut h, "GET", &next);
        assert!(!b.body.contains(
            items[0]
                .get("client_id")
                .and_then(Value::as_str)
                .expect("id")
        ));
        let all = call(&mut h, "GET", "/admin/clients");
        assert_eq!(
            header(&all, "Link").map(|l| l.ends_with("rel=\"first\"")),
            Some(true)
        );
        assert!(all.body.contains(r#""client_name":"Hera web""#));
        let id = h.clients[0].id.clone();
        assert_eq!(
            call(&mut h, "GET", &format!("/admin/clients/{id}")).status,
            200
        );
        let missing = call(&mut h, "GET", "/admin/clients/nope");
        assert_eq!(missing.status, 404);
        assert_eq!(
            missing.body,
            r#"{"error":"Unable to locate the resource","error_description":""}"#
        );
    }

    #[test]
    fn consent_list_and_idempotent_revocation() {
        let dir = temp_dir("hydra");
        let mut h = Hydra::open("ciam", 50, Some(&dir), NOW);
        let s = (0..50)
            .find(|&s| h.by_subject[s].len() >= 2)
            .expect("a subject with two");
        let subject = h.subjects[s].clone();
        let n = h.by_subject[s].len();
        let list = call(
            &mut h,
            "GET",
            &format!("/admin/oauth2/auth/sessions/consent?subject={subject}"),
        );
        assert_eq!(list.status, 200);
        assert_eq!(list.body.matches(r#""consent_request""#).count(), n);
        assert!(list.body.contains(&format!(r#""subject":"{subject}""#)));
        assert_eq!(header(&list, "X-Total-Count"), Some(n.to_string().as_str()));
        let before_access = count(&h, "access_tokens");
        let before_consent = count(&h, "consent_sessions");
        let path = format!("/admin/oauth2/auth/sessions/consent?subject={subject}&all=true");
        assert_eq!(call(&mut h, "DELETE", &path).status, 204);
        assert_eq!(
            call(&mut h, "DELETE", &path).status,
            204,
            "again: still 204"
        );
        assert_eq!(count(&h, "consent_sessions"), before_consent - n as u64);
        assert!(count(&h, "access_tokens") < before_access);
        let empty = call(
            &mut h,
            "GET",
            &format!("/admin/oauth2/auth/sessions/consent?subject={subject}"),
        );
        assert_eq!((empty.body.as_str(), empty.headers.len()), ("[]", 0));
        assert_eq!(
            call(
                &mut h,
                "DELETE",
                "/admin/oauth2/auth/sessions/consent?subject=nobody&all=true"
            )
            .status,
            204
        );
        let bad = call(
            &mut h,
            "DELETE",
            "/admin/oauth2/auth/sessions/consent?subject=x",
        );
        assert_eq!(bad.status, 400);
        assert!(bad
            .body
            .contains("Query parameter both 'client' and 'all' is not defined"));
        let bad = call(&mut h, "GET", "/admin/oauth2/auth/sessions/consent");
        assert!(bad.body.starts_with(r#"{"error":"invalid_request","error_description":"The request is missing a required parameter"#));
        // Login sessions and a client's access tokens.
        assert_eq!(
            call(
                &mut h,
                "DELETE",
                &format!("/admin/oauth2/auth/sessions/login?subject={subject}")
            )
            .status,
            204
        );
        assert_eq!(
            call(&mut h, "DELETE", "/admin/oauth2/auth/sessions/login").status,
            400
        );
        for c in h.clients.iter().map(|c| c.id.clone()).collect::<Vec<_>>() {
            assert_eq!(
                call(
                    &mut h,
                    "DELETE",
                    &format!("/admin/oauth2/tokens?client_id={c}")
                )
                .status,
                204
            );
        }
        assert_eq!(count(&h, "access_tokens"), 0);
        assert!(
            count(&h, "refresh_tokens") > 0,
            "refresh tokens stay with their consent"
        );
        assert_eq!(call(&mut h, "DELETE", "/admin/oauth2/tokens").status, 400);
        // Persisted.
        let text = h.counts_text();
        drop(h);
        let again = Hydra::open("ciam", 50, Some(&dir), NOW);
        assert_eq!(again.counts_text(), text);
        assert_eq!(
            std::fs::read_to_string(dir.join(COUNTS)).expect("file"),
            text
        );
        let by_client = std::fs::read_to_string(dir.join(TOKENS_BY_CLIENT)).expect("file");
        assert_eq!(by_client.lines().count(), 8);
        assert!(by_client.lines().all(|l| l.contains(" access_tokens=0 ")));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
