//! `aegis`: the gateway binary.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use server::config::Settings;

mod audit_cli;
mod incident_cli;
mod user_cli;

#[derive(Parser)]
#[command(
    name = "aegis",
    version,
    about = "Aegis incident-response console gateway for Olympus"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the console: API, websocket and the built SPA.
    Serve {
        /// TOML config file (see config/olympus.example.toml). AEGIS_* variables override it.
        #[arg(long, short, env = "AEGIS_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Load the config, report what would be checked, and exit (non-zero on a config error).
    CheckConfig {
        #[arg(long, short, env = "AEGIS_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Manage the console's accounts (kept in the data directory's database).
    User {
        #[arg(long, short, env = "AEGIS_CONFIG", global = true)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        action: user_cli::UserCommand,
    },
    /// Check or export the audit log (kept in the data directory's database).
    Audit {
        #[arg(long, short, env = "AEGIS_CONFIG", global = true)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        action: audit_cli::AuditCommand,
    },
    /// Export an incident as one JSON bundle, or import one (docs/incident-bundle.md).
    Incident {
        #[arg(long, short, env = "AEGIS_CONFIG", global = true)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        action: incident_cli::IncidentCommand,
    },
}

#[tokio::main]
async fn main() {
    // Colour codes only on a terminal: in a file, a pipe or journald they are noise to grep.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stdout())
        && std::env::var_os("NO_COLOR").is_none();
    tracing_subscriber::fmt()
        .with_ansi(colour)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("AEGIS_LOG")
                .unwrap_or_else(|_| "info,server=info".into()),
        )
        .init();
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Serve { config } => serve(config).await,
        Command::CheckConfig { config } => check_config(config),
        Command::User { config, action } => match load(config) {
            Some(settings) => user_cli::run(&settings, action).await,
            None => 2,
        },
        Command::Audit { config, action } => match load(config) {
            Some(settings) => audit_cli::run(&settings, action).await,
            None => 2,
        },
        Command::Incident { config, action } => match load(config) {
            Some(settings) => incident_cli::run(&settings, action).await,
            None => 2,
        },
    };
    std::process::exit(code);
}

fn load(config: Option<PathBuf>) -> Option<Settings> {
    match Settings::load(config.as_deref()) {
        Ok(s) => Some(s),
        Err(e) => {
            eprintln!("aegis: config error: {e}");
            eprintln!("aegis: fix the value above and start again; config/olympus.example.toml documents every key.");
            None
        }
    }
}

fn check_config(config: Option<PathBuf>) -> i32 {
    let Some(settings) = load(config) else {
        return 2;
    };
    let catalog = match server::probes::Catalog::from_settings(&settings.catalog()) {
        Ok(catalog) => catalog,
        Err(e) => {
            eprintln!("aegis: config error: {e}");
            return 2;
        }
    };
    let (playbooks, unknown) = match server::playbook_catalog(&settings) {
        Ok(found) => found,
        Err(e) => {
            eprintln!("aegis: playbook error: {e}");
            eprintln!("aegis: config/playbooks/README.md describes the format.");
            return 2;
        }
    };
    println!(
        "config ok: {} checks against {}",
        catalog.checks.len(),
        settings.target_label()
    );
    for c in &catalog.checks {
        println!("  {:<28} {:?}", c.id, c.scope);
    }
    println!(
        "playbooks ok: {} from {}",
        playbooks.playbooks.len(),
        settings
            .playbooks
            .dir
            .as_ref()
            .map_or("the shipped catalog".to_owned(), |d| d
                .display()
                .to_string())
    );
    for p in &playbooks.playbooks {
        println!("  {:<28} {} steps  {}", p.id, p.steps.len(), p.title);
    }
    for step in &unknown {
        println!("  note: {step}: the step cannot run here and shows as an instruction");
    }
    0
}

async fn serve(config: Option<PathBuf>) -> i32 {
    let Some(settings) = load(config) else {
        return 2;
    };
    let listener = match tokio::net::TcpListener::bind(settings.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "aegis: cannot listen on {} ({e}); set `listen` or AEGIS_LISTEN to a free address",
                settings.listen
            );
            return 1;
        }
    };
    user_cli::first_start_hint(&settings).await;
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    tracing::info!(%addr, target = %settings.target_label(), "aegis console listening on http://{addr}/");
    let shutdown = async {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(t) => t,
                    Err(_) => {
                        let _ = ctrl_c.await;
                        return;
                    }
                };
            tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
    };
    match server::launch_with_tcp_listener(settings, listener, shutdown).await {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("aegis: {e:#}");
            1
        }
    }
}
