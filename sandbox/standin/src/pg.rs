//! `standin postgres`: a TCP listener standing in for PostgreSQL. It speaks just enough of the
//! frontend/backend protocol (v3) for a connection check: it answers a startup packet with
//! AuthenticationOk + ReadyForQuery (healthy) or with an ErrorResponse carrying SQLSTATE 57P03
//! "the database system is starting up" (`reject`), which is exactly what libpq's PQping -- and so
//! the real `pg_isready` -- distinguishes.
//!
//! Encryption: GSSENCRequest is declined (`N`). SSLRequest is declined too unless `--tls-dir DIR`
//! holds `server.crt` and `server.key` (looked up per connection, `tls.rs`): then, like a server
//! with `ssl = on`, it answers `S`, does the TLS handshake and runs the same startup protocol
//! inside TLS, so `openssl s_client -starttls postgres` shows the certificate the sandbox's
//! `pg-cert-*` faults installed.

use crate::fault::{self, PgFault, Watch};
use crate::Flags;
use crate::{listener, tls};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

pub const PROTOCOL_V3: i32 = 196_608;
const SSL_REQUEST: i32 = 80_877_103;
const GSSENC_REQUEST: i32 = 80_877_104;
const CANCEL_REQUEST: i32 = 80_877_102;
/// SQLSTATE cannot_connect_now: what a starting / shutting-down / recovering server sends.
pub const CANNOT_CONNECT_NOW: &str = "57P03";
const MAX_PACKET: usize = 64 * 1024;
const IO_TIMEOUT: Duration = Duration::from_secs(10);

pub fn main(args: &[String]) -> i32 {
    let flags = match Flags::parse(args, &["port", "state-dir", "bind", "tls-dir"]) {
        Ok(f) => f,
        Err(e) => return usage_error(&e),
    };
    let addr = match flags.listen_addr() {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let path = PathBuf::from(flags.get("state-dir").unwrap_or("/state")).join("postgres");
    let tls_dir = flags.get("tls-dir").map(PathBuf::from);
    let watch = Watch::<PgFault>::new("postgres", path.clone());
    listener::serve(
        "postgres",
        addr,
        watch,
        |f| f == PgFault::Down,
        move |stream| {
            if let Err(e) = handle(stream, &path, tls_dir.as_deref()) {
                if !matches!(
                    e.kind(),
                    io::ErrorKind::BrokenPipe
                        | io::ErrorKind::ConnectionReset
                        | io::ErrorKind::UnexpectedEof
                        | io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                ) {
                    say!("standin[postgres]: connection: {e}");
                }
            }
        },
        &AtomicBool::new(false),
    )
}

fn usage_error(msg: &str) -> i32 {
    say!("standin postgres: {msg}");
    say!("usage: standin postgres --port PORT [--tls-dir DIR] [--state-dir DIR] [--bind ADDR]");
    2
}

/// A backend message: tag, then a length that counts itself, then the payload.
pub fn message(tag: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 5);
    out.push(tag);
    out.extend_from_slice(&((payload.len() as u32 + 4).to_be_bytes()));
    out.extend_from_slice(payload);
    out
}

/// ErrorResponse ('E') with the given (field type, value) pairs.
pub fn error_response(fields: &[(u8, &str)]) -> Vec<u8> {
    let mut payload = Vec::new();
    for (kind, value) in fields {
        payload.push(*kind);
        payload.extend_from_slice(value.as_bytes());
        payload.push(0);
    }
    payload.push(0);
    message(b'E', &payload)
}

/// The fields of an ErrorResponse / NoticeResponse payload.
pub fn parse_fields(payload: &[u8]) -> Vec<(u8, String)> {
    let mut out = Vec::new();
    let mut rest = payload;
    while let Some((&kind, tail)) = rest.split_first() {
        if kind == 0 {
            break;
        }
        let end = tail.iter().position(|&b| b == 0).unwrap_or(tail.len());
        out.push((kind, String::from_utf8_lossy(&tail[..end]).into_owned()));
        rest = tail.get(end + 1..).unwrap_or_default();
    }
    out
}

/// A startup packet (untagged): length including itself, protocol code, parameters.
pub fn startup_packet(params: &[(&str, &str)]) -> Vec<u8> {
    let mut body = PROTOCOL_V3.to_be_bytes().to_vec();
    for (k, v) in params {
        body.extend_from_slice(k.as_bytes());
        body.push(0);
        body.extend_from_slice(v.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut out = ((body.len() as u32 + 4).to_be_bytes()).to_vec();
    out.extend_from_slice(&body);
    out
}

fn read_i32(stream: &mut impl Read) -> io::Result<i32> {
    let mut b = [0u8; 4];
    stream.read_exact(&mut b)?;
    Ok(i32::from_be_bytes(b))
}

/// Reads an untagged startup-phase packet: `(code, rest)`.
fn read_startup(stream: &mut impl Read) -> io::Result<(i32, Vec<u8>)> {
    let len = read_i32(stream)?;
    let len = usize::try_from(len).unwrap_or(0);
    if !(8..=MAX_PACKET).contains(&len) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "bad startup length",
        ));
    }
    let code = read_i32(stream)?;
    let mut rest = vec![0u8; len - 8];
    stream.read_exact(&mut rest)?;
    Ok((code, rest))
}

