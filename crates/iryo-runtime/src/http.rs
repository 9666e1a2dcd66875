//! Base URLs: checked once, the same way for every client.

/// Checks a user-supplied base URL and joins a base path to it: `https://h:8000/` + `/api` ->
/// `https://h:8000/api`. Refuses other schemes, a user or password in the URL (credentials
/// belong in [`Credentials`](crate::Credentials); the message never repeats them), a query or a
/// fragment.
pub fn join_base_url(base_url: &str, base_path: &str) -> Result<String, BaseUrlError> {
    let url = reqwest::Url::parse(base_url).map_err(|e| BaseUrlError(format!("not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(BaseUrlError(format!(
            "scheme must be http or https, not {}",
            url.scheme()
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(BaseUrlError(
            "must not contain a user or password".to_owned(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(BaseUrlError("must not have a query or fragment".to_owned()));
    }
    let mut base = url.as_str().trim_end_matches('/').to_owned();
    let path = base_path.trim_matches('/');
    if !path.is_empty() {
        base.push('/');
        base.push_str(path);
    }
    Ok(base)
}

/// A base URL the clients cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("base URL {0}")]
pub struct BaseUrlError(String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_path_is_normalised() {
        assert_eq!(join_base_url("http://h:8000", "").unwrap(), "http://h:8000");
        assert_eq!(
            join_base_url("http://h:8000/", "/api").unwrap(),
            "http://h:8000/api"
        );
        assert_eq!(
            join_base_url("http://h:8000/cloudEHR/", "").unwrap(),
            "http://h:8000/cloudEHR"
        );
        assert_eq!(
            join_base_url("http://h:8000", "api/").unwrap(),
            "http://h:8000/api"
        );
    }

    #[test]
    fn bad_base_urls_are_refused_without_echoing_secrets() {
        for bad in [
            "not a url",
            "ftp://h/",
            "http://u:p4ss@h/",
            "http://h/?x=1",
            "http://h/#f",
        ] {
            let err = join_base_url(bad, "").unwrap_err();
            assert!(!err.to_string().contains("p4ss"), "{err}");
        }
    }
}
