//! Fluxra: the credential routes of the Chat API (`/fluxra`), as in docs/providers.md §2 and the
//! Fluxra bullets of docs/providers.md §7.
//!
//! | method | path | auth | answer |
//! |---|---|---|---|
//! | GET | `/health` | none | 200 `{"status":"healthy","timestamp","version":"0.4.0"}` |
//! | POST | `/api/auth/register` | none | 201 `{agent_id, agent_name, recovery_key, created_at, warning}` |
//! | POST | `/api/agents/{agent_id}` | Basic `agent_id:recovery_key` | 201 `{key_id, name, api_key, scopes, expires_at, created_at}` |
//! | GET | `/api/agents/{agent_id}` | Basic `agent_id:recovery_key`, or Bearer JWT of that agent | 200 `{"keys":[{key_id, name, scopes, expires_at, created_at, last_used_at}]}` |
//! | DELETE | `/api/agents/{agent_id}/keys/{key_id}` | Basic `agent_id:recovery_key` | 204 |
//! | POST | `/api/auth/token` | Basic `agent_id:api_key`, JSON `{"grant_type":"client_credentials"}` | 200 `{access_token, token_type:"Bearer", expires_in}` |
//!
//! Rules where the docs are silent (docs/providers.md §7 where it speaks):
//! - `agent_name` must match `^[a-zA-Z0-9-]{3,50}$` (400 `INVALID_REQUEST`) and is unique,
//!   compared without regard to case (409 `CONFLICT`). `email` must look like an address;
//!   `metadata` is an object whose `description`, `owner` and `version` are strings.
//! - Key names: 1-64 letters, digits, spaces, `.`, `_` or `-` (400 `INVALID_KEY_NAME`). Scopes:
//!   strings like `messages:read` (lowercase `area:action`); the default set is
//!   [`DEFAULT_SCOPES`]. `expires_in_days`: an integer 1..=3650 (400 `INVALID_REQUEST`); absent
//!   means no expiry.
//! - A path `agent_id` that is not `agt_` + 32 hex: 400 `INVALID_AGENT_ID`; one that is not the
//!   authenticated agent: 403 `FORBIDDEN`; a wrong recovery key: 401 `UNAUTHORIZED`.
//! - Revoked keys disappear from the list, are refused at the token exchange, and so are the
//!   JWTs already issued from them. Revoking an unknown (or already revoked) key: 404.
//! - JWT: ES256, header `{"typ":"JWT","kid":"fluxra-sandbox"}`, claims `{iss:"fluxra", sub,
//!   agent_id, key_id, scopes, jti, iat, exp}`, lifetime the `fluxra` JWT knob (3600 s).
//!   An exchange updates the key's `last_used_at`.
//!
//! Errors are `{"error":{"code","message"}}`, except the auth middleware's, which are plain
//! text as the docs warn ("check the status first, then parse JSON if possible"): 401
//! `text/plain` for a missing or undecodable `Authorization` header, for a Bearer JWT that is
//! invalid, expired or from a revoked key, and for a revoked API key at the token exchange.
//!
//! The state keeps only SHA-256 hashes of recovery keys and API keys.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::state::{ServiceState, StateDoc};
use super::support::{
    Auth, Envelope, iso_ms, json_object_body, json_response, now_ms, optional_str, random_hex,
    sha256_hex, text_response, uuid_v4,
};
use super::tokens::TokenError;
use super::{AppState, Mount, SandboxService};
use agentcred_core::validate::looks_like_email;

/// Fluxra in the registry ([`crate::SERVICES`]): `fluxra` in the state file and the knobs.
pub const SERVICE: SandboxService = SandboxService {
    key: "fluxra",
    mounts: &[Mount {
        prefix: "/fluxra",
        env_var: "AGENTCRED_FLUXRA_URL",
        envelope: ENVELOPE,
        router,
    }],
    // docs/providers.md §7
    jwt_ttl_default: Some(3600),
    demo_operator_keys: &[],
    owner_approval: None,
};
/// What `GET /health` reports.
pub const VERSION: &str = "0.4.0";
/// The `kid` of every Fluxra JWT the sandbox signs.
pub const KID: &str = "fluxra-sandbox";
pub const ENVELOPE: Envelope = Envelope::NestedError;
/// The scopes of a key created without `scopes` (docs/providers.md §2.3).
pub const DEFAULT_SCOPES: &[&str] = &[
    "messages:read",
    "messages:write",
    "conversations:read",
    "presence:update",
];
const MAX_KEY_DAYS: u64 = 3650;
const MAX_METADATA_CHARS: usize = 500;
const DAY_MS: i64 = 86_400_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/api/auth/register", post(register))
        .route("/api/auth/token", post(token))
        .route("/api/agents/{agent_id}", post(create_key).get(list_keys))
        .route("/api/agents/{agent_id}/keys/{key_id}", delete(revoke_key))
}

