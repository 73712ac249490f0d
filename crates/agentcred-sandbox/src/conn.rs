//! The sandbox's connections, which a request can close without answering.
//!
//! The sandbox is served through [`SandboxListener`]: every socket it accepts is wrapped in a
//! [`Connection`] that carries a [`DropSwitch`], and the router is made with
//! `into_make_service_with_connect_info::<DropSwitch>()`, so each request finds its
//! connection's switch in `ConnectInfo<DropSwitch>`.
//!
//! Contract: once a request's handling calls [`DropSwitch::drop_connection`], every read,
//! write, flush and shutdown on that connection's socket fails, so hyper abandons the
//! connection without writing a byte of the response it is then given, and dropping the
//! connection closes the socket: the client sees the connection closed before any answer
//! (what the `drop_after` fault needs). Nothing unwinds, so this holds with `panic = "abort"`,
//! and only that connection is affected: the server keeps accepting.
//!
//! The switch needs no waker: it is only thrown by a request's handler, which hyper runs
//! inside the connection's own task, and hyper then has a response to write, so the next
//! thing it does with the socket is a write, which fails.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// A TCP listener whose connections carry a [`DropSwitch`].
pub(crate) struct SandboxListener(pub(crate) TcpListener);

impl Listener for SandboxListener {
    type Io = Connection;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Connection, SocketAddr) {
        // axum's own accept loop: it retries (and backs off on) accept errors.
        let (stream, addr) = Listener::accept(&mut self.0).await;
        let connection = Connection {
            stream,
            switch: DropSwitch(Arc::new(AtomicBool::new(false))),
        };
        (connection, addr)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

/// One accepted socket and its switch.
pub(crate) struct Connection {
    stream: TcpStream,
    switch: DropSwitch,
}

/// Drops the connection it came from (see the module docs); every request carries its
/// connection's switch as `ConnectInfo<DropSwitch>`.
#[derive(Debug, Clone)]
pub(crate) struct DropSwitch(Arc<AtomicBool>);

impl DropSwitch {
    /// From now on the connection fails every operation, so no answer reaches the client.
    pub(crate) fn drop_connection(&self) {
        self.0.store(true, Ordering::Release);
    }

    fn dropped(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

impl Connected<IncomingStream<'_, SandboxListener>> for DropSwitch {
    fn connect_info(stream: IncomingStream<'_, SandboxListener>) -> Self {
        stream.io().switch.clone()
    }
}

impl Connection {
    /// `Some(error)` once the switch is thrown: the error every operation then fails with.
    fn dropped(&self) -> Option<io::Error> {
        self.switch.dropped().then(|| {
            io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "the sandbox dropped this connection (drop_after fault)",
            )
        })
    }
}

impl AsyncRead for Connection {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match this.dropped() {
            Some(e) => Poll::Ready(Err(e)),
            None => Pin::new(&mut this.stream).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match this.dropped() {
            Some(e) => Poll::Ready(Err(e)),
            None => Pin::new(&mut this.stream).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match this.dropped() {
            Some(e) => Poll::Ready(Err(e)),
            None => Pin::new(&mut this.stream).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match this.dropped() {
            Some(e) => Poll::Ready(Err(e)),
            None => Pin::new(&mut this.stream).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match this.dropped() {
            Some(e) => Poll::Ready(Err(e)),
            None => Pin::new(&mut this.stream).poll_shutdown(cx),
        }
    }
}
