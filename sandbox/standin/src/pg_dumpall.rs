//! A work-alike of PostgreSQL's `pg_dumpall` for the sandbox's forensic snapshot (installed in
//! the image as a symlink `/usr/local/bin/pg_dumpall -> standin`, run as `podman exec
//! olympus-postgres pg_dumpall -U postgres > FILE`).
//!
//! It connects to the stand-in server first, exactly as libpq would (`-h`/`PGHOST`, `-p`/`PGPORT`,
//! a startup packet for the user on database `postgres`), so the postgres faults show as the real
//! tool shows them: `down` is "Connection refused" with libpq's hint, `reject` is "FATAL:  the
//! database system is starting up" (each exit 1), `hang` waits until the fault is cleared (there
//! is no connect timeout; like the `pg_isready` work-alike it watches the fault file, so it does
//! not outlive the fault).
//! An unknown role is refused like the server would ("role ... does not exist"); `kratos` and
//! `hydra` are no superusers and fail on `pg_authid` as the real tool does.
//!
//! Then it prints a plain-SQL cluster dump in pg_dumpall's layout (header, roles, then each
//! database's `pg_dump` output with `CREATE DATABASE`, tables and `COPY` data): the Kratos
//! networks, identities and sessions of both scopes and the Hydra clients, from the same seeds
//! the stand-ins use (`seed.rs`), at a fixed time, so two dumps of an untouched sandbox are
//! byte-identical (a test can compare checksums). About 1.1 MB with the default counts (2,700
//! identities, ~3,600 sessions); `-s` leaves the data out.

use crate::hydra;
use crate::pg;
use crate::pg_isready::{hang_fault, read_message, socket_addrs};
use crate::seed::{self, Micros, Rng};
use std::io::{self, BufWriter, Write};
use std::net::TcpStream;

const PROG: &str = "pg_dumpall";
const VERSION: &str = "15.0 (olympus standin)";
/// The dump's data is the seed at this instant (2026-12-02T10:00:00Z).
const EPOCH: Micros = 1_796_205_600 * seed::SECOND;
const SCOPES: [&str; 2] = ["ciam", "iam"];

#[derive(Debug, Default, PartialEq, Eq)]
struct Options {
    host: Option<String>,
    port: Option<String>,
    user: Option<String>,
    file: Option<String>,
    globals_only: bool,
    roles_only: bool,
    schema_only: bool,
}

#[derive(Debug, PartialEq, Eq)]
enum Cmd {
    Dump(Options),
    Help,
    Version,
}

fn parse_args(args: &[String]) -> Result<Cmd, String> {
    let mut o = Options::default();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        i += 1;
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (arg, None),
        };
        let (short, attached) =
            if !name.starts_with("--") && name.len() > 2 && name.starts_with('-') {
                (&name[..2], Some(name[2..].to_string()))
            } else {
                (name, None)
            };
        let value = |i: &mut usize| -> Result<String, String> {
            if let Some(v) = inline.clone().or_else(|| attached.clone()) {
                return Ok(v);
            }
            let v = args
                .get(*i)
                .cloned()
                .ok_or_else(|| format!("{PROG}: option requires an argument -- '{name}'"))?;
            *i += 1;
            Ok(v)
        };
        match short {
            "-h" | "--host" => o.host = Some(value(&mut i)?),
            "-p" | "--port" => o.port = Some(value(&mut i)?),
            "-U" | "--username" => o.user = Some(value(&mut i)?),
            "-f" | "--file" => o.file = Some(value(&mut i)?),
            "-l" | "--database" | "-d" | "--dbname" => {
                value(&mut i)?;
            }
            "-g" | "--globals-only" => o.globals_only = true,
            "-r" | "--roles-only" => o.roles_only = true,
            "-s" | "--schema-only" => o.schema_only = true,
            "-w" | "--no-password" | "-W" | "--password" | "-v" | "--verbose" => {}
            "-V" | "--version" => return Ok(Cmd::Version),
            "-?" | "--help" => return Ok(Cmd::Help),
            other if other.starts_with("--") => {
                return Err(format!("{PROG}: unrecognized option '{other}'"))
            }
            other if other.starts_with('-') => {
                return Err(format!(
                    "{PROG}: invalid option -- '{}'",
                    other.trim_start_matches('-')
                ))
            }
            other => {
                return Err(format!(
                    "{PROG}: error: too many command-line arguments (first is \"{other}\")"
                ))
            }
        }
    }
    Ok(Cmd::Dump(o))
}

