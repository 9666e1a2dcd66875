//! What every mock's builder does the same way: the setters of where to listen and whether to load the
//! fixtures, and reading the fixtures it ships.

use std::io;

use serde_json::Value;

/// `bind` (and with `fixtures`, `fixtures`) on a mock's builder, whose fields `bind: SocketAddr` (and
/// `fixtures: bool`) they set.
macro_rules! builder_methods {
    ($builder:ident) => {
        impl $builder {
            /// The address to listen on. Default `127.0.0.1:0` (loopback, a free port). The control routes
            /// need no authentication, so only bind beyond loopback on a network you trust.
            pub fn bind(mut self, addr: SocketAddr) -> Self {
                self.bind = addr;
                self
            }
        }
    };
    ($builder:ident, fixtures) => {
        $crate::harness::builder_methods!($builder);

        impl $builder {
            /// Whether to start with the built-in fixtures (default `true`); `false` starts with an empty
            /// store.
            pub fn fixtures(mut self, load: bool) -> Self {
                self.fixtures = load;
                self
            }
        }
    };
}
pub(crate) use builder_methods;

/// The store a mock starts with: `empty`, then with `load` each fixture `(name, JSON text)` handed to `seed`.
/// The error (`InvalidData`) names the broken file, which can only happen if this crate ships a bad fixture
/// (a unit test per mock loads them all).
pub(crate) fn starting_store<S, E: std::fmt::Display>(
    mut empty: S,
    load: bool,
    fixtures: &[(&str, &str)],
    mut seed: impl FnMut(&mut S, Value) -> Result<(), E>,
) -> io::Result<S> {
    let fixtures = if load { fixtures } else { &[] };
    for (name, text) in fixtures {
        let broken = |e: &dyn std::fmt::Display| {
            io::Error::new(io::ErrorKind::InvalidData, format!("fixture {name}: {e}"))
        };
        let value = serde_json::from_str(text).map_err(|e| broken(&e))?;
        seed(&mut empty, value).map_err(|e| broken(&e))?;
    }
    Ok(empty)
}
