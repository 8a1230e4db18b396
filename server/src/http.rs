//! The route table, in one place, and the layers around it.

mod handlers;
mod headers;
mod site;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub use handlers::ws::serve_socket;

/// Every route the gateway answers. The SPA's own routes fall through to `index.html`.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route(wire::HEALTH_PATH, get(handlers::health::get_health))
        .route(wire::SWEEP_PATH, post(handlers::health::post_sweep))
        .route("/api/ping", get(handlers::health::ping))
        .route(
            "/api/{*rest}",
            axum::routing::any(handlers::health::no_such_api),
        );
    Router::new()
        .merge(api)
        .route(wire::WS_PATH, get(handlers::ws::upgrade))
        .fallback_service(site::service(&state.settings.site_dir))
        .layer(axum::middleware::from_fn(headers::security_and_cache))
        .with_state(state)
}