// ------------------------------------------------------------------------------------------
// State

/// Fluxra's part of the state document.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FluxraState {
    pub agents: BTreeMap<String, FluxraAgent>,
}

impl ServiceState for FluxraState {
    const KEY: &'static str = SERVICE.key;
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FluxraAgent {
    pub agent_id: String,
    pub agent_name: String,
    pub email: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub recovery_key_sha256: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Every key ever created, revoked ones included (so their JWTs can be refused).
    pub keys: Vec<ApiKey>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiKey {
    pub key_id: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub secret_sha256: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl ApiKey {
    fn is_active(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|exp| now < exp)
    }

    fn view(&self) -> Value {
        json!({
            "key_id": self.key_id,
            "name": self.name,
            "scopes": self.scopes,
            "expires_at": self.expires_at.map(rfc3339),
            "created_at": rfc3339(self.created_at),
            "last_used_at": self.last_used_at.map(rfc3339),
        })
    }
}

/// Fluxra writes RFC 3339 UTC without fractions: `2026-04-03T20:00:00Z`.
fn rfc3339(ms: i64) -> String {
    let full = iso_ms(ms);
    format!("{}Z", &full[..19])
}

// ------------------------------------------------------------------------------------------
// Validation

/// `^[a-zA-Z0-9-]{3,50}$`.
pub fn valid_agent_name(name: &str) -> bool {
    (3..=50).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn valid_agent_id(id: &str) -> bool {
    id.strip_prefix("agt_").is_some_and(|hex| {
        hex.len() == 32
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

fn valid_key_name(name: &str) -> bool {
    (1..=64).contains(&name.chars().count())
        && !name.trim().is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '_' | '-'))
}

fn valid_scope(scope: &str) -> bool {
    let Some((area, action)) = scope.split_once(':') else {
        return false;
    };
    let word = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    word(area) && word(action)
}

// ------------------------------------------------------------------------------------------
// Errors and authentication

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    ENVELOPE.response(status, code, message)
}

fn invalid_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "INVALID_REQUEST", message)
}

fn unauthorized(message: &str) -> Response {
    error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", message)
}

/// The auth middleware's answer: plain text, not the JSON envelope.
fn middleware_unauthorized(why: &str) -> Response {
    text_response(StatusCode::UNAUTHORIZED, &format!("Unauthorized: {why}"))
}

fn internal(err: &TokenError) -> Response {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL_ERROR",
        &format!("sandbox signing key unusable: {err}"),
    )
}

