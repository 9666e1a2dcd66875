//! Shared runtime of the iryo clients.
//!
//! - [`Secret`]: a password or token that never shows up in `Debug` output, logs or errors.
//! - [`Credentials`]: how a client authenticates (HTTP Basic, Bearer), turned into an
//!   `Authorization` header marked sensitive.
//! - [`ClientIdentity`]: a TLS client certificate, as ORCA's cloud service requires.

mod credentials;
mod identity;
mod secret;

pub use credentials::{Credentials, InvalidCredentials};
pub use identity::{ClientIdentity, IdentityError};
pub use secret::Secret;
