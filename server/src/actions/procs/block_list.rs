//! Caddy's block list: a file the Caddyfile imports inside each site block, holding one named
//! matcher of the blocked ranges and the answer they get. The gateway owns the file: it reads it,
//! adds or removes one range, writes it whole, reloads Caddy and reads the loaded config back from
//! Caddy's admin endpoint to check the change took effect.

use wire::PlannedCommand;

use super::super::ops::{Failed, Ops};
use super::super::settings::CaddySettings;
use super::restart::once;
use super::Done;
use crate::remote::RemoteCommand;
use crate::values::{Address, HttpUrl};

const HEADER: &str =
    "# Written by Aegis: source addresses refused at the edge. Edit it in the console.";
const MATCHER: &str = "@aegis_blocked remote_ip";
const ANSWER: &str = "error @aegis_blocked \"Blocked\" 403";
const WRITE: &str = "set -eu; umask 022; cat > \"$1.aegis-new\"; mv -f -- \"$1.aegis-new\" \"$1\"";

/// The ranges a block list file holds; a line Aegis did not write is refused, not dropped.
pub fn read(content: &str) -> Result<Vec<String>, Failed> {
    let mut out = Vec::new();
    for line in content.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line == ANSWER {
            continue;
        }
        let Some(ranges) = line.strip_prefix(MATCHER) else {
            return Err(Failed(format!(
                "the block list holds a line Aegis did not write (`{}`): fix the file by hand first",
                line.chars().take(80).collect::<String>()
            )));
        };
        for r in ranges.split_whitespace() {
            out.push(Address::parse(r).map_err(|e| Failed(e.0))?.cidr());
        }
    }
    Ok(out)
}

/// The file for these ranges (no matcher at all when none is blocked).
pub fn render(ranges: &[String]) -> String {
    let mut out = format!("{HEADER}\n");
    if !ranges.is_empty() {
        out.push_str(&format!("{MATCHER} {}\n{ANSWER}\n", ranges.join(" ")));
    }
    out
}

fn cat(ops: &Ops<'_>, c: &CaddySettings) -> RemoteCommand {
    ops.command("cat").arg("--").arg(c.block_list.as_str())
}

fn write(ops: &Ops<'_>, c: &CaddySettings, content: &str) -> RemoteCommand {
    ops.command("sh")
        .arg("-c")
        .arg(WRITE)
        .arg("aegis-write")
        .arg(c.block_list.as_str())
        .stdin(content)
}

fn reload(ops: &Ops<'_>, c: &CaddySettings) -> RemoteCommand {
    ops.command("podman")
        .arg("exec")
        .arg("--")
        .arg(c.container.as_str())
        .arg("caddy")
        .arg("reload")
        .arg("--config")
        .arg(c.caddyfile.as_str())
        .arg("--adapter")
        .arg("caddyfile")
        .arg("--address")
        .arg(c.admin_address.to_string())
}

fn config_url(c: &CaddySettings) -> Result<HttpUrl, Failed> {
    HttpUrl::parse(&format!("http://{}/config/", c.admin_address)).map_err(Failed)
}

pub fn commands(ops: &Ops<'_>, c: &CaddySettings) -> Vec<PlannedCommand> {
    let mut out = vec![
        once(cat(ops, c)),
        PlannedCommand {
            argv: write(ops, c, "").wrapped_argv(),
            repeats: Some("stdin: the list with the address added or removed".into()),
        },
        once(reload(ops, c)),
    ];
    if let Ok(url) = config_url(c) {
        out.push(once(ops.api_command("GET", &url, None)));
    }
    out
}

async fn current(ops: &Ops<'_>, c: &CaddySettings) -> Result<Vec<String>, Failed> {
    let out = ops.host.run(&cat(ops, c)).await?;
    match out.code {
        0 => read(&out.stdout),
        1 if out.stderr.contains("No such file") => Ok(Vec::new()),
        code => Err(Failed(format!(
            "cannot read {} (exit {code}): {}",
            c.block_list,
            ops.mask(out.stderr_line())
        ))),
    }
}

fn listed(ranges: &[String]) -> String {
    if ranges.is_empty() {
        "nothing is blocked now".to_owned()
    } else {
        format!("blocked now: {}", ranges.join(", "))
    }
}

pub async fn preflight(
    ops: &Ops<'_>,
    c: &CaddySettings,
    address: &Address,
    block: bool,
) -> Result<String, Failed> {
    let now = current(ops, c).await?;
    let there = now.contains(&address.cidr());
    Ok(match (block, there) {
        (true, false) => format!(
            "every request from {} to the edge ({}) gets 403 after a Caddy reload; {}",
            address.text(),
            c.container,
            listed(&now)
        ),
        (true, true) => format!("{} is already blocked; {}", address.text(), listed(&now)),
        (false, true) => format!(
            "requests from {} reach the edge again after a Caddy reload; {}",
            address.text(),
            listed(&now)
        ),
        (false, false) => format!("{} is not blocked; {}", address.text(), listed(&now)),
    })
}

pub async fn run(
    ops: &Ops<'_>,
    c: &CaddySettings,
    address: &Address,
    block: bool,
) -> Result<Done, Failed> {
    let mut ranges = current(ops, c).await?;
    let cidr = address.cidr();
    ranges.retain(|r| r != &cidr);
    if block {
        ranges.push(cidr.clone());
    }
    ops.run(&write(ops, c, &render(&ranges))).await?;
    ops.run(&reload(ops, c)).await?;
    let loaded = ops
        .api_ok("GET", config_url(c)?.as_str(), None, &[200])
        .await?;
    let has = loaded.body.contains(&format!("\"{cidr}\""));
    if has != block {
        return Err(Failed(format!(
            "Caddy reloaded, but its loaded config {} {cidr}: check that the Caddyfile imports {}",
            if has { "still has" } else { "does not have" },
            c.block_list
        )));
    }
    ops.say(listed(&ranges));
    Ok(Done::summary(format!(
        "{} {}: Caddy reloaded and its config {}; {}",
        if block { "Blocked" } else { "Unblocked" },
        address.text(),
        if block { "has it" } else { "no longer has it" },
        listed(&ranges)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_round_trips_and_foreign_lines_are_refused() {
        let file = render(&["203.0.113.7/32".into(), "2001:db8::/32".into()]);
        assert_eq!(
            file.lines().nth(1),
            Some("@aegis_blocked remote_ip 203.0.113.7/32 2001:db8::/32")
        );
        assert_eq!(read(&file).unwrap(), ["203.0.113.7/32", "2001:db8::/32"]);
        assert_eq!(read(&render(&[])).unwrap(), Vec::<String>::new());
        assert!(!render(&[]).contains("@aegis_blocked"));
        assert!(read("respond * 200\n").is_err());
        assert!(read("@aegis_blocked remote_ip 1.2.3.4; rm -rf /\n").is_err());
    }
}
