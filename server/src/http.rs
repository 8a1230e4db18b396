//! The route table, in one place, and the layers around it.
//!
//! Every route is declared in [`ROUTES`] with its access rule; the router is built from that
//! table, and adding a route without a rule stops the gateway at start-up. The rule is enforced by
//! one middleware per route ([`crate::auth::access::enforce`]).

mod extract;
mod handlers;
mod headers;
mod site;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;

use crate::auth::access::{enforce, Access, Rule};
use crate::state::AppState;

pub use handlers::ws::{serve_socket, Socket, MAX_SOCKETS_PER_SESSION};

/// The largest request body any route takes. Every route takes small JSON (the longest field,
/// an incident's "what is broken", is 2,000 characters); axum's default of 2 MB would let anyone,
/// signed in or not, make the gateway buffer megabytes per request.
pub const MAX_JSON_BODY: usize = 64 * 1024;

/// The one longer body: a retrospective's five sections of up to [`wire::MAX_SECTION`] characters
/// each, at up to four bytes a character, JSON-escaped.
pub const MAX_RETRO_BODY: usize = 512 * 1024;

/// One API route and who may call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub rule: Rule,
    /// The largest body it takes.
    pub max_body: usize,
}

/// A route whose state changes need the session's CSRF token (every route but the two below).
const fn route(method: &'static str, path: &'static str, access: Access) -> RouteSpec {
    RouteSpec {
        method,
        path,
        rule: Rule { access, csrf: true },
        max_body: MAX_JSON_BODY,
    }
}

/// A route that takes a long text (a retrospective's sections).
const fn long_text(method: &'static str, path: &'static str, access: Access) -> RouteSpec {
    RouteSpec {
        max_body: MAX_RETRO_BODY,
        ..route(method, path, access)
    }
}

/// A route that creates a session (sign-in, opening a share link): there is no token to carry yet;
/// the `Origin` check and the rate limits guard it instead.
const fn sign_in(method: &'static str, path: &'static str, access: Access) -> RouteSpec {
    RouteSpec {
        method,
        path,
        rule: Rule {
            access,
            csrf: false,
        },
        max_body: MAX_JSON_BODY,
    }
}

/// Every route the gateway answers besides the SPA's files.
pub const ROUTES: &[RouteSpec] = &[
    route("GET", "/api/ping", Access::Public),
    sign_in("POST", wire::LOGIN_PATH, Access::Public),
    sign_in("POST", "/api/share/{token}", Access::Public),
    route("POST", wire::LOGOUT_PATH, Access::Viewer),
    route("GET", wire::ME_PATH, Access::Viewer),
    route("GET", wire::HEALTH_PATH, Access::Viewer),
    route("POST", wire::SWEEP_PATH, Access::Responder),
    route("GET", wire::PLAYBOOKS_PATH, Access::Responder),
    route("GET", wire::WS_PATH, Access::Viewer),
    route("GET", wire::USERS_PATH, Access::Commander),
    route("POST", wire::USERS_PATH, Access::Commander),
    route("PATCH", "/api/users/{name}", Access::Commander),
    route("GET", wire::SHARE_LINKS_PATH, Access::Commander),
    route("POST", wire::SHARE_LINKS_PATH, Access::Commander),
    route("DELETE", "/api/share-links/{id}", Access::Commander),
    // Incidents: everyone signed in reads (stakeholders get their projection); responders write.
    // Re-grading and resolving over a board that is not all up are the commander's: the lifecycle
    // checks those against the caller's role.
    route("GET", wire::INCIDENTS_PATH, Access::Viewer),
    route("POST", wire::INCIDENTS_PATH, Access::Responder),
    route("GET", "/api/incidents/{id}", Access::Viewer),
    route("POST", "/api/incidents/{id}/ack", Access::Responder),
    route("POST", "/api/incidents/{id}/updates", Access::Responder),
    route("POST", "/api/incidents/{id}/notes", Access::Responder),
    route("PUT", "/api/incidents/{id}/scope", Access::Responder),
    route("POST", "/api/incidents/{id}/severity", Access::Commander),
    route("POST", "/api/incidents/{id}/resolve", Access::Responder),
    route("GET", "/api/incidents/{id}/playbooks", Access::Responder),
    route("POST", "/api/incidents/{id}/playbooks", Access::Responder),
    route(
        "POST",
        "/api/incidents/{id}/playbooks/{run}/steps",
        Access::Responder,
    ),
    route(
        "POST",
        "/api/incidents/{id}/playbooks/{run}/steps/{step}/run",
        Access::Responder,
    ),
    route(
        "POST",
        "/api/incidents/{id}/deliveries/{delivery}/retry",
        Access::Responder,
    ),
    route("GET", wire::ACTIONS_PATH, Access::Responder),
    route("GET", "/api/incidents/{id}/actions", Access::Viewer),
    route(
        "POST",
        "/api/incidents/{id}/actions/plan",
        Access::Responder,
    ),
    route("POST", "/api/incidents/{id}/actions", Access::Responder),
    route(
        "POST",
        "/api/incidents/{id}/actions/{request}/approve",
        Access::Commander,
    ),
    route(
        "POST",
        "/api/incidents/{id}/actions/{request}/withdraw",
        Access::Responder,
    ),
    // The exact commands run on the host, for the incident commander's review.
    route("GET", wire::AUDIT_PATH, Access::Commander),
    // Retrospectives: stakeholders read finished ones (the service checks the state); responders
    // write; a commander reopens a finished one.
    route("GET", "/api/incidents/{id}/retrospective", Access::Viewer),
    long_text(
        "PUT",
        "/api/incidents/{id}/retrospective",
        Access::Responder,
    ),
    route(
        "GET",
        "/api/incidents/{id}/retrospective/versions/{version}",
        Access::Viewer,
    ),
    route(
        "POST",
        "/api/incidents/{id}/retrospective/finish",
        Access::Responder,
    ),
    route(
        "POST",
        "/api/incidents/{id}/retrospective/reopen",
        Access::Commander,
    ),
    route(
        "GET",
        "/api/incidents/{id}/retrospective.md",
        Access::Viewer,
    ),
    route(
        "POST",
        "/api/incidents/{id}/retrospective/items",
        Access::Responder,
    ),
    route(
        "GET",
        "/api/incidents/{id}/related-items",
        Access::Responder,
    ),
    route("GET", "/api/incidents/{id}/marks", Access::Responder),
    route(
        "PUT",
        "/api/incidents/{id}/timeline/{seq}/star",
        Access::Responder,
    ),
    route(
        "PUT",
        "/api/incidents/{id}/timeline/{seq}/mitigation",
        Access::Responder,
    ),
    // The whole incident as one JSON file (notes, audit digests): for the commander's archive.
    route("GET", "/api/incidents/{id}/bundle", Access::Commander),
    route("GET", wire::ACTION_ITEMS_PATH, Access::Responder),
    route("PUT", "/api/action-items/{item}", Access::Responder),
    route("POST", "/api/action-items/{item}/ticket", Access::Responder),
    route(
        "POST",
        "/api/action-items/{item}/ticket/state",
        Access::Responder,
    ),
];

