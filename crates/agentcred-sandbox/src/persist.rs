//! What the state file ([`crate::state`]) and the request log ([`crate::reqlog`]) share: how
//! long a request waits for a lock, how many requests the log keeps, the record of one
//! request, and why a file could not be read or written. Defined here, below both, so that
//! neither module needs the other's internals.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::support::Envelope;

/// The request log keeps this many most recent requests (counts are kept for all).
pub const REQUEST_LOG_LIMIT: usize = 1000;

/// How long a request waits for the state lock before answering 503.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// One request as the sandbox received it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestRecord {
    pub seq: u64,
    pub at: String,
    pub method: String,
    /// The full path (service prefix included), ids as they are.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// `none`, `bearer`, `basic`, `api-key` or `other`.
    pub auth_scheme: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basic_user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub if_match: Option<String>,
    /// Parsed JSON, a form's fields as an object, or the text; `null` when empty.
    pub body: Value,
}

impl RequestRecord {
    /// The key it is counted under: `"POST /SERVICE/refresh"`.
    pub fn count_key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// Why the state could not be read or written.
#[derive(Debug)]
pub enum StateError {
    /// Another process held the lock for longer than [`LOCK_TIMEOUT`].
    Busy(String),
    /// The file exists but is not a state document; it is left untouched.
    Corrupt(String),
    Io(String),
    Internal(String),
}

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StateError::Busy(m) | StateError::Corrupt(m) | StateError::Io(m) => f.write_str(m),
            StateError::Internal(m) => write!(f, "sandbox internal error: {m}"),
        }
    }
}

impl std::error::Error for StateError {}

impl StateError {
    /// The error as a response in a service's envelope: 503 (with `Retry-After`) when the lock
    /// was busy, since trying again helps; 500 otherwise.
    pub fn response(&self, envelope: Envelope) -> Response {
        let (status, code) = match self {
            StateError::Busy(_) => (StatusCode::SERVICE_UNAVAILABLE, "sandbox_busy"),
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "sandbox_state_error"),
        };
        let mut response = envelope.response(status, code, &self.to_string());
        if matches!(self, StateError::Busy(_)) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}
