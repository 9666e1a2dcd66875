#![doc = include_str!("../README.md")]

// The generated `push_event_get_v2` is not called: the client reads the answer as text once
// (`client.rs` follows its request, since progenitor offers no way to the raw bytes).
#[rustfmt::skip]
#[allow(missing_docs, dead_code, clippy::all)]
mod generated;
mod answer;
mod client;
mod config;
mod error;
pub mod live;
/// The client without async code (feature `blocking`): each call runs on the facade's own
/// runtime and blocks until it is done.
///
/// ```no_run
/// use iryo_orca::{Client, Credentials, PushTime};
///
/// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let client = iryo_orca::blocking::Client::new(Client::new("https://orca.example.jp:8000", Credentials::basic("ormaster", "secret"))?)?;
/// let since: PushTime = "2018-01-24 13:00".parse()?;
/// let events = client.run(|c| c.push_events().event("patient_accept").start(since).send())?;
/// println!("{} notifications", events.len());
/// # Ok(()) }
/// ```
#[cfg(feature = "blocking")]
pub mod blocking {
    /// The async [`Client`](crate::Client) on a runtime of its own: `client.run(|c| c.call(..))`.
    pub type Client = iryo_runtime::Blocking<crate::Client>;
}
mod notification;
mod push_events;
mod time;

pub use answer::PushAnswer;
pub use client::Client;
pub use config::Config;
pub use error::Error;
pub use events::PushEventBody;
pub use generated::{events, types};
pub use iryo_orca_codes::PushErrorCode;
pub use iryo_runtime::{
    BodyCut, ClientIdentity, Credentials, InsecureHttp, RawJson, RetryPolicy, Secret, Transport,
    UnknownFields,
};
pub use notification::{PushEvents, Undelivered};
pub use push_events::{PushEvent, PushEventsRequest};
pub use time::{OrcaTimestamp, PushTime, PushTimeError, TimestampError};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
