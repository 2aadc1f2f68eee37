//! Intercom connection settings: the secret access token, the region or base URL, and the client's tuning knobs.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

/// The API version sent in `Intercom-Version` unless configured otherwise.
pub const DEFAULT_API_VERSION: &str = "2.16";

/// An Intercom access token. It never appears in `Debug`, `Display`, logs or errors.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Parses a token: non-empty, printable ASCII, no whitespace.
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(ConfigError::EmptyToken);
        }
        if !trimmed.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ConfigError::MalformedToken);
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The raw token, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(****)")
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

/// The Intercom region that hosts a workspace; a token only works on its region's host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Region {
    /// `https://api.intercom.io`
    #[default]
    Us,
    /// `https://api.eu.intercom.io`
    Eu,
    /// `https://api.au.intercom.io`
    Au,
}

impl Region {
    /// Parses `us`, `eu` or `au` (case-insensitive).
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "us" => Ok(Self::Us),
            "eu" => Ok(Self::Eu),
            "au" => Ok(Self::Au),
            _ => Err(ConfigError::BadRegion(raw.chars().take(16).collect())),
        }
    }

    /// The region's API host.
    pub fn base_url(self) -> &'static str {
        match self {
            Self::Us => "https://api.intercom.io",
            Self::Eu => "https://api.eu.intercom.io",
            Self::Au => "https://api.au.intercom.io",
        }
    }

    /// The short name: `us`, `eu` or `au`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Us => "us",
            Self::Eu => "eu",
            Self::Au => "au",
        }
    }
}

/// A base URL: `http(s)://host[:port]` with no trailing slash, no query and no credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// Parses and normalizes a base URL.
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        let trimmed = raw.trim().trim_end_matches('/');
        let bad = || ConfigError::BadBaseUrl(trimmed.chars().take(80).collect());
        let uri: http::Uri = trimmed.parse().map_err(|_| bad())?;
        match uri.scheme_str() {
            Some("http") | Some("https") => {}
            _ => return Err(bad()),
        }
        let authority = uri.authority().ok_or_else(bad)?;
        if authority.as_str().contains('@') || uri.query().is_some() {
            return Err(bad());
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The URL as a string, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Everything the client needs to talk to one Intercom workspace.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The bearer token.
    pub token: AccessToken,
    /// The region (used for the base URL unless `base_url` is set).
    pub region: Region,
    /// A custom base URL (simulator, proxy); takes precedence over `region`.
    pub base_url: Option<BaseUrl>,
    /// The `Intercom-Version` header value.
    pub api_version: String,
    /// The share of the workspace rate limit this client may use, in (0, 1].
    pub rate_limit_share: f64,
    /// Per-request timeout (headers received).
    pub timeout: Duration,
    /// How many times an idempotent request is retried after a 5xx, timeout or connection error.
    pub max_retries: u32,
    /// How many 429 responses one call tolerates before it gives up.
    pub max_rate_limited_retries: u32,
    /// The first retry waits about this long; each further one twice as long (at most 8 s).
    pub backoff_base: Duration,
}

impl ClientConfig {
    /// A configuration with defaults for everything but the token.
    pub fn new(token: AccessToken) -> Self {
        Self {
            token,
            region: Region::Us,
            base_url: None,
            api_version: DEFAULT_API_VERSION.to_owned(),
            rate_limit_share: 1.0,
            timeout: Duration::from_secs(20),
            max_retries: 4,
            max_rate_limited_retries: 20,
            backoff_base: Duration::from_millis(100),
        }
    }

    /// Points the client at a custom base URL.
    pub fn with_base_url(mut self, url: BaseUrl) -> Self {
        self.base_url = Some(url);
        self
    }

    /// The base URL requests go to.
    pub fn effective_base_url(&self) -> &str {
        match &self.base_url {
            Some(url) => url.as_str(),
            None => self.region.base_url(),
        }
    }

    /// Builds the configuration from the `[intercom]` config-file section and the environment
    /// (`STEWARD_INTERCOM_TOKEN`, `STEWARD_INTERCOM_URL`, `STEWARD_INTERCOM_REGION`); the environment wins.
    pub fn from_section_and_env(
        section: Option<&IntercomSection>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let default_section = IntercomSection::default();
        let section = section.unwrap_or(&default_section);
        let token_raw =
            env("STEWARD_INTERCOM_TOKEN").or_else(|| section.token.clone()).ok_or(ConfigError::MissingToken)?;
        let mut config = Self::new(AccessToken::parse(&token_raw)?);
        if let Some(region) = env("STEWARD_INTERCOM_REGION").or_else(|| section.region.clone()) {
            config.region = Region::parse(&region)?;
        }
        if let Some(url) = env("STEWARD_INTERCOM_URL").or_else(|| section.base_url.clone()) {
            config.base_url = Some(BaseUrl::parse(&url)?);
        }
        if let Some(version) = &section.api_version {
            let valid =
                !version.is_empty() && version.len() <= 8 && version.bytes().all(|b| b.is_ascii_digit() || b == b'.');
            if !valid && version != "Unstable" {
                return Err(ConfigError::BadApiVersion(version.chars().take(16).collect()));
            }
            config.api_version = version.clone();
        }
        if let Some(share) = section.rate_limit_share {
            if !(share > 0.0 && share <= 1.0) {
                return Err(ConfigError::BadShare(share));
            }
            config.rate_limit_share = share;
        }
        if let Some(secs) = section.timeout_secs {
            if secs == 0 || secs > 600 {
                return Err(ConfigError::BadTimeout(secs));
            }
            config.timeout = Duration::from_secs(secs);
        }
        if let Some(retries) = section.max_retries {
            config.max_retries = retries.min(10);
        }
        Ok(config)
    }
}

