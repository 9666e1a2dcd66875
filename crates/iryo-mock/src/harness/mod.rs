//! What every mock does around its API, written once: the queue of failures for the next API requests (the
//! API's own kinds and [`Fault`]s of the wire), the request counter, the `/__mock/<api>/` control routes that
//! work them, and the server's stop signal. Each API plugs in through [`Api`] and keeps its behaviour (handlers,
//! stores, state machines) hand-written: that is what makes a mock an oracle.

mod builder;
mod control;

use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::http::HeaderMap;
use axum::response::Response;

pub(crate) use builder::{builder_methods, setters, starting_store};
pub(crate) use control::{
    Control, control_route, json_response, no_content, optional_text, parse_json, parse_object,
    required_text, routes,
};

use crate::fault::{self, Connection, Fault, Wire};
use crate::server::Stopping;

/// Locks `mutex` even if a panic poisoned it: the mocks' states are changed in steps that a panic cannot leave
/// half-done, so a poisoned lock is still usable.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One API's mock, as the harness sees it.
pub(crate) trait Api: Send + Sync + Sized + 'static {
    /// The API's name in the control routes, `/__mock/<NAME>/…`.
    const NAME: &'static str;
    /// The API's own failures (business errors, raw bodies), queued with the faults.
    type Failure: Send + 'static;
    /// How the API's answers look when a fault borrows them.
    type Wire: Wire;
    /// The harness of this state.
    fn harness(&self) -> &Harness<Self::Failure>;
    /// The state a control request is for (ORCA picks a tenant by header); `self` unless overridden.
    fn select(self: &Arc<Self>, _headers: &HeaderMap) -> Arc<Self> {
        Arc::clone(self)
    }
}

/// `impl Api for $state` for a state whose field `harness` is its [`Harness`]: the API's name, its own
/// failures and its wire; items that override the trait's defaults (ORCA's `select`) follow in braces.
macro_rules! impl_api {
    ($state:ident: $name:literal, $failure:ty, $wire:ty $(, { $($overrides:tt)* })?) => {
        impl $crate::harness::Api for $state {
            const NAME: &'static str = $name;
            type Failure = $failure;
            type Wire = $wire;

            fn harness(&self) -> &$crate::harness::Harness<$failure> {
                &self.harness
            }

            $($($overrides)*)?
        }
    };
}
pub(crate) use impl_api;

/// A failure queued for the next API request: the API's own, or a [`Fault`] of the wire.
#[derive(Debug)]
pub(crate) enum Injected<F> {
    Api(F),
    Wire(Fault),
}

/// The failure queue (first in, first out), the API request counter and the stop signal of one mock (or one
/// ORCA tenant).
pub(crate) struct Harness<F> {
    requests: AtomicU64,
    queue: Mutex<VecDeque<Injected<F>>>,
    stopping: Stopping,
}

impl<F> Harness<F> {
    pub(crate) fn new(stopping: Stopping) -> Self {
        Harness {
            requests: AtomicU64::new(0),
            queue: Mutex::new(VecDeque::new()),
            stopping,
        }
    }