/// Why a request is refused, kept small until it is answered ([`Refusal::response`]).
enum Refusal {
    /// The auth middleware's plain-text 401.
    Middleware(&'static str),
    /// An error in the JSON envelope.
    Envelope {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
}

impl Refusal {
    fn envelope(status: StatusCode, code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal::Envelope {
            status,
            code,
            message: message.into(),
        }
    }

    fn unauthorized(message: &str) -> Refusal {
        Refusal::envelope(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", message)
    }

    fn response(self) -> Response {
        match self {
            Refusal::Middleware(why) => middleware_unauthorized(why),
            Refusal::Envelope {
                status,
                code,
                message,
            } => error(status, code, &message),
        }
    }
}

/// What the middleware lets through: a decodable Basic or Bearer credential.
fn middleware(auth: &Auth) -> Result<(), Refusal> {
    match auth {
        Auth::None => Err(Refusal::Middleware("missing Authorization header")),
        Auth::Other | Auth::ApiKey(_) => Err(Refusal::Middleware("malformed Authorization header")),
        Auth::Basic { .. } | Auth::Bearer(_) => Ok(()),
    }
}

/// The path's agent, authenticated by Basic `agent_id:recovery_key`.
fn by_recovery_key<'a>(
    doc: &'a StateDoc,
    auth: &Auth,
    path_agent: &str,
) -> Result<&'a FluxraAgent, Refusal> {
    middleware(auth)?;
    let Some((user, password)) = auth.basic() else {
        return Err(Refusal::unauthorized(
            "this operation needs Basic auth with agent_id:recovery_key",
        ));
    };
    if !valid_agent_id(path_agent) {
        return Err(Refusal::envelope(
            StatusCode::BAD_REQUEST,
            "INVALID_AGENT_ID",
            "agent_id must be agt_ followed by 32 hex digits",
        ));
    }
    if user != path_agent {
        return Err(Refusal::envelope(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "the path agent_id is not the authenticated agent",
        ));
    }
    match doc.service::<FluxraState>().agents.get(path_agent) {
        Some(agent) if agent.recovery_key_sha256 == sha256_hex(password.as_bytes()) => Ok(agent),
        _ => Err(Refusal::unauthorized("invalid agent_id or recovery_key")),
    }
}

/// The agent and key of a Bearer JWT, checked like the middleware does.
fn by_jwt<'a>(doc: &'a StateDoc, token: &str, now: i64) -> Result<&'a FluxraAgent, Refusal> {
    let key = doc.signing_key().map_err(|e| {
        Refusal::envelope(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            format!("sandbox signing key unusable: {e}"),
        )
    })?;
    let invalid = Refusal::Middleware("invalid or expired token");
    let Ok(verified) = key.verify(token, now.div_euclid(1000)) else {
        return Err(invalid);
    };
    if verified.claim_str("iss") != Some("fluxra") {
        return Err(invalid);
    }
    let agent = verified
        .claim_str("agent_id")
        .and_then(|id| doc.service::<FluxraState>().agents.get(id));
    let key_id = verified.claim_str("key_id");
    match agent {
        Some(agent)
            if agent
                .keys
                .iter()
                .any(|k| Some(k.key_id.as_str()) == key_id && k.revoked_at.is_none()) =>
        {
            Ok(agent)
        }
        _ => Err(invalid),
    }
}

// ------------------------------------------------------------------------------------------
// Handlers

async fn health() -> Response {
    json_response(
        StatusCode::OK,
        json!({"status": "healthy", "timestamp": rfc3339(now_ms()), "version": VERSION}),
    )
}

/// The `metadata` object: known string fields only.
fn metadata(input: &Map<String, Value>) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    match input.get("metadata") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for field in ["description", "owner", "version"] {
                match map.get(field) {
                    None | Some(Value::Null) => {}
                    Some(Value::String(s)) if s.chars().count() <= MAX_METADATA_CHARS => {
                        out.insert(field.to_owned(), s.clone());
                    }
                    Some(Value::String(_)) => {
                        return Err(format!(
                            "metadata.{field} must be at most {MAX_METADATA_CHARS} characters"
                        ));
                    }
                    Some(_) => return Err(format!("metadata.{field} must be a string")),
                }
            }
        }
        Some(_) => return Err("metadata must be an object".into()),
    }
    Ok(out)
}

async fn register(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let input = match json_object_body(&headers, &body) {
        Ok(map) => map,
        Err(message) => return invalid_request(&message),
    };
    let name = match optional_str(&input, "agent_name") {
        Ok(Some(name)) if valid_agent_name(name) => name.to_owned(),
        Ok(Some(_)) => {
            return invalid_request(
                "agent_name must be 3-50 characters: letters, digits or '-' (^[a-zA-Z0-9-]{3,50}$)",
            );
        }
        Ok(None) => return invalid_request("agent_name is required"),
        Err(message) => return invalid_request(&message),
    };
    let email = match optional_str(&input, "email") {
        Ok(Some(email)) if looks_like_email(email.trim()) => Some(email.trim().to_owned()),
        Ok(Some(_)) => return invalid_request("email is not a valid email address"),
        Ok(None) => None,
        Err(message) => return invalid_request(&message),
    };
    let metadata = match metadata(&input) {
        Ok(m) => m,
        Err(message) => return invalid_request(&message),
    };
    let recovery_key = format!("rk_{}", random_hex(24));
    let recovery_key_sha256 = sha256_hex(recovery_key.as_bytes());
    app.transact_response(ENVELOPE, move |doc| {
        if doc
            .service::<FluxraState>()
            .agents
            .values()
            .any(|a| a.agent_name.eq_ignore_ascii_case(&name))
        {
            return error(
                StatusCode::CONFLICT,
                "CONFLICT",
                &format!("agent_name '{name}' is already taken"),
            );
        }
        let now = now_ms();
        let agent_id = format!("agt_{}", random_hex(16));
        doc.service_mut::<FluxraState>().agents.insert(
            agent_id.clone(),
            FluxraAgent {
                agent_id: agent_id.clone(),
                agent_name: name.clone(),
                email,
                metadata,
                recovery_key_sha256,
                created_at: now,
                keys: Vec::new(),
            },
        );
        json_response(
            StatusCode::CREATED,
            json!({
                "agent_id": agent_id,
                "agent_name": name,
                "recovery_key": recovery_key,
                "created_at": rfc3339(now),
                "warning": "Save recovery_key securely. It will NOT be shown again.",
            }),
        )
    })
    .await
}

