//! Mass revocation, as real Ory allows it (neither `kratos sessions revoke --all` nor
//! `hydra revoke token --all` exists): page through the scope's Kratos identities and revoke each
//! one's sessions (Kratos), or each one's consent sessions as a Hydra subject and then each OAuth2
//! client's access tokens (Hydra). Each page is one `curl` with one URL per identity.
//!
//! Every request is idempotent (revoking what is already revoked changes nothing), and the cursor
//! (the next page, what is done) is stored after each page, so a run cut short by a stopped
//! gateway resumes at the page it was on and ends with everything revoked exactly once.

use serde::{Deserialize, Serialize};
use wire::PlannedCommand;

use super::super::kinds::Kind;
use super::super::ops::{count, next_page_token, origin, Failed, Ops};
use super::super::target::{scope_name, Target};
use super::Done;
use crate::probes::settings::ServiceSettings;
use crate::remote::RemoteCommand;
use crate::values::{HttpUrl, IdentityId};

/// Items per page (Kratos and Hydra allow up to 1000).
pub const PAGE: u32 = 250;

/// Where a run is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Cursor {
    /// `identities` (Kratos sessions, Hydra subjects), then `clients` (Hydra).
    phase: String,
    page_token: Option<String>,
    done: usize,
    total: usize,
    /// Kratos: active sessions when the run started.
    sessions_before: Option<usize>,
    clients_done: usize,
}

fn admin(s: &ServiceSettings) -> Result<String, Failed> {
    s.admin_url
        .as_ref()
        .map(origin)
        .ok_or_else(|| Failed(format!("[[service]] `{}` has no admin_url", s.name)))
}

fn parts(t: &Target) -> Result<(&ServiceSettings, Option<&ServiceSettings>, &'static str), Failed> {
    match t {
        Target::Scope {
            scope,
            kratos,
            hydra,
        } => Ok((kratos, hydra.as_ref(), scope_name(*scope))),
        _ => Err(Failed("not a scope".into())),
    }
}

fn url(s: String) -> Result<HttpUrl, Failed> {
    HttpUrl::parse(&s.replace('{', "%7B").replace('}', "%7D")).map_err(Failed)
}

fn page_url(base: &str, path: &str, token: Option<&str>) -> String {
    match token {
        Some(t) => format!("{base}{path}?page_size={PAGE}&page_token={t}"),
        None => format!("{base}{path}?page_size={PAGE}"),
    }
}

/// One DELETE per URL in one curl: each transfer's status on its own line.
fn delete_each(ops: &Ops<'_>, urls: &[HttpUrl]) -> RemoteCommand {
    let mut cmd = ops
        .command("curl")
        .arg("-sS")
        .arg("--max-time")
        .arg(ops.http_timeout.as_secs().max(1).to_string())
        .arg("--globoff")
        .arg("-X")
        .arg("DELETE")
        .arg("-w")
        .arg("%{http_code}\\n");
    for u in urls {
        cmd = cmd.arg("-o").arg("/dev/null").arg(u.as_str());
    }
    cmd
}

pub fn commands(ops: &Ops<'_>, kind: Kind, t: &Target) -> Result<Vec<PlannedCommand>, Failed> {
    let (kratos, hydra, _) = parts(t)?;
    let k = admin(kratos)?;
    let list = ops.api_command("GET", &url(page_url(&k, "/admin/identities", None))?, None);
    let mut out = vec![PlannedCommand {
        argv: list.wrapped_argv(),
        repeats: Some(format!(
            "for each page of {PAGE} identities (next page from the Link header)"
        )),
    }];
    match kind {
        Kind::RevokeSessions => out.push(PlannedCommand {
            argv: delete_each(
                ops,
                &[url(format!("{k}/admin/identities/{{id}}/sessions"))?],
            )
            .wrapped_argv(),
            repeats: Some(format!(
                "once per page, one URL per identity (up to {PAGE})"
            )),
        }),
        _ => {
            let h = admin(hydra.ok_or_else(|| Failed("no Hydra".into()))?)?;
            out.push(PlannedCommand {
                argv: delete_each(
                    ops,
                    &[url(format!(
                        "{h}/admin/oauth2/auth/sessions/consent?subject={{id}}&all=true"
                    ))?],
                )
                .wrapped_argv(),
                repeats: Some(format!("once per page, one URL per subject (up to {PAGE})")),
            });
            out.push(PlannedCommand {
                argv: ops
                    .api_command("GET", &url(page_url(&h, "/admin/clients", None))?, None)
                    .wrapped_argv(),
                repeats: Some("for each page of OAuth2 clients".into()),
            });
            out.push(PlannedCommand {
                argv: delete_each(
                    ops,
                    &[url(format!(
                        "{h}/admin/oauth2/tokens?client_id={{client}}"
                    ))?],
                )
                .wrapped_argv(),
                repeats: Some("once per page, one URL per client".into()),
            });
        }
    }
    Ok(out)
}

