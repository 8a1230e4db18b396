//! An HTTP/1.1 request as the admin APIs need it: the request line, the header fields, and the
//! body, read after the head by `Content-Length` or `Transfer-Encoding: chunked` (with `Expect:
//! 100-continue` answered first, as curl asks for it before large bodies).

use std::io::{self, Read, Write};

/// Bodies larger than this are refused with 413 (the admin bodies are a few hundred bytes).
pub const MAX_BODY: usize = 1024 * 1024;

#[derive(Debug, Clone, Default)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Header fields, names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first value of a header field (`name` lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The media type of `Content-Type`, lower-cased, without parameters.
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
    }
}

/// Why a body could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum BodyError {
    TooLarge,
    /// A malformed `Content-Length` or chunk.
    Malformed(String),
}

/// The request line and header fields of `head` (which ends with the empty line). `None` when it
/// is not an HTTP/1.x request.
pub fn parse_head(head: &[u8]) -> Option<Request> {
    let text = std::str::from_utf8(head).ok()?;
    let mut lines = text.split("\r\n");
    let line = lines.next()?;
    let mut parts = line.split(' ');
    let method = parts.next()?;
    let target = parts.next()?;
    let version = parts.next()?;
    if parts.next().is_some() || !version.starts_with("HTTP/1.") || method.is_empty() {
        return None;
    }
    let target = target.split('#').next().unwrap_or(target);
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q.to_string())),
        None => (target, None),
    };
    let mut headers = Vec::new();
    for l in lines.take_while(|l| !l.is_empty()) {
        let (name, value) = l.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    Some(Request {
        method: method.to_string(),
        path: path.to_string(),
        query,
        headers,
        body: Vec::new(),
    })
}

/// Reads the body of `req` from `stream`; `already` holds bytes read past the head.
pub fn read_body<S: Read + Write>(
    req: &mut Request,
    stream: &mut S,
    already: Vec<u8>,
) -> Result<(), BodyError> {
    let chunked = req
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let length = match req.header("content-length") {
        None => None,
        Some(v) => Some(
            v.trim()
                .parse::<usize>()
                .map_err(|_| BodyError::Malformed(format!("invalid Content-Length {v:?}")))?,
        ),
    };
    if !chunked && length.unwrap_or(0) == 0 {
        return Ok(());
    }
    if length.is_some_and(|n| n > MAX_BODY) {
        return Err(BodyError::TooLarge);
    }
    if req
        .header("expect")
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
        && already.is_empty()
    {
        let _ = stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
        let _ = stream.flush();
    }
    let mut reader = Prefixed {
        prefix: already,
        at: 0,
        inner: stream,
    };
    req.body = if chunked {
        read_chunked(&mut reader)?
    } else {
        let n = length.unwrap_or(0);
        let mut body = vec![0u8; n];
        reader
            .read_exact(&mut body)
            .map_err(|e| BodyError::Malformed(format!("body shorter than Content-Length: {e}")))?;
        body
    };
    Ok(())
}

/// Bytes already read, then the stream.
struct Prefixed<'a, S> {
    prefix: Vec<u8>,
    at: usize,
    inner: &'a mut S,
}

impl<S: Read> Read for Prefixed<'_, S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at < self.prefix.len() {
            let n = buf.len().min(self.prefix.len() - self.at);
            buf[..n].copy_from_slice(&self.prefix[self.at..self.at + n]);
            self.at += n;
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

fn read_line(r: &mut impl Read) -> Result<String, BodyError> {
    let mut line = Vec::new();
    let mut b = [0u8; 1];
    loop {
        match r.read(&mut b) {
            Ok(0) => {
                return Err(BodyError::Malformed(
                    "unexpected end of chunked body".into(),
                ))
            }
            Ok(_) => {}
            Err(e) => return Err(BodyError::Malformed(e.to_string())),
        }
        if b[0] == b'\n' {
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return Ok(String::from_utf8_lossy(&line).into_owned());
        }
        line.push(b[0]);
        if line.len() > 4096 {
            return Err(BodyError::Malformed("chunk line too long".into()));
        }
    }
}

