//! `steward doctor`'s Intercom checks: token (`GET /me`), workspace, region, API version and rate-limit headroom.

use std::fmt;

use super::client::Client;
use super::error::IntercomError;

/// What the Intercom checks found.
#[derive(Debug, Clone)]
pub struct DoctorReport {
    /// The base URL in use.
    pub base_url: String,
    /// The configured region.
    pub region: &'static str,
    /// The region the workspace reports, if any.
    pub workspace_region: Option<String>,
    /// The `Intercom-Version` sent.
    pub api_version: String,
    /// The admin that owns the token.
    pub admin_id: String,
    /// The workspace (app) id.
    pub workspace_id: String,
    /// The workspace name.
    pub workspace_name: String,
    /// `X-RateLimit-Limit` of the last response.
    pub rate_limit: Option<u64>,
    /// `X-RateLimit-Remaining` of the last response.
    pub rate_remaining: Option<u64>,
    /// Problems that do not stop Steward but need attention.
    pub warnings: Vec<String>,
}

impl fmt::Display for DoctorReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "intercom: ok")?;
        writeln!(f, "  base url:     {}", self.base_url)?;
        writeln!(
            f,
            "  region:       {} (workspace reports {})",
            self.region,
            self.workspace_region.as_deref().unwrap_or("nothing")
        )?;
        writeln!(f, "  api version:  {}", self.api_version)?;
        writeln!(f, "  workspace:    {} ({})", self.workspace_name, self.workspace_id)?;
        writeln!(f, "  token admin:  {}", self.admin_id)?;
        match (self.rate_limit, self.rate_remaining) {
            (Some(limit), Some(remaining)) => {
                writeln!(f, "  rate limit:   {remaining} left of {limit} in this window")?
            }
            _ => writeln!(f, "  rate limit:   no X-RateLimit headers seen")?,
        }
        for warning in &self.warnings {
            writeln!(f, "  warning:      {warning}")?;
        }
        Ok(())
    }
}

/// Builds the client from the `[intercom]` section and the environment (`STEWARD_INTERCOM_*`, which wins) and runs
/// the checks: the one entry point of `steward doctor`, `GET /admin/v1/doctor` and `steward demo`.
pub async fn check_configured(
    section: Option<&super::IntercomSection>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<DoctorReport, String> {
    let config = super::ClientConfig::from_section_and_env(section, env).map_err(|error| error.to_string())?;
    let client = Client::new(config).map_err(|error| error.to_string())?;
    doctor(&client).await.map_err(|error| error.to_string())
}

/// Runs the Intercom checks; an error means Steward cannot work with this configuration.
pub async fn doctor(client: &Client) -> Result<DoctorReport, IntercomError> {
    let me = client.me().await?;
    let config = client.config();
    let app = me.app.clone();
    let snapshot = client.limiter().snapshot();
    let mut warnings = Vec::new();
    let workspace_region = app.as_ref().and_then(|a| a.region.clone());
    if config.base_url.is_none() {
        if let Some(reported) = &workspace_region {
            if !reported.eq_ignore_ascii_case(config.region.as_str()) {
                warnings.push(format!(
                    "the workspace reports region {reported} but {} is configured: set STEWARD_INTERCOM_REGION",
                    config.region.as_str()
                ));
            }
        }
    }
    if config.api_version != super::config::DEFAULT_API_VERSION {
        warnings.push(format!(
            "api version {} is not the tested {}: responses may differ",
            config.api_version,
            super::config::DEFAULT_API_VERSION
        ));
    }
    if let (Some(limit), Some(remaining)) = (snapshot.limit, snapshot.remaining) {
        if remaining * 10 < snapshot.window_quota.max(1) {
            warnings.push(format!(
                "only {remaining} of {limit} requests left in this window: other integrations are using the budget"
            ));
        }
    } else {
        warnings.push("no rate-limit headers in the response: is the base url an intercom api?".to_owned());
    }
    Ok(DoctorReport {
        base_url: config.effective_base_url().to_owned(),
        region: config.region.as_str(),
        workspace_region,
        api_version: config.api_version.clone(),
        admin_id: me.id,
        workspace_id: app.as_ref().map(|a| a.id_code.clone()).unwrap_or_default(),
        workspace_name: app.map(|a| a.name).unwrap_or_default(),
        rate_limit: snapshot.limit,
        rate_remaining: snapshot.remaining,
        warnings,
    })
}

/// Reads the `[intercom]` section of a TOML config file.
pub fn section_from_toml(text: &str) -> Result<Option<super::config::IntercomSection>, String> {
    #[derive(serde::Deserialize)]
    struct File {
        intercom: Option<super::config::IntercomSection>,
    }
    let file: File = toml::from_str(text).map_err(|e| format!("bad [intercom] section: {}", e.message()))?;
    Ok(file.intercom)
}
