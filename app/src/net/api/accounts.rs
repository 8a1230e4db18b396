//! Sessions, accounts and share links: sign in and out, who this session is, the users and share
//! links pages' calls, and opening a share link.

use gloo_net::http::Request;
use wire::{
    CreatedShareLink, LoginRequest, Me, NewShareLink, NewUser, ShareLinkInfo, UserInfo, UserPatch,
    LOGIN_PATH, LOGOUT_PATH, ME_PATH, SHARE_LINKS_PATH, SHARE_OPEN_PATH, USERS_PATH,
};

use super::{get, guarded, into_json, json, send, ApiFailure};
use crate::model::access::encode_component;

/// `GET /api/me`: who this browser's session belongs to (401 when there is none).
pub async fn me() -> Result<Me, ApiFailure> {
    let response = send(get(ME_PATH)).await?;
    into_json(response, "session").await
}

/// `POST /api/login`. No CSRF header: there is no session yet.
pub async fn login(request: &LoginRequest) -> Result<Me, ApiFailure> {
    let response = send(json(Request::post(LOGIN_PATH), request)).await?;
    into_json(response, "sign-in").await
}

/// `POST /api/logout` (204).
pub async fn logout(csrf: &str) -> Result<(), ApiFailure> {
    send(guarded(Request::post(LOGOUT_PATH), csrf).build())
        .await
        .map(drop)
}

/// `GET /api/users` (commander).
pub async fn users() -> Result<Vec<UserInfo>, ApiFailure> {
    let response = send(get(USERS_PATH)).await?;
    into_json(response, "users").await
}

/// `POST /api/users` (commander): 201 with the new account.
pub async fn add_user(csrf: &str, user: &NewUser) -> Result<UserInfo, ApiFailure> {
    let response = send(json(guarded(Request::post(USERS_PATH), csrf), user)).await?;
    into_json(response, "new user").await
}

/// `PATCH /api/users/{name}` (commander): the account as it is now.
pub async fn patch_user(csrf: &str, name: &str, patch: &UserPatch) -> Result<UserInfo, ApiFailure> {
    let url = format!("{USERS_PATH}/{}", encode_component(name));
    let response = send(json(guarded(Request::patch(&url), csrf), patch)).await?;
    into_json(response, "user").await
}

/// `GET /api/share-links` (commander).
pub async fn share_links() -> Result<Vec<ShareLinkInfo>, ApiFailure> {
    let response = send(get(SHARE_LINKS_PATH)).await?;
    into_json(response, "share links").await
}

/// `POST /api/share-links` (commander): 201 with the only copy of the link's path.
pub async fn create_share_link(
    csrf: &str,
    link: &NewShareLink,
) -> Result<CreatedShareLink, ApiFailure> {
    let response = send(json(guarded(Request::post(SHARE_LINKS_PATH), csrf), link)).await?;
    into_json(response, "share link").await
}

/// `DELETE /api/share-links/{id}` (commander, 204): revoke.
pub async fn revoke_share_link(csrf: &str, id: i64) -> Result<(), ApiFailure> {
    let url = format!("{SHARE_LINKS_PATH}/{id}");
    send(guarded(Request::delete(&url), csrf).build())
        .await
        .map(drop)
}

/// `POST /api/share/{token}`: turns a share link into a read-only session. No CSRF header (there
/// is no session yet) and no body. 410 when the link expired or was revoked.
pub async fn open_share(token: &str) -> Result<Me, ApiFailure> {
    let url = format!("{SHARE_OPEN_PATH}/{}", encode_component(token));
    let response = send(
        Request::post(&url)
            .header("Accept", "application/json")
            .build(),
    )
    .await?;
    into_json(response, "share link").await
}
