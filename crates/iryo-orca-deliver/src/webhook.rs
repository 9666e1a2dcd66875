//! A POST per event, the Standard Webhooks way: `webhook-id` (the event's uuid, the receiver's
//! dedup key), `webhook-timestamp`, and `webhook-signature` when a secret is set.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit as _, Mac as _};
use iryo_orca::PushEvent;
use iryo_runtime::{
    __private::{Route, is_retryable_status, read_excerpt, retry_after},
    Transport, TransportError,
};
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use sha2::Sha256;

use crate::sink::{Delivered, Sink, SinkFailure};

type HmacSha256 = Hmac<Sha256>;

/// A Standard Webhooks signing secret: `whsec_` and the base64 of the key. Neither `Debug` nor
/// an error ever shows it.
#[derive(Clone)]
pub struct WebhookSecret(HmacSha256);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret([REDACTED])")
    }
}

impl WebhookSecret {
    /// Reads `whsec_<base64>`.
    pub fn parse(secret: &iryo_runtime::Secret) -> Result<Self, WebhookError> {
        let encoded = secret
            .expose_secret()
            .strip_prefix("whsec_")
            .ok_or(WebhookError::Secret("it does not start with whsec_"))?;
        let key = STANDARD
            .decode(encoded.trim())
            .map_err(|_| WebhookError::Secret("what follows whsec_ is not base64"))?;
        if key.is_empty() {
            return Err(WebhookError::Secret("the key is empty"));
        }
        let mac = HmacSha256::new_from_slice(&key)
            .map_err(|_| WebhookError::Secret("the key is not usable"))?;
        Ok(WebhookSecret(mac))
    }

