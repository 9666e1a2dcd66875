//! One operation as a value, rendered by `codegen` from the spec (as async-stripe renders a
//! request struct per operation): its path, query and body fields, its answer type and its
//! [`Operation`] (with the retry class). A client sends every request type through its one call
//! path ([`Shell::call`](crate::__private::Shell::call)).

use std::future::Future;

use progenitor_client::{Error, ResponseValue};

use crate::__private::{Generated, Operation};

/// A request of one operation, ready to send.
pub trait Request: Sync {
    /// The generated client that sends it.
    type Client: Generated + Send;
    /// The documented answer.
    type Answer;
    /// The documented error body.
    type ErrorBody;
    /// The operation it calls (for a provider/participant twin, the one of its side).
    fn operation(&self) -> &'static Operation;
    /// What a request cut short may have done (`x-iryo-effect`), for one that must not be
    /// repeated blindly.
    fn effect(&self) -> Option<&'static str>;
    /// The path parameters that must each stay one path segment: (name, value).
    fn path_segments(&self) -> Vec<(&'static str, &str)>;
    /// One attempt with the generated client `raw` (authorised by the call path).
    fn send_once(
        &self,
        raw: Self::Client,
    ) -> impl Future<Output = Result<ResponseValue<Self::Answer>, Error<Self::ErrorBody>>> + Send;
}
