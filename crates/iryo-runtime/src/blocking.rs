//! A blocking facade over any async client, as reqwest's blocking client does it: the client
//! runs on a runtime of its own, and each call blocks the calling thread until it is done.

use std::fmt;
use std::future::Future;

/// An async client with its own single-threaded runtime. Not for use inside an async runtime
/// (blocking there panics, as reqwest's blocking client does).
pub struct Blocking<C> {
    client: C,
    runtime: tokio::runtime::Runtime,
}

impl<C> Blocking<C> {
    /// Wraps `client`; fails only when the runtime cannot start (no threads or sockets left).
    pub fn new(client: C) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(Blocking { client, runtime })
    }

    /// Runs one call of the async client to its end: `client.run(|c| c.some_call(args))`.
    pub fn run<'a, T, F>(&'a self, call: impl FnOnce(&'a C) -> F) -> T
    where
        F: Future<Output = T>,
    {
        self.runtime.block_on(call(&self.client))
    }

    /// The async client.
    pub fn get_ref(&self) -> &C {
        &self.client
    }
}

impl<C: fmt::Debug> fmt::Debug for Blocking<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Blocking")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_runs_to_its_end_on_the_facade_s_runtime() {
        let facade = Blocking::new(21u32).unwrap();
        let answer = facade.run(|n| async move {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            n * 2
        });
        assert_eq!(answer, 42);
    }
}