    fn queue(&self) -> MutexGuard<'_, VecDeque<Injected<F>>> {
        lock(&self.queue)
    }

    /// Counts an API request; returns how many arrived, this one included.
    pub(crate) fn count(&self) -> u64 {
        self.requests.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// How many API requests arrived so far.
    pub(crate) fn request_count(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }

    /// Fires when the server stops; stalls race against it.
    pub(crate) fn stopping(&self) -> &Stopping {
        &self.stopping
    }

    /// The oldest queued failure, taken off the queue.
    pub(crate) fn take(&self) -> Option<Injected<F>> {
        self.queue().pop_front()
    }

    /// Queues one of the API's own failures.
    pub(crate) fn push_api(&self, failure: F) {
        self.queue().push_back(Injected::Api(failure));
    }

    /// Queues faults that were checked already (the control routes' parser checks them).
    pub(crate) fn push_checked(&self, faults: Vec<Fault>) {
        self.queue().extend(faults.into_iter().map(Injected::Wire));
    }

    /// Queues faults in order, after checking them all: panics, before queueing any, on one
    /// [`Fault::check`] refuses.
    #[track_caller]
    pub(crate) fn push_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        let mut checked = Vec::new();
        for fault in faults {
            checked.push(fault.checked());
        }
        self.push_checked(checked);
    }

    /// Queues [`Fault::Status`] for an error status, 400 to 599; gives back any other status.
    pub(crate) fn push_error_status(&self, status: u16) -> Result<(), u16> {
        if !(400..=599).contains(&status) {
            return Err(status);
        }
        self.push_checked(vec![Fault::Status(status)]);
        Ok(())
    }

    /// Answers an API request that passed the API's own checks: the oldest queued failure, if any, instead of
    /// (or around) `normal`; `api` answers the API's own failures.
    pub(crate) async fn answer<W: Wire>(
        &self,
        connection: &Connection,
        normal: impl Future<Output = Response>,
        api: impl FnOnce(F) -> Response,
    ) -> Response {
        match self.take() {
            None => normal.await,
            Some(Injected::Api(failure)) => api(failure),
            Some(Injected::Wire(fault)) => self.spoil::<W>(fault, connection, normal).await,
        }
    }

    /// Answers with `fault`, see [`fault::respond`].
    pub(crate) async fn spoil<W: Wire>(
        &self,
        fault: Fault,
        connection: &Connection,
        normal: impl Future<Output = Response>,
    ) -> Response {
        fault::respond::<W>(fault, connection, &self.stopping, normal).await
    }
}

/// What every mock handle has: `Debug` (its address and the `$field`s named), the public methods `builder`
/// (the `$builder`'s default), `base_url`, `addr`, and for the harness `push_fault`, `push_faults`,
/// `http_status_next`, `request_count`. The handle needs the fields `shared: Arc<impl Api>` and
/// `server: MockServer`, its module a `ControlError` with a `StatusOutOfRange(u16)` variant.
macro_rules! handle_methods {
    ($mock:ident($builder:ident) $(, $field:ident)*) => {
        impl std::fmt::Debug for $mock {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($mock))
                    .field("addr", &self.server.addr())
                    $(.field(stringify!($field), &self.$field))*
                    .finish_non_exhaustive()
            }
        }

        impl $mock {
            fn harness(
                &self,
            ) -> &$crate::harness::Harness<<Shared as $crate::harness::Api>::Failure> {
                $crate::harness::Api::harness(&*self.shared)
            }

            #[doc = concat!("A builder with the defaults listed on [`", stringify!($builder), "`].")]
            pub fn builder() -> $builder {
                $builder::default()
            }

            /// The server's root, such as `http://127.0.0.1:49152`, without a trailing slash.
            pub fn base_url(&self) -> String {
                self.server.base_url()
            }

            /// The address the server listens on.
            pub fn addr(&self) -> SocketAddr {
                self.server.addr()
            }

            /// Makes a later API request answer `status` (400 to 599) with an empty body: [`Fault::Status`],
            /// refusing statuses below 400. It shares the queue of [`Self::push_fault`].
            pub fn http_status_next(&self, status: u16) -> Result<(), ControlError> {
                self.harness()
                    .push_error_status(status)
                    .map_err(ControlError::StatusOutOfRange)
            }

            /// Queues a fault of the wire for a later API request. The API's own failures (`fail_next`, …)
            /// share the queue: each API request the mock would answer (for ORCA and PLAT, one that passed
            /// authentication) takes the oldest entry. See [`Fault`] for what each one answers.
            ///
            /// # Panics
            ///
            /// If [`Fault::check`] refuses the fault (a status outside 200-599, an oversized answer over
            /// 512 MiB).
            #[track_caller]
            pub fn push_fault(&self, fault: Fault) {
                self.harness().push_faults([fault]);
            }

            /// Queues several faults, in order, as [`Self::push_fault`] does (and panics on the same faults,
            /// before queueing any).
            #[track_caller]
            pub fn push_faults(&self, faults: impl IntoIterator<Item = Fault>) {
                self.harness().push_faults(faults);
            }

            /// How many API requests (a method the API answers on one of its paths) arrived so far, whether
            /// or not they were authenticated, failed or answered; control routes, 404 and 405 do not count.
            /// A retrying client shows here.
            pub fn request_count(&self) -> u64 {
                self.harness().request_count()
            }
        }
    };
}
pub(crate) use handle_methods;
