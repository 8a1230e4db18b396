//! Security headers on every response, and cache headers that let a phone keep hashed assets.

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The SPA needs its own scripts, its wasm (`'wasm-unsafe-eval'`), its websocket, and nothing else.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
frame-ancestors 'none'; form-action 'self'";

/// Whether the console is served over HTTPS (its `public_url`): then browsers are told to use
/// nothing else for a year, so a network that strips TLS cannot read a cookie or a token.
#[derive(Debug, Clone, Copy)]
pub struct Https(pub bool);

const HSTS: &str = "max-age=31536000";

pub async fn security_and_cache(State(https): State<Https>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let mut resp = next.run(req).await;
    let ok = resp.status().is_success();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if https.0 {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    let cache = if path.starts_with("/pkg/") && ok {
        // Content-hashed names: a new build has new names, so these never go stale.
        "public, max-age=31536000, immutable"
    } else if path.starts_with("/api/") || path == wire::WS_PATH {
        "no-store"
    } else {
        // index.html and the SPA routes: always revalidate, so a deploy is picked up at once.
        "no-cache"
    };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    resp
}
