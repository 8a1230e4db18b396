//! `aegis audit ...`: checking and exporting the audit log from the command line, with or without a
//! running gateway (SQLite's WAL lets both read at once).

use std::io::Write;

use clap::Subcommand;
use server::audit::chain::Verdict;
use server::audit::AuditLog;
use server::config::Settings;
use server::store::Store;
use wire::AuditHead;

use crate::incident_cli::parse_incident;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain; name the first altered, missing or moved entry (exit 1).
    Verify {
        /// The head posted to the incident channel at a resolution (`#412 3f2a…`, the whole
        /// hash): also proves that nothing after it was removed or rewritten.
        #[arg(long, value_parser = parse_head)]
        head: Option<AuditHead>,
    },
    /// Write the log as JSON lines (one entry per line, oldest first) to stdout or --output.
    Export {
        /// Only this incident's entries (INC-7 or 7).
        #[arg(long, value_parser = parse_incident)]
        incident: Option<i64>,
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
    },
}

fn parse_head(s: &str) -> Result<AuditHead, String> {
    let text = s.trim();
    let (seq, hash) = text
        .trim_start_matches('#')
        .split_once(char::is_whitespace)
        .ok_or("write the head as the channel shows it: `#SEQ HASH`")?;
    let seq = seq
        .parse::<i64>()
        .map_err(|_| format!("`{seq}` is not an entry number"))?;
    let hash = hash.trim().to_ascii_lowercase();
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("the hash is 64 hexadecimal characters".into());
    }
    Ok(AuditHead { seq, hash })
}

pub async fn run(settings: &Settings, command: AuditCommand) -> i32 {
    let store = match Store::open(&settings.data_dir).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("aegis: {e}");
            return 1;
        }
    };
    let log = AuditLog::new(store);
    match command {
        AuditCommand::Verify { head } => match log.verify(head.as_ref()).await {
            Ok(Verdict::Intact { entries, head }) => {
                match head {
                    Some((seq, hash)) => {
                        println!("audit chain intact: {entries} entries, head #{seq} {hash}")
                    }
                    None => println!("audit chain intact: the log is empty"),
                }
                0
            }
            Ok(Verdict::Broken { at, why }) => {
                println!("audit chain BROKEN at entry {at}: {why}");
                println!("entries before {at} are intact; keep this database file as evidence.");
                1
            }
            Err(e) => {
                eprintln!("aegis: {e}");
                2
            }
        },
        AuditCommand::Export { incident, output } => {
            let mut out: Box<dyn Write> = match &output {
                Some(path) => match crate::incident_cli::create_private(path) {
                    Ok(f) => Box::new(std::io::BufWriter::new(f)),
                    Err(e) => {
                        eprintln!("aegis: cannot write {}: {e}", path.display());
                        return 1;
                    }
                },
                None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            let written = log
                .export(incident, |entry| {
                    serde_json::to_writer(&mut out, entry)?;
                    out.write_all(b"\n")
                })
                .await;
            match written.and_then(|n| Ok((n, out.flush()?))) {
                Ok((n, ())) => {
                    eprintln!("aegis: exported {n} audit entries");
                    0
                }
                Err(e) => {
                    eprintln!("aegis: {e}");
                    1
                }
            }
        }
    }
}
