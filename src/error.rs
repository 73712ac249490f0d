//! Errors and exit codes, mapped in one place (docs/cli-contract.md §8).
//!
//! Every failure the tool reports is an [`Error`]: a [`ErrorKind`] that fixes the exit code and
//! the stable JSON `code`, a message that says what failed, and a hint that says what to do
//! next. Messages are built by the code that knows the context; none of them may contain a
//! secret (secrets are [`crate::secret::Secret`] values, which cannot be formatted).

use std::fmt;

/// The version of every JSON document agentcred prints (docs/cli-contract.md §9), the error envelope
/// first among them. Within a version, changes are additive only.
pub const SCHEMA_VERSION: u32 = 1;

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
    /// 126: `exec` found the command but could not run it (not executable), as shells say.
    CommandNotExecutable,
    /// 127: `exec` found no such command, as shells say.
    CommandNotFound,
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
            ErrorKind::CommandNotExecutable => 126,
            ErrorKind::CommandNotFound => 127,
        }
    }

    /// The code an error of this kind has when nothing finer is known.
    pub fn default_code(self) -> Code {
        match self {
            ErrorKind::Internal => Code::Internal,
            ErrorKind::Usage => Code::Usage,
            ErrorKind::NotFound => Code::NotFound,
            ErrorKind::Auth => Code::AuthFailed,
            ErrorKind::Conflict => Code::Conflict,
            ErrorKind::Unavailable => Code::ServiceUnavailable,
            ErrorKind::Store => Code::StoreUnavailable,
            ErrorKind::Policy => Code::RefusedByPolicy,
            ErrorKind::CommandNotExecutable => Code::CommandNotExecutable,
            ErrorKind::CommandNotFound => Code::CommandNotFound,
        }
    }
}

/// The fine-grained, documented error codes of the JSON envelope (docs/cli-contract.md §9). Each is bound
/// to one [`ErrorKind`], hence to one exit code: setting a code sets the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    Internal,
    Usage,
    NotFound,
    AuthFailed,
    /// The service says the credential was revoked (a revoked token, a removed verifier).
    CredentialRevoked,
    /// The credential expired and could not be renewed.
    CredentialExpired,
    Conflict,
    ServiceUnavailable,
    /// 429 after retries; `retry_after_s` says when to try again.
    RateLimited,
    StoreUnavailable,
    /// The keychain answered but its collection is locked.
    KeychainLocked,
    AgentSuspended,
    AgentBlocked,
    AgentDeregistered,
    /// The agent's owner has not approved it yet; `authorization_url` is where they do.
    NotAuthorizedByOwner,
    /// A count or spending limit of the service (the 21st verifier, the card limit).
    LimitReached,
    /// The service issues no credential valid for as long as `--min-valid` asks.
    MinValidUnmet,
    /// Refused by a rule of the service that has no finer code, or by the profile's own
    /// policy (`rule` names which).
    RefusedByPolicy,
    /// The profile's policy holds the request until a person approves it
    /// (`agentcred approvals approve ID`).
    ApprovalRequired,
    /// `audit verify` found an edited, removed or reordered entry.
    AuditBroken,
    /// `exec --isolate` cannot give a protection here; the command was not started.
    IsolationUnavailable,
    /// A command that needs the credential store, run inside an isolated `exec`.
    Isolated,
    /// The profile is frozen (`agentcred freeze`): no credential of it is used until `unfreeze`.
    Frozen,
    /// `leaks scan` found a stored secret in the files it read.
    LeaksFound,
    /// `exec`: the command exists but cannot be run (exit 126).
    CommandNotExecutable,
    /// `exec`: no such command (exit 127).
    CommandNotFound,
}

