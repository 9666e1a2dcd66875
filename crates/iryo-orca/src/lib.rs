#![doc = include_str!("../README.md")]

#[rustfmt::skip]
#[allow(missing_docs, clippy::all)]
mod generated;
mod client;
mod config;
mod error;
mod hooks;
pub mod live;
mod notification;
mod push_events;
mod time;

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
