//! The TCP side of the faults that break a connection. Every accepted socket is wrapped in a [`FaultStream`];
//! a handler reaches it through its [`Connection`] (axum's `ConnectInfo`) and arms a [`Plan`] before hyper writes
//! the response. The stream then counts the bytes hyper writes and acts at the planned byte, so the client sees
//! exactly the planned prefix whatever hyper's buffering (an erroring body stream would drop bytes hyper had not
//! flushed yet). HTTP/1.1 only: the end of the response head is found by its empty line.

use std::fmt;
use std::future::Future;
use std::io::{self, IoSlice};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, ready};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// How a stall ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum StallEnd {
    /// It lasted its full duration: carry on answering.
    Elapsed,
    /// The server is stopping: give up on the connection.
    Stopping,
}

/// A stall in progress, racing the server's stop signal.
pub(crate) type Stall = Pin<Box<dyn Future<Output = StallEnd> + Send>>;

/// What to do to the connection, and when.
pub(crate) struct Plan {
    /// `None`: before the first byte of the response; `Some(n)`: after the head and `n` bytes of the body.
    after_body_bytes: Option<usize>,
    action: Action,
}

enum Action {
    /// Close with an RST (`SO_LINGER` 0), as a crashed process or a firewall would.
    Reset,
    /// Close the sending side (a FIN): the bytes sent arrive, then the end of the stream.
    Close,
    /// Hold back the rest of the response until the stall ends.
    Stall(Stall),
}

impl Plan {
    /// Reset the connection instead of answering.
    pub(crate) fn reset() -> Self {
        Plan {
            after_body_bytes: None,
            action: Action::Reset,
        }
    }

    /// Send the head and `n` body bytes, then close.
    pub(crate) fn close_after(n: usize) -> Self {
        Plan {
            after_body_bytes: Some(n),
            action: Action::Close,
        }
    }

    /// Send the head and `n` body bytes, then hold the rest until `stall` ends.
    pub(crate) fn stall_after(n: usize, stall: Stall) -> Self {
        Plan {
            after_body_bytes: Some(n),
            action: Action::Stall(stall),
        }
    }
}

impl fmt::Debug for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let action = match self.action {
            Action::Reset => "reset",
            Action::Close => "close",
            Action::Stall(_) => "stall",
        };
        f.debug_struct("Plan")
            .field("after_body_bytes", &self.after_body_bytes)
            .field("action", &action)
            .finish()
    }
}

/// The connection a request arrived on, as handlers see it (`ConnectInfo<Connection>`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Connection(Arc<Mutex<Option<Plan>>>);

impl Connection {
    /// Arms `plan` for the response about to be written on this connection.
    pub(crate) fn arm(&self, plan: Plan) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(plan);
    }

    fn take(&self) -> Option<Plan> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

impl Connected<IncomingStream<'_, FaultListener>> for Connection {
    fn connect_info(stream: IncomingStream<'_, FaultListener>) -> Self {
        stream.io().connection.clone()
    }
}

/// A TCP listener whose connections can be broken on purpose.
#[derive(Debug)]
pub(crate) struct FaultListener(TcpListener);

impl FaultListener {
    pub(crate) async fn bind(addr: SocketAddr) -> io::Result<Self> {
        TcpListener::bind(addr).await.map(FaultListener)
    }
}

impl Listener for FaultListener {
    type Io = FaultStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (FaultStream, SocketAddr) {
        // axum's own loop retries failed accepts.
        let (socket, addr) = Listener::accept(&mut self.0).await;
        let stream = FaultStream {
            socket: Some(socket),
            connection: Connection::default(),
            active: None,
        };
        (stream, addr)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

/// A TCP stream that carries out its connection's [`Plan`].
#[derive(Debug)]
pub(crate) struct FaultStream {
    /// `None` once reset.
    socket: Option<TcpStream>,
    connection: Connection,
    active: Option<Active>,
}

/// A plan being carried out on the response hyper is writing.
#[derive(Debug)]
struct Active {
    plan: Plan,
    /// How many bytes of the head's final `\r\n\r\n` the last bytes written matched; 4 once the head is out.
    head_end_matched: usize,
    body_written: usize,
}

impl Active {
    fn head_written(&self) -> bool {
        self.head_end_matched == 4
    }

    /// How many bytes of `buf` may go before the plan acts.
    fn allowed(&self, buf: &[u8]) -> usize {
        let Some(limit) = self.plan.after_body_bytes else {
            return 0;
        };
        let body_left = limit.saturating_sub(self.body_written);
        if self.head_written() {
            return body_left.min(buf.len());
        }
        let mut matched = self.head_end_matched;
        for (i, &byte) in buf.iter().enumerate() {
            matched = next_match(matched, byte);
            if matched == 4 {
                return (i + 1).saturating_add(body_left).min(buf.len());
            }
        }
        buf.len()
    }

    fn record(&mut self, written: &[u8]) {
        let mut body = written;
        if !self.head_written() {
            for (i, &byte) in written.iter().enumerate() {
                self.head_end_matched = next_match(self.head_end_matched, byte);
                if self.head_written() {
                    body = &written[i + 1..];
                    break;
                }
            }
            if !self.head_written() {
                return;
            }
        }
        self.body_written += body.len();
    }

    fn due(&self) -> bool {
        match self.plan.after_body_bytes {
            None => true,
            Some(limit) => self.head_written() && self.body_written >= limit,
        }
    }
}

/// Steps the matcher of `\r\n\r\n` by one byte.
fn next_match(matched: usize, byte: u8) -> usize {
    const HEAD_END: &[u8; 4] = b"\r\n\r\n";
    if byte == HEAD_END[matched] {
        matched + 1
    } else if byte == b'\r' {
        1
    } else {
        0
    }
}

fn gone() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "connection broken on purpose")
}

