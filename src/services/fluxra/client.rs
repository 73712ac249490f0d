//! Fluxra: the Chat API's credential routes. See docs/providers.md §2 and the Fluxra bullets of docs/providers.md §7.
//!
//! Each call has its own auth scheme, and the secret it sends is the least powerful one that
//! works:
//! - `POST /api/auth/register`: public. Answers the agent id and the one-time `recovery_key`.
//! - `POST /api/agents/{agent_id}` (create a key) and `DELETE /api/agents/{agent_id}/keys/{key_id}`
//!   (revoke one): Basic `agent_id:recovery_key`, the high-risk credential.
//! - `GET /api/agents/{agent_id}` (list keys): Bearer JWT, like all normal traffic; Basic with
//!   the recovery key only when the profile has no working API key (`list_keys` of the
//!   service module).
//! - `POST /api/auth/token`: Basic `agent_id:api_key`, JSON `{"grant_type":"client_credentials"}`
//!   → `{access_token, token_type, expires_in}`. Refreshing is exchanging the key again.
//! - `GET /health`: public, outside `/api`.
//!
//! Errors come in `{"error":{"code","message"}}`, but the auth middleware answers some
//! failures in plain text, as the docs warn. So the status decides what happened, and the body
//! is read as JSON only when it is JSON; a plain-text 401 is an auth failure (exit 4) whose
//! message quotes the text.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::http::{self, Auth, Call, Http, Reply};
use crate::secret::Secret;
use crate::timefmt;

pub const PROVIDER: &str = "fluxra";

/// How to get a key that works, for messages.
pub const NEW_KEY_HINT: &str =
    "create a new API key with `agentcred keys create --use` (it uses the stored recovery key)";

/// The agent-name rule of the register endpoint, `^[a-zA-Z0-9-]{3,50}$`, checked before any call.
pub fn validate_agent_name(name: &str) -> Result<()> {
    let ok = (3..=50).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        return Ok(());
    }
    Err(Error::usage(format!(
        "'{name}' is not a valid Fluxra agent name: it must be 3-50 characters, letters, digits or '-'"
    ))
    .with_provider(PROVIDER)
    .with_hint("pass --name with a name like weather-bot (^[a-zA-Z0-9-]{3,50}$)"))
}

pub struct Registered {
    pub agent_id: String,
    pub agent_name: String,
    pub recovery_key: Secret<String>,
}

/// Only what the one-time answer cannot be used without is typed strictly: a name of an
/// unexpected type must not cost the recovery key.
#[derive(Deserialize)]
struct RegisterReply {
    agent_id: String,
    #[serde(default)]
    agent_name: Option<serde_json::Value>,
    recovery_key: String,
}

/// An API key as the service lists it (never with its secret).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct KeyInfo {
    pub key_id: String,
    pub name: Option<String>,
    pub scopes: Vec<String>,
    pub created_at: Option<String>,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
}

impl KeyInfo {
    fn from_json(value: &Value) -> Option<KeyInfo> {
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
        let time = |key: &str| value.get(key).and_then(timefmt::normalize);
        Some(KeyInfo {
            key_id: text("key_id")?,
            name: text("name"),
            scopes: value
                .get("scopes")
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            created_at: time("created_at"),
            expires_at: time("expires_at"),
            last_used_at: time("last_used_at"),
        })
    }

    /// The key's lifetime in whole days (rounded up), when it has an expiry.
    pub fn lifetime_days(&self) -> Option<u32> {
        let created = timefmt::parse_to_unix_secs(self.created_at.as_deref()?)?;
        let expires = timefmt::parse_to_unix_secs(self.expires_at.as_deref()?)?;
        let days = (expires - created + 86_399) / 86_400;
        u32::try_from(days).ok().filter(|d| *d > 0)
    }
}

/// A key just created, with its one-time secret.
pub struct CreatedKey {
    pub info: KeyInfo,
    pub api_key: Secret<String>,
}