impl Code {
    /// Every code, in the order of the exit-code table.
    pub const ALL: &'static [Code] = &[
        Code::Internal,
        Code::Usage,
        Code::NotFound,
        Code::AuthFailed,
        Code::CredentialRevoked,
        Code::CredentialExpired,
        Code::Conflict,
        Code::ServiceUnavailable,
        Code::RateLimited,
        Code::StoreUnavailable,
        Code::KeychainLocked,
        Code::AgentSuspended,
        Code::AgentBlocked,
        Code::AgentDeregistered,
        Code::NotAuthorizedByOwner,
        Code::LimitReached,
        Code::MinValidUnmet,
        Code::RefusedByPolicy,
        Code::ApprovalRequired,
        Code::AuditBroken,
        Code::IsolationUnavailable,
        Code::Isolated,
        Code::Frozen,
        Code::LeaksFound,
        Code::CommandNotExecutable,
        Code::CommandNotFound,
    ];

    pub fn kind(self) -> ErrorKind {
        match self {
            Code::Internal => ErrorKind::Internal,
            Code::Usage | Code::IsolationUnavailable => ErrorKind::Usage,
            Code::NotFound => ErrorKind::NotFound,
            Code::AuthFailed | Code::CredentialRevoked | Code::CredentialExpired => ErrorKind::Auth,
            Code::Conflict => ErrorKind::Conflict,
            Code::ServiceUnavailable | Code::RateLimited => ErrorKind::Unavailable,
            Code::StoreUnavailable | Code::KeychainLocked | Code::Isolated => ErrorKind::Store,
            Code::AgentSuspended
            | Code::AgentBlocked
            | Code::AgentDeregistered
            | Code::NotAuthorizedByOwner
            | Code::LimitReached
            | Code::MinValidUnmet
            | Code::RefusedByPolicy
            | Code::ApprovalRequired
            | Code::AuditBroken
            | Code::Frozen
            | Code::LeaksFound => ErrorKind::Policy,
            Code::CommandNotExecutable => ErrorKind::CommandNotExecutable,
            Code::CommandNotFound => ErrorKind::CommandNotFound,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Code::Internal => "internal",
            Code::Usage => "usage",
            Code::NotFound => "not_found",
            Code::AuthFailed => "auth_failed",
            Code::CredentialRevoked => "credential_revoked",
            Code::CredentialExpired => "credential_expired",
            Code::Conflict => "conflict",
            Code::ServiceUnavailable => "service_unavailable",
            Code::RateLimited => "rate_limited",
            Code::StoreUnavailable => "store_unavailable",
            Code::KeychainLocked => "keychain_locked",
            Code::AgentSuspended => "agent_suspended",
            Code::AgentBlocked => "agent_blocked",
            Code::AgentDeregistered => "agent_deregistered",
            Code::NotAuthorizedByOwner => "not_authorized_by_owner",
            Code::LimitReached => "limit_reached",
            Code::MinValidUnmet => "min_valid_unmet",
            Code::RefusedByPolicy => "refused_by_policy",
            Code::ApprovalRequired => "approval_required",
            Code::AuditBroken => "audit_broken",
            Code::IsolationUnavailable => "isolation_unavailable",
            Code::Isolated => "isolated",
            Code::Frozen => "frozen",
            Code::LeaksFound => "leaks_found",
            Code::CommandNotExecutable => "command_not_executable",
            Code::CommandNotFound => "command_not_found",
        }
    }

    /// One line for the documentation and `agentcred schema`.
    pub fn meaning(self) -> &'static str {
        match self {
            Code::Internal => "a bug or an environment agentcred did not anticipate",
            Code::Usage => {
                "a bad flag, value or environment variable; input needed but not allowed; a command that does not apply to the profile's service"
            }
            Code::NotFound => "no such profile, agent, key, token, card or verifier",
            Code::AuthFailed => "the service refused the credentials, even after one refresh",
            Code::CredentialRevoked => "the service says the credential was revoked",
            Code::CredentialExpired => "the credential expired and could not be renewed",
            Code::Conflict => "a name taken, a changed resource (412), an idempotency mismatch",
            Code::ServiceUnavailable => "network error, timeout or 5xx after retries",
            Code::RateLimited => "429 after retries; retry_after_s says when to try again",
            Code::StoreUnavailable => "the credential store is unavailable or failed",
            Code::KeychainLocked => "the keychain's collection is locked",
            Code::AgentSuspended => "the agent is suspended",
            Code::AgentBlocked => "the agent is blocked for good",
            Code::AgentDeregistered => "the agent was deregistered",
            Code::NotAuthorizedByOwner => {
                "the agent's owner has not approved it; authorization_url is where they do"
            }
            Code::LimitReached => "a count or spending limit of the service was reached",
            Code::MinValidUnmet => "the service issues no credential valid for --min-valid",
            Code::RefusedByPolicy => {
                "refused by a rule of the service or of the profile's policy (`rule` names it)"
            }
            Code::ApprovalRequired => {
                "the profile's policy holds the request until a person approves it elsewhere"
            }
            Code::AuditBroken => "the audit log was changed: an entry edited, removed or reordered",
            Code::IsolationUnavailable => {
                "exec --isolate cannot apply a protection here (named, with its fix); the command was not started"
            }
            Code::Isolated => {
                "the command needs the credential store, which is out of reach inside an isolated exec"
            }
            Code::Frozen => {
                "the profile is frozen (`agentcred freeze`); `agentcred unfreeze` lifts it"
            }
            Code::LeaksFound => "`leaks scan` found a stored secret in the files it read",
            Code::CommandNotExecutable => {
                "exec: the command was found but cannot be run (not executable), as shells report it"
            }
            Code::CommandNotFound => "exec: no such command, as shells report it",
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
    /// A finer code than the kind's default; bound to the kind by [`Error::with_code`].
    code: Option<Code>,
    /// What only some errors carry (boxed: errors travel in every `Result`).
    extra: Option<Box<Extra>>,
}