fn read_chunked(r: &mut impl Read) -> Result<Vec<u8>, BodyError> {
    let mut body = Vec::new();
    loop {
        let line = read_line(r)?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| BodyError::Malformed(format!("invalid chunk size {size_text:?}")))?;
        if size == 0 {
            // Trailer fields, up to the empty line.
            while !read_line(r)?.is_empty() {}
            return Ok(body);
        }
        if body.len() + size > MAX_BODY {
            return Err(BodyError::TooLarge);
        }
        let start = body.len();
        body.resize(start + size, 0);
        r.read_exact(&mut body[start..])
            .map_err(|e| BodyError::Malformed(e.to_string()))?;
        if !read_line(r)?.is_empty() {
            return Err(BodyError::Malformed("chunk not followed by CRLF".into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream that reads from `input` and records what is written to it.
    struct Fake {
        input: io::Cursor<Vec<u8>>,
        written: Vec<u8>,
    }

    impl Read for Fake {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.input.read(buf)
        }
    }

    impl Write for Fake {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.written.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn fake(rest: &[u8]) -> Fake {
        Fake {
            input: io::Cursor::new(rest.to_vec()),
            written: Vec::new(),
        }
    }

    const HEAD: &[u8] = b"PATCH /admin/identities/x?y=1 HTTP/1.1\r\nHost: k\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 5\r\n\r\n";

    #[test]
    fn head_fields() {
        let r = parse_head(HEAD).expect("parses");
        assert_eq!(r.method, "PATCH");
        assert_eq!(r.path, "/admin/identities/x");
        assert_eq!(r.query.as_deref(), Some("y=1"));
        assert_eq!(r.header("host"), Some("k"));
        assert_eq!(r.media_type().as_deref(), Some("application/json"));
        assert!(parse_head(b"nonsense\r\n\r\n").is_none());
        assert!(parse_head(b"GET / HTTP/1.1\r\nno colon\r\n\r\n").is_none());
    }

    #[test]
    fn content_length_body_split_across_reads() {
        let mut r = parse_head(HEAD).expect("parses");
        let mut s = fake(b"lo");
        read_body(&mut r, &mut s, b"hel".to_vec()).expect("reads");
        assert_eq!(r.body, b"hello");
        assert!(s.written.is_empty());
        let mut short = parse_head(HEAD).expect("parses");
        assert!(matches!(
            read_body(&mut short, &mut fake(b"h"), Vec::new()),
            Err(BodyError::Malformed(_))
        ));
    }

    #[test]
    fn chunked_and_expect_continue() {
        let head =
            b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n";
        let mut r = parse_head(head).expect("parses");
        let mut s = fake(b"4\r\n{\"a\"\r\n3;ext=1\r\n:1}\r\n0\r\nX-Trailer: y\r\n\r\n");
        read_body(&mut r, &mut s, Vec::new()).expect("reads");
        assert_eq!(r.body, b"{\"a\":1}");
        assert_eq!(s.written, b"HTTP/1.1 100 Continue\r\n\r\n");
        let mut bad = parse_head(head).expect("parses");
        assert!(read_body(&mut bad, &mut fake(b"zz\r\n"), Vec::new()).is_err());
    }

    #[test]
    fn limits() {
        let big = format!(
            "POST /a HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
            MAX_BODY + 1
        );
        let mut r = parse_head(big.as_bytes()).expect("parses");
        assert_eq!(
            read_body(&mut r, &mut fake(b""), Vec::new()),
            Err(BodyError::TooLarge)
        );
        let mut bad = parse_head(b"POST /a HTTP/1.1\r\nContent-Length: x\r\n\r\n").expect("p");
        assert!(matches!(
            read_body(&mut bad, &mut fake(b""), Vec::new()),
            Err(BodyError::Malformed(_))
        ));
        let mut none = parse_head(b"DELETE /a HTTP/1.1\r\n\r\n").expect("parses");
        read_body(&mut none, &mut fake(b"ignored"), Vec::new()).expect("no body");
        assert!(none.body.is_empty());
    }
}
