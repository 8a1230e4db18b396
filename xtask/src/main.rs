//! `cargo xtask <task>`: every project task in one place, so the README's two commands stay true.
//!
//! Tasks: `build-web` (the wasm SPA into `target/site`), `sandbox <up|down|reset|status|fault ...>`,
//! `demo` (sandbox + SPA + gateway), `test` (every test), `bench` (the benchmarks).

mod deps;
mod sandbox;
mod split;
mod tasks;
mod wasm_opt;
mod web;

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    std::env::set_current_dir(&root)?;
    match args.first().map(String::as_str) {
        Some("build-web") => web::build(&root, !args.iter().any(|a| a == "--debug")).map(|_| ()),
        Some("sandbox") => sandbox::run(&root, &args[1..]),
        Some("deps") => deps::ensure(&root, deps::Need::all()),
        Some("demo") => tasks::demo(&root),
        Some("test") => tasks::test(&root, &args[1..]),
        Some("bench") => tasks::bench(&root, &args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <build-web [--debug] | sandbox <up|down|reset|status|fault ...> | deps | demo | test | bench>"
            );
            std::process::exit(2);
        }
    }
}

/// The workspace root: xtask lives one level below it.
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