/// The body of a key creation, validated.
struct NewKey {
    name: String,
    scopes: Vec<String>,
    expires_in_days: Option<u64>,
}

fn new_key(input: &Map<String, Value>) -> Result<NewKey, Refusal> {
    let name = match input.get("name") {
        Some(Value::String(name)) if valid_key_name(name) => name.clone(),
        Some(Value::String(_)) => {
            return Err(Refusal::envelope(
                StatusCode::BAD_REQUEST,
                "INVALID_KEY_NAME",
                "name must be 1-64 letters, digits, spaces, '.', '_' or '-'",
            ));
        }
        _ => {
            return Err(Refusal::envelope(
                StatusCode::BAD_REQUEST,
                "INVALID_KEY_NAME",
                "name is required",
            ));
        }
    };
    let scopes = match input.get("scopes") {
        None | Some(Value::Null) => DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        Some(Value::Array(items)) if !items.is_empty() => {
            let mut scopes: Vec<String> = Vec::new();
            for item in items {
                match item.as_str() {
                    Some(s) if valid_scope(s) => {
                        if !scopes.iter().any(|x| x == s) {
                            scopes.push(s.to_owned());
                        }
                    }
                    _ => {
                        return Err(Refusal::envelope(
                            StatusCode::BAD_REQUEST,
                            "INVALID_REQUEST",
                            format!("scopes must be strings like messages:read (got {item})"),
                        ));
                    }
                }
            }
            scopes
        }
        Some(_) => {
            return Err(Refusal::envelope(
                StatusCode::BAD_REQUEST,
                "INVALID_REQUEST",
                "scopes must be a non-empty array of strings",
            ));
        }
    };
    let expires_in_days = match input.get("expires_in_days") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(d) if (1..=MAX_KEY_DAYS).contains(&d) => Some(d),
            _ => {
                return Err(Refusal::envelope(
                    StatusCode::BAD_REQUEST,
                    "INVALID_REQUEST",
                    format!("expires_in_days must be an integer from 1 to {MAX_KEY_DAYS}"),
                ));
            }
        },
    };
    Ok(NewKey {
        name,
        scopes,
        expires_in_days,
    })
}