/// A page of ids from a list answer, and the next page's token.
fn ids(body: &str, field: &str) -> Result<Vec<String>, Failed> {
    let items: Vec<serde_json::Value> =
        serde_json::from_str(body).map_err(|e| Failed(format!("unreadable list: {e}")))?;
    Ok(items
        .iter()
        .filter_map(|i| i.get(field).and_then(|v| v.as_str()).map(str::to_owned))
        .collect())
}

/// Counts a list by paging through it.
async fn count_all(ops: &Ops<'_>, base: &str, path: &str, field: &str) -> Result<usize, Failed> {
    let mut token: Option<String> = None;
    let mut n = 0;
    loop {
        let a = ops
            .api_ok("GET", &page_url(base, path, token.as_deref()), None, &[200])
            .await?;
        n += ids(&a.body, field)?.len();
        match next_page_token(&a) {
            Some(t) if Some(&t) != token.as_ref() => token = Some(t),
            _ => return Ok(n),
        }
    }
}

/// Active Kratos sessions: `X-Total-Count` where Kratos sends it, else paged.
async fn active_sessions(ops: &Ops<'_>, k: &str) -> Result<usize, Failed> {
    let a = ops
        .api_ok(
            "GET",
            &format!("{k}/admin/sessions?active=true&page_size=1000"),
            None,
            &[200],
        )
        .await?;
    if let Some(total) = a.header("X-Total-Count").and_then(|t| t.parse().ok()) {
        return Ok(total);
    }
    let mut n = ids(&a.body, "id")?.len();
    let mut token = next_page_token(&a);
    while let Some(t) = token {
        let a = ops
            .api_ok(
                "GET",
                &format!("{k}/admin/sessions?active=true&page_size=1000&page_token={t}"),
                None,
                &[200],
            )
            .await?;
        n += ids(&a.body, "id")?.len();
        token = next_page_token(&a).filter(|next| next != &t);
    }
    Ok(n)
}

pub async fn preflight(ops: &Ops<'_>, kind: Kind, t: &Target) -> Result<String, Failed> {
    let (kratos, hydra, scope) = parts(t)?;
    let k = admin(kratos)?;
    let identities = count_all(ops, &k, "/admin/identities", "id").await?;
    match kind {
        Kind::RevokeSessions => {
            let sessions = active_sessions(ops, &k).await?;
            Ok(format!(
                "revokes {} active sessions of {} {scope} identities: every {scope} user is signed out and must sign in again",
                count(sessions),
                count(identities)
            ))
        }
        _ => {
            let h = admin(hydra.ok_or_else(|| Failed("no Hydra".into()))?)?;
            let clients = count_all(ops, &h, "/admin/clients", "client_id").await?;
            Ok(format!(
                "revokes the consent sessions (refresh and access tokens) of {} {scope} subjects and the access tokens of {} OAuth2 clients: every app must sign its users in again",
                count(identities),
                count(clients)
            ))
        }
    }
}

/// Sends one page of DELETEs; every answer must be 204 (or 404: nothing to revoke).
async fn delete_page(ops: &Ops<'_>, urls: &[HttpUrl]) -> Result<(), Failed> {
    if urls.is_empty() {
        return Ok(());
    }
    let out = ops.host.run(&delete_each(ops, urls)).await?;
    let codes: Vec<&str> = out.stdout.lines().map(str::trim).collect();
    if out.code != 0 || codes.len() != urls.len() {
        return Err(Failed(format!(
            "curl stopped after {} of {} requests (exit {}): {}",
            codes.len(),
            urls.len(),
            out.code,
            ops.mask(out.stderr_line())
        )));
    }
    if let Some((u, c)) = urls
        .iter()
        .zip(&codes)
        .find(|(_, c)| !matches!(**c, "204" | "404"))
    {
        return Err(Failed(format!("DELETE {u} answered {c}")));
    }
    Ok(())
}