fn handle(mut stream: TcpStream, fault_path: &Path, tls_dir: Option<&Path>) -> io::Result<()> {
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    // SSLRequest / GSSENCRequest may precede the real startup packet.
    for _ in 0..3 {
        let (code, _rest) = read_startup(&mut stream)?;
        match code {
            SSL_REQUEST | GSSENC_REQUEST => {
                if fault::current::<PgFault>(fault_path) == PgFault::Hang {
                    listener::hold(&mut stream, Duration::from_secs(3600));
                    return Ok(());
                }
                if code == SSL_REQUEST {
                    if let Some(config) = tls_config(tls_dir) {
                        stream.write_all(b"S")?;
                        let conn = rustls::ServerConnection::new(config)
                            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
                        let mut tls = rustls::StreamOwned::new(conn, stream);
                        // The handshake runs on the first read; then the startup packet.
                        let (code, _rest) = read_startup(&mut tls)?;
                        return startup(&mut tls, code, fault_path, |t| {
                            listener::hold(&mut t.sock, Duration::from_secs(3600))
                        });
                    }
                }
                stream.write_all(b"N")?;
            }
            code => {
                return startup(&mut stream, code, fault_path, |s| {
                    listener::hold(s, Duration::from_secs(3600))
                })
            }
        }
    }
    Ok(())
}

/// The TLS config when `--tls-dir` holds a certificate and key; problems are logged (and the
/// request declined) as a server with a broken certificate would refuse TLS.
fn tls_config(dir: Option<&Path>) -> Option<std::sync::Arc<rustls::ServerConfig>> {
    match tls::server_config(dir?)? {
        Ok(config) => Some(config),
        Err(e) => {
            say!("standin[postgres]: TLS disabled for this connection: {e}");
            None
        }
    }
}

/// After any encryption negotiation: the startup packet `code` (its parameters already read), in
/// the clear or inside TLS. `hold` keeps the connection open without answering (`hang`).
fn startup<S: Read + Write>(
    stream: &mut S,
    code: i32,
    fault_path: &Path,
    hold: impl FnOnce(&mut S),
) -> io::Result<()> {
    if code == CANCEL_REQUEST {
        return Ok(());
    }
    if code >> 16 != 3 {
        stream.write_all(&error_response(&[
            (b'S', "FATAL"),
            (b'V', "FATAL"),
            (b'C', "0A000"),
            (b'M', "unsupported frontend protocol"),
        ]))?;
        return stream.flush();
    }
    match fault::current::<PgFault>(fault_path) {
        PgFault::Ok => {
            let mut out = message(b'R', &0i32.to_be_bytes()); // AuthenticationOk
            for (k, v) in [
                ("server_version", "15.0 (olympus standin)"),
                ("server_encoding", "UTF8"),
                ("client_encoding", "UTF8"),
            ] {
                out.extend(message(b'S', format!("{k}\0{v}\0").as_bytes()));
            }
            out.extend(message(b'K', &[0, 0, 0, 1, 0, 0, 0, 1])); // BackendKeyData
            out.extend(message(b'Z', b"I")); // ReadyForQuery, idle
            stream.write_all(&out)?;
            stream.flush()?;
            serve_session(stream)
        }
        PgFault::Reject => {
            stream.write_all(&error_response(&[
                (b'S', "FATAL"),
                (b'V', "FATAL"),
                (b'C', CANNOT_CONNECT_NOW),
                (b'M', "the database system is starting up"),
            ]))?;
            stream.flush()
        }
        PgFault::Hang => {
            hold(stream);
            Ok(())
        }
        // Only reachable for a connection accepted just before the listener closed.
        PgFault::Down => Ok(()),
    }
}

