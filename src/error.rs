//! Errors and exit codes, mapped in one place (contract §8).
//!
//! Every failure the tool reports is an [`Error`]: a [`ErrorKind`] that fixes the exit code and
//! the stable JSON `code`, a message that says what failed, and a hint that says what to do
//! next. Messages are built by the code that knows the context; none of them may contain a
//! secret (secrets are [`crate::secret::Secret`] values, which cannot be formatted).

use std::fmt;

/// The outcome classes of the contract's exit-code table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 1: a bug or an environment we did not anticipate.
    Internal,
    /// 2: bad flag or value, wrong provider for the command, input needed but not allowed.
    Usage,
    /// 3: profile, agent, key, token, card or verifier not found.
    NotFound,
    /// 4: authentication or authorization failed and one refresh did not fix it.
    Auth,
    /// 5: conflict (409, 412, name taken, idempotency mismatch).
    Conflict,
    /// 6: network error, timeout, 5xx or 429 after retries.
    Unavailable,
    /// 7: credential store unavailable or failed.
    Store,
    /// 8: refused by a limit or policy (spending limit, verifier limit, agent suspended).
    Policy,
}

impl ErrorKind {
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Internal => 1,
            ErrorKind::Usage => 2,
            ErrorKind::NotFound => 3,
            ErrorKind::Auth => 4,
            ErrorKind::Conflict => 5,
            ErrorKind::Unavailable => 6,
            ErrorKind::Store => 7,
            ErrorKind::Policy => 8,
        }
    }

    /// The stable machine-readable code in the JSON error envelope.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Internal => "internal_error",
            ErrorKind::Usage => "invalid_input",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Auth => "auth_failed",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Unavailable => "service_unavailable",
            ErrorKind::Store => "store_unavailable",
            ErrorKind::Policy => "refused_by_policy",
        }
    }
}

/// An error as the user sees it.
#[derive(Debug)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    pub hint: Option<String>,
    /// The provider whose service or profile the error concerns (its id, as in the config).
    pub provider: Option<String>,
    /// The HTTP status the service answered with, when the error comes from a response.
    pub http_status: Option<u16>,
    /// The service's own error code (`agent_auth_failed`, `UNAUTHORIZED`, ...), when it sent one.
    pub service_code: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            hint: None,
            provider: None,
            http_status: None,
            service_code: None,
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Usage, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }
    pub fn auth(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Auth, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unavailable, message)
    }
    pub fn store(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Store, message)
    }
    pub fn policy(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Policy, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    pub fn with_provider(mut self, provider: impl Into<String>) -> Self {
        self.provider = Some(provider.into());
        self
    }
    pub fn with_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }
    pub fn with_service_code(mut self, code: impl Into<String>) -> Self {
        self.service_code = Some(code.into());
        self
    }

    pub fn exit_code(&self) -> u8 {
        self.kind.exit_code()
    }

    /// The `--json` error envelope written to stderr.
    pub fn to_json(&self) -> serde_json::Value {
        let mut body = serde_json::Map::new();
        body.insert("code".into(), self.kind.code().into());
        body.insert("message".into(), self.message.clone().into());
        if let Some(hint) = &self.hint {
            body.insert("hint".into(), hint.clone().into());
        }
        body.insert("exit_code".into(), self.exit_code().into());
        if let Some(provider) = &self.provider {
            body.insert("provider".into(), provider.clone().into());
        }
        if let Some(status) = self.http_status {
            body.insert("http_status".into(), status.into());
        }
        if let Some(code) = &self.service_code {
            body.insert("service_code".into(), code.clone().into());
        }
        serde_json::json!({ "error": body })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_contract_table() {
        let table = [
            (ErrorKind::Internal, 1),
            (ErrorKind::Usage, 2),
            (ErrorKind::NotFound, 3),
            (ErrorKind::Auth, 4),
            (ErrorKind::Conflict, 5),
            (ErrorKind::Unavailable, 6),
            (ErrorKind::Store, 7),
            (ErrorKind::Policy, 8),
        ];
        for (kind, code) in table {
            assert_eq!(kind.exit_code(), code, "{kind:?}");
        }
    }

    #[test]
    fn json_envelope_has_the_documented_fields() {
        let err = Error::auth("JWT rejected")
            .with_hint("run `agentcred refresh`")
            .with_provider("demo")
            .with_status(401);
        let json = err.to_json();
        assert_eq!(json["error"]["code"], "auth_failed");
        assert_eq!(json["error"]["exit_code"], 4);
        assert_eq!(json["error"]["provider"], "demo");
        assert_eq!(json["error"]["http_status"], 401);
        assert_eq!(json["error"]["hint"], "run `agentcred refresh`");
    }
}