#[derive(Debug, Default)]
struct Extra {
    /// Seconds the service asked us to wait (`Retry-After`), for `rate_limited`.
    retry_after_s: Option<u64>,
    /// Where the agent's owner approves it, for `not_authorized_by_owner`.
    authorization_url: Option<String>,
    /// The rescue file that holds one-time secrets the store could not keep.
    rescue_file: Option<String>,
    /// Fields of a policy refusal (`rule`, `approval_id`, `request`, `command`), as given.
    fields: serde_json::Map<String, serde_json::Value>,
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
            code: None,
            extra: None,
        }
    }

    /// An error with a fine-grained code (its kind, and so its exit code, follow).
    pub fn coded(code: Code, message: impl Into<String>) -> Self {
        Self::new(code.kind(), message).with_code(code)
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

    /// Give the error a finer code; its kind becomes the code's.
    pub fn with_code(mut self, code: Code) -> Self {
        self.kind = code.kind();
        self.code = Some(code);
        self
    }

    fn extra_mut(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Default::default)
    }

    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.extra_mut().retry_after_s = Some(secs);
        self
    }

    /// Where the agent's owner approves it, when the error says so.
    pub fn authorization_url(&self) -> Option<&str> {
        self.extra.as_ref()?.authorization_url.as_deref()
    }

    pub fn with_authorization_url(mut self, url: impl Into<String>) -> Self {
        self.extra_mut().authorization_url = Some(url.into());
        self
    }

    pub fn with_rescue_file(mut self, path: impl Into<String>) -> Self {
        self.extra_mut().rescue_file = Some(path.into());
        self
    }

    /// A field of the error object beyond the common ones (a policy refusal's `rule`); never
    /// a secret.
    pub fn with_field(mut self, name: &str, value: impl Into<serde_json::Value>) -> Self {
        self.extra_mut()
            .fields
            .insert(name.to_owned(), value.into());
        self
    }

    pub fn rescue_file(&self) -> Option<&str> {
        self.extra.as_ref()?.rescue_file.as_deref()
    }

    /// The JSON `code`: the finer one if set and still bound to the kind, else the kind's.
    pub fn code(&self) -> Code {
        self.code
            .filter(|c| c.kind() == self.kind)
            .unwrap_or_else(|| self.kind.default_code())
    }

    pub fn exit_code(&self) -> u8 {
        self.kind.exit_code()
    }

    /// The `--json` error envelope written to stderr.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "schema_version": SCHEMA_VERSION, "error": self.body() })
    }

    /// The error object (`code`, `message`, `hint`, `exit_code`, ...), also used inside other
    /// documents (a tool error of the MCP server, a row of `status --check --all`).
    pub fn body(&self) -> serde_json::Value {
        let mut body = serde_json::Map::new();
        body.insert("code".into(), self.code().as_str().into());
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
        if let Some(extra) = &self.extra {
            if let Some(secs) = extra.retry_after_s {
                body.insert("retry_after_s".into(), secs.into());
            }
            if let Some(url) = &extra.authorization_url {
                body.insert("authorization_url".into(), url.clone().into());
            }
            if let Some(path) = &extra.rescue_file {
                body.insert("rescue_file".into(), path.clone().into());
            }
            for (name, value) in &extra.fields {
                body.entry(name.clone()).or_insert_with(|| value.clone());
            }
        }
        serde_json::Value::Object(body)
    }

    /// The JSON Schema of [`Error::body`], published by `agentcred schema`. It lists every field
    /// `body` can write and allows no other, so a field added there must be added here (the
    /// tests validate every error the binary prints against it).
    pub fn body_schema() -> serde_json::Value {
        let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        serde_json::json!({
            "type": "object",
            "properties": {
                "code": {"enum": codes, "description": "what went wrong, one of `error_codes`"},
                "message": {"type": "string", "description": "the problem, for a person"},
                "hint": {"type": "string", "description": "what to do about it"},
                "exit_code": {"type": "integer", "minimum": 1, "maximum": 255, "description": "the process's exit code, bound to `code` (126 and 127: exec could not start the command)"},
                "provider": {"type": "string", "description": "the id of the service the error concerns"},
                "http_status": {"type": "integer", "description": "the status the service answered with"},
                "service_code": {"type": "string", "description": "the service's own error code"},
                "retry_after_s": {"type": "integer", "minimum": 0, "description": "seconds the service asked to wait (rate_limited)"},
                "authorization_url": {"type": "string", "description": "where the agent's owner approves it (not_authorized_by_owner)"},
                "rescue_file": {"type": "string", "description": "the 0600 file holding one-time secrets the store could not keep"},
            },
            "required": ["code", "message", "exit_code"],
            "additionalProperties": false,
        })
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