/// After startup: answer every query with an error until Terminate ('X') or EOF.
fn serve_session<S: Read + Write>(stream: &mut S) -> io::Result<()> {
    loop {
        let mut tag = [0u8; 1];
        if stream.read(&mut tag)? == 0 {
            return Ok(());
        }
        let len = usize::try_from(read_i32(stream)?).unwrap_or(0);
        if !(4..=MAX_PACKET).contains(&len) {
            return Ok(());
        }
        let mut payload = vec![0u8; len - 4];
        stream.read_exact(&mut payload)?;
        match tag[0] {
            b'X' => return Ok(()),
            b'Q' => {
                let mut out = error_response(&[
                    (b'S', "ERROR"),
                    (b'V', "ERROR"),
                    (b'C', "0A000"),
                    (b'M', "the olympus stand-in does not run queries"),
                ]);
                out.extend(message(b'Z', b"I"));
                stream.write_all(&out)?;
                stream.flush()?;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_framing() {
        assert_eq!(message(b'Z', b"I"), vec![b'Z', 0, 0, 0, 5, b'I']);
        assert_eq!(message(b'X', &[]), vec![b'X', 0, 0, 0, 4]);
    }

    #[test]
    fn error_fields_round_trip() {
        let e = error_response(&[(b'S', "FATAL"), (b'C', CANNOT_CONNECT_NOW)]);
        assert_eq!(e[0], b'E');
        let len = u32::from_be_bytes([e[1], e[2], e[3], e[4]]) as usize;
        assert_eq!(len + 1, e.len());
        let fields = parse_fields(&e[5..]);
        assert_eq!(
            fields,
            vec![(b'S', "FATAL".to_string()), (b'C', "57P03".to_string())]
        );
        assert!(parse_fields(&[]).is_empty());
        assert_eq!(parse_fields(b"Mtrunc"), vec![(b'M', "trunc".to_string())]);
    }

    #[test]
    fn startup_round_trip() {
        let p = startup_packet(&[("user", "postgres")]);
        let (code, rest) = read_startup(&mut p.as_slice()).expect("parses");
        assert_eq!(code, PROTOCOL_V3);
        assert_eq!(rest, b"user\0postgres\0\0");
        assert!(read_startup(&mut [0u8, 0, 0, 2, 0, 0, 0, 0].as_slice()).is_err());
    }

    /// A self-signed P-256 leaf for `localhost`, valid until 2126 (test fixture only).
    const TEST_CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBljCCATygAwIBAgIUOh0c/hmLKhda415fdKMRKmzfVkwwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwMjE5MTExOVoYDzIxMjYxMTA4
MTkxMTE5WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAR43csn8+yudCFfIM9LAnOfsxVWxCuKzPjjCSUF1GyPBq/eme+d3oce
Zjx4vUMtdV43dnk1PdntRRaVuIn1qck5o2owaDAMBgNVHRMBAf8EAjAAMBQGA1Ud
EQQNMAuCCWxvY2FsaG9zdDAOBgNVHQ8BAf8EBAMCB4AwEwYDVR0lBAwwCgYIKwYB
BQUHAwEwHQYDVR0OBBYEFMCDw4x2OFPExnF3giCe32aArWw9MAoGCCqGSM49BAMC
A0gAMEUCIQDByuOfMJJBO+xye8M02Ub/Ul0D2yDayEJE9I3c3K/3XAIgc8Qev56+
b0GYducx2qn2lCs1770ZNbQmdNN92VL1eQE=
-----END CERTIFICATE-----
";
    const TEST_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgyG+UbKOmWG6SW2Ga
SWaiY1mq0RQHznplpXP6YDPbty2hRANCAAR43csn8+yudCFfIM9LAnOfsxVWxCuK
zPjjCSUF1GyPBq/eme+d3oceZjx4vUMtdV43dnk1PdntRRaVuIn1qck5
-----END PRIVATE KEY-----
";

    /// SSLRequest: `S` and TLS when the TLS dir holds a certificate, `N` when it does not; the
    /// startup protocol then runs inside TLS exactly as in the clear.
    #[test]
    fn ssl_request_upgrades_to_tls_when_configured() {
        use crate::listener::tests::{eventually, free_port, temp_dir};
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, ServerName};
        use std::sync::Arc;
        let state = temp_dir("pg-state");
        let tls_dir = temp_dir("pg-tls");
        let port = free_port();
        let args: Vec<String> = ["--port", &port.to_string(), "--state-dir"]
            .iter()
            .map(|s| s.to_string())
            .chain([state.display().to_string(), "--tls-dir".into()])
            .chain([tls_dir.display().to_string()])
            .collect();
        std::thread::spawn(move || main(&args));
        assert!(eventually(
            || TcpStream::connect(("127.0.0.1", port)).is_ok()
        ));
        let ssl_request = |s: &mut TcpStream| -> u8 {
            let mut req = 8u32.to_be_bytes().to_vec();
            req.extend_from_slice(&SSL_REQUEST.to_be_bytes());
            s.write_all(&req).expect("write");
            let mut answer = [0u8; 1];
            s.read_exact(&mut answer).expect("answer");
            answer[0]
        };
        let mut clear = TcpStream::connect(("127.0.0.1", port)).expect("connects");
        assert_eq!(ssl_request(&mut clear), b'N', "no certificate yet");

        std::fs::write(tls_dir.join("server.crt"), TEST_CERT).expect("write");
        std::fs::write(tls_dir.join("server.key"), TEST_KEY).expect("write");
        let mut tcp = TcpStream::connect(("127.0.0.1", port)).expect("connects");
        tcp.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        assert_eq!(ssl_request(&mut tcp), b'S');
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(TEST_CERT.as_bytes()).expect("pem"))
            .expect("root");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = ServerName::try_from("localhost").expect("name");
        let conn = rustls::ClientConnection::new(Arc::new(config), name).expect("client");
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        tls.write_all(&startup_packet(&[("user", "kratos")]))
            .expect("startup over TLS");
        let mut tag = [0u8; 1];
        tls.read_exact(&mut tag).expect("answer over TLS");
        assert_eq!(tag[0], b'R', "AuthenticationOk inside TLS");
        let _ = std::fs::remove_dir_all(&state);
        let _ = std::fs::remove_dir_all(&tls_dir);
    }
}