    /// `v1,<base64 of HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`.
    pub fn sign(&self, id: &str, timestamp: u64, body: &[u8]) -> String {
        let mut mac = self.0.clone();
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

/// The webhook cannot be set up. No variant holds the secret or the URL's credentials.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The signing secret has not the `whsec_<base64>` form.
    #[error("the webhook secret is not usable: {0}")]
    Secret(&'static str),
    /// The URL is not an http(s) URL, or holds a user or password.
    #[error("the webhook URL {0}")]
    Url(&'static str),
    /// Plain http off loopback, or the HTTP client cannot be built.
    #[error(transparent)]
    Transport(#[from] TransportError),
}

/// POSTs each event's JSON line to one URL. Redirects are not followed.
#[derive(Clone, Debug)]
pub struct WebhookSink {
    client: reqwest::Client,
    url: reqwest::Url,
    secret: Option<WebhookSecret>,
    transport: Transport,
    route: Route,
}

impl WebhookSink {
    /// A sink posting to `url` through `transport` (its timeout is the per-attempt timeout). The
    /// events are medical data: plain http goes to loopback only unless the transport allows it.
    pub fn new(
        url: &str,
        transport: &Transport,
        secret: Option<WebhookSecret>,
    ) -> Result<Self, WebhookError> {
        let parsed = parse_url(url)?;
        let route = transport.route(url, true)?;
        let client = transport
            .http_client_builder(url, true)?
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| TransportError::Build(e.without_url().to_string()))?;
        Ok(WebhookSink {
            client,
            url: parsed,
            secret,
            transport: transport.clone(),
            route,
        })
    }

    /// A sink posting to `url` with `secret` through this sink's HTTP client (its connections,
    /// TLS settings and timeout) when the plain-http rule routes `url` the same way, else through a
    /// client of its own: many receivers (the fleet's tenants) without building a client each.
    pub fn sharing(&self, url: &str, secret: Option<WebhookSecret>) -> Result<Self, WebhookError> {
        let parsed = parse_url(url)?;
        if self.transport.route(url, true)? != self.route {
            return WebhookSink::new(url, &self.transport, secret);
        }
        Ok(WebhookSink {
            client: self.client.clone(),
            url: parsed,
            secret,
            transport: self.transport.clone(),
            route: self.route,
        })
    }

    async fn post(&self, event: &PushEvent) -> Result<(), SinkFailure> {
        let body = event.to_json_line().map_err(|e| {
            SinkFailure::failed(format!("event {} cannot be encoded: {e}", event.uuid))
        })?;
        let id = event.uuid.to_string();
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let mut request = self
            .client
            .post(self.url.clone())
            .header(CONTENT_TYPE, "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string());
        if let Some(secret) = &self.secret {
            request = request.header(
                "webhook-signature",
                secret.sign(&id, timestamp, body.as_bytes()),
            );
        }
        let response = request
            .body(body)
            .send()
            .await
            .map_err(|e| SinkFailure::failed(e.without_url().to_string()))?;
        judge(response).await
    }
}

fn parse_url(url: &str) -> Result<reqwest::Url, WebhookError> {
    let parsed = reqwest::Url::parse(url).map_err(|_| WebhookError::Url("is not a URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(WebhookError::Url("must start with http:// or https://"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(WebhookError::Url("must not hold a user or password"));
    }
    Ok(parsed)
}

async fn judge(response: reqwest::Response) -> Result<(), SinkFailure> {
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let after = retry_after(response.headers());
    let described = describe(status, response).await;
    if is_retryable_status(status.as_u16()) {
        let mut failure = SinkFailure::failed(described);
        failure.retry_after = after.filter(|_| {
            status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE
        });
        return Err(failure);
    }
    Err(SinkFailure::refused(described))
}

async fn describe(status: StatusCode, response: reqwest::Response) -> String {
    if status.is_redirection() {
        return format!("HTTP {status}: redirects are not followed; give the final URL");
    }
    let excerpt = read_excerpt(response).await;
    format!(
        "HTTP {status}{}",
        iryo_runtime::__private::excerpt_suffix(&excerpt)
    )
}

impl Sink for WebhookSink {
    async fn deliver(&mut self, events: &[PushEvent]) -> Delivered {
        Delivered::one_by_one(events, |event| self.post(event)).await
    }
}

/// The default per-attempt timeout of a webhook POST.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_standard_webhooks_example() {
        // The example of the Standard Webhooks reference libraries.
        let secret =
            WebhookSecret::parse(&"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into()).unwrap();
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            secret.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        let shown = format!("{secret:?}");
        assert!(!shown.contains("MfKQ"), "{shown}");
    }

    #[test]
    fn the_published_example_signature_is_ours() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../specs/orca/webhooks.yaml"
        );
        let doc: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let example = &doc["info"]["x-iryo-signature-example"];
        let text = |key: &str| example[key].as_str().unwrap().to_owned();
        let secret = WebhookSecret::parse(&text("secret").into()).unwrap();
        let signed = secret.sign(
            &text("webhook-id"),
            text("webhook-timestamp").parse().unwrap(),
            text("body").as_bytes(),
        );
        assert_eq!(signed, text("webhook-signature"));
    }

    #[test]
    fn a_shared_client_keeps_the_plain_http_rule() {
        let transport = Transport::new("iryo-test", 1024);
        let sink = WebhookSink::new("http://127.0.0.1:9/hook", &transport, None).unwrap();
        let refused = sink.sharing("http://receiver.example/hook", None);
        assert!(
            matches!(
                refused,
                Err(WebhookError::Transport(TransportError::InsecureHttp(_)))
            ),
            "{refused:?}"
        );
        let https = sink.sharing("https://receiver.example/hook", None).unwrap();
        assert_eq!(
            https.route,
            Route::Any,
            "a client of its own, proxies allowed"
        );
        let loopback = sink.sharing("http://localhost:9/other", None).unwrap();
        assert_eq!(loopback.route, Route::Direct);
        assert!(sink.sharing("http://u:p@127.0.0.1:9/", None).is_err());
    }

    #[test]
    fn a_bad_secret_is_refused_without_showing_it() {
        let secret =
            WebhookSecret::parse(&"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into()).unwrap();
        let shown = format!("{secret:?}");
        assert!(!shown.contains("MfKQ"), "{shown}");
        for bad in ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_***", "whsec_"] {
            let err = WebhookSecret::parse(&bad.into()).unwrap_err().to_string();
            assert!(!err.contains("MfKQ") && !err.contains("***"), "{err}");
        }
    }
}
