//! The one call path of the generated clients: the token resolved before sending, the request
//! sent within the size limit, the failure classified, retried by the operation's class, and
//! named in the client's error. One `tracing` span per HTTP attempt (API, operation, attempt,
//! status, retry delay; never a header or a credential).

use std::future::Future;
use std::time::Instant;

use tracing::Instrument as _;
use tracing::field::Empty;

use crate::shell::{Auth, AuthFailure, Generated, Hooks, Operation, RetryClass};
use crate::{
    __private::{CallFailure, Failure},
    RetryPolicy,
};

/// How one attempt ended, when it did not succeed.
#[derive(Debug)]
pub enum Attempt<E> {
    /// Failed at the HTTP level: the operation's [`RetryClass`] decides whether to try again;
    /// the client names the last one.
    Failed(Failure<CallFailure>),
    /// An answer in the client's own terms (an API error code): never retried.
    Final(E),
}

impl<E> From<Failure<CallFailure>> for Attempt<E> {
    fn from(failure: Failure<CallFailure>) -> Self {
        Attempt::Failed(failure)
    }
}

impl CallFailure {
    /// Whether an operation of `class` may be sent again after this failure.
    pub fn worth_retrying(&self, class: RetryClass) -> bool {
        match class {
            RetryClass::Read => self.is_retryable(),
            RetryClass::Write => self.never_reached_the_server(),
        }
    }

    fn status(&self) -> Option<u16> {
        match self {
            CallFailure::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// A generated client with its authentication and retry policy: what a client crate's `Client`
/// wraps. `Debug` shows no secret.
#[derive(Clone, Debug)]
pub struct Shell<R> {
    raw: R,
    auth: Auth,
    retry: RetryPolicy,
}

impl<R: Generated> Shell<R> {
    /// A shell around the generated client `raw`.
    pub fn new(raw: R, auth: Auth, retry: RetryPolicy) -> Self {
        Shell { raw, auth, retry }
    }

    /// The generated client, with the fixed credentials on (none for a token provider).
    pub fn raw(&self) -> &R {
        &self.raw
    }

    /// The generated client's state.
    pub fn hooks(&self) -> &Hooks {
        self.raw.hooks()
    }

    /// The configured retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The shell with JSON answers of at most `limit` list items (see [`Hooks::limit_list_items`]).
    pub fn with_list_item_limit(mut self, limit: u64) -> Self {
        self.raw.hooks_mut().limit_list_items(limit);
        self
    }

    /// The same shell with answers of at most `limit` bytes (never more than its own limit).
    pub fn with_answer_limit(&self, limit: u64) -> Self {
        let mut shell = self.clone();
        shell.raw.hooks_mut().limit_answers(limit);
        shell
    }

    /// Runs `attempt` with the generated client, authorised for this request, until it
    /// succeeds, ends in the client's own terms, or `policy` and the operation's class say stop.
    /// After a 401 a token provider that can refresh gets one more attempt. The last HTTP
    /// failure is named by `name`.
    pub async fn call<T, E, F, Fut>(
        &self,
        operation: &Operation,
        policy: &RetryPolicy,
        attempt: F,
        name: impl Fn(CallFailure) -> E,
    ) -> Result<T, E>
    where
        E: From<AuthFailure>,
        F: Fn(R) -> Fut,
        Fut: Future<Output = Result<T, Attempt<E>>>,
    {
        let started = Instant::now();
        let mut tries = 1;
        let mut refreshed = false;
        loop {
            let span = tracing::info_span!(
                "iryo.http",
                api = operation.api,
                operation = operation.name,
                attempt = tries,
                status = Empty,
                retry_delay_ms = Empty,
            );
            let outcome = self.attempt_once(&attempt).instrument(span.clone()).await;
            let failure = match outcome {
                Ok(value) => return Ok(value),
                Err(Attempt::Final(error)) => return Err(error),
                Err(Attempt::Failed(failure)) => failure,
            };
            // The status is already on the span: `Hooks::exec` records it as the answer arrives.
            if failure.error.status() == Some(401) && !refreshed && self.auth.token_rejected() {
                refreshed = true;
                tries += 1;
                continue;
            }
            if !failure.error.worth_retrying(operation.retry) || tries >= policy.max_attempts {
                return Err(name(failure.error));
            }
            let delay = policy.backoff(tries, failure.retry_after);
            if started.elapsed() + delay > policy.max_elapsed {
                return Err(name(failure.error));
            }
            span.record("retry_delay_ms", delay.as_millis() as u64);
            tokio::time::sleep(delay).await;
            tries += 1;
        }
    }

    async fn attempt_once<T, E, F, Fut>(&self, attempt: &F) -> Result<T, Attempt<E>>
    where
        E: From<AuthFailure>,
        F: Fn(R) -> Fut,
        Fut: Future<Output = Result<T, Attempt<E>>>,
    {
        let mut raw = self.raw.clone();
        let authorization = self
            .auth
            .authorization(raw.hooks().redactor())
            .await
            .map_err(|e| Attempt::Final(E::from(e)))?;
        raw.hooks_mut().authorize(authorization);
        attempt(raw).await
    }
}