pub fn main(args: &[String]) -> i32 {
    let opts = match parse_args(args) {
        Ok(Cmd::Dump(o)) => o,
        Ok(Cmd::Help) => {
            println!("{PROG} extracts a PostgreSQL database cluster into an SQL script file.\n(Olympus sandbox stand-in: the sandbox's seeded Kratos and Hydra data.)\n\nUsage:\n  {PROG} [OPTION]...\n\nGeneral options:\n  -f, --file=FILENAME          output file name\n  -V, --version                output version information, then exit\n  -?, --help                   show this help, then exit\n\nOptions controlling the output content:\n  -g, --globals-only           dump only global objects, no databases\n  -r, --roles-only             dump only roles, no databases or tablespaces\n  -s, --schema-only            dump only the schema, no data\n\nConnection options:\n  -h, --host=HOSTNAME      database server host or socket directory\n  -p, --port=PORT          database server port number\n  -U, --username=NAME      connect as specified database user\n  -w, --no-password        never prompt for password");
            return 0;
        }
        Ok(Cmd::Version) => {
            println!("{PROG} (PostgreSQL) {VERSION}");
            return 0;
        }
        Err(complaint) => {
            say!("{complaint}");
            say!("Try \"{PROG} --help\" for more information.");
            return 1;
        }
    };
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let host = opts
        .host
        .clone()
        .or_else(|| env("PGHOST"))
        .unwrap_or_else(|| "127.0.0.1".into());
    let port = opts
        .port
        .clone()
        .or_else(|| env("PGPORT"))
        .unwrap_or_else(|| "5432".into());
    let user = opts
        .user
        .clone()
        .or_else(|| env("PGUSER"))
        .or_else(|| env("USER"))
        .unwrap_or_else(|| "root".into());
    // The sandbox's `pg-hang`: stuck until the fault is cleared, as pg_isready is (a process left
    // waiting on a held connection would outlive the fault: killing `podman exec` does not end it).
    while hang_fault() {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    if let Err(e) = connect(&host, &port, &user) {
        say!("{PROG}: error: {e}");
        return 1;
    }
    if user != "postgres" {
        say!("{PROG}: error: query failed: ERROR:  permission denied for table pg_authid");
        say!("{PROG}: detail: Query was: SELECT oid, rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolconnlimit, rolpassword, rolvaliduntil, rolreplication, rolbypassrls, pg_catalog.shobj_description(oid, 'pg_authid') as rolcomment, rolname = current_user AS is_current_user FROM pg_authid WHERE rolname !~ '^pg_' ORDER BY 2");
        return 1;
    }
    let counts: Vec<(&str, usize)> = SCOPES
        .iter()
        .map(|&scope| {
            let var = format!("STANDIN_IDENTITIES_{}", scope.to_ascii_uppercase());
            let (n, complaint) = seed::count_from_env(scope, &var);
            if let Some(c) = complaint {
                say!("{PROG}: warning: {c}");
            }
            (scope, n)
        })
        .collect();
    let written = match &opts.file {
        Some(path) => std::fs::File::create(path)
            .and_then(|f| write_dump(&mut BufWriter::new(f), &opts, &counts)),
        None => write_dump(&mut BufWriter::new(io::stdout().lock()), &opts, &counts),
    };
    match written {
        Ok(()) => 0,
        Err(e) => {
            say!("{PROG}: error: could not write the output: {e}");
            1
        }
    }
}

/// Connects and authenticates as `user` on database `postgres`, as libpq does; `Err` is the
/// message the real tool prints after "error: ".
fn connect(host: &str, port: &str, user: &str) -> Result<(), String> {
    let Some(port_num) = port.trim().parse::<u16>().ok().filter(|p| *p != 0) else {
        return Err(format!("invalid port number: \"{port}\""));
    };
    let at = format!("connection to server at \"{host}\", port {port_num} failed");
    let Some(addrs) = socket_addrs(host, port_num) else {
        return Err(format!(
            "could not translate host name \"{host}\" to address: Name or service not known"
        ));
    };
    let mut last = String::from("Connection refused");
    for addr in addrs {
        let mut stream = match TcpStream::connect(addr) {
            Ok(s) => s,
            Err(e) => {
                last = match e.kind() {
                    io::ErrorKind::ConnectionRefused => "Connection refused".into(),
                    _ => e.to_string(),
                };
                continue;
            }
        };
        let packet = pg::startup_packet(&[
            ("user", user),
            ("database", "postgres"),
            ("application_name", PROG),
        ]);
        stream
            .write_all(&packet)
            .map_err(|e| format!("{at}: {e}"))?;
        return match read_message(&mut stream) {
            Ok((b'R', _)) if ["postgres", "kratos", "hydra"].contains(&user) => {
                let _ = stream.write_all(&pg::message(b'X', &[]));
                Ok(())
            }
            Ok((b'R', _)) => Err(format!("{at}: FATAL:  role \"{user}\" does not exist")),
            Ok((b'E', payload)) => {
                let fields = pg::parse_fields(&payload);
                let field = |k: u8| {
                    fields
                        .iter()
                        .find(|(t, _)| *t == k)
                        .map(|(_, v)| v.as_str())
                        .unwrap_or("")
                };
                Err(format!("{at}: {}:  {}", field(b'S'), field(b'M')))
            }
            Ok(_) | Err(_) => Err(format!(
                "{at}: server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request."
            )),
        };
    }
    Err(format!(
        "{at}: {last}\n\tIs the server running on that host and accepting TCP/IP connections?"
    ))
}

/// A role's SCRAM-SHA-256 verifier, made up from the seed (not the services' real passwords).
fn scram(role: &str) -> String {
    let mut rng = Rng::new(&format!("olympus-sandbox/scram/{role}"));
    let mut bytes = |n: usize| -> String {
        let b: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
        crate::paging::base64_encode(&b, crate::paging::STANDARD, true)
    };
    let salt = bytes(16);
    let stored = bytes(32);
    let server = bytes(32);
    format!("SCRAM-SHA-256$4096:{salt}${stored}:{server}")
}

/// `timestamp without time zone` in COPY text form.
fn ts(us: Micros) -> String {
    let t = crate::ory::time(us);
    t.trim_end_matches('Z').replace('T', " ")
}

/// A scope's Kratos network id.
fn nid(scope: &str) -> String {
    Rng::new(&format!("olympus-sandbox/{scope}/nid")).uuid()
}

/// Escapes a value for COPY's text format.
fn copy_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

const SETTINGS: &str = "SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;
";

fn db_header(out: &mut impl Write) -> io::Result<()> {
    write!(
        out,
        "--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version {VERSION}\n-- Dumped by pg_dump version {VERSION}\n\n{SETTINGS}\n"
    )
}

fn db_footer(out: &mut impl Write) -> io::Result<()> {
    write!(out, "--\n-- PostgreSQL database dump complete\n--\n\n")
}

fn create_database(out: &mut impl Write, name: &str, owner: &str) -> io::Result<()> {
    write!(
        out,
        "--\n-- Name: {name}; Type: DATABASE; Schema: -; Owner: {owner}\n--\n\nCREATE DATABASE {name} WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc LOCALE = 'C.UTF-8';\n\n\nALTER DATABASE {name} OWNER TO {owner};\n\n\\connect {name}\n\n{SETTINGS}\nSET default_tablespace = '';\n\nSET default_table_access_method = heap;\n\n"
    )
}

/// Writes a table's rows in COPY text form.
type Rows<'a> = &'a mut dyn FnMut(&mut dyn Write) -> io::Result<()>;

/// A table: its CREATE TABLE, its owner, and (unless schema only) its COPY block.
fn table(
    out: &mut impl Write,
    owner: &str,
    name: &str,
    columns: &[(&str, &str)],
    rows: Option<Rows<'_>>,
) -> io::Result<()> {
    let cols: Vec<String> = columns
        .iter()
        .map(|(c, t)| format!("    {c} {t}"))
        .collect();
    write!(
        out,
        "--\n-- Name: {name}; Type: TABLE; Schema: public; Owner: {owner}\n--\n\nCREATE TABLE public.{name} (\n{}\n);\n\n\nALTER TABLE public.{name} OWNER TO {owner};\n\n",
        cols.join(",\n")
    )?;
    if let Some(rows) = rows {
        let names: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
        write!(
            out,
            "--\n-- Data for Name: {name}; Type: TABLE DATA; Schema: public; Owner: {owner}\n--\n\nCOPY public.{name} ({}) FROM stdin;\n",
            names.join(", ")
        )?;
        rows(out)?;
        write!(out, "\\.\n\n\n")?;
    }
    Ok(())
}

fn write_dump(out: &mut impl Write, o: &Options, counts: &[(&str, usize)]) -> io::Result<()> {
    write!(
        out,
        "--\n-- PostgreSQL database cluster dump\n--\n\nSET default_transaction_read_only = off;\n\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n\n--\n-- Roles\n--\n\n"
    )?;
    for role in ["hydra", "kratos"] {
        writeln!(out, "CREATE ROLE {role};")?;
        writeln!(out, "ALTER ROLE {role} WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS PASSWORD '{}';", scram(role))?;
    }
    writeln!(out, "CREATE ROLE postgres;")?;
    writeln!(out, "ALTER ROLE postgres WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;")?;
    write!(out, "\n--\n-- User Configurations\n--\n\n\n\n\n\n\n")?;
    if o.roles_only || o.globals_only {
        write!(
            out,
            "--\n-- PostgreSQL database cluster dump complete\n--\n\n"
        )?;
        return out.flush();
    }
    write!(out, "--\n-- Databases\n--\n\n")?;
    // template1
    write!(
        out,
        "--\n-- Database \"template1\" dump\n--\n\n\\connect template1\n\n"
    )?;
    db_header(out)?;
    db_footer(out)?;
    let data = !o.schema_only;
    // hydra
    write!(out, "--\n-- Database \"hydra\" dump\n--\n\n")?;
    db_header(out)?;
    create_database(out, "hydra", "hydra")?;
    let mut clients = |w: &mut dyn Write| -> io::Result<()> {
        for &(scope, _) in counts {
            let mut rng = hydra::rng(scope);
            for c in hydra::seed_clients(&mut rng, scope, EPOCH) {
                let (grants, responses, scopes) = if c.interactive {
                    (
                        "authorization_code|refresh_token",
                        "code",
                        "openid offline_access profile email",
                    )
                } else {
                    ("client_credentials", "token", "")
                };
                writeln!(
                    w,
                    "{}\t{}\t{}\t{grants}\t{responses}\t{scopes}\tolympus\t{}\t{}\t{}\tpublic",
                    c.id,
                    nid(scope),
                    copy_text(c.name),
                    ts(c.created_at),
                    ts(c.created_at),
                    if c.public {
                        "none"
                    } else {
                        "client_secret_basic"
                    }
                )?;
            }
        }
        Ok(())
    };
    table(
        out,
        "hydra",
        "hydra_client",
        &[
            ("id", "character varying(255) NOT NULL"),
            ("nid", "uuid NOT NULL"),
            ("client_name", "text NOT NULL"),
            ("grant_types", "text NOT NULL"),
            ("response_types", "text NOT NULL"),
            ("scope", "text NOT NULL"),
            ("owner", "text NOT NULL"),
            (
                "created_at",
                "timestamp without time zone DEFAULT now() NOT NULL",
            ),
            (
                "updated_at",
                "timestamp without time zone DEFAULT now() NOT NULL",
            ),
            (
                "token_endpoint_auth_method",
                "character varying(25) DEFAULT 'client_secret_basic'::character varying NOT NULL",
            ),
            ("subject_type", "character varying(15) NOT NULL"),
        ],
        data.then_some(&mut clients as Rows<'_>),
    )?;
    db_footer(out)?;
    // kratos
    let people: Vec<(&str, Vec<seed::SeedIdentity>)> = counts
        .iter()
        .map(|&(scope, n)| (scope, seed::population(scope, n, EPOCH)))
        .collect();
    write!(out, "--\n-- Database \"kratos\" dump\n--\n\n")?;
    db_header(out)?;
    create_database(out, "kratos", "kratos")?;
    let mut networks = |w: &mut dyn Write| -> io::Result<()> {
        for &(scope, _) in counts {
            writeln!(
                w,
                "{}\t{}\t{}",
                nid(scope),
                ts(EPOCH - 800 * seed::DAY),
                ts(EPOCH - 800 * seed::DAY)
            )?;
        }
        Ok(())
    };
    table(
        out,
        "kratos",
        "networks",
        &[
            ("id", "uuid NOT NULL"),
            ("created_at", "timestamp without time zone NOT NULL"),
            ("updated_at", "timestamp without time zone NOT NULL"),
        ],
        data.then_some(&mut networks as Rows<'_>),
    )?;
    let mut identities = |w: &mut dyn Write| -> io::Result<()> {
        for (scope, list) in &people {
            let n = nid(scope);
            for p in list {
                let t = ts(p.created_at);
                writeln!(
                    w,
                    "{}\t{n}\tdefault\t{{\"email\": {}}}\t{t}\t{t}\tactive\t{t}\t\\N\t\\N\taal1\t\\N",
                    p.id,
                    copy_text(&crate::json::quote(&p.email))
                )?;
            }
        }
        Ok(())
    };
    table(
        out,
        "kratos",
        "identities",
        &[
            ("id", "uuid NOT NULL"),
            ("nid", "uuid"),
            ("schema_id", "character varying(2048) NOT NULL"),
            ("traits", "jsonb NOT NULL"),
            ("created_at", "timestamp without time zone NOT NULL"),
            ("updated_at", "timestamp without time zone NOT NULL"),
            (
                "state",
                "character varying(255) DEFAULT 'active'::character varying NOT NULL",
            ),
            ("state_changed_at", "timestamp without time zone"),
            ("metadata_public", "jsonb"),
            ("metadata_admin", "jsonb"),
            ("available_aal", "character varying(4)"),
            ("organization_id", "uuid"),
        ],
        data.then_some(&mut identities as Rows<'_>),
    )?;
    let mut sessions = |w: &mut dyn Write| -> io::Result<()> {
        for (scope, list) in &people {
            let n = nid(scope);
            for p in list {
                for s in &p.sessions {
                    writeln!(
                        w,
                        "{}\t{n}\t{}\t{}\t{}\tt\taal1",
                        s.id,
                        p.id,
                        ts(s.authenticated_at),
                        ts(s.authenticated_at + seed::SESSION_LIFESPAN),
                    )?;
                }
            }
        }
        Ok(())
    };
    table(
        out,
        "kratos",
        "sessions",
        &[
            ("id", "uuid NOT NULL"),
            ("nid", "uuid"),
            ("identity_id", "uuid NOT NULL"),
            ("authenticated_at", "timestamp without time zone NOT NULL"),
            ("expires_at", "timestamp without time zone NOT NULL"),
            ("active", "boolean DEFAULT false"),
            (
                "aal",
                "character varying(4) DEFAULT 'aal1'::character varying NOT NULL",
            ),
        ],
        data.then_some(&mut sessions as Rows<'_>),
    )?;
    write!(
        out,
        "--\n-- Name: identities identities_pkey; Type: CONSTRAINT; Schema: public; Owner: kratos\n--\n\nALTER TABLE ONLY public.identities\n    ADD CONSTRAINT identities_pkey PRIMARY KEY (id);\n\n\n--\n-- Name: sessions sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: kratos\n--\n\nALTER TABLE ONLY public.sessions\n    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);\n\n\n--\n-- Name: sessions sessions_identity_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: kratos\n--\n\nALTER TABLE ONLY public.sessions\n    ADD CONSTRAINT sessions_identity_id_fk FOREIGN KEY (identity_id) REFERENCES public.identities(id) ON DELETE CASCADE;\n\n\n"
    )?;
    db_footer(out)?;
    // postgres
    write!(
        out,
        "--\n-- Database \"postgres\" dump\n--\n\n\\connect postgres\n\n"
    )?;
    db_header(out)?;
    db_footer(out)?;
    write!(
        out,
        "--\n-- PostgreSQL database cluster dump complete\n--\n\n"
    )?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn dump(o: &Options, counts: &[(&str, usize)]) -> String {
        let mut out = Vec::new();
        write_dump(&mut out, o, counts).expect("writes");
        String::from_utf8(out).expect("utf8")
    }

    #[test]
    fn options() {
        assert_eq!(
            parse_args(&args(&["-U", "postgres", "-h127.0.0.1", "--port=5"])),
            Ok(Cmd::Dump(Options {
                user: Some("postgres".into()),
                host: Some("127.0.0.1".into()),
                port: Some("5".into()),
                ..Options::default()
            }))
        );
        assert_eq!(parse_args(&args(&["-V"])), Ok(Cmd::Version));
        assert!(parse_args(&args(&["--bogus"])).is_err());
        assert!(parse_args(&args(&["stray"])).is_err());
        assert!(parse_args(&args(&["-U"])).is_err());
    }

    #[test]
    fn a_deterministic_plain_sql_dump() {
        let counts = [("ciam", 2400), ("iam", 300)];
        let a = dump(&Options::default(), &counts);
        assert_eq!(a, dump(&Options::default(), &counts), "byte-identical");
        assert!(a.starts_with("--\n-- PostgreSQL database cluster dump\n--\n"));
        assert!(a.ends_with("--\n-- PostgreSQL database cluster dump complete\n--\n\n"));
        for needle in [
            "CREATE ROLE kratos;",
            "CREATE ROLE hydra;",
            "PASSWORD 'SCRAM-SHA-256$4096:",
            "CREATE DATABASE kratos WITH TEMPLATE = template0",
            "CREATE DATABASE hydra WITH TEMPLATE = template0",
            "\\connect kratos",
            "COPY public.identities (id, nid, schema_id, traits,",
            "COPY public.hydra_client (",
        ] {
            assert!(a.contains(needle), "{needle}");
        }
        let first = &seed::population("ciam", 1, 0)[0];
        assert!(a.contains(&first.id), "the same identities as Kratos");
        assert!((400_000..3_000_000).contains(&a.len()), "{} bytes", a.len());
        let globals = dump(
            &Options {
                globals_only: true,
                ..Options::default()
            },
            &counts,
        );
        assert!(!globals.contains("CREATE DATABASE"));
    }

    #[test]
    fn connection_failures_read_like_libpq() {
        use crate::listener::tests::free_port;
        let port = free_port().to_string();
        let e = connect("127.0.0.1", &port, "postgres").unwrap_err();
        assert_eq!(
            e,
            format!("connection to server at \"127.0.0.1\", port {port} failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?")
        );
        assert!(connect("127.0.0.1", "x", "postgres")
            .unwrap_err()
            .contains("invalid port"));
        // Against the stand-in server: accepted, then rejected under its fault.
        let dir = crate::listener::tests::temp_dir("dumpall");
        let server_args = args(&["--port", &port, "--state-dir", &dir.display().to_string()]);
        std::thread::spawn(move || crate::pg::main(&server_args));
        assert!(crate::listener::tests::eventually(|| connect(
            "127.0.0.1",
            &port,
            "postgres"
        )
        .is_ok()));
        assert_eq!(
            connect("127.0.0.1", &port, "root").unwrap_err(),
            format!("connection to server at \"127.0.0.1\", port {port} failed: FATAL:  role \"root\" does not exist")
        );
        std::fs::write(dir.join("postgres"), "reject").expect("write");
        assert_eq!(
            connect("127.0.0.1", &port, "postgres").unwrap_err(),
            format!("connection to server at \"127.0.0.1\", port {port} failed: FATAL:  the database system is starting up")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
