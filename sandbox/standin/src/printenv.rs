//! `printenv` for the stand-in image (busybox-static has `env` but not `printenv`): installed as a
//! symlink to the multi-call binary, so `podman exec olympus-ciam-hera printenv NAME` works as on
//! a Debian-based container. Like coreutils: without names every `NAME=VALUE`; with names the
//! value of each that is set, exit 1 when one is not.

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;

pub fn main(args: &[String]) -> i32 {
    let env: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    let mut out = Vec::new();
    let code = print(&env, args, &mut out);
    let _ = std::io::stdout().lock().write_all(&out);
    code
}

fn print(env: &[(OsString, OsString)], names: &[String], out: &mut Vec<u8>) -> i32 {
    if names.is_empty() {
        for (k, v) in env {
            out.extend_from_slice(k.as_bytes());
            out.push(b'=');
            out.extend_from_slice(v.as_bytes());
            out.push(b'\n');
        }
        return 0;
    }
    let mut code = 0;
    for name in names {
        match env.iter().find(|(k, _)| k.as_bytes() == name.as_bytes()) {
            Some((_, v)) if !name.contains('=') => {
                out.extend_from_slice(v.as_bytes());
                out.push(b'\n');
            }
            _ => code = 1,
        }
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_coreutils() {
        let env = vec![
            (OsString::from("TURNSTILE_DISABLED"), OsString::from("true")),
            (OsString::from("A"), OsString::from("1")),
        ];
        let mut out = Vec::new();
        assert_eq!(print(&env, &["TURNSTILE_DISABLED".into()], &mut out), 0);
        assert_eq!(out, b"true\n");
        let mut out = Vec::new();
        assert_eq!(print(&env, &["NOPE".into(), "A".into()], &mut out), 1);
        assert_eq!(out, b"1\n");
        let mut out = Vec::new();
        assert_eq!(print(&env, &[], &mut out), 0);
        assert_eq!(out, b"TURNSTILE_DISABLED=true\nA=1\n");
    }
}
