//! `standin postgres`: a TCP listener standing in for PostgreSQL. It speaks just enough of the
//! frontend/backend protocol (v3) for a connection check: it declines SSL/GSS encryption, answers
//! a startup packet with AuthenticationOk + ReadyForQuery (healthy) or with an ErrorResponse
//! carrying SQLSTATE 57P03 "the database system is starting up" (`reject`), which is exactly what
//! libpq's PQping -- and so the real `pg_isready` -- distinguishes.

use crate::fault::{self, PgFault, Watch};
use crate::listener;
use crate::Flags;
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
    let flags = match Flags::parse(args, &["port", "state-dir", "bind"]) {
        Ok(f) => f,
        Err(e) => return usage_error(&e),
    };
    let addr = match flags.listen_addr() {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let path = PathBuf::from(flags.get("state-dir").unwrap_or("/state")).join("postgres");
    let watch = Watch::<PgFault>::new("postgres", path.clone());
    listener::serve(
        "postgres",
        addr,
        watch,
        |f| f == PgFault::Down,
        move |stream| {
            if let Err(e) = handle(stream, &path) {
                if !matches!(
                    e.kind(),
                    io::ErrorKind::BrokenPipe
                        | io::ErrorKind::ConnectionReset
                        | io::ErrorKind::UnexpectedEof
                        | io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                ) {
                    eprintln!("standin[postgres]: connection: {e}");
                }
            }
        },
        &AtomicBool::new(false),
    )
}

fn usage_error(msg: &str) -> i32 {
    eprintln!("standin postgres: {msg}");
    eprintln!("usage: standin postgres --port PORT [--state-dir DIR] [--bind ADDR]");
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

fn handle(mut stream: TcpStream, fault_path: &Path) -> io::Result<()> {
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    // SSLRequest / GSSENCRequest may precede the real startup packet: decline with 'N'.
    let mut startup = None;
    for _ in 0..3 {
        let (code, _rest) = read_startup(&mut stream)?;
        match code {
            SSL_REQUEST | GSSENC_REQUEST => {
                if fault::current::<PgFault>(fault_path) == PgFault::Hang {
                    listener::hold(&mut stream, Duration::from_secs(3600));
                    return Ok(());
                }
                stream.write_all(b"N")?;
            }
            CANCEL_REQUEST => return Ok(()),
            _ => {
                startup = Some(code);
                break;
            }
        }
    }
    let Some(code) = startup else {
        return Ok(());
    };
    if code >> 16 != 3 {
        stream.write_all(&error_response(&[
            (b'S', "FATAL"),
            (b'V', "FATAL"),
            (b'C', "0A000"),
            (b'M', "unsupported frontend protocol"),
        ]))?;
        return Ok(());
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
            serve_session(&mut stream)
        }
        PgFault::Reject => {
            stream.write_all(&error_response(&[
                (b'S', "FATAL"),
                (b'V', "FATAL"),
                (b'C', CANNOT_CONNECT_NOW),
                (b'M', "the database system is starting up"),
            ]))?;
            Ok(())
        }
        PgFault::Hang => {
            listener::hold(&mut stream, Duration::from_secs(3600));
            Ok(())
        }
        // Only reachable for a connection accepted just before the listener closed.
        PgFault::Down => Ok(()),
    }
}

/// After startup: answer every query with an error until Terminate ('X') or EOF.
fn serve_session(stream: &mut TcpStream) -> io::Result<()> {
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
}
