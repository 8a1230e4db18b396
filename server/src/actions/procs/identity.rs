//! One identity: lock it (state `inactive`, its Kratos sessions and its Hydra consent and login
//! sessions revoked), unlock it, or "force a password change" the way real Kratos allows (there is
//! no `needs_password_reset` state): revoke its sessions and create an admin recovery code, shown
//! once to the responder, who delivers it to the identity's known-good address.

use std::collections::BTreeMap;

use serde::Deserialize;
use wire::PlannedCommand;

use super::super::kinds::Kind;
use super::super::ops::{count, origin, Failed, Ops};
use super::super::target::{Target, Who};
use super::restart::once;
use super::{Done, Preflight};
use crate::probes::settings::ServiceSettings;
use crate::values::{HttpUrl, IdentityId};

/// How long a recovery code is valid.
const RECOVERY_EXPIRES_IN: &str = "1h";

#[derive(Deserialize)]
struct Identity {
    id: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    traits: serde_json::Value,
}

#[derive(Deserialize)]
struct Recovery {
    recovery_link: String,
    recovery_code: String,
    #[serde(default)]
    expires_at: String,
}

fn admin(s: &ServiceSettings) -> Result<String, Failed> {
    s.admin_url
        .as_ref()
        .map(origin)
        .ok_or_else(|| Failed(format!("[[service]] `{}` has no admin_url", s.name)))
}

fn parts(t: &Target) -> Result<(&ServiceSettings, Option<&ServiceSettings>, &Who), Failed> {
    match t {
        Target::Identity {
            kratos, hydra, who, ..
        } => Ok((kratos, hydra.as_ref(), who)),
        _ => Err(Failed("not an identity".into())),
    }
}