/// What a new key is asked to be.
pub struct KeySpec<'a> {
    pub name: &'a str,
    /// Empty: the service's default scopes.
    pub scopes: &'a [String],
    pub expires_in_days: Option<u32>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Health {
    pub status: Option<String>,
    pub version: Option<String>,
    pub timestamp: Option<String>,
}

fn basic(agent_id: &str, secret: &Secret<String>) -> Auth {
    Auth::Basic {
        user: agent_id.to_owned(),
        password: secret.clone(),
    }
}

/// `POST /api/auth/register`. Not idempotent (a retry after a lost answer would find the
/// name taken, and the recovery key would be lost), so never retried.
pub fn register(
    http: &Http,
    base: &str,
    name: &str,
    email: Option<&str>,
    description: Option<&str>,
) -> Result<Registered> {
    let mut body = serde_json::json!({ "agent_name": name });
    if let Some(email) = email {
        body["email"] = email.into();
    }
    if let Some(description) = description {
        body["metadata"] = serde_json::json!({ "description": description });
    }
    let reply = http.send(
        PROVIDER,
        &Call::post(format!("{base}/api/auth/register")).json(body),
    )?;
    if !reply.is_success() {
        let err = error_from(&reply, "register the agent");
        return Err(match reply.status {
            409 => err.with_hint(format!(
                "the agent name '{name}' is taken at Fluxra; choose another --name"
            )),
            400 => err
                .with_hint("check --name (3-50 letters, digits or '-'), --email and --description"),
            _ => err,
        });
    }
    let parsed: RegisterReply = reply.decode(PROVIDER, "register")?;
    Ok(Registered {
        agent_name: parsed
            .agent_name
            .as_ref()
            .and_then(serde_json::Value::as_str)
            .map_or_else(|| name.to_owned(), str::to_owned),
        agent_id: parsed.agent_id,
        recovery_key: Secret::new(parsed.recovery_key),
    })
}

/// `POST /api/agents/{agent_id}` with the recovery key: a new API key, its secret shown once.
pub fn create_key(
    http: &Http,
    base: &str,
    agent_id: &str,
    recovery_key: &Secret<String>,
    spec: &KeySpec,
) -> Result<CreatedKey> {
    let mut body = serde_json::json!({ "name": spec.name });
    if !spec.scopes.is_empty() {
        body["scopes"] = spec.scopes.into();
    }
    if let Some(days) = spec.expires_in_days {
        body["expires_in_days"] = days.into();
    }
    let call = Call::post(format!("{base}/api/agents/{agent_id}"))
        .auth(basic(agent_id, recovery_key))
        .json(body);
    let reply = http.send(PROVIDER, &call)?;
    if !reply.is_success() {
        return Err(recovery_key_error(
            error_from(&reply, "create an API key"),
            &reply,
        ));
    }
    let value: Value = reply.decode(PROVIDER, "API key creation")?;
    let secret = value.get("api_key").and_then(Value::as_str);
    match (KeyInfo::from_json(&value), secret) {
        (Some(info), Some(secret)) => Ok(CreatedKey {
            info,
            api_key: Secret::new(secret.to_owned()),
        }),
        _ => Err(
            Error::internal("Fluxra answered the API key creation without key_id or api_key")
                .with_provider(PROVIDER)
                .with_hint(
                    "run again with -v to see the response; the service's API may have changed",
                ),
        ),
    }
}

/// `DELETE /api/agents/{agent_id}/keys/{key_id}` with the recovery key.
pub fn revoke_key(
    http: &Http,
    base: &str,
    agent_id: &str,
    recovery_key: &Secret<String>,
    key_id: &str,
) -> Result<()> {
    let call = Call::delete(format!("{base}/api/agents/{agent_id}/keys/{key_id}"))
        .auth(basic(agent_id, recovery_key));
    let reply = http.send(PROVIDER, &call)?;
    if reply.is_success() {
        return Ok(());
    }
    let err = error_from(&reply, &format!("revoke the API key {key_id}"));
    Err(match reply.status {
        404 => err.with_hint(
            "no active key has that id (it may be revoked already); see `agentcred keys list`",
        ),
        _ => recovery_key_error(err, &reply),
    })
}