struct Table {
    router: Router<AppState>,
    state: AppState,
}

impl Table {
    /// Adds `handler` at `method path` under the rule the table gives it.
    fn add<H, T>(mut self, method: &'static str, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let Some(spec) = ROUTES.iter().find(|s| s.method == method && s.path == path) else {
            panic!("route {method} {path} has no access rule in http::ROUTES");
        };
        let filter = match method {
            "GET" => MethodFilter::GET,
            "POST" => MethodFilter::POST,
            "PATCH" => MethodFilter::PATCH,
            "PUT" => MethodFilter::PUT,
            "DELETE" => MethodFilter::DELETE,
            other => panic!("method {other} is not used by the console"),
        };
        let mut guarded: MethodRouter<AppState> = on(filter, handler).route_layer(
            axum::middleware::from_fn_with_state((self.state.clone(), spec.rule), enforce),
        );
        // Inside the router-wide limit, so that it wins for this route.
        if spec.max_body != MAX_JSON_BODY {
            guarded = guarded.layer(DefaultBodyLimit::max(spec.max_body));
        }
        self.router = self.router.route(path, guarded);
        self
    }
}

/// Every route the gateway answers. The SPA's own routes fall through to `index.html`.
pub fn router(state: AppState, auth_layer: crate::auth::sessions::AuthLayer) -> Router {
    use handlers::{
        actions, audit, auth, health, incidents, playbooks, retro, share_links, users, ws,
    };
    let https = state
        .settings
        .public_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"));
    let table = Table {
        router: Router::new(),
        state: state.clone(),
    }
    .add("GET", "/api/ping", health::ping)
    .add("POST", wire::LOGIN_PATH, auth::login)
    .add("POST", "/api/share/{token}", auth::open_share)
    .add("POST", wire::LOGOUT_PATH, auth::logout)
    .add("GET", wire::ME_PATH, auth::me)
    .add("GET", wire::HEALTH_PATH, health::get_health)
    .add("POST", wire::SWEEP_PATH, health::post_sweep)
    .add("GET", wire::PLAYBOOKS_PATH, playbooks::catalog)
    .add("GET", wire::WS_PATH, ws::upgrade)
    .add("GET", wire::USERS_PATH, users::list)
    .add("POST", wire::USERS_PATH, users::create)
    .add("PATCH", "/api/users/{name}", users::update)
    .add("GET", wire::SHARE_LINKS_PATH, share_links::list)
    .add("POST", wire::SHARE_LINKS_PATH, share_links::create)
    .add("DELETE", "/api/share-links/{id}", share_links::revoke)
    .add("GET", wire::INCIDENTS_PATH, incidents::list)
    .add("POST", wire::INCIDENTS_PATH, incidents::declare)
    .add("GET", "/api/incidents/{id}", incidents::get)
    .add("POST", "/api/incidents/{id}/ack", incidents::acknowledge)
    .add(
        "POST",
        "/api/incidents/{id}/updates",
        incidents::post_update,
    )
    .add("POST", "/api/incidents/{id}/notes", incidents::note)
    .add("PUT", "/api/incidents/{id}/scope", incidents::set_scope)
    .add("POST", "/api/incidents/{id}/severity", incidents::regrade)
    .add("POST", "/api/incidents/{id}/resolve", incidents::resolve)
    .add("GET", "/api/incidents/{id}/playbooks", playbooks::runs)
    .add("POST", "/api/incidents/{id}/playbooks", playbooks::start)
    .add(
        "POST",
        "/api/incidents/{id}/playbooks/{run}/steps",
        playbooks::step,
    )
    .add(
        "POST",
        "/api/incidents/{id}/playbooks/{run}/steps/{step}/run",
        playbooks::run_probe,
    )
    .add(
        "POST",
        "/api/incidents/{id}/deliveries/{delivery}/retry",
        incidents::retry_delivery,
    )
    .add("GET", wire::AUDIT_PATH, audit::list)
    .add("GET", "/api/incidents/{id}/retrospective", retro::get)
    .add("PUT", "/api/incidents/{id}/retrospective", retro::save)
    .add(
        "GET",
        "/api/incidents/{id}/retrospective/versions/{version}",
        retro::version,
    )
    .add(
        "POST",
        "/api/incidents/{id}/retrospective/finish",
        retro::finish,
    )
    .add(
        "POST",
        "/api/incidents/{id}/retrospective/reopen",
        retro::reopen,
    )
    .add(
        "GET",
        "/api/incidents/{id}/retrospective.md",
        retro::markdown,
    )
    .add(
        "POST",
        "/api/incidents/{id}/retrospective/items",
        retro::add_item,
    )
    .add(
        "GET",
        "/api/incidents/{id}/related-items",
        retro::related_items,
    )
    .add("GET", "/api/incidents/{id}/marks", retro::marks)
    .add(
        "PUT",
        "/api/incidents/{id}/timeline/{seq}/star",
        retro::star,
    )
    .add(
        "PUT",
        "/api/incidents/{id}/timeline/{seq}/mitigation",
        retro::mitigation,
    )
    .add("GET", "/api/incidents/{id}/bundle", retro::bundle)
    .add("GET", wire::ACTION_ITEMS_PATH, retro::list_items)
    .add("PUT", "/api/action-items/{item}", retro::update_item)
    .add(
        "POST",
        "/api/action-items/{item}/ticket",
        retro::create_ticket,
    )
    .add(
        "POST",
        "/api/action-items/{item}/ticket/state",
        retro::ticket_state,
    )
    .add("GET", wire::ACTIONS_PATH, actions::catalog)
    .add("GET", "/api/incidents/{id}/actions", actions::list)
    .add("POST", "/api/incidents/{id}/actions/plan", actions::plan)
    .add("POST", "/api/incidents/{id}/actions", actions::request)
    .add(
        "POST",
        "/api/incidents/{id}/actions/{request}/approve",
        actions::approve,
    )
    .add(
        "POST",
        "/api/incidents/{id}/actions/{request}/withdraw",
        actions::withdraw,
    );
    table
        .router
        .route("/api/{*rest}", axum::routing::any(health::no_such_api))
        .fallback_service(site::service(&state.settings.site_dir))
        .layer(auth_layer)
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY))
        .layer(axum::middleware::from_fn_with_state(
            headers::Https(https),
            headers::security_and_cache,
        ))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::ROUTES;

    /// The SPA reaches every route through `wire`'s paths: a route whose path is not under one of
    /// them would be a path the two sides spell separately.
    #[test]
    fn every_route_lives_under_a_path_from_wire() {
        let bases = [
            wire::ME_PATH,
            wire::LOGIN_PATH,
            wire::LOGOUT_PATH,
            wire::USERS_PATH,
            wire::SHARE_LINKS_PATH,
            wire::SHARE_OPEN_PATH,
            wire::INCIDENTS_PATH,
            wire::HEALTH_PATH,
            wire::SWEEP_PATH,
            wire::WS_PATH,
            wire::PLAYBOOKS_PATH,
            wire::ACTIONS_PATH,
            wire::AUDIT_PATH,
            wire::ACTION_ITEMS_PATH,
        ];
        for r in ROUTES.iter().filter(|r| r.path != "/api/ping") {
            assert!(
                bases
                    .iter()
                    .any(|b| r.path == *b || r.path.starts_with(&format!("{b}/"))),
                "{} {} is not under a wire path",
                r.method,
                r.path
            );
        }
    }
}
