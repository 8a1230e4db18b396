//! `aegis user ...`: accounts from the command line, for the first commander and for recovery.

use std::io::BufRead;

use clap::Subcommand;
use server::accounts::{AccountError, Accounts};
use server::config::Settings;
use server::store::Store;
use wire::{Role, UserPatch};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account. Prints a generated password unless --password-stdin is given.
    Add {
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts (never passwords).
    List,
    /// Change an account's role.
    SetRole {
        name: String,
        #[arg(value_parser = parse_role)]
        role: Role,
    },
    /// Disable an account; its sessions end at once.
    Disable { name: String },
    /// Set a new password (generated unless --password-stdin); existing sessions end.
    Passwd {
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s)
        .ok_or_else(|| format!("`{s}` is not a role: use commander, responder or stakeholder"))
}

/// One line at start-up when nobody can sign in yet.
pub async fn first_start_hint(settings: &Settings) {
    if let Ok(store) = Store::open(&settings.data_dir).await {
        if store.count_users().await.unwrap_or(1) == 0 {
            tracing::warn!(
                "no accounts yet: create the first commander with `aegis user add NAME --role commander --config FILE`"
            );
        }
    }
}

pub async fn run(settings: &Settings, action: UserCommand) -> i32 {
    let store = match Store::open(&settings.data_dir).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("aegis: {e}");
            return 1;
        }
    };
    // No console runs in this process: nothing is watching for access changes.
    let changes = server::auth::changes::AccessChanges::default();
    match act(&Accounts::new(store, changes), action).await {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("aegis: {e}");
            1
        }
    }
}

/// Every change goes through the accounts service, under the same rules as the console (the
/// last active commander cannot be demoted or disabled from here either).
async fn act(accounts: &Accounts, action: UserCommand) -> Result<(), AccountError> {
    match action {
        UserCommand::Add {
            name,
            role,
            password_stdin,
        } => {
            let (password, generated) = password(password_stdin)?;
            let user = accounts.create(&name, role, &password).await?;
            println!("created {} ({})", user.name, user.role.as_str());
            if generated {
                println!("password: {password}");
                println!(
                    "(shown once; change it with `aegis user passwd {}`)",
                    user.name
                );
            }
        }
        UserCommand::List => {
            let users = accounts.list().await?;
            if users.is_empty() {
                println!("no accounts yet: aegis user add NAME --role commander");
            }
            for u in users {
                println!(
                    "{:<24} {:<12} {}",
                    u.name,
                    u.role.as_str(),
                    if u.disabled { "disabled" } else { "active" }
                );
            }
        }
        UserCommand::SetRole { name, role } => {
            accounts
                .update(&name, &patch(Some(role), None, None))
                .await?;
            println!("{name} is now {}", role.as_str());
        }
        UserCommand::Disable { name } => {
            accounts
                .update(&name, &patch(None, Some(true), None))
                .await?;
            println!("{name} is disabled; their sessions have ended");
        }
        UserCommand::Passwd {
            name,
            password_stdin,
        } => {
            let (password, generated) = password(password_stdin)?;
            accounts
                .update(&name, &patch(None, None, Some(password.clone())))
                .await?;
            println!("password changed for {name}; their other sessions have ended");
            if generated {
                println!("password: {password}");
            }
        }
    }
    Ok(())
}

/// A password from stdin, or a generated one (20 characters from an unambiguous alphabet, ~114 bits).
fn patch(role: Option<Role>, disabled: Option<bool>, password: Option<String>) -> UserPatch {
    UserPatch {
        role,
        disabled,
        password,
    }
}

fn password(from_stdin: bool) -> Result<(String, bool), AccountError> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| {
            AccountError::Unavailable(format!("cannot read a password from stdin: {e}"))
        })?;
        return Ok((line.trim_end_matches(['\r', '\n']).to_string(), false));
    }
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    // Rejection sampling: only bytes below a multiple of the alphabet's size, so no letter is likelier.
    let limit = (256 / ALPHABET.len() * ALPHABET.len()) as u8;
    let mut pw = String::new();
    while pw.len() < 20 {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| {
            AccountError::Unavailable(format!("no randomness to generate a password: {e}"))
        })?;
        pw.extend(
            bytes
                .iter()
                .filter(|b| **b < limit)
                .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char),
        );
    }
    pw.truncate(20);
    Ok((pw, true))
}
