//! The built SPA: precompressed files from the site directory, SPA routes falling back to
//! `index.html`, and a clear page when the bundle has not been built.

use std::convert::Infallible;
use std::path::Path;

use axum::http::{Request, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::MethodRouter;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

pub fn service(site_dir: &Path) -> MethodRouter {
    let index = site_dir.join("index.html");
    let files = ServeDir::new(site_dir)
        .precompressed_br()
        .precompressed_gzip();
    // A path without a file extension is one of the SPA's routes; a missing file is a real 404, so
    // that a stale hashed asset is never answered (and cached) with the index page.
    let routes = files.clone().fallback(
        ServeFile::new(&index)
            .precompressed_br()
            .precompressed_gzip(),
    );
    let site_dir = site_dir.to_path_buf();
    axum::routing::get(move |req: Request<axum::body::Body>| {
        let (files, routes) = (files.clone(), routes.clone());
        let site_dir = site_dir.clone();
        async move {
            if !site_dir.join("index.html").is_file() {
                return Ok::<Response, Infallible>(not_built(&site_dir));
            }
            let last = req.uri().path().rsplit('/').next().unwrap_or("");
            let resp = if last.contains('.') {
                files.oneshot(req).await
            } else {
                routes.oneshot(req).await
            };
            Ok(match resp {
                Ok(r) => r.into_response(),
                Err(never) => match never {},
            })
        }
    })
}

fn not_built(site_dir: &Path) -> Response {
    let body = format!(
        "<!doctype html><meta charset=utf-8><title>Aegis: console not built</title>\
         <h1>The console's web bundle is missing</h1>\
         <p>No <code>index.html</code> in <code>{}</code>. Build it with <code>cargo xtask build-web</code>, \
         or set <code>site_dir</code> in the config. The API (<code>/api/health</code>) is running.</p>",
        html_escape(&site_dir.display().to_string())
    );
    (StatusCode::SERVICE_UNAVAILABLE, Html(body)).into_response()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
