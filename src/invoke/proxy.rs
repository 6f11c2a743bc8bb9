//! A Runtime API that watches: the function talks to it as it would to Lambda's
//! (`AWS_LAMBDA_RUNTIME_API=127.0.0.1:PORT`) and every call is passed on to cargo-lambda's emulator
//! (under its `/.rt` prefix), while the moments Lambda's REPORT is made of are noted: the first
//! request for an event (end of init), an event handed over, its response or error.
//!
//! One thing is corrected on the way: the emulator's `lambda-runtime-deadline-ms` is a duration
//! (600000), where Lambda sends the deadline as epoch milliseconds, which is what runtime clients
//! compute the remaining time from; the proxy sends the real deadline of the invocation.
use super::http::{self, Message};
use std::io::BufReader;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const NEXT: &str = "/2018-06-01/runtime/invocation/next";
const INVOCATION: &str = "/2018-06-01/runtime/invocation/";
const INIT_ERROR: &str = "/2018-06-01/runtime/init/error";

/// What the function did, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// It asked for an event.
    Next { at: Instant },
    /// An event was handed over to it.
    Event { request_id: String, at: Instant },
    /// It posted the response to an event.
    Response {
        request_id: String,
        at: Instant,
        body: Vec<u8>,
    },
    /// It posted an error for an event (`Lambda-Runtime-Function-Error-Type` and the body).
    Error {
        request_id: String,
        at: Instant,
        error_type: Option<String>,
        body: Vec<u8>,
    },
    /// It could not initialise (`/runtime/init/error`).
    InitError {
        at: Instant,
        error_type: Option<String>,
        body: Vec<u8>,
    },
}

/// A running proxy; it stops accepting when dropped.
pub struct Proxy {
    pub port: u16,
    stopped: Arc<AtomicBool>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
        // Wake the accepting thread so that it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Starts a proxy in front of the emulator on `upstream`, reporting to `seen`; each invocation's
/// deadline is `timeout` after its event is handed over.
pub fn start(upstream: u16, timeout: Duration, seen: Sender<Seen>) -> std::io::Result<Proxy> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let stopped = Arc::new(AtomicBool::new(false));
    let flag = stopped.clone();
    std::thread::spawn(move || {
        for connection in listener.incoming() {
            if flag.load(Ordering::SeqCst) {
                break;
            }
            let Ok(connection) = connection else { continue };
            let seen = seen.clone();
            std::thread::spawn(move || serve(connection, upstream, timeout, seen));
        }
    });
    Ok(Proxy { port, stopped })
}

/// Serves one keep-alive connection of the function's runtime client.
fn serve(connection: TcpStream, upstream: u16, timeout: Duration, seen: Sender<Seen>) {
    let _ = connection.set_nodelay(true);
    let Ok(mut writer) = connection.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(connection);
    while let Ok(Some(mut request)) = http::read_message(&mut reader, false) {
        let at = Instant::now();
        let (method, path) = request.method_and_path();
        let (method, path) = (method.to_string(), path.to_string());
        let observed = observe(&method, &path, &request, at);
        if let Some(observed) = observed {
            let _ = seen.send(observed);
        }
        request.start = request.start.replacen(&path, &format!("/.rt{path}"), 1);
        let mut answer = match http::exchange(upstream, &request, None) {
            Ok(answer) => answer,
            Err(_) => return,
        };
        if method == "GET" && path == NEXT && answer.status() == 200 {
            let request_id = answer
                .header("lambda-runtime-aws-request-id")
                .unwrap_or_default()
                .to_string();
            answer.set_header(
                "Lambda-Runtime-Deadline-Ms",
                deadline_ms(timeout).to_string(),
            );
            let _ = seen.send(Seen::Event {
                request_id,
                at: Instant::now(),
            });
        }
        if http::write_message(&mut writer, &answer, false).is_err() {
            return;
        }
    }
}

/// What a request from the function means for the REPORT.
fn observe(method: &str, path: &str, request: &Message, at: Instant) -> Option<Seen> {
    let error_type = || {
        request
            .header("lambda-runtime-function-error-type")
            .map(String::from)
    };
    if method == "GET" && path == NEXT {
        return Some(Seen::Next { at });
    }
    if method == "POST" && path == INIT_ERROR {
        return Some(Seen::InitError {
            at,
            error_type: error_type(),
            body: request.body.clone(),
        });
    }
    let rest = path.strip_prefix(INVOCATION)?;
    let (request_id, what) = rest.split_once('/')?;
    let request_id = request_id.to_string();
    match (method, what) {
        ("POST", "response") => Some(Seen::Response {
            request_id,
            at,
            body: request.body.clone(),
        }),
        ("POST", "error") => Some(Seen::Error {
            request_id,
            at,
            error_type: error_type(),
            body: request.body.clone(),
        }),
        _ => None,
    }
}

fn deadline_ms(timeout: Duration) -> u128 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    (now + timeout).as_millis()
}
