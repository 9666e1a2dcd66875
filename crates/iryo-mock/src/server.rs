//! Runs an axum [`Router`] on a local socket, for every API's mock.

use std::io;
use std::net::SocketAddr;

use axum::Router;
use axum::serve::Listener as _;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::fault::{Connection, FaultListener};

/// Turns a server off: [`MockServer`] holds it, and its handlers hold the [`Stopping`] it hands out.
#[derive(Debug)]
pub(crate) struct StopSwitch(watch::Sender<bool>);

impl StopSwitch {
    pub(crate) fn new() -> Self {
        StopSwitch(watch::Sender::new(false))
    }

    /// A signal that fires once the switch is flipped or dropped.
    pub(crate) fn stopping(&self) -> Stopping {
        Stopping(self.0.subscribe())
    }

    fn flip(&self) {
        self.0.send_replace(true);
    }
}

/// Fires when the server is stopping; stalled answers race against it, so that a stall never keeps a test (or a
/// graceful shutdown) waiting.
#[derive(Clone, Debug)]
pub(crate) struct Stopping(watch::Receiver<bool>);

impl Stopping {
    /// Resolves once the server is stopping (at once if it already is).
    pub(crate) async fn wait(mut self) {
        // An error means the switch is gone, which also means stopping.
        let _ = self.0.wait_for(|stopping| *stopping).await;
    }
}

/// A running server. Dropping it starts a graceful shutdown; [`MockServer::shutdown`] also waits for it.
#[derive(Debug)]
pub(crate) struct MockServer {
    addr: SocketAddr,
    switch: StopSwitch,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl MockServer {
    /// Binds `bind` (port 0 picks a free port) and serves `router` on the current tokio runtime until `switch`
    /// is flipped. Handlers can extract the [`Connection`] they answer on as `ConnectInfo`.
    pub(crate) async fn spawn(
        router: Router,
        bind: SocketAddr,
        switch: StopSwitch,
    ) -> io::Result<Self> {
        let listener = FaultListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let stopping = switch.stopping();
        let service = router.into_make_service_with_connect_info::<Connection>();
        let task = tokio::spawn(async move {
            axum::serve(listener, service)
                .with_graceful_shutdown(stopping.wait())
                .await
        });
        Ok(MockServer {
            addr,
            switch,
            task: Some(task),
        })
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub(crate) fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The URL of `path` (empty, or starting with `/`) on this server.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stops accepting connections, ends stalled answers, lets other requests in flight finish, and waits until
    /// the server has stopped.
    pub(crate) async fn shutdown(mut self) -> io::Result<()> {
        self.switch.flip();
        match self.task.take() {
            Some(task) => task.await.map_err(io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.switch.flip();
    }
}