/// How the keys were listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ListedWith {
    Jwt,
    RecoveryKey,
}

/// `GET /api/agents/{agent_id}` with Basic `agent_id:recovery_key`.
pub fn list_keys_with_recovery_key(
    http: &Http,
    base: &str,
    agent_id: &str,
    recovery_key: &Secret<String>,
) -> Result<Vec<KeyInfo>> {
    let call =
        Call::get(format!("{base}/api/agents/{agent_id}")).auth(basic(agent_id, recovery_key));
    let reply = http.send(PROVIDER, &call)?;
    if !reply.is_success() {
        return Err(recovery_key_error(
            error_from(&reply, "list the API keys"),
            &reply,
        ));
    }
    parse_keys(&reply)
}

pub fn parse_keys(reply: &Reply) -> Result<Vec<KeyInfo>> {
    let value: Value = reply.decode(PROVIDER, "the key list")?;
    let items = value.get("keys").and_then(Value::as_array).ok_or_else(|| {
        Error::internal("Fluxra answered the key list without a `keys` array")
            .with_provider(PROVIDER)
            .with_hint("run again with -v to see the response; the service's API may have changed")
    })?;
    Ok(items.iter().filter_map(KeyInfo::from_json).collect())
}

#[derive(Deserialize)]
struct TokenReply {
    access_token: String,
}

/// `POST /api/auth/token`: exchange an API key for a JWT.
pub fn exchange(
    http: &Http,
    base: &str,
    agent_id: &str,
    api_key: &Secret<String>,
) -> Result<Secret<String>> {
    let call = Call::post(format!("{base}/api/auth/token"))
        .auth(basic(agent_id, api_key))
        .json(serde_json::json!({ "grant_type": "client_credentials" }));
    let reply = http.send(PROVIDER, &call)?;
    if !reply.is_success() {
        let err = error_from(&reply, "exchange the API key for a JWT");
        return Err(if reply.status == 401 {
            err.with_hint(format!(
                "the API key was refused (revoked, expired or unknown); {NEW_KEY_HINT}"
            ))
        } else {
            err
        });
    }
    let parsed: TokenReply = reply.decode(PROVIDER, "the token exchange")?;
    Ok(Secret::new(parsed.access_token))
}

/// `GET /health` (public, outside `/api`).
pub fn health(http: &Http, base: &str) -> Result<Health> {
    let reply = http.send(PROVIDER, &Call::get(format!("{base}/health")))?;
    if !reply.is_success() {
        return Err(error_from(&reply, "check the service's health"));
    }
    let value: Value = reply.decode(PROVIDER, "the health check")?;
    let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
    Ok(Health {
        status: text("status"),
        version: text("version"),
        timestamp: value.get("timestamp").and_then(timefmt::normalize),
    })
}

/// A refused recovery key gets a hint of its own: it cannot be re-issued by refreshing.
fn recovery_key_error(err: Error, reply: &Reply) -> Error {
    match reply.status {
        401 => err.with_hint(
            "the stored recovery key was refused. It is the agent's master credential and \
             agentcred cannot re-issue it; check that the agent still exists at Fluxra",
        ),
        403 => err.with_hint("the credentials do not belong to this profile's agent"),
        _ => err,
    }
}

