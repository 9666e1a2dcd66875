//! The TLS backend chosen by a cargo feature: `tls-aws-lc` (rustls with aws-lc-rs, needs a C
//! toolchain and CMake on some targets) or `tls-ring` (rustls with ring, builds with a plain Rust
//! toolchain on every tier-1 target).

/// Installs ring as rustls' process-wide provider when it is the chosen backend (reqwest has none
/// of its own then). Does nothing when a provider is already installed.
pub(crate) fn install_provider() {
    #[cfg(all(feature = "tls-ring", not(feature = "tls-aws-lc")))]
    {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

#[cfg(not(any(feature = "tls-ring", feature = "tls-aws-lc")))]
compile_error!("iryo-runtime needs a TLS backend: enable the feature `tls-aws-lc` or `tls-ring`");

/// The rustls provider of the chosen backend, for clients that configure rustls themselves (the
/// WebSocket clients).
pub(crate) fn provider() -> std::sync::Arc<rustls::crypto::CryptoProvider> {
    #[cfg(feature = "tls-aws-lc")]
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    #[cfg(all(feature = "tls-ring", not(feature = "tls-aws-lc")))]
    let provider = rustls::crypto::ring::default_provider();
    std::sync::Arc::new(provider)
}
