use std::fmt;

/// A password or token. `Debug` prints a placeholder, there is no `Display`, and the value comes
/// out only through [`Secret::expose_secret`], where the auth header is built.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value. Call this only where the value is sent, never to print it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

/// `Debug` of a type that shows only the fields named (`debug_fields!(Sink { tenant_id })`),
/// then `..`: for types that hold a connection, a secret or a task, whose other fields say
/// nothing or must not be printed. Type parameters, if any, are listed with their `Debug` bound
/// (`debug_fields!(Sink<W: Debug> { writer })`).
#[doc(hidden)]
#[macro_export]
macro_rules! debug_fields {
    ($name:ident $(<$($param:ident: $bound:path),+>)? { $($field:ident),* $(,)? }) => {
        impl$(<$($param: $bound),+>)? ::std::fmt::Debug for $name$(<$($param),+>)? {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(::std::stringify!($name))
                    $(.field(::std::stringify!($field), &self.$field))*
                    .finish_non_exhaustive()
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Holder {
        id: u32,
        password: Secret,
        note: &'static str,
    }

    crate::debug_fields!(Holder { id, note });

    #[test]
    fn debug_fields_shows_only_the_fields_named() {
        let holder = Holder {
            id: 7,
            password: Secret::new("hunter2"),
            note: "kept",
        };
        assert_eq!(holder.password.expose_secret(), "hunter2");
        assert_eq!(
            format!("{holder:?}"),
            r#"Holder { id: 7, note: "kept", .. }"#
        );
    }

    #[test]
    fn debug_hides_the_value() {
        let secret = Secret::new("hunter2");
        let shown = format!("{secret:?} {secret:#?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("REDACTED"));
        assert_eq!(secret.expose_secret(), "hunter2");
    }
}
