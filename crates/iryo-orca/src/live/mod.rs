//! The PUSH通知 live feed: ORCA's WebSocket (`/ws`) with catch-up through `pusheventgetv2`, a
//! durable cursor and deduplication by `uuid`.
//!
//! ```no_run
//! use iryo_orca::live::{FeedItem, LiveConfig, SqliteCheckpoint};
//! use iryo_orca::{Client, Credentials};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let catch_up = Client::new("https://orca.example.jp", Credentials::basic("ormaster", "secret"))?;
//! let mut feed = LiveConfig::new("wss://orca.example.jp/ws")
//!     .event("patient_accept")
//!     .build(Some(catch_up), SqliteCheckpoint::open("orca-feed.sqlite")?)?;
//! loop {
//!     match feed.next().await? {
//!         FeedItem::Event(event) => {
//!             println!("{} {}", event.uuid, event.event);
//!             feed.ack(&event)?;
//!         }
//!         FeedItem::Gap(gap) => eprintln!("lost: {gap}"),
//!         _ => {}
//!     }
//! }
//! # }
//! ```

mod backoff;
mod catchup;
mod checkpoint;
mod config;
mod error;
mod feed;
mod frame_id;
mod held;
mod socket;
#[cfg(feature = "sqlite")]
mod sqlite;

pub use crate::generated::frames;
pub use backoff::Backoff;
pub use checkpoint::{Acked, Checkpoint, CheckpointError, Cursor, MemoryCheckpoint};
pub use config::LiveConfig;
pub use error::{FeedItem, Gap, GapReason, LiveError};
pub use feed::LiveFeed;
pub use frame_id::FrameId;
pub use iryo_orca_codes::SocketErrorCode;
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteCheckpoint, StateFileError};
