//! Just enough HTTP/1.1 for the Lambda Runtime API's calls and the Invoke API: one message at a
//! time, bodies framed by `Content-Length` or chunked encoding (or, for a response on a connection
//! that closes, by its end). Keep-alive connections from a function's runtime client are served one
//! request after another.
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Far above Lambda's 6 MB payloads, far below what a bad length could make us allocate.
const MAX_BODY: usize = 64 << 20;

/// A request or a response: its first line, its headers and its (de-chunked) body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Message {
    /// `GET /path HTTP/1.1` or `HTTP/1.1 200 OK`.
    pub start: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Whether the body came chunked (a streaming response): it is sent on chunked again.
    pub chunked: bool,
}

impl Message {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        self.remove_header(name);
        self.headers.push((name.to_string(), value.into()));
    }

    pub fn remove_header(&mut self, name: &str) {
        self.headers
            .retain(|(key, _)| !key.eq_ignore_ascii_case(name));
    }

    /// The method and path of a request.
    pub fn method_and_path(&self) -> (&str, &str) {
        let mut words = self.start.split(' ');
        (
            words.next().unwrap_or_default(),
            words.next().unwrap_or_default(),
        )
    }

    /// The status code of a response.
    pub fn status(&self) -> u16 {
        self.start
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0)
    }
}

fn bad(why: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why.into())
}

fn read_line(reader: &mut impl BufRead) -> io::Result<Option<String>> {
    let mut line = Vec::new();
    if reader
        .by_ref()
        .take(64 * 1024)
        .read_until(b'\n', &mut line)?
        == 0
    {
        return Ok(None);
    }
    if !line.ends_with(b"\n") {
        return Err(bad("an HTTP line longer than 64 KiB or cut short"));
    }
    let text = String::from_utf8(line).map_err(|_| bad("an HTTP line that is not UTF-8"))?;
    Ok(Some(text.trim_end_matches(['\r', '\n']).to_string()))
}

/// Reads one message; `None` when the peer closed the connection before a new one began.
/// `until_close` reads a body without framing up to the end of the connection (a response).
pub fn read_message(reader: &mut impl BufRead, until_close: bool) -> io::Result<Option<Message>> {
    let Some(start) = read_line(reader)? else {
        return Ok(None);
    };
    let mut message = Message {
        start,
        ..Message::default()
    };
    loop {
        let line = read_line(reader)?.ok_or_else(|| bad("the headers were cut short"))?;
        if line.is_empty() {
            break;
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| bad(format!("a malformed header line: {line}")))?;
        message
            .headers
            .push((name.trim().to_string(), value.trim().to_string()));
    }
    let chunked = message
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        message.chunked = true;
        message.body = read_chunked(reader)?;
    } else if let Some(length) = message.header("content-length") {
        let length: usize = length
            .parse()
            .ok()
            .filter(|&n| n <= MAX_BODY)
            .ok_or_else(|| bad(format!("a bad or too large Content-Length: {length}")))?;
        message.body = vec![0; length];
        reader.read_exact(&mut message.body)?;
    } else if until_close {
        reader.read_to_end(&mut message.body)?;
    }
    Ok(Some(message))
}

fn read_chunked(reader: &mut impl BufRead) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line = read_line(reader)?.ok_or_else(|| bad("a chunked body was cut short"))?;
        let size = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size, 16)
            .map_err(|_| bad(format!("a bad chunk size: {line}")))?;
        if size == 0 {
            // Trailers, up to an empty line.
            while read_line(reader)?.is_some_and(|l| !l.is_empty()) {}
            return Ok(body);
        }
        if body.len() + size > MAX_BODY {
            return Err(bad("a chunked body larger than 64 MiB"));
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        read_line(reader)?;
    }
}

/// Writes a message with fresh framing: `Content-Length`, or one chunk when it came chunked.
pub fn write_message(writer: &mut impl Write, message: &Message, close: bool) -> io::Result<()> {
    let mut out = Vec::with_capacity(message.body.len() + 256);
    out.extend_from_slice(message.start.as_bytes());
    out.extend_from_slice(b"\r\n");
    for (name, value) in &message.headers {
        let framing = ["content-length", "transfer-encoding", "connection"];
        if framing.iter().any(|f| name.eq_ignore_ascii_case(f)) {
            continue;
        }
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    if close {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    if message.chunked {
        out.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
        if !message.body.is_empty() {
            out.extend_from_slice(format!("{:x}\r\n", message.body.len()).as_bytes());
            out.extend_from_slice(&message.body);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"0\r\n\r\n");
    } else {
        out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", message.body.len()).as_bytes());
        out.extend_from_slice(&message.body);
    }
    writer.write_all(&out)?;
    writer.flush()
}

/// Sends `request` to `127.0.0.1:port` on a connection of its own and reads the whole answer.
/// `timeout` bounds each read (`None`: wait as long as it takes, e.g. a long poll).
pub fn exchange(port: u16, request: &Message, timeout: Option<Duration>) -> io::Result<Message> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(timeout)?;
    stream.set_nodelay(true)?;
    let mut request = request.clone();
    request.set_header("Host", format!("127.0.0.1:{port}"));
    write_message(&mut stream, &request, true)?;
    read_message(&mut BufReader::new(stream), true)?
        .ok_or_else(|| bad("the connection closed without an answer"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_length_framed_and_chunked_messages_one_after_another() {
        let wire = b"POST /a HTTP/1.1\r\nContent-Length: 5\r\nX-One: 1\r\n\r\nhello\
GET /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext\r\nde\r\n0\r\nTrailer: x\r\n\r\n";
        let mut reader = io::BufReader::new(&wire[..]);
        let first = read_message(&mut reader, false).unwrap().unwrap();
        assert_eq!(first.method_and_path(), ("POST", "/a"));
        assert_eq!(first.header("x-one"), Some("1"));
        assert_eq!(first.body, b"hello");
        let second = read_message(&mut reader, false).unwrap().unwrap();
        assert_eq!(second.body, b"abcde");
        assert!(second.chunked);
        assert_eq!(read_message(&mut reader, false).unwrap(), None);
    }

    #[test]
    fn a_response_without_framing_runs_to_the_end_and_writing_reframes() {
        let wire = b"HTTP/1.1 202 Accepted\r\nContent-Type: text/plain\r\n\r\nall of it";
        let message = read_message(&mut io::BufReader::new(&wire[..]), true)
            .unwrap()
            .unwrap();
        assert_eq!(message.status(), 202);
        assert_eq!(message.body, b"all of it");
        let mut out = Vec::new();
        write_message(&mut out, &message, true).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "HTTP/1.1 202 Accepted\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 9\r\n\r\nall of it"
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for wire in [
            &b"GET / HTTP/1.1\r\nno colon here\r\n\r\n"[..],
            b"GET / HTTP/1.1\r\nContent-Length: lots\r\n\r\n",
            b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: 10\r\n\r\nshort",
        ] {
            assert!(read_message(&mut io::BufReader::new(wire), false).is_err());
        }
    }
}
