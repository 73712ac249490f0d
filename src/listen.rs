//! How the credential gateway serves its loopback connections, so that no local process can
//! deny the child its own requests by holding connections open.
//!
//! - A connection must send a whole request header within [`HEADER_READ_TIMEOUT`] (also
//!   between the requests of a kept-alive connection), else it is closed.
//! - At most [`MAX_CONNECTIONS`] connections are open at once. At the cap, a new connection
//!   closes the oldest one that has no request in flight (an idle or half-sent one: whoever
//!   opened it has not sent a request yet); if every one has a request in flight, the new
//!   one is closed instead.
//! - The soft limit on open files is raised to the hard one, so that the cap, not the file
//!   table, is what bounds connections.
//! - On shutdown, listening stops, idle connections close at once and requests in flight may
//!   finish (the caller bounds how long).

use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;

use crate::error::Result;

/// How long a connection may take to send a request header.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// How many connections may be open at once.
pub const MAX_CONNECTIONS: usize = 512;

/// One open connection, as the cap sees it.
struct Conn {
    id: u64,
    in_flight: AtomicUsize,
    close: tokio::sync::Notify,
}

#[derive(Default)]
struct Conns {
    open: Mutex<VecDeque<Arc<Conn>>>,
    next_id: AtomicU64,
}

impl Conns {
    /// Room for a new connection (closing the oldest idle one at the cap), or `None`.
    fn admit(&self) -> Option<Arc<Conn>> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if open.len() >= MAX_CONNECTIONS {
            let idle = open
                .iter()
                .position(|c| c.in_flight.load(Ordering::SeqCst) == 0)?;
            if let Some(evicted) = open.remove(idle) {
                evicted.close.notify_one();
            }
        }
        let conn = Arc::new(Conn {
            id: self.next_id.fetch_add(1, Ordering::SeqCst),
            in_flight: AtomicUsize::new(0),
            close: tokio::sync::Notify::new(),
        });
        open.push_back(Arc::clone(&conn));
        Some(conn)
    }

    fn remove(&self, id: u64) {
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|c| c.id != id);
    }

    fn is_empty(&self) -> bool {
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
    }
}

/// Let this process open as many files as it is allowed to (the soft limit up to the hard).
fn raise_open_files_limit() {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, getrlimit, setrlimit};
        let limit = getrlimit(Resource::Nofile);
        if limit.current != limit.maximum {
            let _ = setrlimit(
                Resource::Nofile,
                rustix::process::Rlimit {
                    current: limit.maximum,
                    maximum: limit.maximum,
                },
            );
        }
    }
}

/// Serve `app` on `listener` until `shutdown` completes, then let requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    shutdown: impl Future<Output = ()>,
) -> Result<()> {
    raise_open_files_limit();
    let conns = Arc::new(Conns::default());
    let (closing, closing_seen) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of files for a moment (EMFILE): try again shortly rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(conn) = conns.admit() else {
            drop(stream);
            continue;
        };
        let inner = TowerToHyperService::new(app.clone());
        let counted = Arc::clone(&conn);
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            counted.in_flight.fetch_add(1, Ordering::SeqCst);
            let answer = hyper::service::Service::call(&inner, request);
            let counted = Arc::clone(&counted);
            async move {
                let answer = answer.await;
                counted.in_flight.fetch_sub(1, Ordering::SeqCst);
                answer
            }
        });
        let mut closing = closing_seen.clone();
        let conns = Arc::clone(&conns);
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                // Evicted at the cap: dropped, which closes it.
                () = conn.close.notified() => {}
                // (`.is_ok()`: the guard `wait_for` returns must not live across an await)
                _ = async { closing.wait_for(|closing| *closing).await.is_ok() } => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            conns.remove(conn.id);
        });
    }
    let _ = closing.send(true);
    while !conns.is_empty() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}