fn state_patch(state: &str) -> String {
    format!(r#"[{{"op":"replace","path":"/state","value":"{state}"}}]"#)
}

/// The requests each kind sends, for the plan; `{id}` where the identity's id goes.
pub fn commands(ops: &Ops<'_>, kind: Kind, t: &Target) -> Result<Vec<PlannedCommand>, Failed> {
    let (kratos, hydra, who) = parts(t)?;
    let k = admin(kratos)?;
    let id = match who {
        Who::Id(id) => id.as_str().to_owned(),
        Who::Email(_) => "{identity_id}".to_owned(),
    };
    let url =
        |u: String| HttpUrl::parse(&u.replace('{', "%7B").replace('}', "%7D")).map_err(Failed);
    let mut out = vec![once(ops.api_command(
        "GET",
        &url(format!("{k}/admin/identities/{id}"))?,
        None,
    ))];
    let sessions = url(format!("{k}/admin/identities/{id}/sessions"))?;
    match kind {
        Kind::LockIdentity => {
            out.push(once(ops.api_command(
                "PATCH",
                &url(format!("{k}/admin/identities/{id}"))?,
                Some(&state_patch("inactive")),
            )));
            out.push(once(ops.api_command("DELETE", &sessions, None)));
            if let Some(h) = hydra {
                let h = admin(h)?;
                out.push(once(ops.api_command(
                    "DELETE",
                    &url(format!(
                        "{h}/admin/oauth2/auth/sessions/consent?subject={id}&all=true"
                    ))?,
                    None,
                )));
                out.push(once(ops.api_command(
                    "DELETE",
                    &url(format!("{h}/admin/oauth2/auth/sessions/login?subject={id}"))?,
                    None,
                )));
            }
        }
        Kind::UnlockIdentity => out.push(once(ops.api_command(
            "PATCH",
            &url(format!("{k}/admin/identities/{id}"))?,
            Some(&state_patch("active")),
        ))),
        _ => {
            out.push(once(ops.api_command("DELETE", &sessions, None)));
            out.push(once(ops.api_command(
                "POST",
                &url(format!("{k}/admin/recovery/code"))?,
                Some("{\"identity_id\":\"…\",\"expires_in\":\"1h\"}"),
            )));
        }
    }
    // The plan shows the argv; bodies travel on stdin and are shown in the argv's place.
    Ok(out)
}

async fn find(ops: &Ops<'_>, kratos: &ServiceSettings, who: &Who) -> Result<Identity, Failed> {
    let k = admin(kratos)?;
    match who {
        Who::Id(id) => {
            let a = ops
                .api(
                    "GET",
                    &format!("{k}/admin/identities/{}", id.as_str()),
                    None,
                )
                .await?;
            match a.status {
                200 => serde_json::from_str(&a.body)
                    .map_err(|e| Failed(format!("unreadable identity: {e}"))),
                404 => Err(Failed(format!(
                    "{} has no identity {}",
                    kratos.name,
                    id.as_str()
                ))),
                s => Err(Failed(format!("GET identity answered {s}"))),
            }
        }
        Who::Email(e) => {
            let a = ops
                .api_ok(
                    "GET",
                    &format!(
                        "{k}/admin/identities?credentials_identifier={}",
                        e.query_value()
                    ),
                    None,
                    &[200],
                )
                .await?;
            let found: Vec<Identity> = serde_json::from_str(&a.body)
                .map_err(|e| Failed(format!("unreadable identity list: {e}")))?;
            match found.len() {
                1 => Ok(found.into_iter().next().unwrap_or_else(|| unreachable!())),
                0 => Err(Failed(format!(
                    "{} has no identity that signs in as {}",
                    kratos.name,
                    e.as_str()
                ))),
                n => Err(Failed(format!(
                    "{n} identities sign in as {}: give the identity id",
                    e.as_str()
                ))),
            }
        }
    }
}

fn email_of(i: &Identity) -> String {
    i.traits
        .get("email")
        .and_then(|e| e.as_str())
        .unwrap_or("no email trait")
        .chars()
        .take(254)
        .collect()
}

async fn active_sessions(ops: &Ops<'_>, k: &str, id: &str) -> Result<usize, Failed> {
    let a = ops
        .api(
            "GET",
            &format!("{k}/admin/identities/{id}/sessions?active=true"),
            None,
        )
        .await?;
    match a.status {
        200 => Ok(serde_json::from_str::<Vec<serde_json::Value>>(&a.body)
            .map(|v| v.len())
            .unwrap_or(0)),
        404 => Ok(0),
        s => Err(Failed(format!("listing its sessions answered {s}"))),
    }
}

pub async fn preflight(ops: &Ops<'_>, kind: Kind, t: &Target) -> Result<Preflight, Failed> {
    let (kratos, hydra, who) = parts(t)?;
    let found = find(ops, kratos, who).await?;
    let id = IdentityId::parse(&found.id).map_err(|e| Failed(e.0))?;
    let k = admin(kratos)?;
    let sessions = active_sessions(ops, &k, id.as_str()).await?;
    let who_words = format!(
        "identity {} ({}, state {})",
        id.as_str(),
        email_of(&found),
        found.state
    );
    let blast = match kind {
        Kind::LockIdentity => format!(
            "locks {who_words}: it cannot sign in; revokes its {} active Kratos sessions{}",
            count(sessions),
            if hydra.is_some() {
                " and its Hydra consent and login sessions (its apps' tokens)"
            } else {
                ""
            }
        ),
        Kind::UnlockIdentity => format!("sets {who_words} back to active: it can sign in again"),
        _ => format!(
            "revokes the {} active sessions of {who_words} and creates a recovery code valid for 1 hour, shown once to you: deliver it to the identity's known-good address (Kratos does not send it)",
            count(sessions)
        ),
    };
    let mut resolved = BTreeMap::new();
    resolved.insert("identity_id".to_owned(), id.as_str().to_owned());
    Ok(Preflight {
        blast_radius: blast,
        resolved,
    })
}

pub async fn run(
    ops: &Ops<'_>,
    kind: Kind,
    t: &Target,
    resolved: &BTreeMap<String, String>,
) -> Result<Done, Failed> {
    let (kratos, hydra, _) = parts(t)?;
    let id = IdentityId::parse(resolved.get("identity_id").map_or("", String::as_str))
        .map_err(|e| Failed(e.0))?;
    let id = id.as_str();
    let k = admin(kratos)?;
    let revoke_sessions = || async {
        let before = active_sessions(ops, &k, id).await?;
        ops.api_ok(
            "DELETE",
            &format!("{k}/admin/identities/{id}/sessions"),
            None,
            &[204, 404],
        )
        .await?;
        ops.say(format!("revoked {} Kratos sessions of {id}", count(before)));
        Ok::<usize, Failed>(before)
    };
    match kind {
        Kind::LockIdentity | Kind::UnlockIdentity => {
            let state = if kind == Kind::LockIdentity {
                "inactive"
            } else {
                "active"
            };
            let a = ops
                .api_ok(
                    "PATCH",
                    &format!("{k}/admin/identities/{id}"),
                    Some(&state_patch(state)),
                    &[200],
                )
                .await?;
            let now: Identity = serde_json::from_str(&a.body)
                .map_err(|e| Failed(format!("unreadable identity: {e}")))?;
            if now.state != state {
                return Err(Failed(format!(
                    "Kratos answered, but the identity's state is {}",
                    now.state
                )));
            }
            ops.say(format!("{id} is {state}"));
            if kind == Kind::UnlockIdentity {
                return Ok(Done::summary(format!(
                    "Unlocked identity {id}: it can sign in again"
                )));
            }
            let revoked = revoke_sessions().await?;
            let mut summary = format!(
                "Locked identity {id}: state inactive, {} Kratos sessions revoked",
                count(revoked)
            );
            if let Some(h) = hydra {
                let h = admin(h)?;
                ops.api_ok(
                    "DELETE",
                    &format!("{h}/admin/oauth2/auth/sessions/consent?subject={id}&all=true"),
                    None,
                    &[204, 404],
                )
                .await?;
                ops.api_ok(
                    "DELETE",
                    &format!("{h}/admin/oauth2/auth/sessions/login?subject={id}"),
                    None,
                    &[204, 404],
                )
                .await?;
                ops.say("Hydra consent and login sessions revoked");
                summary.push_str(", Hydra consent and login sessions revoked");
            }
            Ok(Done::summary(summary))
        }
        _ => {
            let revoked = revoke_sessions().await?;
            let body = serde_json::json!({"identity_id": id, "expires_in": RECOVERY_EXPIRES_IN})
                .to_string();
            let a = ops
                .api_ok(
                    "POST",
                    &format!("{k}/admin/recovery/code"),
                    Some(&body),
                    &[200, 201],
                )
                .await?;
            let r: Recovery = serde_json::from_str(&a.body)
                .map_err(|e| Failed(format!("unreadable recovery code answer: {e}")))?;
            ops.secret(&r.recovery_code);
            ops.secret(&r.recovery_link);
            ops.say("recovery code created (shown to the requester only)");
            Ok(Done {
                summary: format!(
                    "Revoked {} sessions of identity {id} and created a recovery code (expires {}); it was shown once to the requester, who delivers it to the identity's known-good address",
                    count(revoked),
                    r.expires_at
                ),
                shown_once: Some(format!(
                    "Recovery code {} (or link {}), valid until {}. Kratos does not send it: deliver it to the identity's known-good address.",
                    r.recovery_code, r.recovery_link, r.expires_at
                )),
            })
        }
    }
}