async fn create_key(
    State(app): State<AppState>,
    Path(agent_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let auth = Auth::from_headers(&headers);
    let input = json_object_body(&headers, &body);
    let api_key = format!("sk_{}", random_hex(24));
    let secret_sha256 = sha256_hex(api_key.as_bytes());
    app.transact_response(ENVELOPE, move |doc| {
        // Authentication first: an unauthenticated caller learns nothing about its body.
        if let Err(refusal) = by_recovery_key(doc, &auth, &agent_id) {
            return refusal.response();
        }
        let input = match input {
            Ok(map) => map,
            Err(message) => return invalid_request(&message),
        };
        let new = match new_key(&input) {
            Ok(new) => new,
            Err(refusal) => return refusal.response(),
        };
        let now = now_ms();
        let key = ApiKey {
            key_id: format!("aky_{}", random_hex(12)),
            name: new.name,
            scopes: new.scopes,
            secret_sha256,
            created_at: now,
            expires_at: new
                .expires_in_days
                .map(|d| now + i64::try_from(d).unwrap_or(0) * DAY_MS),
            last_used_at: None,
            revoked_at: None,
        };
        let mut view = key.view();
        view["api_key"] = json!(api_key);
        if let Some(agent) = doc.service_mut::<FluxraState>().agents.get_mut(&agent_id) {
            agent.keys.push(key);
        }
        json_response(StatusCode::CREATED, view)
    })
    .await
}

async fn list_keys(
    State(app): State<AppState>,
    Path(agent_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let auth = Auth::from_headers(&headers);
    app.read_response(ENVELOPE, move |doc| {
        let agent = match &auth {
            Auth::Bearer(token) => match by_jwt(doc, token, now_ms()) {
                Ok(agent) if agent.agent_id == agent_id => agent,
                Ok(_) => {
                    return error(
                        StatusCode::FORBIDDEN,
                        "FORBIDDEN",
                        "the token belongs to another agent",
                    );
                }
                Err(refusal) => return refusal.response(),
            },
            _ => match by_recovery_key(doc, &auth, &agent_id) {
                Ok(agent) => agent,
                Err(refusal) => return refusal.response(),
            },
        };
        let keys: Vec<Value> = agent
            .keys
            .iter()
            .filter(|k| k.revoked_at.is_none())
            .map(ApiKey::view)
            .collect();
        json_response(StatusCode::OK, json!({ "keys": keys }))
    })
    .await
}

async fn revoke_key(
    State(app): State<AppState>,
    Path((agent_id, key_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let auth = Auth::from_headers(&headers);
    app.transact_response(ENVELOPE, move |doc| {
        if let Err(refusal) = by_recovery_key(doc, &auth, &agent_id) {
            return refusal.response();
        }
        let key = doc
            .service_mut::<FluxraState>()
            .agents
            .get_mut(&agent_id)
            .and_then(|a| {
                a.keys
                    .iter_mut()
                    .find(|k| k.key_id == key_id && k.revoked_at.is_none())
            });
        match key {
            Some(key) => {
                key.revoked_at = Some(now_ms());
                StatusCode::NO_CONTENT.into_response()
            }
            None => error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                &format!("no API key {key_id} for this agent"),
            ),
        }
    })
    .await
}

async fn token(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let auth = Auth::from_headers(&headers);
    let input = json_object_body(&headers, &body);
    let handler_app = app.clone();
    app.transact_response(ENVELOPE, move |doc| {
        if let Err(refusal) = middleware(&auth) {
            return refusal.response();
        }
        let Some((user, password)) = auth.basic() else {
            return unauthorized("the token exchange needs Basic auth with agent_id:api_key");
        };
        let now = now_ms();
        let secret_sha256 = sha256_hex(password.as_bytes());
        let found = doc
            .service::<FluxraState>()
            .agents
            .get(user)
            .and_then(|agent| {
                agent
                    .keys
                    .iter()
                    .position(|k| k.secret_sha256 == secret_sha256)
            });
        let Some(index) = found else {
            return unauthorized("invalid agent_id or api_key");
        };
        let agent = &doc.service::<FluxraState>().agents[user];
        let key = &agent.keys[index];
        if key.revoked_at.is_some() {
            return middleware_unauthorized("API key revoked");
        }
        if !key.is_active(now) {
            return unauthorized("API key expired");
        }
        let input = match input {
            Ok(map) => map,
            Err(message) => return invalid_request(&message),
        };
        match input.get("grant_type").and_then(Value::as_str) {
            Some("client_credentials") => {}
            Some(other) => {
                return invalid_request(&format!(
                    "unsupported grant_type '{other}'; use client_credentials"
                ));
            }
            None => return invalid_request("grant_type is required"),
        }
        let (iat, exp) = handler_app.jwt_times(doc, SERVICE.key, now.div_euclid(1000));
        // What is left of it, never negative on the wire (an expired JWT says 0).
        let expires_in = (exp - now.div_euclid(1000)).max(0);
        let claims = json!({
            "iss": "fluxra",
            "sub": agent.agent_id,
            "agent_id": agent.agent_id,
            "key_id": key.key_id,
            "scopes": key.scopes,
            "jti": uuid_v4(),
            "iat": iat,
            "exp": exp,
        });
        let jwt = match doc.signing_key().and_then(|k| k.sign(&claims, "JWT", KID)) {
            Ok(jwt) => jwt,
            Err(e) => return internal(&e),
        };
        let agent_id = user.to_owned();
        if let Some(agent) = doc.service_mut::<FluxraState>().agents.get_mut(&agent_id) {
            agent.keys[index].last_used_at = Some(now);
        }
        json_response(
            StatusCode::OK,
            json!({"access_token": jwt, "token_type": "Bearer", "expires_in": expires_in}),
        )
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::super::testkit::Harness;
    use super::*;

    const BASE: &str = "/fluxra";

    fn register(h: &Harness, name: &str) -> Value {
        let (status, body) = h.post_json(
            "/fluxra/api/auth/register",
            &json!({"agent_name": name, "email": "bot@example.com", "metadata": {"description": "test"}}),
        );
        assert_eq!(status, 201, "{body}");
        body
    }

    fn basic(
        h: &Harness,
        method: reqwest::Method,
        path: &str,
        user: &str,
        pass: &str,
    ) -> reqwest::blocking::RequestBuilder {
        h.client
            .request(method, h.url(&format!("{BASE}{path}")))
            .basic_auth(user, Some(pass))
    }

    fn create_key(h: &Harness, agent: &Value, body: Value) -> (u16, Value) {
        let id = agent["agent_id"].as_str().unwrap();
        h.send(
            basic(
                h,
                reqwest::Method::POST,
                &format!("/api/agents/{id}"),
                id,
                agent["recovery_key"].as_str().unwrap(),
            )
            .json(&body),
        )
    }

    fn exchange(h: &Harness, agent_id: &str, api_key: &str) -> reqwest::blocking::Response {
        basic(
            h,
            reqwest::Method::POST,
            "/api/auth/token",
            agent_id,
            api_key,
        )
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .unwrap()
    }

    #[test]
    fn health_reports_the_version() {
        let h = Harness::start();
        let (status, body) = h.get("/fluxra/health");
        assert_eq!(status, 200);
        assert_eq!(body["status"], "healthy");
        assert_eq!(body["version"], VERSION);
        let ts = body["timestamp"].as_str().unwrap();
        assert!(ts.len() == 20 && ts.ends_with('Z'), "{ts}");
    }

    #[test]
    fn register_validates_names_and_refuses_a_taken_one() {
        let h = Harness::start();
        let reg = register(&h, "weather-bot");
        let id = reg["agent_id"].as_str().unwrap();
        assert!(valid_agent_id(id), "{id}");
        assert!(reg["recovery_key"].as_str().unwrap().starts_with("rk_"));
        assert_eq!(reg["agent_name"], "weather-bot");
        assert!(reg["warning"].as_str().unwrap().contains("recovery_key"));

        let (status, body) = h.post_json(
            "/fluxra/api/auth/register",
            &json!({"agent_name": "Weather-Bot"}),
        );
        assert_eq!(status, 409, "{body}");
        assert_eq!(body["error"]["code"], "CONFLICT");

        for bad in [
            json!({"agent_name": "ab"}),
            json!({"agent_name": "has space"}),
            json!({"agent_name": "x".repeat(51)}),
            json!({"agent_name": "under_score"}),
            json!({}),
            json!({"agent_name": "fine-name", "email": "nope"}),
            json!({"agent_name": "fine-name", "metadata": "x"}),
            json!({"agent_name": "fine-name", "metadata": {"owner": 1}}),
        ] {
            let (status, body) = h.post_json("/fluxra/api/auth/register", &bad);
            assert_eq!(status, 400, "{bad} -> {body}");
            assert_eq!(body["error"]["code"], "INVALID_REQUEST", "{bad}");
        }
        // The recovery key is kept only as a hash.
        let state = std::fs::read_to_string(h.state_path()).unwrap();
        assert!(!state.contains(reg["recovery_key"].as_str().unwrap()));
    }

    #[test]
    fn keys_are_created_listed_exchanged_and_revoked() {
        let h = Harness::start();
        let agent = register(&h, "key-owner");
        let id = agent["agent_id"].as_str().unwrap();
        let rk = agent["recovery_key"].as_str().unwrap();

        let (status, key) = create_key(&h, &agent, json!({"name": "cli", "expires_in_days": 30}));
        assert_eq!(status, 201, "{key}");
        assert!(key["key_id"].as_str().unwrap().starts_with("aky_"));
        let api_key = key["api_key"].as_str().unwrap().to_owned();
        assert!(api_key.starts_with("sk_"));
        assert_eq!(key["scopes"], json!(DEFAULT_SCOPES));
        assert!(key["expires_at"].is_string());

        let (status, other) = create_key(
            &h,
            &agent,
            json!({"name": "ro", "scopes": ["messages:read"]}),
        );
        assert_eq!(status, 201);
        assert_eq!(other["scopes"], json!(["messages:read"]));
        assert!(other["expires_at"].is_null());

        // Exchange: a JWT with the key's id, and last_used_at set.
        let reply = exchange(&h, id, &api_key);
        assert_eq!(reply.status(), 200);
        let tok: Value = reply.json().unwrap();
        assert_eq!(tok["token_type"], "Bearer");
        assert_eq!(tok["expires_in"], 3600);
        let jwt = tok["access_token"].as_str().unwrap().to_owned();
        let decoded = super::super::tokens::decode_unverified(&jwt).unwrap();
        assert_eq!(decoded.claims["key_id"], key["key_id"]);
        assert_eq!(decoded.claims["agent_id"], id);

        // List with the recovery key and with the JWT: same keys, no secrets.
        let (status, by_rk) = h.send(basic(
            &h,
            reqwest::Method::GET,
            &format!("/api/agents/{id}"),
            id,
            rk,
        ));
        assert_eq!(status, 200);
        let (status, by_jwt) = h.get_bearer(&format!("/fluxra/api/agents/{id}"), &jwt);
        assert_eq!(status, 200);
        assert_eq!(by_rk, by_jwt);
        assert_eq!(by_rk["keys"].as_array().unwrap().len(), 2);
        assert!(!by_rk.to_string().contains(&api_key));
        assert!(by_rk["keys"][0]["last_used_at"].is_string());
        assert!(by_rk["keys"][1]["last_used_at"].is_null());

        // Revoke: 204, gone from the list, exchange refused in plain text, JWT refused too.
        let key_id = key["key_id"].as_str().unwrap();
        let reply = basic(
            &h,
            reqwest::Method::DELETE,
            &format!("/api/agents/{id}/keys/{key_id}"),
            id,
            rk,
        )
        .send()
        .unwrap();
        assert_eq!(reply.status(), 204);
        let (_, listed) = h.send(basic(
            &h,
            reqwest::Method::GET,
            &format!("/api/agents/{id}"),
            id,
            rk,
        ));
        assert_eq!(listed["keys"].as_array().unwrap().len(), 1);
        let reply = exchange(&h, id, &api_key);
        assert_eq!(reply.status(), 401);
        assert!(
            reply.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        assert!(reply.text().unwrap().contains("revoked"));
        let reply = h
            .client
            .get(h.url(&format!("/fluxra/api/agents/{id}")))
            .bearer_auth(&jwt)
            .send()
            .unwrap();
        assert_eq!(reply.status(), 401);
        assert!(
            reply.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );

        // Revoking it again, or an unknown key: 404 in the envelope.
        let (status, body) = h.send(basic(
            &h,
            reqwest::Method::DELETE,
            &format!("/api/agents/{id}/keys/{key_id}"),
            id,
            rk,
        ));
        assert_eq!(status, 404);
        assert_eq!(body["error"]["code"], "NOT_FOUND");
    }

    #[test]
    fn auth_failures_are_json_or_plain_text_as_documented() {
        let h = Harness::start();
        let agent = register(&h, "auth-check");
        let other = register(&h, "someone-else");
        let id = agent["agent_id"].as_str().unwrap();
        let path = format!("/fluxra/api/agents/{id}");

        // No Authorization, or one that does not decode: the middleware's plain text.
        for request in [
            h.client.post(h.url(&path)).json(&json!({"name": "x"})),
            h.client
                .post(h.url(&path))
                .header("authorization", "Basic %%%")
                .json(&json!({"name": "x"})),
            h.client
                .post(h.url("/fluxra/api/auth/token"))
                .json(&json!({"grant_type": "client_credentials"})),
        ] {
            let reply = request.send().unwrap();
            assert_eq!(reply.status(), 401);
            assert!(
                reply.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/plain")
            );
            assert!(reply.text().unwrap().starts_with("Unauthorized"));
        }
        // A wrong recovery key: the JSON envelope.
        let (status, body) = h.send(
            basic(
                &h,
                reqwest::Method::POST,
                &format!("/api/agents/{id}"),
                id,
                "rk_wrong",
            )
            .json(&json!({"name": "x"})),
        );
        assert_eq!(status, 401);
        assert_eq!(body["error"]["code"], "UNAUTHORIZED");
        // Another agent's credentials for this path: 403.
        let (status, body) = h.send(
            basic(
                &h,
                reqwest::Method::POST,
                &format!("/api/agents/{id}"),
                other["agent_id"].as_str().unwrap(),
                other["recovery_key"].as_str().unwrap(),
            )
            .json(&json!({"name": "x"})),
        );
        assert_eq!(status, 403);
        assert_eq!(body["error"]["code"], "FORBIDDEN");
        // A malformed agent id: 400 INVALID_AGENT_ID.
        let (status, body) = h.send(
            basic(
                &h,
                reqwest::Method::POST,
                "/api/agents/agt_nope",
                "agt_nope",
                "rk",
            )
            .json(&json!({"name": "x"})),
        );
        assert_eq!(status, 400);
        assert_eq!(body["error"]["code"], "INVALID_AGENT_ID");
        // An unknown API key at the exchange: 401 in the envelope.
        let reply = exchange(&h, id, "sk_unknown");
        assert_eq!(reply.status(), 401);
        let body: Value = reply.json().unwrap();
        assert_eq!(body["error"]["code"], "UNAUTHORIZED");
    }

    #[test]
    fn bodies_are_validated_after_authentication() {
        let h = Harness::start();
        let agent = register(&h, "validator");
        let id = agent["agent_id"].as_str().unwrap();
        for (bad, code) in [
            (json!({}), "INVALID_KEY_NAME"),
            (json!({"name": "bad/name"}), "INVALID_KEY_NAME"),
            (
                json!({"name": "ok", "scopes": ["Not A Scope"]}),
                "INVALID_REQUEST",
            ),
            (json!({"name": "ok", "scopes": []}), "INVALID_REQUEST"),
            (
                json!({"name": "ok", "expires_in_days": 0}),
                "INVALID_REQUEST",
            ),
            (
                json!({"name": "ok", "expires_in_days": 1.5}),
                "INVALID_REQUEST",
            ),
        ] {
            let (status, body) = create_key(&h, &agent, bad.clone());
            assert_eq!(status, 400, "{bad} -> {body}");
            assert_eq!(body["error"]["code"], code, "{bad}");
        }
        let (_, key) = create_key(&h, &agent, json!({"name": "ok"}));
        // The exchange wants JSON with grant_type client_credentials.
        let reply = basic(
            &h,
            reqwest::Method::POST,
            "/api/auth/token",
            id,
            key["api_key"].as_str().unwrap(),
        )
        .form(&[("grant_type", "client_credentials")])
        .send()
        .unwrap();
        assert_eq!(reply.status(), 400);
        let reply = basic(
            &h,
            reqwest::Method::POST,
            "/api/auth/token",
            id,
            key["api_key"].as_str().unwrap(),
        )
        .json(&json!({"grant_type": "password"}))
        .send()
        .unwrap();
        assert_eq!(reply.status(), 400);
    }

    #[test]
    fn an_expired_jwt_is_refused_by_the_middleware() {
        let h = Harness::start();
        let agent = register(&h, "short-lived");
        let id = agent["agent_id"].as_str().unwrap();
        let (_, key) = create_key(&h, &agent, json!({"name": "k"}));
        let (_, signing) = h.state_doc_key();
        let expired = signing
            .sign(&json!({"iss": "fluxra", "agent_id": id, "key_id": key["key_id"], "iat": 1, "exp": 2}), "JWT", KID)
            .unwrap();
        let reply = h
            .client
            .get(h.url(&format!("/fluxra/api/agents/{id}")))
            .bearer_auth(expired)
            .send()
            .unwrap();
        assert_eq!(reply.status(), 401);
        assert_eq!(
            reply.text().unwrap(),
            "Unauthorized: invalid or expired token"
        );
    }
}
