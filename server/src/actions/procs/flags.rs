//! The captcha mitigation (`TURNSTILE_DISABLED=true` "in your container env and redeploy"): the
//! service's flags file on the host (`NAME=VALUE` toggles, no secrets) is rewritten with the flag
//! set or removed, the configured redeploy recreates the container, and the running container's
//! env is read back to prove it took.

use wire::PlannedCommand;

use super::super::ops::{Failed, Ops};
use super::restart::once;
use super::Done;
use crate::probes::settings::ServiceSettings;
use crate::remote::RemoteCommand;
use crate::values::HostPath;

/// The flag the spec names.
pub const FLAG: &str = "TURNSTILE_DISABLED";

/// Writes stdin to the file atomically (a temporary file beside it, then a rename). The path is a
/// positional argument, never part of the script.
const WRITE: &str = "set -eu; umask 022; cat > \"$1.aegis-new\"; mv -f -- \"$1.aegis-new\" \"$1\"";

fn parts(s: &ServiceSettings) -> Result<(&HostPath, &[String]), Failed> {
    match (&s.flags_env_file, &s.redeploy) {
        (Some(f), Some(r)) => Ok((f, r.words())),
        _ => Err(Failed(format!(
            "[[service]] `{}` needs flags_env_file and redeploy",
            s.name
        ))),
    }
}

fn read(ops: &Ops<'_>, file: &HostPath) -> RemoteCommand {
    ops.command("cat").arg("--").arg(file.as_str())
}

fn write(ops: &Ops<'_>, file: &HostPath, content: &str) -> RemoteCommand {
    ops.command("sh")
        .arg("-c")
        .arg(WRITE)
        .arg("aegis-write")
        .arg(file.as_str())
        .stdin(content)
}

fn redeploy(ops: &Ops<'_>, words: &[String]) -> RemoteCommand {
    let mut cmd = ops.command(&words[0]);
    for w in &words[1..] {
        cmd = cmd.arg(w.as_str());
    }
    cmd
}

fn printenv(ops: &Ops<'_>, s: &ServiceSettings) -> RemoteCommand {
    ops.command("podman")
        .arg("exec")
        .arg("--")
        .arg(s.container.as_str())
        .arg("printenv")
        .arg(FLAG)
}

pub fn commands(
    ops: &Ops<'_>,
    s: &ServiceSettings,
    disable: bool,
) -> Result<Vec<PlannedCommand>, Failed> {
    let (file, words) = parts(s)?;
    let line = if disable {
        format!("{FLAG}=true")
    } else {
        format!("(without {FLAG})")
    };
    Ok(vec![
        once(read(ops, file)),
        PlannedCommand {
            argv: write(ops, file, "").wrapped_argv(),
            repeats: Some(format!("stdin: the file's lines with {line}")),
        },
        once(redeploy(ops, words)),
        once(printenv(ops, s)),
    ])
}

/// The file's lines with the flag set (or removed); other lines kept as they are.
fn changed(current: &str, disable: bool) -> String {
    let mut lines: Vec<&str> = current
        .lines()
        .filter(|l| l.split_once('=').map_or(l.trim(), |(k, _)| k.trim()) != FLAG)
        .collect();
    let set = format!("{FLAG}=true");
    if disable {
        lines.push(&set);
    }
    let mut out = lines.join("\n");
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// The flag's value in the file, if set.
fn value_in(content: &str) -> Option<String> {
    content.lines().rev().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == FLAG).then(|| v.trim().to_owned())
    })
}

async fn current(ops: &Ops<'_>, file: &HostPath) -> Result<String, Failed> {
    let out = ops.host.run(&read(ops, file)).await?;
    match out.code {
        0 => Ok(out.stdout),
        1 if out.stderr.contains("No such file") => Ok(String::new()),
        code => Err(Failed(format!(
            "cannot read {file} (exit {code}): {}",
            ops.mask(out.stderr_line())
        ))),
    }
}

pub async fn preflight(
    ops: &Ops<'_>,
    s: &ServiceSettings,
    disable: bool,
) -> Result<String, Failed> {
    let (file, words) = parts(s)?;
    let now = value_in(&current(ops, file).await?);
    let now_words = now.map_or("not set".to_owned(), |v| format!("{FLAG}={v}"));
    Ok(if disable {
        format!(
            "sets {FLAG}=true for {} (now {now_words}) and redeploys {} with `{}`: the service restarts, and logins run WITHOUT bot protection until the captcha is turned back on",
            s.name,
            s.container,
            words.join(" ")
        )
    } else {
        format!(
            "removes {FLAG} for {} (now {now_words}) and redeploys {} with `{}`: the service restarts with the captcha on",
            s.name,
            s.container,
            words.join(" ")
        )
    })
}

pub async fn run(ops: &Ops<'_>, s: &ServiceSettings, disable: bool) -> Result<Done, Failed> {
    let (file, words) = parts(s)?;
    let before = current(ops, file).await?;
    ops.run(&write(ops, file, &changed(&before, disable)))
        .await?;
    ops.say(format!("{file} updated"));
    ops.run(&redeploy(ops, words)).await?;
    let seen = ops.host.run(&printenv(ops, s)).await?;
    let value = (seen.code == 0).then(|| seen.stdout.trim().to_owned());
    match (disable, value.as_deref()) {
        (true, Some("true")) => Ok(Done::summary(format!(
            "{FLAG}=true is set in {}: the captcha is off; turn it back on when Turnstile recovers",
            s.container
        ))),
        (false, None) => Ok(Done::summary(format!(
            "{FLAG} is no longer set in {}: the captcha is back on",
            s.container
        ))),
        (_, v) => Err(Failed(format!(
            "redeployed, but {} says {FLAG} is {}: check the service loads {file}",
            s.container,
            v.unwrap_or("not set")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_is_set_once_and_removed_without_touching_other_lines() {
        let on = changed("A=1\nTURNSTILE_DISABLED=false\nB=2\n", true);
        assert_eq!(on, "A=1\nB=2\nTURNSTILE_DISABLED=true\n");
        assert_eq!(changed(&on, true), on);
        assert_eq!(changed(&on, false), "A=1\nB=2\n");
        assert_eq!(changed("", false), "");
        assert_eq!(value_in(&on).as_deref(), Some("true"));
        assert_eq!(value_in("A=1\n"), None);
    }
}