/// A client id as it may appear in a query (percent-encoded; anything odd refused).
fn client_query(id: &str) -> Option<String> {
    (!id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:~".contains(&b)))
    .then(|| id.replace(':', "%3A"))
}

pub async fn run(
    ops: &Ops<'_>,
    kind: Kind,
    t: &Target,
    cursor: Option<String>,
) -> Result<Done, Failed> {
    let (kratos, hydra, scope) = parts(t)?;
    let k = admin(kratos)?;
    let h = hydra.map(admin).transpose()?;
    let mut c: Cursor = match cursor.as_deref().map(serde_json::from_str) {
        Some(Ok(c)) => {
            ops.say("resuming where the interrupted run stopped");
            c
        }
        _ => Cursor {
            phase: "identities".into(),
            total: count_all(ops, &k, "/admin/identities", "id").await?,
            sessions_before: match kind {
                Kind::RevokeSessions => Some(active_sessions(ops, &k).await?),
                _ => None,
            },
            ..Cursor::default()
        },
    };
    let save = |c: &Cursor, words: String| {
        let json = serde_json::to_string(c).unwrap_or_default();
        async move { ops.report.progress(words, Some(json)).await }
    };
    while c.phase == "identities" {
        let a = ops
            .api_ok(
                "GET",
                &page_url(&k, "/admin/identities", c.page_token.as_deref()),
                None,
                &[200],
            )
            .await?;
        let page = ids(&a.body, "id")?;
        let mut urls = Vec::with_capacity(page.len());
        for raw in &page {
            let id = IdentityId::parse(raw).map_err(|e| {
                Failed(format!(
                    "Kratos listed an identity id that is not a UUID: {e}"
                ))
            })?;
            urls.push(url(match (&kind, &h) {
                (Kind::RevokeSessions, _) => {
                    format!("{k}/admin/identities/{}/sessions", id.as_str())
                }
                (_, Some(h)) => format!(
                    "{h}/admin/oauth2/auth/sessions/consent?subject={}&all=true",
                    id.as_str()
                ),
                _ => return Err(Failed("no Hydra".into())),
            })?);
        }
        delete_page(ops, &urls).await?;
        c.done += page.len();
        c.total = c.total.max(c.done);
        let next = next_page_token(&a).filter(|n| Some(n) != c.page_token.as_ref());
        match next {
            Some(t) if !page.is_empty() => c.page_token = Some(t),
            _ => {
                c.page_token = None;
                c.phase = if kind == Kind::RevokeTokens {
                    "clients".into()
                } else {
                    "done".into()
                };
            }
        }
        let words = format!("{} of {} identities", count(c.done), count(c.total));
        ops.say(&words);
        save(&c, words).await;
    }
    if let (Kind::RevokeTokens, Some(h)) = (kind, &h) {
        while c.phase == "clients" {
            let a = ops
                .api_ok(
                    "GET",
                    &page_url(h, "/admin/clients", c.page_token.as_deref()),
                    None,
                    &[200],
                )
                .await?;
            let page = ids(&a.body, "client_id")?;
            let mut urls = Vec::new();
            for id in &page {
                let q = client_query(id).ok_or_else(|| {
                    Failed("Hydra listed a client id with unexpected characters".into())
                })?;
                urls.push(url(format!("{h}/admin/oauth2/tokens?client_id={q}"))?);
            }
            delete_page(ops, &urls).await?;
            c.clients_done += page.len();
            match next_page_token(&a).filter(|n| Some(n) != c.page_token.as_ref()) {
                Some(t) if !page.is_empty() => c.page_token = Some(t),
                _ => c.phase = "done".into(),
            }
            let words = format!(
                "{} identities done; {} clients' access tokens revoked",
                count(c.done),
                count(c.clients_done)
            );
            ops.say(&words);
            save(&c, words).await;
        }
    }
    Ok(Done::summary(match kind {
        Kind::RevokeSessions => {
            let left = active_sessions(ops, &k).await?;
            let before = c.sessions_before.unwrap_or(0);
            format!(
                "Revoked the sessions of {} {scope} identities: {} active sessions before, {} now{}",
                count(c.done),
                count(before),
                count(left),
                if left > 0 { " (signed in since the revocation started)" } else { "" }
            )
        }
        _ => format!(
            "Revoked the consent sessions of {} {scope} subjects and the access tokens of {} OAuth2 clients",
            count(c.done),
            count(c.clients_done)
        ),
    }))
}