/// The `[intercom]` section of the config file. Every field is optional.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntercomSection {
    /// The access token (prefer `STEWARD_INTERCOM_TOKEN`).
    pub token: Option<String>,
    /// `us`, `eu` or `au`.
    pub region: Option<String>,
    /// A custom base URL such as the simulator's.
    pub base_url: Option<String>,
    /// The `Intercom-Version` header, default 2.16.
    pub api_version: Option<String>,
    /// The share of the rate limit to use, in (0, 1].
    pub rate_limit_share: Option<f64>,
    /// Per-request timeout in seconds.
    pub timeout_secs: Option<u64>,
    /// Retries for idempotent requests.
    pub max_retries: Option<u32>,
}

impl fmt::Debug for IntercomSection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntercomSection")
            .field("token", &self.token.as_ref().map(|_| "****"))
            .field("region", &self.region)
            .field("base_url", &self.base_url)
            .field("api_version", &self.api_version)
            .field("rate_limit_share", &self.rate_limit_share)
            .field("timeout_secs", &self.timeout_secs)
            .field("max_retries", &self.max_retries)
            .finish()
    }
}

/// A bad Intercom setting; the message says which setting and how to fix it.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    /// No token anywhere.
    #[error("no Intercom access token is given; set STEWARD_INTERCOM_TOKEN, or `token` in the [intercom] section")]
    MissingToken,
    /// An empty token.
    #[error("the intercom access token is empty: set STEWARD_INTERCOM_TOKEN to the app's access token")]
    EmptyToken,
    /// A token with whitespace or control characters.
    #[error(
        "the intercom access token contains spaces or non-printable characters: copy it again from the developer hub"
    )]
    MalformedToken,
    /// Unknown region.
    #[error("unknown intercom region {0:?}: use us, eu or au (STEWARD_INTERCOM_REGION or `region`)")]
    BadRegion(String),
    /// Unusable base URL.
    #[error("bad intercom base url {0:?}: use http(s)://host[:port] with no path query or credentials (STEWARD_INTERCOM_URL or `base_url`)")]
    BadBaseUrl(String),
    /// Malformed API version.
    #[error("bad intercom api version {0:?}: use a version such as 2.16")]
    BadApiVersion(String),
    /// Share out of range.
    #[error("rate_limit_share {0} is out of range: use a number above 0 and at most 1")]
    BadShare(f64),
    /// Timeout out of range.
    #[error("timeout_secs {0} is out of range: use 1 to 600")]
    BadTimeout(u64),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let owned: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |key| owned.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    #[test]
    fn token_never_printed() {
        let token = AccessToken::parse("dG9rOnNlY3JldA==").unwrap();
        assert_eq!(format!("{token:?}"), "AccessToken(****)");
        assert_eq!(format!("{token}"), "****");
        let config = ClientConfig::new(token);
        assert!(!format!("{config:?}").contains("dG9r"));
        let section = IntercomSection { token: Some("dG9rOnNlY3JldA==".into()), ..Default::default() };
        assert!(!format!("{section:?}").contains("dG9r"));
    }

    #[test]
    fn env_overrides_file_and_errors_are_clear() {
        let section =
            IntercomSection { token: Some("file-token".into()), region: Some("eu".into()), ..Default::default() };
        let config = ClientConfig::from_section_and_env(
            Some(&section),
            env_of(&[("STEWARD_INTERCOM_REGION", "AU"), ("STEWARD_INTERCOM_URL", "http://127.0.0.1:9/")]),
        )
        .unwrap();
        assert_eq!(config.region, Region::Au);
        assert_eq!(config.effective_base_url(), "http://127.0.0.1:9");
        assert_eq!(config.token.expose(), "file-token");

        let err = ClientConfig::from_section_and_env(None, env_of(&[])).unwrap_err();
        assert_eq!(err, ConfigError::MissingToken);
        let err = ClientConfig::from_section_and_env(Some(&section), env_of(&[("STEWARD_INTERCOM_REGION", "mars")]))
            .unwrap_err();
        assert!(err.to_string().contains("use us, eu or au"));
        let err = ClientConfig::from_section_and_env(Some(&section), env_of(&[("STEWARD_INTERCOM_URL", "ftp://x")]))
            .unwrap_err();
        assert!(matches!(err, ConfigError::BadBaseUrl(_)));
        assert_eq!(AccessToken::parse("a b").unwrap_err(), ConfigError::MalformedToken);
    }
}
