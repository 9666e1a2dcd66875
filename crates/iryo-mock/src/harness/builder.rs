//! What every mock's builder does the same way: setters, among them where to listen and whether to load the
//! fixtures, and reading the fixtures it ships.

use std::io;

use serde_json::Value;

/// Setters on a mock's builder that store their argument, or a value made from it, in one field:
/// `/// doc` `name(arg: Type) => field = value;` becomes `pub fn name(mut self, arg: Type) -> Self`.
macro_rules! setters {
    ($builder:ident { $($(#[$doc:meta])* $name:ident($arg:ident: $ty:ty) => $field:ident = $value:expr;)* }) => {
        impl $builder {
            $(
                $(#[$doc])*
                pub fn $name(mut self, $arg: $ty) -> Self {
                    self.$field = $value;
                    self
                }
            )*
        }
    };
}
pub(crate) use setters;

/// `bind` (and with `fixtures`, `fixtures`) on a mock's builder, whose fields `bind: SocketAddr` (and
/// `fixtures: bool`) they set.
macro_rules! builder_methods {
    ($builder:ident) => {
        $crate::harness::setters!($builder {
            /// The address to listen on. Default `127.0.0.1:0` (loopback, a free port). The control routes
            /// need no authentication, so only bind beyond loopback on a network you trust.
            bind(addr: SocketAddr) => bind = addr;
        });
    };
    ($builder:ident, fixtures) => {
        $crate::harness::builder_methods!($builder);
        $crate::harness::setters!($builder {
            /// Whether to start with the built-in fixtures (default `true`); `false` starts with an empty
            /// store.
            fixtures(load: bool) => fixtures = load;
        });
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
