//! Typed, classified errors of the Intercom client; none of them carries a token or personal data.

use std::time::Duration;

use serde::Deserialize;

/// How a caller should react to an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Trying again later may succeed; the request was not applied.
    Retryable,
    /// Trying again will fail the same way.
    Permanent,
    /// A mutating request may or may not have been applied: check the state before acting again.
    Ambiguous,
}

/// One entry of the API's `error.list`. Only the code is shown in messages; Intercom messages can echo input.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ApiErrorItem {
    /// The machine-readable code, e.g. `not_found`, `parameter_invalid`.
    pub code: String,
    /// The human-readable message (may echo input; never put into logs).
    #[serde(default)]
    pub message: Option<String>,
    /// The offending field, if any.
    #[serde(default)]
    pub field: Option<String>,
}

/// The body of an API error response.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ApiErrorList {
    /// The entries.
    #[serde(default)]
    pub errors: Vec<ApiErrorItem>,
    /// Intercom's request id, useful in support tickets.
    #[serde(default)]
    pub request_id: Option<String>,
}

impl ApiErrorList {
    /// The error codes joined by commas, for messages.
    pub fn codes(&self) -> String {
        let codes: Vec<&str> = self.errors.iter().map(|e| e.code.as_str()).collect();
        if codes.is_empty() {
            "none".to_owned()
        } else {
            codes.join(",")
        }
    }
}

/// An error from one Intercom operation. `operation` names the API call (e.g. `contacts.retrieve`).
#[derive(Debug, thiserror::Error)]
pub enum IntercomError {
    /// 404: the object does not exist (or was deleted).
    #[error("{operation}: not found (404): the object does not exist or was deleted")]
    NotFound {
        /// The API call.
        operation: &'static str,
    },
    /// 410: the contact was merged into another one; `canonical_id` comes from the `Link` header.
    #[error("{operation}: contact was merged (410): use the canonical contact instead")]
    Gone {
        /// The API call.
        operation: &'static str,
        /// The surviving contact's id, if the `Link` header named it.
        canonical_id: Option<String>,
    },
    /// 401: the token is missing, invalid or revoked.
    #[error("{operation}: unauthorized (401): check STEWARD_INTERCOM_TOKEN and the region")]
    Unauthorized {
        /// The API call.
        operation: &'static str,
    },
    /// 403: the token lacks a scope.
    #[error("{operation}: forbidden (403): grant the app the scope this operation needs")]
    Forbidden {
        /// The API call.
        operation: &'static str,
    },
    /// 429 more times than the client tolerates.
    #[error("{operation}: rate limited (429) after retries: lower the concurrency or the rate-limit share")]
    RateLimited {
        /// The API call.
        operation: &'static str,
        /// How long the server asked to wait.
        retry_after: Duration,
    },
    /// 400/409/422: the request was rejected; the codes say why.
    #[error("{operation}: rejected ({status}) with codes [{}]: fix the request", errors.codes())]
    Validation {
        /// The API call.
        operation: &'static str,
        /// The HTTP status.
        status: u16,
        /// The API's error list.
        errors: ApiErrorList,
    },
    /// The request was refused by the client before sending (e.g. a search query over the documented limits).
    #[error("{operation}: invalid request: {reason}")]
    InvalidRequest {
        /// The API call.
        operation: &'static str,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// 5xx after retries (or on a mutating request, which is not retried).
    #[error("{operation}: intercom server error ({status}): try again later")]
    Server {
        /// The API call.
        operation: &'static str,
        /// The HTTP status.
        status: u16,
        /// Whether the request was mutating (then it may have been applied).
        mutating: bool,
    },
    /// Connection failure or timeout of an idempotent request, after retries.
    #[error("{operation}: transport error ({reason}): check the network and the base url")]
    Transport {
        /// The API call.
        operation: &'static str,
        /// A short reason (no URL, no token).
        reason: String,
    },
    /// A mutating request whose response was lost: it may have been applied.
    #[error("{operation}: outcome unknown (the response was lost): check the object's state before acting again")]
    AmbiguousOutcome {
        /// The API call.
        operation: &'static str,
    },
    /// A 2xx body the client could not decode.
    #[error("{operation}: unexpected response body ({reason}): report this with the api version in use")]
    Decode {
        /// The API call.
        operation: &'static str,
        /// The serde error text (paths and types, not values).
        reason: String,
    },
    /// Any other status.
    #[error("{operation}: unexpected status {status}")]
    UnexpectedStatus {
        /// The API call.
        operation: &'static str,
        /// The HTTP status.
        status: u16,
    },
}

impl IntercomError {
    /// Classifies the error: retryable, permanent or ambiguous.
    pub fn class(&self) -> ErrorClass {
        match self {
            Self::RateLimited { .. } | Self::Transport { .. } => ErrorClass::Retryable,
            Self::Server { mutating, .. } => {
                if *mutating {
                    ErrorClass::Ambiguous
                } else {
                    ErrorClass::Retryable
                }
            }
            Self::AmbiguousOutcome { .. } => ErrorClass::Ambiguous,
            Self::NotFound { .. }
            | Self::Gone { .. }
            | Self::Unauthorized { .. }
            | Self::Forbidden { .. }
            | Self::Validation { .. }
            | Self::InvalidRequest { .. }
            | Self::Decode { .. }
            | Self::UnexpectedStatus { .. } => ErrorClass::Permanent,
        }
    }

    /// The HTTP status, when the error came from a response.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::NotFound { .. } => Some(404),
            Self::Gone { .. } => Some(410),
            Self::Unauthorized { .. } => Some(401),
            Self::Forbidden { .. } => Some(403),
            Self::RateLimited { .. } => Some(429),
            Self::Validation { status, .. } | Self::Server { status, .. } | Self::UnexpectedStatus { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }
}

/// Extracts the canonical contact id from `Link: </contacts/{id}>; rel="canonical"`.
pub fn canonical_id_from_link(link: &str) -> Option<String> {
    for part in link.split(',') {
        let part = part.trim();
        if !part.contains("rel=\"canonical\"") && !part.contains("rel=canonical") {
            continue;
        }
        let start = part.find('<')? + 1;
        let end = part[start..].find('>')? + start;
        let target = &part[start..end];
        let id = target.trim_end_matches('/').rsplit('/').next()?;
        if !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
            return Some(id.to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_header_parsing() {
        assert_eq!(canonical_id_from_link("</contacts/abc123>; rel=\"canonical\"").as_deref(), Some("abc123"));
        assert_eq!(
            canonical_id_from_link("<https://api.intercom.io/contacts/x9>; rel=\"canonical\"").as_deref(),
            Some("x9")
        );
        assert_eq!(canonical_id_from_link("</contacts/abc>; rel=\"next\""), None);
    }

    #[test]
    fn classes() {
        let e = IntercomError::Server { operation: "x", status: 500, mutating: true };
        assert_eq!(e.class(), ErrorClass::Ambiguous);
        let e = IntercomError::Server { operation: "x", status: 500, mutating: false };
        assert_eq!(e.class(), ErrorClass::Retryable);
        assert_eq!(IntercomError::NotFound { operation: "x" }.class(), ErrorClass::Permanent);
    }
}