/// Turn a Fluxra error reply into an error that says what to do. The status decides the
/// kind; the body is read as the `{"error":{"code","message"}}` envelope when it is one, and
/// quoted as text otherwise (the auth middleware answers some 401s in plain text).
pub fn error_from(reply: &Reply, action: &str) -> Error {
    let body = reply.json_value();
    let nested = body.as_ref().and_then(|b| b.get("error"));
    let field = |name: &str| {
        nested
            .and_then(|e| e.get(name))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let code = field("code").or_else(|| nested.and_then(Value::as_str).map(str::to_owned));
    let message = field("message").or_else(|| {
        body.as_ref()
            .and_then(|b| b.get("message"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    let plain_text = code.is_none() && message.is_none();
    let detail = match (&code, &message) {
        (Some(code), Some(message)) => Some(format!("{message} ({code})")),
        (Some(code), None) => Some(code.clone()),
        (None, Some(message)) => Some(message.clone()),
        (None, None) => None,
    };
    let mut err = http::reply_error("Fluxra", reply, code, detail);
    err.message = format!("could not {action}: {}", err.message);
    if plain_text && !reply.body.is_empty() {
        err.message.push_str(" (a plain-text answer)");
    }
    err.provider = Some(PROVIDER.to_owned());
    if err.hint.is_some() {
        return err;
    }
    match reply.status {
        400 | 422 => err.with_hint("check the values given on the command line"),
        401 => err.with_hint(format!(
            "Fluxra refused the profile's credentials; run `agentcred refresh`, and if the API key \
             was revoked, {NEW_KEY_HINT}"
        )),
        403 => err.with_hint("the credentials do not allow this; see `agentcred status`"),
        404 => err.with_hint("see `agentcred keys list` for the agent's keys"),
        409 => err.with_hint("the name is taken; choose another"),
        _ => err.with_hint("run again with -v to see the exchange with the service"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderMap;

    fn reply(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn agent_names_follow_the_documented_pattern() {
        for good in ["abc", "weather-bot", "A-1", &"x".repeat(50)] {
            assert!(validate_agent_name(good).is_ok(), "{good}");
        }
        for bad in [
            "ab",
            "has space",
            "under_score",
            "dot.name",
            "é-bot",
            &"x".repeat(51),
        ] {
            let err = validate_agent_name(bad).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn plain_text_401_is_an_auth_failure_not_a_parse_error() {
        let err = error_from(
            &reply(401, "Unauthorized: API key revoked"),
            "exchange the API key for a JWT",
        );
        assert_eq!(err.exit_code(), 4);
        assert!(
            err.message.contains("Unauthorized: API key revoked"),
            "{}",
            err.message
        );
        assert!(err.message.contains("plain-text"), "{}", err.message);
        assert!(err.hint.is_some());
        assert_eq!(err.http_status, Some(401));
    }

    #[test]
    fn the_nested_envelope_gives_code_and_message() {
        let err = error_from(
            &reply(
                404,
                r#"{"error":{"code":"NOT_FOUND","message":"no API key aky_1"}}"#,
            ),
            "revoke the API key aky_1",
        );
        assert_eq!(err.exit_code(), 3);
        assert_eq!(err.service_code.as_deref(), Some("NOT_FOUND"));
        assert!(
            err.message.contains("no API key aky_1 (NOT_FOUND)"),
            "{}",
            err.message
        );
        let err = error_from(
            &reply(409, r#"{"error":{"code":"CONFLICT","message":"taken"}}"#),
            "register",
        );
        assert_eq!(err.exit_code(), 5);
        let err = error_from(&reply(503, ""), "register");
        assert_eq!(err.exit_code(), 6);
    }

    #[test]
    fn key_lifetime_in_days_from_its_timestamps() {
        let key = KeyInfo {
            key_id: "aky_1".into(),
            name: None,
            scopes: vec![],
            created_at: Some("2026-04-03T20:00:00Z".into()),
            expires_at: Some("2026-05-03T20:00:00Z".into()),
            last_used_at: None,
        };
        assert_eq!(key.lifetime_days(), Some(30));
        let forever = KeyInfo {
            expires_at: None,
            ..key
        };
        assert_eq!(forever.lifetime_days(), None);
    }
}