impl FaultStream {
    fn pick_up_plan(&mut self) {
        if self.active.is_none()
            && let Some(plan) = self.connection.take()
        {
            self.active = Some(Active {
                plan,
                head_end_matched: 0,
                body_written: 0,
            });
        }
    }

    /// Carries out the plan's action once its byte is reached. `Ready(Ok)` means the rest may be written.
    fn act(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let Some(active) = self.active.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        match &mut active.plan.action {
            Action::Reset => {
                if let Some(socket) = self.socket.take() {
                    // Closing with a zero linger sends an RST instead of a FIN.
                    let _ = socket.set_zero_linger();
                }
                Poll::Ready(Err(io::ErrorKind::ConnectionReset.into()))
            }
            Action::Close => {
                if let Some(socket) = self.socket.as_mut() {
                    ready!(Pin::new(socket).poll_shutdown(cx))?;
                }
                Poll::Ready(Err(gone()))
            }
            Action::Stall(stall) => {
                let end = ready!(stall.as_mut().poll(cx));
                self.active = None;
                match end {
                    StallEnd::Elapsed => Poll::Ready(Ok(())),
                    StallEnd::Stopping => {
                        self.socket = None;
                        Poll::Ready(Err(gone()))
                    }
                }
            }
        }
    }
}

impl AsyncRead for FaultStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.socket.as_mut() {
            Some(socket) => Pin::new(socket).poll_read(cx, buf),
            // A reset connection reads as ended.
            None => Poll::Ready(Ok(())),
        }
    }
}

impl AsyncWrite for FaultStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        this.pick_up_plan();
        let mut allowed = match &this.active {
            None => buf.len(),
            Some(active) => active.allowed(buf),
        };
        if allowed == 0 && !buf.is_empty() {
            ready!(this.act(cx))?;
            // Only a stall that ran its course gets here: the rest goes as it comes.
            allowed = buf.len();
        }
        let Some(socket) = this.socket.as_mut() else {
            return Poll::Ready(Err(gone()));
        };
        let written = ready!(Pin::new(socket).poll_write(cx, &buf[..allowed]))?;
        if let Some(active) = this.active.as_mut() {
            active.record(&buf[..written]);
            // A close is due as soon as its last byte is out, even if hyper has nothing more to write.
            if active.due() && matches!(active.plan.action, Action::Close) {
                let _ = this.act(cx);
            }
        }
        Poll::Ready(Ok(written))
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.pick_up_plan();
        if self.active.is_none()
            && let Some(socket) = self.socket.as_mut()
        {
            return Pin::new(socket).poll_write_vectored(cx, bufs);
        }
        let first = bufs
            .iter()
            .find(|b| !b.is_empty())
            .map_or(&[][..], |b| &b[..]);
        self.poll_write(cx, first)
    }

    fn is_write_vectored(&self) -> bool {
        self.socket.as_ref().is_some_and(|s| s.is_write_vectored())
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.socket.as_mut() {
            Some(socket) => Pin::new(socket).poll_flush(cx),
            None => Poll::Ready(Ok(())),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.socket.as_mut() {
            Some(socket) => Pin::new(socket).poll_shutdown(cx),
            None => Poll::Ready(Ok(())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn active(after_body_bytes: usize) -> Active {
        Active {
            plan: Plan::close_after(after_body_bytes),
            head_end_matched: 0,
            body_written: 0,
        }
    }

    #[test]
    fn the_head_end_is_found_across_writes() {
        let mut plan = active(3);
        let first = b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r";
        assert_eq!(plan.allowed(first), first.len());
        plan.record(first);
        assert!(!plan.head_written());
        // `\n` ends the head, then three body bytes may go.
        assert_eq!(plan.allowed(b"\nabcdefghij"), 4);
        plan.record(b"\nabc");
        assert!(plan.due());
        assert_eq!(plan.allowed(b"defghij"), 0);
    }

    #[test]
    fn a_plan_before_the_head_allows_nothing() {
        let plan = Active {
            plan: Plan::reset(),
            head_end_matched: 0,
            body_written: 0,
        };
        assert_eq!(plan.allowed(b"HTTP/1.1 200 OK\r\n\r\n"), 0);
        assert!(plan.due());
    }

    #[test]
    fn a_cut_at_zero_stops_right_after_the_head() {
        let mut plan = active(0);
        let wire = b"HTTP/1.1 200 OK\r\n\r\r\n\r\nbody";
        assert_eq!(plan.allowed(wire), wire.len() - 4);
        plan.record(&wire[..wire.len() - 4]);
        assert!(plan.due());
    }
}
