//! HTTP/1.1 over a bare TcpStream: the only client that sends what a hostile
//! one does (a Content-Length that lies, bad chunking, bytes that are not
//! UTF-8, odd methods) and tells "refused" from "closed" from "hung".

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// What came back for one request.
#[derive(Debug)]
pub enum Outcome {
    Answer(Answer),
    /// The server closed the connection without a response.
    Closed,
    /// No complete response before the deadline.
    Hung,
}

#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// A request's bytes: head lines (without the final blank line) and a body.
pub fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n").into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// `body` in chunks of `size` bytes, ended by the last chunk.
pub fn chunked(body: &[u8], size: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in body.chunks(size.max(1)) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// Sends `bytes`, closes the sending half when `half_close` (so a server
/// waiting for a promised body sees its end), and reads one response.
pub fn exchange(addr: SocketAddr, bytes: &[u8], half_close: bool, deadline: Duration) -> Outcome {
    let started = Instant::now();
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, deadline) else {
        return Outcome::Closed;
    };
    // A server may answer and close before reading everything (a 413): a failed write is not the outcome.
    let _ = stream.write_all(bytes);
    if half_close {
        let _ = stream.shutdown(Shutdown::Write);
    }
    let mut received = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    loop {
        let left = deadline.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Outcome::Hung;
        }
        let _ = stream.set_read_timeout(Some(left.min(Duration::from_millis(500))));
        match stream.read(&mut buffer) {
            Ok(0) => return parse(&received, true).unwrap_or(Outcome::Closed),
            Ok(n) => {
                received.extend_from_slice(&buffer[..n]);
                if let Some(outcome) = parse(&received, false) {
                    return outcome;
                }
            }
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => return parse(&received, true).unwrap_or(Outcome::Closed),
        }
    }
}

/// The response in `bytes`, once complete (`ended`: the peer closed, so what is there is all there is).
fn parse(bytes: &[u8], ended: bool) -> Option<Outcome> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    let head_len = match response.parse(bytes) {
        Ok(httparse::Status::Complete(n)) => n,
        _ => return ended.then_some(Outcome::Closed),
    };
    let status = response.code.unwrap_or(0);
    let headers: Vec<(String, String)> = response
        .headers
        .iter()
        .map(|h| (h.name.to_owned(), String::from_utf8_lossy(h.value).into_owned()))
        .collect();
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let rest = &bytes[head_len..];
    let body = if find("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        match dechunk(rest) {
            Some(body) => body,
            None if ended => rest.to_vec(),
            None => return None,
        }
    } else if let Some(length) = find("content-length").and_then(|l| l.trim().parse::<usize>().ok()) {
        match rest.get(..length) {
            Some(body) => body.to_vec(),
            None if ended => rest.to_vec(),
            None => return None,
        }
    } else if ended || status == 204 || status == 304 || (100..200).contains(&status) {
        rest.to_vec()
    } else {
        return None;
    };
    if (100..200).contains(&status) {
        // `Expect: 100-continue`: the real answer follows.
        return parse(&bytes[head_len..], ended);
    }
    Some(Outcome::Answer(Answer { status, headers, body }))
}

/// A chunked body, once its last chunk has arrived.
fn dechunk(mut bytes: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = bytes.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&bytes[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        bytes = &bytes[line_end + 2..];
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(bytes.get(..size)?);
        bytes = bytes.get(size + 2..)?;
    }
}
