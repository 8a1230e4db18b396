//! `aegis user ...`: accounts from the command line, for the first commander and for recovery.

use std::io::BufRead;

use clap::Subcommand;
use server::config::Settings;
use server::store::users::UserError;
use server::store::Store;
use wire::Role;

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
    match act(&store, action).await {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("aegis: {e}");
            1
        }
    }
}

async fn act(store: &Store, action: UserCommand) -> Result<(), UserError> {
    match action {
        UserCommand::Add {
            name,
            role,
            password_stdin,
        } => {
            let (password, generated) = password(password_stdin)?;
            let user = store.add_user(&name, role, &password).await?;
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
            let users = store.list_users().await?;
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
            store.set_role(&name, role).await?;
            println!("{name} is now {}", role.as_str());
        }
        UserCommand::Disable { name } => {
            store.disable_user(&name).await?;
            println!("{name} is disabled; their sessions have ended");
        }
        UserCommand::Passwd {
            name,
            password_stdin,
        } => {
            let (password, generated) = password(password_stdin)?;
            store.set_password(&name, &password).await?;
            println!("password changed for {name}; their other sessions have ended");
            if generated {
                println!("password: {password}");
            }
        }
    }
    Ok(())
}

/// A password from stdin, or a generated one (20 characters from an unambiguous alphabet, ~114 bits).
fn password(from_stdin: bool) -> Result<(String, bool), UserError> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|_| UserError::WeakPassword)?;
        return Ok((line.trim_end_matches(['\r', '\n']).to_string(), false));
    }
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    // Rejection sampling: only bytes below a multiple of the alphabet's size, so no letter is likelier.
    let limit = (256 / ALPHABET.len() * ALPHABET.len()) as u8;
    let mut pw = String::new();
    while pw.len() < 20 {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|_| UserError::WeakPassword)?;
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
