//! Sign-in, sign-out, "who am I", and opening a share link.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use tower_sessions::Session;
use wire::{LoginRequest, Me};

use crate::auth::client_ip::client_ip;
use crate::auth::{
    new_csrf_token, AuthSession, LoginCredentials, Principal, CSRF_KEY, LOGIN_AT_KEY,
};
use crate::error::AppError;
use crate::http::extract::ApiJson;
use crate::state::AppState;

/// A login form posted from another site fails here: browsers send `Origin` on POST, and only the
/// console's own origin (or none, for scripts) is accepted. The JSON body already keeps plain HTML
/// forms out (they cannot send `application/json`).
fn same_origin(state: &AppState, headers: &HeaderMap) -> Result<(), AppError> {
    if crate::auth::access::from_own_origin(&state.settings.allowed_origins(), headers) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "sign in from the console's own page".into(),
        ))
    }
}

async fn start_session(
    auth: &mut AuthSession,
    session: &Session,
    user: &Principal,
    state: &AppState,
) -> Result<Me, AppError> {
    // axum-login cycles the session id on login: a session id fixed before sign-in is worthless.
    auth.login(user)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("starting a session: {e}")))?;
    let csrf = new_csrf_token()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no randomness for a CSRF token")))?;
    session
        .insert(CSRF_KEY, &csrf)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    session
        .insert(LOGIN_AT_KEY, state.hub.now_ms())
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(Me {
        name: user.name.clone(),
        role: user.role,
        csrf_token: csrf,
        share: user.share,
        follow_ups: follow_ups(state, user).await?,
    })
}

/// Whether anything after an incident waits for this account: an open action item it owns, or a
/// retrospective still due (responders and commanders; never a share link).
async fn follow_ups(state: &AppState, user: &Principal) -> Result<bool, AppError> {
    if user.share || !user.role.at_least(wire::Role::Responder) {
        return Ok(false);
    }
    Ok(state.store.open_items_owned(&user.name).await? > 0
        || !state.store.due_retrospectives().await?.is_empty())
}

/// The client a request comes from (behind a trusted proxy, the address it forwarded).
fn client(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> std::net::IpAddr {
    client_ip(peer.ip(), headers, &state.settings.auth.trusted_proxies)
}

fn limited(client: std::net::IpAddr, wait: std::time::Duration) -> AppError {
    tracing::warn!(%client, "sign-in rate limit reached");
    AppError::RateLimited(wait.as_secs().max(1))
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut auth: AuthSession,
    session: Session,
    headers: HeaderMap,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<Me>, AppError> {
    same_origin(&state, &headers)?;
    let client = client(&state, peer, &headers);
    // Normalised and bounded before anything keeps it: a name that cannot be an account charges
    // only the address's budget and is refused without a lookup.
    let name = wire::normalise_user_name(&req.name);
    state
        .limiter
        .attempt(name.as_deref(), client)
        .map_err(|wait| limited(client, wait))?;
    let (Some(name), true) = (name, req.password.chars().count() <= wire::MAX_PASSWORD) else {
        tracing::info!(peer = %client, "login failed");
        return Err(AppError::LoginFailed);
    };
    let user = auth
        .authenticate(LoginCredentials::Password {
            name,
            password: req.password,
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("checking a login: {e}")))?;
    let Some(user) = user else {
        tracing::info!(peer = %client, "login failed");
        return Err(AppError::LoginFailed);
    };
    let me = start_session(&mut auth, &session, &user, &state).await?;
    tracing::info!(user = %user.name, role = user.role.as_str(), "signed in");
    Ok(Json(me))
}

pub async fn open_share(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut auth: AuthSession,
    session: Session,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Json<Me>, AppError> {
    same_origin(&state, &headers)?;
    // A right token always opens (one hash and one indexed read); only wrong ones are counted,
    // per address, so strangers guessing cannot lock out the people the link was given to.
    // Tokens are 43 characters: anything far longer is wrong without a lookup.
    let found = if token.len() <= 128 {
        auth.authenticate(LoginCredentials::ShareToken(token))
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("checking a share link: {e}")))?
    } else {
        None
    };
    let Some(user) = found else {
        let client = client(&state, peer, &headers);
        state
            .limiter
            .wrong_share_token(client)
            .map_err(|wait| limited(client, wait))?;
        return Err(AppError::Gone(
            "this link has expired or was revoked; ask the incident commander for a new one".into(),
        ));
    };
    // Reopening the link (a reload) in a browser that already holds its session keeps it.
    if let Some(current) = auth.user.as_ref().filter(|u| u.key == user.key) {
        return Ok(Json(me_of(&state, current, &session).await?));
    }
    let me = start_session(&mut auth, &session, &user, &state).await?;
    tracing::info!(link = %user.key, "share link opened");
    Ok(Json(me))
}

pub async fn logout(
    State(state): State<AppState>,
    mut auth: AuthSession,
) -> Result<StatusCode, AppError> {
    // axum-login deletes the session from the store: the old cookie is worthless from here on.
    auth.logout()
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("ending a session: {e}")))?;
    // That session's open websockets re-check and close.
    state.access.changed();
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in principal as the SPA sees it, with the session's CSRF token.
async fn me_of(state: &AppState, user: &Principal, session: &Session) -> Result<Me, AppError> {
    let csrf: String = session
        .get(CSRF_KEY)
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    Ok(Me {
        name: user.name.clone(),
        role: user.role,
        csrf_token: csrf,
        share: user.share,
        follow_ups: follow_ups(state, user).await?,
    })
}

pub async fn me(
    State(state): State<AppState>,
    axum::Extension(user): axum::Extension<Principal>,
    session: Session,
) -> Result<Json<Me>, AppError> {
    Ok(Json(me_of(&state, &user, &session).await?))
}
