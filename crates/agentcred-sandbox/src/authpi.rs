//! AuthPI: the Core API (`/authpi/api`) and the IdP (`/authpi/idp`), as in docs/providers.md §3 and
//! the AuthPI bullets of docs/providers.md §7.
//!
//! # Routes
//!
//! Core API (`Authorization: Basic base64(key_id:key_secret)`; `{ACC}/{ISS}` stands for
//! `/v1/accounts/{account_id}/issuers/{issuer_id}`):
//!
//! | method | path | what it does |
//! |---|---|---|
//! | GET | `/v1/me` | `{data: {type:"api_key", key_id, issuer_id, accounts:[{account_id, org_id, scopes}]}}` |
//! | GET | `{ACC}/{ISS}/agents` | newest first; `limit` (1-100, 50), `cursor`, `status`, `model`, `provider`, `has_verifiers` → `{data, has_more, next_cursor}`; items carry `verifiers: [types]` |
//! | POST | `{ACC}/{ISS}/agents` | `{name, description?, model?, provider?, version?, scopes?, metadata?}` → 201 `{data: Agent}` + `ETag`; `Idempotency-Key` |
//! | GET | `{ACC}/{ISS}/agents/{agent_id}` | `{data: Agent}` + `ETag` |
//! | PATCH | `{ACC}/{ISS}/agents/{agent_id}` | partial update (+ `status`, `status_reason`); `If-Match` → 412 |
//! | DELETE | `{ACC}/{ISS}/agents/{agent_id}` | 204; the agent and its verifiers are gone; `If-Match` → 412 |
//! | GET | `{ACC}/{ISS}/agents/{agent_id}/verifiers` | `{data: [Verifier], has_more: false, next_cursor: null}`, oldest first, never a secret |
//! | POST | `{ACC}/{ISS}/agents/{agent_id}/verifiers` | `{type:"secret", name}` or `{type:"wallet", name, address, network}` → 201 `{data: Verifier (+ secret)}` + `ETag`; `Idempotency-Key` |
//! | DELETE | `{ACC}/{ISS}/agents/{agent_id}/verifiers/{verifier_id}` | 204; `If-Match` → 412 |
//! | POST | `{ACC}/{ISS}/tokens/introspect` | `{"token"}` → `{data: RFC 7662 answer}` |
//!
//! IdP:
//!
//! | method | path | what it does |
//! |---|---|---|
//! | POST | `/{issuer_id}/token` | form `grant_type=client_credentials`, `client_id` + `client_secret` (or Basic), `scope?`, `resource?` → `{access_token, token_type:"Bearer", expires_in, scope}` |
//! | GET | `/{issuer_id}/jwks.json` | ES256, EdDSA and RS256 public keys, UUID `kid`s |
//! | GET | `/{issuer_id}/.well-known/openid-configuration` | OIDC discovery |
//! | POST | `/{issuer_id}/revoke` | RFC 7009 revocation (client auth) → 200 |
//! | POST | `/{issuer_id}/introspect` | RFC 7662 introspection (client auth) |
//! | GET | `/{issuer_id}/userinfo` | Bearer access token → `{sub, name, organizations, ...}` |
//!
//! # Behaviour
//!
//! - Errors are `{"error", "error_description", "retryable"}` (plus `fields` for invalid
//!   bodies, `current_etag`/`currentETag` on 412). 401 `unauthorized_client` without a valid
//!   org key; 403 `access_denied` for another account; 404 `not_found` for an unknown issuer,
//!   agent or verifier. Bodies with fields the API does not define are refused (400), so a
//!   client that misspells one (`agent_version` for `version`) is caught here.
//! - ETags: `"<updated_at ?? created_at in ms>"`, quoted and strong; every write moves
//!   `updated_at` forward by at least 1 ms so that two writes in one millisecond still differ.
//!   `If-Match` (a list, or `*`) is checked on PATCH and DELETE; a mismatch is 412
//!   `precondition_failed` with the current ETag. Verifiers are never updated, so their ETag
//!   is their creation time.
//! - `Idempotency-Key` (1-256 characters) on the two POSTs, scoped per account, fingerprinted
//!   by path and raw body: a repeat of a request that succeeded replays its status, body and
//!   ETag with `Idempotent-Replayed: true` (for 24 h); the same key with another body is 422;
//!   a repeat while the first is still being processed is 409 with `Retry-After: 1`. The key
//!   is claimed in one state transaction and the work done in a second, so "in flight" is a
//!   real state; a claim older than [`IN_FLIGHT_STALE_MS`] counts as abandoned. Only 2xx
//!   answers are kept: after an error the key is free again. Replayed bodies are kept in the
//!   state file as sent (a secret verifier's secret included, as the request log keeps the
//!   secrets clients send).
//! - Agents: `status` moves active → suspended or blocked (both need a non-empty
//!   `status_reason`, else 400 `invalid_request`), suspended → active (the reason is cleared
//!   unless one is given). Nothing else: suspended → blocked and blocked → anything are 400
//!   `invalid_transition` (seeds/003 lists exactly these three). A suspended or blocked agent gets no tokens and its verifiers cannot be
//!   added or removed (409 `conflict`).
//! - Verifiers: at most [`MAX_VERIFIERS`] per agent (the next is 409 `conflict` "verifier limit
//!   reached (20)"). A secret verifier's plaintext (`cs_` + 64 hex) is in the create response
//!   only; the state keeps its SHA-256. A wallet's `network` must be CAIP-2 and, for `eip155`,
//!   the address `0x` + 40 hex; one wallet (network + address) belongs to one agent (409).
//! - IdP: `client_id` is the agent id and `client_secret` the plaintext of one of its active
//!   secret verifiers (401 `invalid_client` otherwise); a suspended or blocked agent gets 400
//!   `unauthorized_client`. `scope` must be a subset of the agent's scopes (400
//!   `invalid_scope`; all of them when absent). The token is a JWT with header `typ: "at+jwt"`,
//!   signed ES256 with AuthPI's own key, and the claims of docs/providers.md §3.7: `iss` is this
//!   sandbox's `{idp}/{issuer_id}`; `aud` is `resource` when asked for, else the client id
//!   (the validate-tokens guide; never `iss`). The `authpi` JWT lifetime (300 s by default).
//!   Each issued token counts as a use of the verifier (`usage_count`, `last_used_at`).
//! - Keys: `{iss}/jwks.json` publishes AuthPI's ES256, EdDSA and RS256 keys (generated on first
//!   use, kept in the state, never shared with another service), each under an opaque UUID
//!   `kid`; verifiers select by `kid`.
//! - `{iss}/.well-known/openid-configuration`: issuer, token, JWKS, revocation, introspection
//!   and userinfo endpoints, grant types, auth methods, algorithms.
//! - `POST {iss}/revoke` (RFC 7009; form `token`, client auth as the token endpoint): the
//!   client's own token is revoked (by `jti`); 200 for unknown, foreign or revoked tokens too.
//! - `POST {iss}/introspect` (RFC 7662; client auth as the token endpoint) and the Core API's
//!   `POST {ACC}/{ISS}/tokens/introspect` (org key; JSON `{"token"}`; answer in `{"data"}`):
//!   `{active:true, sub, client_id, scope, exp, iat, iss, aud, jti, token_type}`, or
//!   `{"active":false}` for a revoked, expired, foreign or malformed token, or one whose agent
//!   is gone or not active.
//! - `GET {iss}/userinfo` (Bearer access token): `{sub, name, organizations: [], created_at,
//!   updated_at}`; 401 `invalid_token` for a token introspection calls inactive.
//! - `GET /v1/me` carries `organizations` (empty for an org API key) beside `accounts`.

//! # The demo organization
//!
//! Every state has one org API key ([`DEMO_KEY_ID`] / [`DEMO_KEY_SECRET`]) for account
//! [`DEMO_ACCOUNT_ID`] with issuer [`DEMO_ISSUER_ID`], written into the state the first time an
//! AuthPI request changes it. They are documented fake values, so that
//! `agentcred --sandbox register authpi --account acc_sandbox --issuer i_sandbox --name demo`
//! works offline, and the CLI uses them for sandbox profiles that have no operator key.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use axum::routing::{delete, get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::state::{ServiceState, StateDoc};
use super::support::{
    Auth, Envelope, content_type, form_pairs, is_form_content_type, json_object_body,
    json_response, now_ms, query_param, random_bytes, random_hex, sha256_hex, uuid_v4,
};
use super::tokens::{Alg, SigningKey, TokenError};
use super::{AppState, Mount, SandboxService};
use agentcred_core::validate::{caip2, is_evm_address};

/// AuthPI in the registry ([`crate::SERVICES`]): `authpi` in the state file and the knobs.
pub const SERVICE: SandboxService = SandboxService {
    key: "authpi",
    mounts: &[
        Mount {
            prefix: "/authpi/api",
            env_var: "AGENTCRED_AUTHPI_URL",
            envelope: ENVELOPE,
            router,
        },
        Mount {
            prefix: IDP_PREFIX,
            env_var: "AGENTCRED_AUTHPI_IDP_URL",
            envelope: ENVELOPE,
            router: idp_router,
        },
    ],
    // docs/providers.md §3.7
    jwt_ttl_default: Some(300),
    demo_operator_keys: &[
        ("AUTHPI_KEY_ID", DEMO_KEY_ID),
        ("AUTHPI_KEY_SECRET", DEMO_KEY_SECRET),
    ],
    owner_approval: None,
};
/// Where the IdP is mounted; the `iss` of its tokens is the base URL plus this.
const IDP_PREFIX: &str = "/authpi/idp";
pub const ENVELOPE: Envelope = Envelope::OAuth;
pub const TOKEN_TYP: &str = "at+jwt";

/// The demo org API key id (fake; see the module doc).
pub const DEMO_KEY_ID: &str = "key_sandbox";
/// The demo org API key secret (fake; see the module doc).
pub const DEMO_KEY_SECRET: &str = "sandbox-demo-key-secret";
pub const DEMO_ACCOUNT_ID: &str = "acc_sandbox";
pub const DEMO_ISSUER_ID: &str = "i_sandbox";
pub const DEMO_ORG_ID: &str = "org_sandbox";

/// At most this many verifiers per agent (seeds/003).
pub const MAX_VERIFIERS: usize = 20;
/// Replays are kept this long (docs/providers.md §3.3).
pub const IDEMPOTENCY_TTL_MS: i64 = 24 * 3_600_000;
/// A claimed key whose request has not finished after this long was abandoned (its process
/// died between the claim and the work), and may be claimed again.
pub const IN_FLIGHT_STALE_MS: i64 = 60_000;
const MAX_SCOPES: usize = 256;
const MAX_NAME_CHARS: usize = 200;
const MAX_TEXT_CHARS: usize = 4000;
const MAX_IDEMPOTENCY_KEY: usize = 256;
const DEFAULT_PAGE: usize = 50;
const MAX_PAGE: usize = 100;

const AGENTS: &str = "/v1/accounts/{account_id}/issuers/{issuer_id}/agents";
const AGENT: &str = "/v1/accounts/{account_id}/issuers/{issuer_id}/agents/{agent_id}";
const VERIFIERS: &str = "/v1/accounts/{account_id}/issuers/{issuer_id}/agents/{agent_id}/verifiers";
const VERIFIER: &str =
    "/v1/accounts/{account_id}/issuers/{issuer_id}/agents/{agent_id}/verifiers/{verifier_id}";

/// The Core API (`/authpi/api`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/me", get(me))
        .route(AGENTS, get(list_agents).post(create_agent))
        .route(
            AGENT,
            get(get_agent).patch(update_agent).delete(delete_agent),
        )
        .route(VERIFIERS, get(list_verifiers).post(add_verifier))
        .route(VERIFIER, delete(remove_verifier))
        .route(
            "/v1/accounts/{account_id}/issuers/{issuer_id}/tokens/introspect",
            post(introspect_at_core),
        )
}

/// The IdP (`/authpi/idp`).
pub fn idp_router() -> Router<AppState> {
    Router::new()
        .route("/{issuer_id}/token", post(token))
        .route("/{issuer_id}/jwks.json", get(jwks))
        .route(
            "/{issuer_id}/.well-known/openid-configuration",
            get(discovery),
        )
        .route("/{issuer_id}/revoke", post(revoke))
        .route("/{issuer_id}/introspect", post(introspect_at_idp))
        .route("/{issuer_id}/userinfo", get(userinfo))
}

// ------------------------------------------------------------------------------------------
// State

/// AuthPI's part of the state document.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthpiState {
    /// Org API keys by key id (the demo key, once provisioned).
    pub api_keys: BTreeMap<String, ApiKey>,
    /// Issuers by id.
    pub issuers: BTreeMap<String, Issuer>,
    pub agents: BTreeMap<String, AuthpiAgent>,
    /// Agents created so far; an agent's `seq` orders lists and cursors.
    pub agents_created: u64,
    /// Idempotency records by `"{account_id} {key}"`.
    pub idempotency: BTreeMap<String, IdempotencyRecord>,
    /// Revoked access tokens: `jti` → `exp` (unix seconds), kept until they expire anyway.
    pub revoked: BTreeMap<String, i64>,
}

impl ServiceState for AuthpiState {
    const KEY: &'static str = SERVICE.key;
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiKey {
    pub key_id: String,
    pub secret_sha256: String,
    pub account_id: String,
    pub org_id: String,
    pub issuer_id: String,
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Issuer {
    pub issuer_id: String,
    pub account_id: String,
    pub name: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthpiAgent {
    pub id: String,
    pub account_id: String,
    pub issuer_id: String,
    pub seq: u64,
    pub name: String,
    pub description: Option<String>,
    pub model: Option<String>,
    pub provider: Option<String>,
    pub version: Option<String>,
    /// `active`, `suspended` or `blocked`.
    pub status: String,
    pub status_at: Option<i64>,
    pub status_reason: Option<String>,
    pub scopes: Vec<String>,
    pub metadata: Map<String, Value>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Oldest first.
    pub verifiers: Vec<Verifier>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Verifier {
    pub id: String,
    /// `secret` or `wallet`.
    pub kind: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub status: String,
    /// SHA-256 (hex) of a secret verifier's plaintext.
    pub secret_sha256: Option<String>,
    /// A wallet's address and CAIP-2 network.
    pub address: Option<String>,
    pub network: Option<String>,
    pub usage_count: u64,
    pub last_used_at: Option<i64>,
    pub created_at: i64,
}

/// A claimed Idempotency-Key: in flight while `status` is `None`, then the 2xx answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct IdempotencyRecord {
    pub fingerprint: String,
    pub created_at: i64,
    pub status: Option<u16>,
    pub body: Option<Value>,
    pub etag: Option<String>,
}

fn demo_key() -> ApiKey {
    ApiKey {
        key_id: DEMO_KEY_ID.into(),
        secret_sha256: sha256_hex(DEMO_KEY_SECRET.as_bytes()),
        account_id: DEMO_ACCOUNT_ID.into(),
        org_id: DEMO_ORG_ID.into(),
        issuer_id: DEMO_ISSUER_ID.into(),
        scopes: vec!["agents:read".into(), "agents:write".into()],
    }
}

fn demo_issuer() -> Issuer {
    Issuer {
        issuer_id: DEMO_ISSUER_ID.into(),
        account_id: DEMO_ACCOUNT_ID.into(),
        name: "Sandbox issuer".into(),
    }
}

impl AuthpiState {
    /// Write the demo organization into the state if it is not there yet.
    pub fn provision_demo(&mut self) {
        self.api_keys
            .entry(DEMO_KEY_ID.into())
            .or_insert_with(demo_key);
        self.issuers
            .entry(DEMO_ISSUER_ID.into())
            .or_insert_with(demo_issuer);
    }

    /// A key by id; the demo key exists even before it is provisioned, so read-only requests
    /// need not write the state.
    fn api_key(&self, key_id: &str) -> Option<ApiKey> {
        self.api_keys
            .get(key_id)
            .cloned()
            .or_else(|| (key_id == DEMO_KEY_ID).then(demo_key))
    }

    fn issuer(&self, issuer_id: &str) -> Option<Issuer> {
        self.issuers
            .get(issuer_id)
            .cloned()
            .or_else(|| (issuer_id == DEMO_ISSUER_ID).then(demo_issuer))
    }
}

impl AuthpiAgent {
    fn etag(&self) -> String {
        format!("\"{}\"", self.updated_at)
    }

    /// Mark a change: `updated_at` moves forward, by at least 1 ms so the ETag changes.
    fn touch(&mut self, now: i64) {
        self.updated_at = now.max(self.updated_at + 1);
    }

    fn verifier_types(&self) -> Vec<&str> {
        let mut types: Vec<&str> = Vec::new();
        for v in &self.verifiers {
            if !types.contains(&v.kind.as_str()) {
                types.push(&v.kind);
            }
        }
        types
    }

    fn view(&self) -> Value {
        json!({
            "id": self.id,
            "issuer_id": self.issuer_id,
            "name": self.name,
            "description": self.description,
            "model": self.model,
            "provider": self.provider,
            "version": self.version,
            "status": self.status,
            "status_at": self.status_at,
            "status_reason": self.status_reason,
            "scopes": self.scopes,
            "metadata": self.metadata,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        })
    }

    fn list_view(&self) -> Value {
        let mut view = self.view();
        view["verifiers"] = json!(self.verifier_types());
        view
    }
}

impl Verifier {
    fn etag(&self) -> String {
        format!("\"{}\"", self.created_at)
    }

    fn view(&self, agent_id: &str) -> Value {
        let credential = match self.kind.as_str() {
            "wallet" => json!({"address": self.address, "network": self.network}),
            // Only the algorithm is shown, never the hash (seeds/003).
            _ => json!({"algorithm": "sha256"}),
        };
        json!({
            "id": self.id,
            "agent_id": agent_id,
            "type": self.kind,
            "status": self.status,
            "name": self.name,
            "description": self.description,
            "credential": credential,
            "usage_count": self.usage_count,
            "last_used_at": self.last_used_at,
            "created_at": self.created_at,
            "updated_at": Value::Null,
        })
    }
}

// ------------------------------------------------------------------------------------------
// Answers: responses kept as JSON until the end, so that idempotent ones can be cached

#[derive(Debug, Clone)]
struct Answer {
    status: StatusCode,
    body: Option<Value>,
    etag: Option<String>,
    retry_after: Option<u64>,
    replayed: bool,
}

impl Answer {
    fn json(status: StatusCode, body: Value) -> Answer {
        Answer {
            status,
            body: Some(body),
            etag: None,
            retry_after: None,
            replayed: false,
        }
    }

    fn data(status: StatusCode, data: Value, etag: String) -> Answer {
        let mut answer = Answer::json(status, json!({ "data": data }));
        answer.etag = Some(etag);
        answer
    }

    fn no_content() -> Answer {
        Answer {
            status: StatusCode::NO_CONTENT,
            body: None,
            etag: None,
            retry_after: None,
            replayed: false,
        }
    }

    fn error(status: StatusCode, code: &str, message: &str) -> Answer {
        Answer::json(status, ENVELOPE.body(status, code, message))
    }

    fn invalid(message: &str) -> Answer {
        Answer::error(StatusCode::BAD_REQUEST, "invalid_request", message)
    }

    /// 400 naming one field, with the SDK's `fields` list.
    fn invalid_field(field: &str, code: &str, message: &str) -> Answer {
        let mut answer = Answer::invalid(message);
        if let Some(body) = answer.body.as_mut() {
            body["fields"] = json!([{"field": field, "code": code, "message": message}]);
        }
        answer
    }

    fn not_found(message: &str) -> Answer {
        Answer::error(StatusCode::NOT_FOUND, "not_found", message)
    }

    fn conflict(message: &str) -> Answer {
        Answer::error(StatusCode::CONFLICT, "conflict", message)
    }

    fn unauthorized(message: &str) -> Answer {
        Answer::error(StatusCode::UNAUTHORIZED, "unauthorized_client", message)
    }

    fn precondition_failed(what: &str, current: &str) -> Answer {
        // The docs spell it `currentETag`, the SDK reads `current_etag`: both are sent.
        Answer::json(
            StatusCode::PRECONDITION_FAILED,
            json!({
                "error": "precondition_failed",
                "error_description": format!(
                    "{what} has been modified since the provided ETag. Fetch the latest version and retry."
                ),
                "current_etag": current,
                "currentETag": current,
                "retryable": false,
            }),
        )
    }

    fn internal(message: &str) -> Answer {
        Answer::error(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", message)
    }

    fn is_success(&self) -> bool {
        self.status.is_success()
    }

    fn into_response(self) -> Response {
        let mut response = match self.body {
            Some(body) => json_response(self.status, body),
            None => {
                let mut r = Response::new(axum::body::Body::empty());
                *r.status_mut() = self.status;
                r
            }
        };
        let headers = response.headers_mut();
        if let Some(etag) = self.etag.and_then(|e| HeaderValue::from_str(&e).ok()) {
            headers.insert(header::ETAG, etag);
        }
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.replayed {
            headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
        }
        response
    }
}

// ------------------------------------------------------------------------------------------
// Requests: who asks, for what

/// The path ids of a Core API route (absent ones are `None`).
#[derive(Debug, Clone, Default, Deserialize)]
struct Ids {
    account_id: String,
    issuer_id: String,
    #[serde(default)]
    agent_id: Option<String>,
    #[serde(default)]
    verifier_id: Option<String>,
}

#[derive(Debug, Clone)]
struct Req {
    ids: Ids,
    auth: Auth,
    if_match: Option<String>,
}

/// Every Core API handler's request: the ids in its path and what its headers say about the
/// caller, extracted once here instead of in each handler.
impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Req {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let Path(ids) = Path::<Ids>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Req::new(ids, &parts.headers))
    }
}

impl Req {
    fn new(ids: Ids, headers: &HeaderMap) -> Req {
        Req {
            ids,
            auth: Auth::from_headers(headers),
            if_match: header_value(headers, "if-match"),
        }
    }

    fn agent_id(&self) -> &str {
        self.ids.agent_id.as_deref().unwrap_or_default()
    }
}

fn header_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
}

/// The org key the request carries, checked.
fn api_key(state: &AuthpiState, auth: &Auth) -> Result<ApiKey, Answer> {
    match auth {
        Auth::Basic { user, password } => match state.api_key(user) {
            Some(key) if key.secret_sha256 == sha256_hex(password.as_bytes()) => Ok(key),
            _ => Err(Answer::unauthorized(
                "invalid API key: the key id and secret do not match an active org API key",
            )),
        },
        Auth::Bearer(_) => Err(Answer::unauthorized(
            "this sandbox's Core API accepts org API keys only: Authorization: Basic base64(key_id:key_secret)",
        )),
        _ => Err(Answer::unauthorized(
            "authentication required: send Authorization: Basic base64(key_id:key_secret)",
        )),
    }
}

/// The key must be valid, belong to the path's account, and the issuer must be in it.
fn authorize(state: &AuthpiState, req: &Req) -> Result<(), Answer> {
    let key = api_key(state, &req.auth)?;
    if key.account_id != req.ids.account_id {
        return Err(Answer::error(
            StatusCode::FORBIDDEN,
            "access_denied",
            &format!(
                "API key {} has no access to account {}",
                key.key_id, req.ids.account_id
            ),
        ));
    }
    match state.issuer(&req.ids.issuer_id) {
        Some(issuer) if issuer.account_id == req.ids.account_id => Ok(()),
        _ => Err(Answer::not_found(&format!(
            "issuer {} not found in account {}",
            req.ids.issuer_id, req.ids.account_id
        ))),
    }
}

fn agent_not_found(req: &Req) -> Answer {
    Answer::not_found(&format!(
        "agent {} not found in issuer {}",
        req.agent_id(),
        req.ids.issuer_id
    ))
}

fn find_agent<'a>(state: &'a AuthpiState, req: &Req) -> Result<&'a AuthpiAgent, Answer> {
    state
        .agents
        .get(req.agent_id())
        .filter(|a| a.account_id == req.ids.account_id && a.issuer_id == req.ids.issuer_id)
        .ok_or_else(|| agent_not_found(req))
}

fn find_agent_mut<'a>(
    state: &'a mut AuthpiState,
    req: &Req,
) -> Result<&'a mut AuthpiAgent, Answer> {
    let agent_id = req.agent_id().to_owned();
    match state.agents.get_mut(&agent_id) {
        Some(a) if a.account_id == req.ids.account_id && a.issuer_id == req.ids.issuer_id => Ok(a),
        _ => Err(agent_not_found(req)),
    }
}

/// `If-Match` against the current ETag: absent or `*` passes; otherwise one of the listed
/// strong tags must equal it (a weak `W/` tag never does, RFC 9110 §13.1.1).
fn check_if_match(if_match: Option<&str>, current: &str, what: &str) -> Result<(), Answer> {
    let Some(value) = if_match else {
        return Ok(());
    };
    if value == "*" || value.split(',').map(str::trim).any(|tag| tag == current) {
        Ok(())
    } else {
        Err(Answer::precondition_failed(what, current))
    }
}

/// Run `act` as one transaction and answer what it answers.
async fn transact(
    app: &AppState,
    act: impl FnOnce(&mut StateDoc) -> Answer + Send + 'static,
) -> Response {
    app.transact_response(ENVELOPE, move |doc| act(doc).into_response())
        .await
}

async fn read(app: &AppState, act: impl FnOnce(&StateDoc) -> Answer + Send + 'static) -> Response {
    app.read_response(ENVELOPE, move |doc| act(doc).into_response())
        .await
}

/// The prologue every Core API handler shares: who asks (the org key, and the account and
/// issuer in the path) is settled before anything is read, then `act` answers.
async fn read_authorized(
    app: &AppState,
    req: Req,
    act: impl FnOnce(&AuthpiState, &Req) -> Answer + Send + 'static,
) -> Response {
    read(app, move |doc| {
        let state = doc.service::<AuthpiState>();
        match authorize(state, &req) {
            Ok(()) => act(state, &req),
            Err(answer) => answer,
        }
    })
    .await
}

/// [`read_authorized`] for a change, in one transaction.
async fn transact_authorized(
    app: &AppState,
    req: Req,
    act: impl FnOnce(&mut AuthpiState, &Req) -> Answer + Send + 'static,
) -> Response {
    transact(app, move |doc| {
        let state = doc.service_mut::<AuthpiState>();
        match authorize(state, &req) {
            Ok(()) => act(state, &req),
            Err(answer) => answer,
        }
    })
    .await
}

/// [`read_authorized`] for a POST that honours `Idempotency-Key` ([`idempotent`]): the key and
/// the request's fingerprint come from its headers, URI and body.
async fn idempotent_authorized(
    app: &AppState,
    req: Req,
    (headers, uri, body): (&HeaderMap, &Uri, &[u8]),
    act: impl FnOnce(&mut AuthpiState, &Req) -> Answer + Send + 'static,
) -> Response {
    let key = header_value(headers, "idempotency-key");
    let fingerprint = fingerprint(uri, body);
    let act_req = req.clone();
    idempotent(app, &req, key, fingerprint, move |doc| {
        let state = doc.service_mut::<AuthpiState>();
        match authorize(state, &act_req) {
            Ok(()) => act(state, &act_req),
            Err(answer) => answer,
        }
    })
    .await
}

/// What the first transaction of an idempotent request decided.
enum Claim {
    Answer(Answer),
    Proceed,
}

/// A POST that honours `Idempotency-Key` (see the module doc): a claim transaction, then the
/// work in a second one whose 2xx answer is recorded for replays. `act` authorizes and
/// validates by itself, so a request without a key is simply `act` in one transaction.
async fn idempotent(
    app: &AppState,
    req: &Req,
    key: Option<String>,
    fingerprint: String,
    act: impl FnOnce(&mut StateDoc) -> Answer + Send + 'static,
) -> Response {
    let Some(key) = key else {
        return transact(app, act).await;
    };
    if key.is_empty() || key.chars().count() > MAX_IDEMPOTENCY_KEY {
        return Answer::invalid(&format!(
            "Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} characters"
        ))
        .into_response();
    }
    let scoped = format!("{} {key}", req.ids.account_id);
    let claim_req = req.clone();
    let claim_scoped = scoped.clone();
    let claim_fingerprint = fingerprint.clone();
    let claimed = app
        .transact(move |doc| {
            claim(
                doc.service_mut::<AuthpiState>(),
                &claim_req,
                claim_scoped,
                claim_fingerprint,
            )
        })
        .await;
    match claimed {
        Err(e) => e.response(ENVELOPE),
        Ok(Claim::Answer(answer)) => answer.into_response(),
        Ok(Claim::Proceed) => {
            transact(app, move |doc| {
                let answer = act(doc);
                record_outcome(doc.service_mut::<AuthpiState>(), &scoped, &answer);
                answer
            })
            .await
        }
    }
}

/// The first transaction of an idempotent request: who asks is settled first (keys are
/// scoped per account, as `scoped`); then a key used with another body is refused, one in
/// flight is answered "retry", one answered is replayed, and a new one is claimed.
fn claim(state: &mut AuthpiState, req: &Req, scoped: String, fingerprint: String) -> Claim {
    if let Err(answer) = authorize(state, req) {
        return Claim::Answer(answer);
    }
    let now = now_ms();
    state
        .idempotency
        .retain(|_, r| now - r.created_at < IDEMPOTENCY_TTL_MS);
    match state.idempotency.get(&scoped) {
        Some(record) if record.fingerprint != fingerprint => Claim::Answer(Answer::error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            "Idempotency-Key has already been used with a different request body",
        )),
        Some(record) if record.status.is_none() && now - record.created_at < IN_FLIGHT_STALE_MS => {
            let mut answer = Answer::conflict(
                "A request with this Idempotency-Key is currently being processed",
            );
            answer.retry_after = Some(1);
            Claim::Answer(answer)
        }
        Some(record) if record.status.is_some() => Claim::Answer(replay(record)),
        _ => {
            state.idempotency.insert(
                scoped,
                IdempotencyRecord {
                    fingerprint,
                    created_at: now,
                    ..IdempotencyRecord::default()
                },
            );
            Claim::Proceed
        }
    }
}

/// The second transaction's end: a 2xx answer is recorded under the claimed key for replays;
/// only successes are kept, so the key is free for a corrected retry.
fn record_outcome(state: &mut AuthpiState, scoped: &str, answer: &Answer) {
    if answer.is_success() {
        if let Some(record) = state.idempotency.get_mut(scoped) {
            record.status = Some(answer.status.as_u16());
            record.body = answer.body.clone();
            record.etag = answer.etag.clone();
        }
    } else {
        state.idempotency.remove(scoped);
    }
}

fn replay(record: &IdempotencyRecord) -> Answer {
    Answer {
        status: record
            .status
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::OK),
        body: record.body.clone(),
        etag: record.etag.clone(),
        retry_after: None,
        replayed: true,
    }
}

fn fingerprint(uri: &Uri, body: &[u8]) -> String {
    let mut input = uri.path().as_bytes().to_vec();
    input.push(b'\n');
    input.extend_from_slice(body);
    sha256_hex(&input)
}

// ------------------------------------------------------------------------------------------
// Body fields

/// Refuse fields the operation does not define.
fn only_fields(input: &Map<String, Value>, allowed: &[&str]) -> Result<(), Answer> {
    match input.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(unknown) => Err(Answer::invalid_field(
            unknown,
            "unknown_field",
            &format!(
                "unknown field {unknown:?}; this operation accepts: {}",
                allowed.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

/// An optional nullable string: absent → `None`, null → `Some(None)`.
fn nullable_text(
    input: &Map<String, Value>,
    field: &str,
    max: usize,
) -> Result<Option<Option<String>>, Answer> {
    match input.get(field) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) if s.chars().count() <= max => Ok(Some(Some(s.clone()))),
        Some(Value::String(_)) => Err(Answer::invalid_field(
            field,
            "too_long",
            &format!("{field} must be at most {max} characters"),
        )),
        Some(_) => Err(Answer::invalid_field(
            field,
            "invalid_type",
            &format!("{field} must be a string or null"),
        )),
    }
}

fn agent_name(value: Option<&Value>) -> Result<String, Answer> {
    match value {
        Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= MAX_NAME_CHARS => {
            Ok(s.clone())
        }
        Some(Value::String(s)) if !s.trim().is_empty() => Err(Answer::invalid_field(
            "name",
            "too_long",
            &format!("name must be at most {MAX_NAME_CHARS} characters"),
        )),
        Some(Value::String(_)) | None | Some(Value::Null) => Err(Answer::invalid_field(
            "name",
            "required",
            "name is required",
        )),
        Some(_) => Err(Answer::invalid_field(
            "name",
            "invalid_type",
            "name must be a string",
        )),
    }
}

fn scopes(value: &Value) -> Result<Vec<String>, Answer> {
    let bad = |message: &str| Answer::invalid_field("scopes", "invalid", message);
    let Value::Array(items) = value else {
        return Err(bad("scopes must be an array of strings"));
    };
    if items.len() > MAX_SCOPES {
        return Err(bad(&format!("at most {MAX_SCOPES} scopes")));
    }
    let mut out: Vec<String> = Vec::new();
    for item in items {
        match item {
            // A token's `scope` is space-separated, so a scope cannot contain whitespace.
            Value::String(s) if !s.is_empty() && !s.chars().any(char::is_whitespace) => {
                if !out.contains(s) {
                    out.push(s.clone());
                }
            }
            _ => {
                return Err(bad(
                    "each scope must be a non-empty string without whitespace",
                ));
            }
        }
    }
    Ok(out)
}

fn metadata(value: &Value) -> Result<Map<String, Value>, Answer> {
    match value {
        Value::Null => Ok(Map::new()),
        Value::Object(map) => Ok(map.clone()),
        _ => Err(Answer::invalid_field(
            "metadata",
            "invalid_type",
            "metadata must be an object",
        )),
    }
}

// ------------------------------------------------------------------------------------------
// Core API handlers

async fn me(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let auth = Auth::from_headers(&headers);
    read(&app, move |doc| match api_key(doc.service::<AuthpiState>(), &auth) {
        Ok(key) => Answer::json(
            StatusCode::OK,
            json!({"data": {
                "type": "api_key",
                "key_id": key.key_id,
                "issuer_id": key.issuer_id,
                "accounts": [{"account_id": key.account_id, "org_id": key.org_id, "scopes": key.scopes}],
                // An org API key acts on its account; it is a member of no organization.
                "organizations": [],
            }}),
        ),
        Err(answer) => answer,
    })
    .await
}

async fn list_agents(State(app): State<AppState>, req: Req, uri: Uri) -> Response {
    let query = uri.query().map(str::to_owned);
    read_authorized(&app, req, move |state, req| {
        let q = |name: &str| query_param(query.as_deref(), name);
        let limit = match q("limit") {
            None => DEFAULT_PAGE,
            Some(raw) => match raw.trim().parse::<usize>() {
                Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
                _ => {
                    return Answer::invalid_field(
                        "limit",
                        "out_of_range",
                        &format!("limit must be an integer from 1 to {MAX_PAGE}"),
                    );
                }
            },
        };
        // The cursor is opaque to clients; here it is the `seq` of the last item returned.
        let before = match q("cursor") {
            None => u64::MAX,
            Some(raw) => match raw.strip_prefix("cur_").and_then(|n| n.parse::<u64>().ok()) {
                Some(seq) => seq,
                None => {
                    return Answer::invalid_field(
                        "cursor",
                        "invalid",
                        "cursor is not one this API returned",
                    );
                }
            },
        };
        let status = q("status");
        if let Some(s) = &status
            && !matches!(s.as_str(), "active" | "suspended" | "blocked")
        {
            return Answer::invalid_field(
                "status",
                "invalid",
                "status must be active, suspended or blocked",
            );
        }
        let has_verifiers = match q("has_verifiers").as_deref() {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(_) => {
                return Answer::invalid_field(
                    "has_verifiers",
                    "invalid",
                    "has_verifiers must be true or false",
                );
            }
        };
        let (model, provider) = (q("model"), q("provider"));
        let mut matching: Vec<&AuthpiAgent> = state
            .agents
            .values()
            .filter(|a| a.account_id == req.ids.account_id && a.issuer_id == req.ids.issuer_id)
            .filter(|a| a.seq < before)
            .filter(|a| status.as_deref().is_none_or(|s| a.status == s))
            .filter(|a| model.is_none() || a.model == model)
            .filter(|a| provider.is_none() || a.provider == provider)
            .filter(|a| has_verifiers.is_none_or(|h| h != a.verifiers.is_empty()))
            .collect();
        matching.sort_by_key(|a| std::cmp::Reverse(a.seq));
        let has_more = matching.len() > limit;
        matching.truncate(limit);
        let next_cursor = if has_more {
            matching.last().map(|a| format!("cur_{}", a.seq))
        } else {
            None
        };
        let data: Vec<Value> = matching.iter().map(|a| a.list_view()).collect();
        Answer::json(
            StatusCode::OK,
            json!({"data": data, "has_more": has_more, "next_cursor": next_cursor}),
        )
    })
    .await
}

async fn create_agent(
    State(app): State<AppState>,
    req: Req,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let input = json_object_body(&headers, &body);
    idempotent_authorized(&app, req, (&headers, &uri, &body), move |state, req| {
        let input = match input {
            Ok(map) => map,
            Err(message) => return Answer::invalid(&message),
        };
        let agent = match new_agent(&input, req) {
            Ok(agent) => agent,
            Err(answer) => return answer,
        };
        state.provision_demo();
        state.agents_created += 1;
        let agent = AuthpiAgent {
            seq: state.agents_created,
            ..agent
        };
        let answer = Answer::data(StatusCode::CREATED, agent.view(), agent.etag());
        state.agents.insert(agent.id.clone(), agent);
        answer
    })
    .await
}

fn new_agent(input: &Map<String, Value>, req: &Req) -> Result<AuthpiAgent, Answer> {
    only_fields(
        input,
        &[
            "name",
            "description",
            "model",
            "provider",
            "version",
            "scopes",
            "metadata",
        ],
    )?;
    let name = agent_name(input.get("name"))?;
    let text = |field: &str| nullable_text(input, field, MAX_TEXT_CHARS).map(Option::flatten);
    let now = now_ms();
    Ok(AuthpiAgent {
        id: format!("agt_{}", random_hex(16)),
        account_id: req.ids.account_id.clone(),
        issuer_id: req.ids.issuer_id.clone(),
        seq: 0,
        name,
        description: text("description")?,
        model: text("model")?,
        provider: text("provider")?,
        version: text("version")?,
        status: "active".into(),
        status_at: None,
        status_reason: None,
        scopes: input
            .get("scopes")
            .map(scopes)
            .transpose()?
            .unwrap_or_default(),
        metadata: input
            .get("metadata")
            .map(metadata)
            .transpose()?
            .unwrap_or_default(),
        created_at: now,
        updated_at: now,
        verifiers: Vec::new(),
    })
}

async fn get_agent(State(app): State<AppState>, req: Req) -> Response {
    read_authorized(&app, req, move |state, req| match find_agent(state, req) {
        Ok(agent) => Answer::data(StatusCode::OK, agent.view(), agent.etag()),
        Err(answer) => answer,
    })
    .await
}

async fn update_agent(
    State(app): State<AppState>,
    req: Req,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let input = json_object_body(&headers, &body);
    transact_authorized(&app, req, move |state, req| {
        state.provision_demo();
        let agent = match find_agent_mut(state, req) {
            Ok(agent) => agent,
            Err(answer) => return answer,
        };
        if let Err(answer) = check_if_match(req.if_match.as_deref(), &agent.etag(), "Agent") {
            return answer;
        }
        let input = match input {
            Ok(map) => map,
            Err(message) => return Answer::invalid(&message),
        };
        match apply_patch(agent, &input) {
            Ok(()) => Answer::data(StatusCode::OK, agent.view(), agent.etag()),
            Err(answer) => answer,
        }
    })
    .await
}

/// The status a patch asks for, if any, checked against the agent's current one: the
/// transitions are active to suspended or blocked (with a reason) and suspended to active.
fn status_change(
    input: &Map<String, Value>,
    current: &str,
    has_reason: bool,
) -> Result<Option<String>, Answer> {
    let status = match input.get("status") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if matches!(s.as_str(), "active" | "suspended" | "blocked") => {
            Some(s.clone())
        }
        Some(_) => {
            return Err(Answer::invalid_field(
                "status",
                "invalid",
                "status must be active, suspended or blocked",
            ));
        }
    };
    let Some(to) = status.as_deref().filter(|to| *to != current) else {
        return Ok(status);
    };
    match (current, to) {
        ("active", "suspended" | "blocked") if !has_reason => Err(Answer::invalid_field(
            "status_reason",
            "required",
            &format!("status_reason is required to change an agent's status to {to}"),
        )),
        ("active", "suspended" | "blocked") | ("suspended", "active") => Ok(status),
        (from, to) => {
            let mut answer = Answer::invalid_field(
                "status",
                "invalid_transition",
                &format!(
                    "an agent cannot go from {from} to {to}: the transitions are active to suspended, active to blocked and suspended to active (a blocked agent stays blocked; delete it and create a new one)"
                ),
            );
            if let Some(body) = answer.body.as_mut() {
                body["error"] = json!("invalid_transition");
            }
            Err(answer)
        }
    }
}

/// Validate the whole patch first, then apply it: a refused patch changes nothing.
fn apply_patch(agent: &mut AuthpiAgent, input: &Map<String, Value>) -> Result<(), Answer> {
    only_fields(
        input,
        &[
            "name",
            "description",
            "model",
            "provider",
            "version",
            "status",
            "status_reason",
            "scopes",
            "metadata",
        ],
    )?;
    let name = input
        .contains_key("name")
        .then(|| agent_name(input.get("name")))
        .transpose()?;
    let description = nullable_text(input, "description", MAX_TEXT_CHARS)?;
    let model = nullable_text(input, "model", MAX_TEXT_CHARS)?;
    let provider = nullable_text(input, "provider", MAX_TEXT_CHARS)?;
    let version = nullable_text(input, "version", MAX_TEXT_CHARS)?;
    let reason = nullable_text(input, "status_reason", MAX_TEXT_CHARS)?;
    let new_scopes = input.get("scopes").map(scopes).transpose()?;
    let new_metadata = input.get("metadata").map(metadata).transpose()?;
    let given_reason = reason.clone().flatten().filter(|r| !r.trim().is_empty());
    let status = status_change(input, &agent.status, given_reason.is_some())?;

    let now = now_ms();
    if let Some(name) = name {
        agent.name = name;
    }
    for (slot, value) in [
        (&mut agent.description, description),
        (&mut agent.model, model),
        (&mut agent.provider, provider),
        (&mut agent.version, version),
    ] {
        if let Some(value) = value {
            *slot = value;
        }
    }
    if let Some(s) = new_scopes {
        agent.scopes = s;
    }
    if let Some(m) = new_metadata {
        agent.metadata = m;
    }
    match status {
        Some(to) if to != agent.status => {
            agent.status = to;
            agent.status_at = Some(now);
            agent.status_reason = given_reason;
        }
        _ => {
            if let Some(reason) = reason {
                agent.status_reason = reason;
            }
        }
    }
    agent.touch(now);
    Ok(())
}

async fn delete_agent(State(app): State<AppState>, req: Req) -> Response {
    transact_authorized(&app, req, move |state, req| {
        let etag = match find_agent(state, req) {
            Ok(agent) => agent.etag(),
            Err(answer) => return answer,
        };
        if let Err(answer) = check_if_match(req.if_match.as_deref(), &etag, "Agent") {
            return answer;
        }
        state.provision_demo();
        state.agents.remove(req.agent_id());
        Answer::no_content()
    })
    .await
}

async fn list_verifiers(State(app): State<AppState>, req: Req) -> Response {
    read_authorized(&app, req, move |state, req| match find_agent(state, req) {
        Ok(agent) => {
            let data: Vec<Value> = agent.verifiers.iter().map(|v| v.view(&agent.id)).collect();
            Answer::json(
                StatusCode::OK,
                json!({"data": data, "has_more": false, "next_cursor": null}),
            )
        }
        Err(answer) => answer,
    })
    .await
}

/// The refusal for changing the verifiers of an agent that is not active.
fn not_modifiable(agent: &AuthpiAgent) -> Answer {
    Answer::conflict(&format!(
        "agent {} is {}; the verifiers of a suspended or blocked agent cannot be modified",
        agent.id, agent.status
    ))
}

async fn add_verifier(
    State(app): State<AppState>,
    req: Req,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let input = json_object_body(&headers, &body);
    idempotent_authorized(&app, req, (&headers, &uri, &body), move |state, req| {
        if let Err(answer) = find_agent(state, req) {
            return answer;
        }
        let input = match input {
            Ok(map) => map,
            Err(message) => return Answer::invalid(&message),
        };
        let (verifier, secret) = match new_verifier(&input) {
            Ok(v) => v,
            Err(answer) => return answer,
        };
        // A wallet is linked to one agent (the service keeps a wallet → agent lookup).
        if let (Some(address), Some(network)) = (&verifier.address, &verifier.network)
            && let Some(owner) = state.agents.values().find(|a| {
                a.verifiers.iter().any(|v| {
                    v.network.as_deref() == Some(network)
                        && v.address.as_deref().map(str::to_ascii_lowercase)
                            == Some(address.to_ascii_lowercase())
                })
            })
        {
            return Answer::conflict(&format!(
                "wallet {address} on {network} is already a verifier of agent {}",
                owner.id
            ));
        }
        state.provision_demo();
        let agent = match find_agent_mut(state, req) {
            Ok(agent) => agent,
            Err(answer) => return answer,
        };
        if agent.status != "active" {
            return not_modifiable(agent);
        }
        if agent.verifiers.len() >= MAX_VERIFIERS {
            return Answer::conflict(&format!("verifier limit reached ({MAX_VERIFIERS})"));
        }
        let mut view = verifier.view(&agent.id);
        if let Some(secret) = secret {
            view["secret"] = Value::String(secret);
        }
        let etag = verifier.etag();
        agent.verifiers.push(verifier);
        Answer::data(StatusCode::CREATED, view, etag)
    })
    .await
}

/// A verifier from a create body, and a secret verifier's plaintext.
fn new_verifier(input: &Map<String, Value>) -> Result<(Verifier, Option<String>), Answer> {
    let kind = verifier_kind(input)?;
    if kind == "secret" {
        only_fields(input, &["type", "name", "description"])?;
    } else {
        only_fields(
            input,
            &["type", "name", "description", "address", "network"],
        )?;
    }
    // The schema marks `name` required but nullable: the key must be there.
    let name = match nullable_text(input, "name", MAX_NAME_CHARS)? {
        Some(name) => name,
        None => {
            return Err(Answer::invalid_field(
                "name",
                "required",
                "name is required (it may be null)",
            ));
        }
    };
    let description = nullable_text(input, "description", MAX_TEXT_CHARS)?.flatten();
    let now = now_ms();
    let mut verifier = Verifier {
        id: format!("vrf_{}", random_hex(16)),
        kind: kind.clone(),
        name,
        description,
        status: "active".into(),
        created_at: now,
        ..Verifier::default()
    };
    if kind == "secret" {
        let secret = format!("cs_{}", random_hex(32));
        verifier.secret_sha256 = Some(sha256_hex(secret.as_bytes()));
        return Ok((verifier, Some(secret)));
    }
    let (address, network) = wallet_target(input)?;
    verifier.address = Some(address);
    verifier.network = Some(network);
    Ok((verifier, None))
}

/// A create body's verifier type: `secret` or `wallet`.
fn verifier_kind(input: &Map<String, Value>) -> Result<String, Answer> {
    match input.get("type") {
        Some(Value::String(t)) if t == "secret" || t == "wallet" => Ok(t.clone()),
        None | Some(Value::Null) => Err(Answer::invalid_field(
            "type",
            "required",
            "type is required: secret or wallet",
        )),
        Some(_) => Err(Answer::invalid_field(
            "type",
            "invalid",
            "type must be secret or wallet",
        )),
    }
}

/// A wallet verifier's address and CAIP-2 network, checked.
fn wallet_target(input: &Map<String, Value>) -> Result<(String, String), Answer> {
    let field = |name: &str| match input.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
        _ => Err(Answer::invalid_field(
            name,
            "required",
            &format!("{name} is required for a wallet verifier"),
        )),
    };
    let (address, network) = (field("address")?, field("network")?);
    let Some((namespace, _)) = caip2(&network) else {
        return Err(Answer::invalid_field(
            "network",
            "invalid",
            "network must be a CAIP-2 chain id (namespace:reference), e.g. eip155:8453",
        ));
    };
    if namespace == "eip155" && !is_evm_address(&address) {
        return Err(Answer::invalid_field(
            "address",
            "invalid",
            "an eip155 address must be 0x followed by 40 hex digits",
        ));
    }
    if address.len() > 128 {
        return Err(Answer::invalid_field(
            "address",
            "too_long",
            "address is too long",
        ));
    }
    Ok((address, network))
}

async fn remove_verifier(State(app): State<AppState>, req: Req) -> Response {
    transact_authorized(&app, req, move |state, req| {
        state.provision_demo();
        let agent = match find_agent_mut(state, req) {
            Ok(agent) => agent,
            Err(answer) => return answer,
        };
        let verifier_id = req.ids.verifier_id.as_deref().unwrap_or_default();
        let Some(index) = agent.verifiers.iter().position(|v| v.id == verifier_id) else {
            return Answer::not_found(&format!(
                "verifier {verifier_id} not found on agent {}",
                agent.id
            ));
        };
        if agent.status != "active" {
            return not_modifiable(agent);
        }
        let etag = agent.verifiers[index].etag();
        if let Err(answer) = check_if_match(req.if_match.as_deref(), &etag, "Verifier") {
            return answer;
        }
        agent.verifiers.remove(index);
        Answer::no_content()
    })
    .await
}

// ------------------------------------------------------------------------------------------
// IdP handlers

async fn token(
    State(app): State<AppState>,
    Path(issuer_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = match content_type(&headers) {
        Some(ct) if is_form_content_type(ct) => form_pairs(&body),
        other => {
            return Answer::invalid(&format!(
                "Content-Type must be application/x-www-form-urlencoded (got {})",
                other.unwrap_or("none")
            ))
            .into_response();
        }
    };
    let field = |name: &str| {
        form.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    match field("grant_type").as_deref() {
        Some("client_credentials") => {}
        Some(other) => {
            return Answer::error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!("grant_type {other:?} is not supported; agents use client_credentials"),
            )
            .into_response();
        }
        None => return Answer::invalid("grant_type is required").into_response(),
    }
    // One client authentication method only (RFC 6749 §2.3).
    let basic = Auth::from_headers(&headers)
        .basic()
        .map(|(u, p)| (u.to_owned(), p.to_owned()));
    let in_body = field("client_id").zip(field("client_secret"));
    let (client_id, client_secret) = match (basic, in_body) {
        (Some(_), Some(_)) => {
            return Answer::invalid(
                "use either HTTP Basic or client_id/client_secret in the body, not both",
            )
            .into_response();
        }
        (Some(pair), None) | (None, Some(pair)) => pair,
        (None, None) => {
            return Answer::error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "client authentication required: client_id and client_secret",
            )
            .into_response();
        }
    };
    let requested_scope = field("scope");
    let resource = field("resource");
    let handler_app = app.clone();
    transact(&app, move |doc| {
        issue_token(
            &handler_app,
            doc,
            &issuer_id,
            &client_id,
            &client_secret,
            requested_scope,
            resource,
        )
    })
    .await
}

fn issue_token(
    app: &AppState,
    doc: &mut StateDoc,
    issuer_id: &str,
    client_id: &str,
    client_secret: &str,
    requested_scope: Option<String>,
    resource: Option<String>,
) -> Answer {
    if doc.service::<AuthpiState>().issuer(issuer_id).is_none() {
        return Answer::not_found(&format!("issuer {issuer_id} not found"));
    }
    let now = now_ms();
    let (iat, exp) = app.jwt_times(doc, SERVICE.key, now.div_euclid(1000));
    let key = match signing_key(doc) {
        Ok(key) => key,
        Err(e) => return Answer::internal(&format!("sandbox signing key unusable: {e}")),
    };
    let (agent, verifier_index) = match authenticate_client(
        doc.service_mut::<AuthpiState>(),
        issuer_id,
        client_id,
        client_secret,
    ) {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let granted = match granted_scopes(&agent.scopes, requested_scope) {
        Ok(granted) => granted,
        Err(answer) => return answer,
    };
    // What is left of it, never negative on the wire (an expired token says 0).
    let expires_in = (exp - now.div_euclid(1000)).max(0);
    let iss = issuer_url(app, issuer_id);
    let scope = granted.join(" ");
    let claims = json!({
        "iss": iss,
        "sub": agent.id,
        // The validate-tokens guide: the resource asked for, else the client id; never `iss`.
        "aud": resource.unwrap_or_else(|| agent.id.clone()),
        "exp": exp,
        "iat": iat,
        "auth_time": iat,
        "jti": jti(),
        "client_id": agent.id,
        "dat": {"type": "agent"},
        "scope": scope,
    });
    let token = match key.sign_own(&claims, TOKEN_TYP) {
        Ok(token) => token,
        Err(e) => return Answer::internal(&format!("cannot sign the token: {e}")),
    };
    let verifier = &mut agent.verifiers[verifier_index];
    verifier.usage_count += 1;
    verifier.last_used_at = Some(now);
    Answer::json(
        StatusCode::OK,
        json!({"access_token": token, "token_type": "Bearer", "expires_in": expires_in, "scope": scope}),
    )
}

/// The agent of issuer `issuer_id` whose active secret verifier `client_secret` matches, and
/// that verifier's index; only an authenticated client learns the agent's status.
fn authenticate_client<'a>(
    state: &'a mut AuthpiState,
    issuer_id: &str,
    client_id: &str,
    client_secret: &str,
) -> Result<(&'a mut AuthpiAgent, usize), Answer> {
    let secret_sha256 = sha256_hex(client_secret.as_bytes());
    let invalid_client = || {
        Answer::error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication failed: unknown client_id or wrong client_secret",
        )
    };
    let Some(agent) = state
        .agents
        .get_mut(client_id)
        .filter(|a| a.issuer_id == issuer_id)
    else {
        return Err(invalid_client());
    };
    let Some(verifier_index) = agent.verifiers.iter().position(|v| {
        v.kind == "secret"
            && v.status == "active"
            && v.secret_sha256.as_deref() == Some(&secret_sha256)
    }) else {
        return Err(invalid_client());
    };
    // Only an authenticated client learns the agent's status.
    if agent.status != "active" {
        return Err(Answer::error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            &format!(
                "agent {} is {}; a {} agent cannot obtain tokens",
                agent.id, agent.status, agent.status
            ),
        ));
    }
    Ok((agent, verifier_index))
}

/// The scopes a token gets: the agent's, or those asked for when the agent has them all.
fn granted_scopes(scopes: &[String], requested: Option<String>) -> Result<Vec<String>, Answer> {
    let Some(asked) = requested else {
        return Ok(scopes.to_vec());
    };
    let asked: Vec<String> = asked.split_whitespace().map(str::to_owned).collect();
    if let Some(extra) = asked.iter().find(|s| !scopes.contains(s)) {
        return Err(Answer::error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            &format!("scope {extra:?} is not among the agent's scopes"),
        ));
    }
    Ok(asked)
}

/// 18 random alphanumeric characters (docs/providers.md §3.7).
fn jti() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    random_bytes(18)
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

async fn jwks(State(app): State<AppState>, Path(issuer_id): Path<String>) -> Response {
    read(&app, move |doc| {
        if doc.service::<AuthpiState>().issuer(&issuer_id).is_none() {
            return Answer::not_found(&format!("issuer {issuer_id} not found"));
        }
        let mut keys = Vec::new();
        for spec in KEYS {
            match authpi_key(doc, *spec) {
                Ok(key) => keys.push(key.jwk(key.kid())),
                Err(e) => return Answer::internal(&format!("sandbox signing key unusable: {e}")),
            }
        }
        Answer::json(StatusCode::OK, json!({ "keys": keys }))
    })
    .await
}

/// The names (in the state's key set) and algorithms of AuthPI's signing keys: access tokens
/// are signed with the first; all are published.
const KEYS: &[(&str, Alg)] = &[
    ("authpi/es256", Alg::ES256),
    ("authpi/eddsa", Alg::EdDSA),
    ("authpi/rs256", Alg::RS256),
];

/// AuthPI's key `name` (its own: no other service signs with it), with an opaque UUID `kid`.
fn authpi_key(doc: &StateDoc, (name, alg): (&str, Alg)) -> Result<SigningKey, TokenError> {
    doc.named_key(name, alg, uuid_v4)
}

/// The key access tokens are signed with.
fn signing_key(doc: &StateDoc) -> Result<SigningKey, TokenError> {
    authpi_key(doc, KEYS[0])
}

/// `{idp}/{issuer_id}`: the issuer URL, the `iss` of its tokens.
fn issuer_url(app: &AppState, issuer_id: &str) -> String {
    format!("{}{IDP_PREFIX}/{issuer_id}", app.base_url())
}

/// Whether a token's `iss` names this issuer. The sandbox always listens on loopback, and an
/// embedded one gets a new port on every run while its state (and its signing keys) persist:
/// an issuer URL on a loopback host with the same path is the same issuer, whatever its port.
fn same_issuer(claimed: &str, iss: &str) -> bool {
    fn loopback_path(url: &str) -> Option<&str> {
        let rest = url.strip_prefix("http://")?;
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let host = authority
            .rsplit_once(':')
            .map_or(authority, |(host, _port)| host);
        matches!(host, "127.0.0.1" | "localhost" | "[::1]").then_some(path)
    }
    claimed == iss
        || matches!(
            (loopback_path(claimed), loopback_path(iss)),
            (Some(a), Some(b)) if a == b
        )
}

/// Why an access token presented back to the issuer is not active.
fn check_access_token(
    doc: &StateDoc,
    iss: &str,
    token: &str,
) -> Result<super::tokens::Verified, String> {
    let header = super::tokens::decode_unverified(token)
        .map_err(|e| e.to_string())?
        .header;
    let kid = header
        .get("kid")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut verified = None;
    for spec in KEYS {
        let key = authpi_key(doc, *spec).map_err(|e| e.to_string())?;
        if key.kid() == kid {
            verified = Some(
                key.verify(token, now_ms().div_euclid(1000))
                    .map_err(|e| e.to_string())?,
            );
        }
    }
    let verified = verified.ok_or("not signed by this issuer")?;
    if !verified
        .claim_str("iss")
        .is_some_and(|claimed| same_issuer(claimed, iss))
    {
        return Err("issued by another issuer".into());
    }
    let state = doc.service::<AuthpiState>();
    if verified
        .claim_str("jti")
        .is_some_and(|jti| state.revoked.contains_key(jti))
    {
        return Err("revoked".into());
    }
    match verified
        .claim_str("client_id")
        .and_then(|id| state.agents.get(id))
    {
        Some(agent) if agent.status == "active" => Ok(verified),
        Some(agent) => Err(format!("the agent is {}", agent.status)),
        None => Err("the agent no longer exists".into()),
    }
}

/// The form of an IdP request, with the client authentication of RFC 6749 §2.3 (Basic or
/// `client_id`/`client_secret` in the body, not both).
struct ClientForm {
    form: Vec<(String, String)>,
    client: Option<(String, String)>,
}

impl ClientForm {
    fn parse(headers: &HeaderMap, body: &[u8]) -> Result<ClientForm, Answer> {
        let form = match content_type(headers) {
            Some(ct) if is_form_content_type(ct) => form_pairs(body),
            other => {
                return Err(Answer::invalid(&format!(
                    "Content-Type must be application/x-www-form-urlencoded (got {})",
                    other.unwrap_or("none")
                )));
            }
        };
        let field = |name: &str| {
            form.iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        let basic = Auth::from_headers(headers)
            .basic()
            .map(|(u, p)| (u.to_owned(), p.to_owned()));
        let in_body = field("client_id").zip(field("client_secret"));
        let client = match (basic, in_body) {
            (Some(_), Some(_)) => {
                return Err(Answer::invalid(
                    "use either HTTP Basic or client_id/client_secret in the body, not both",
                ));
            }
            (Some(pair), None) | (None, Some(pair)) => Some(pair),
            (None, None) => None,
        };
        Ok(ClientForm { form, client })
    }

    fn field(&self, name: &str) -> Option<String> {
        self.form
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    }

    /// The authenticated client: an agent of `issuer_id` with one of its active secrets.
    fn authenticate<'a>(
        &self,
        state: &'a AuthpiState,
        issuer_id: &str,
    ) -> Result<&'a AuthpiAgent, Answer> {
        let invalid_client = || {
            Answer::error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "client authentication failed: unknown client_id or wrong client_secret",
            )
        };
        let (client_id, secret) = self.client.as_ref().ok_or_else(|| {
            Answer::error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "client authentication required: client_id and client_secret",
            )
        })?;
        let secret_sha256 = sha256_hex(secret.as_bytes());
        let agent = state
            .agents
            .get(client_id)
            .filter(|a| a.issuer_id == issuer_id)
            .ok_or_else(invalid_client)?;
        agent
            .verifiers
            .iter()
            .any(|v| {
                v.kind == "secret"
                    && v.status == "active"
                    && v.secret_sha256.as_deref() == Some(&secret_sha256)
            })
            .then_some(agent)
            .ok_or_else(invalid_client)
    }
}

/// RFC 7662's answer for `token` at issuer `iss`.
fn introspection(doc: &StateDoc, iss: &str, token: &str) -> Value {
    match check_access_token(doc, iss, token) {
        Ok(v) => json!({
            "active": true,
            "sub": v.claims.get("sub"),
            "client_id": v.claims.get("client_id"),
            "scope": v.claims.get("scope"),
            "exp": v.claims.get("exp"),
            "iat": v.claims.get("iat"),
            "iss": v.claims.get("iss"),
            "aud": v.claims.get("aud"),
            "jti": v.claims.get("jti"),
            "token_type": "Bearer",
        }),
        Err(_) => json!({"active": false}),
    }
}

/// `GET /{issuer_id}/.well-known/openid-configuration`.
async fn discovery(State(app): State<AppState>, Path(issuer_id): Path<String>) -> Response {
    let iss = issuer_url(&app, &issuer_id);
    read(&app, move |doc| {
        if doc.service::<AuthpiState>().issuer(&issuer_id).is_none() {
            return Answer::not_found(&format!("issuer {issuer_id} not found"));
        }
        Answer::json(
            StatusCode::OK,
            json!({
                "issuer": iss,
                "token_endpoint": format!("{iss}/token"),
                "jwks_uri": format!("{iss}/jwks.json"),
                "revocation_endpoint": format!("{iss}/revoke"),
                "introspection_endpoint": format!("{iss}/introspect"),
                "userinfo_endpoint": format!("{iss}/userinfo"),
                "grant_types_supported": ["client_credentials"],
                "response_types_supported": ["token"],
                "subject_types_supported": ["public"],
                "scopes_supported": [],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "id_token_signing_alg_values_supported": ["ES256", "EdDSA", "RS256"],
                "token_endpoint_auth_signing_alg_values_supported": ["ES256", "EdDSA", "RS256"],
                "claims_supported": ["iss", "sub", "aud", "exp", "iat", "jti", "client_id", "scope"],
            }),
        )
    })
    .await
}

/// `POST /{issuer_id}/revoke` (RFC 7009): the authenticated client revokes one of its own
/// tokens; an unknown, foreign or already revoked token is 200 all the same.
async fn revoke(
    State(app): State<AppState>,
    Path(issuer_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = match ClientForm::parse(&headers, &body) {
        Ok(form) => form,
        Err(answer) => return answer.into_response(),
    };
    let iss = issuer_url(&app, &issuer_id);
    transact(&app, move |doc| {
        let client_id = match form.authenticate(doc.service::<AuthpiState>(), &issuer_id) {
            Ok(agent) => agent.id.clone(),
            Err(answer) => return answer,
        };
        let Some(token) = form.field("token") else {
            return Answer::invalid("token is required");
        };
        // Only a genuine token of this issuer and client is recorded (by its jti).
        if let Ok(v) = check_access_token(doc, &iss, &token)
            && v.claim_str("client_id") == Some(client_id.as_str())
            && let Some(jti) = v.claim_str("jti")
        {
            let (jti, exp) = (jti.to_owned(), v.exp().unwrap_or_default());
            let state = doc.service_mut::<AuthpiState>();
            let now = now_ms().div_euclid(1000);
            state.revoked.retain(|_, exp| *exp > now);
            state.revoked.insert(jti, exp);
        }
        Answer::json(StatusCode::OK, json!({}))
    })
    .await
}

/// `POST /{issuer_id}/introspect` (RFC 7662), authenticated like the token endpoint.
async fn introspect_at_idp(
    State(app): State<AppState>,
    Path(issuer_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = match ClientForm::parse(&headers, &body) {
        Ok(form) => form,
        Err(answer) => return answer.into_response(),
    };
    let iss = issuer_url(&app, &issuer_id);
    read(&app, move |doc| {
        if let Err(answer) = form.authenticate(doc.service::<AuthpiState>(), &issuer_id) {
            return answer;
        }
        match form.field("token") {
            Some(token) => Answer::json(StatusCode::OK, introspection(doc, &iss, &token)),
            None => Answer::invalid("token is required"),
        }
    })
    .await
}

/// `GET /{issuer_id}/userinfo` (Bearer access token): who the token's subject is. A revoked,
/// expired or foreign token is 401 `invalid_token` (the resource side refuses it).
async fn userinfo(
    State(app): State<AppState>,
    Path(issuer_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let auth = Auth::from_headers(&headers);
    let iss = issuer_url(&app, &issuer_id);
    read(&app, move |doc| {
        let refused = |why: &str| {
            Answer::error(
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                &format!("the access token is not active: {why}"),
            )
        };
        let Some(token) = auth.bearer() else {
            return refused("send Authorization: Bearer <access token>");
        };
        let verified = match check_access_token(doc, &iss, token) {
            Ok(v) => v,
            Err(why) => return refused(&why),
        };
        let Some(agent) = verified
            .claim_str("sub")
            .and_then(|s| doc.service::<AuthpiState>().agents.get(s))
        else {
            return refused("unknown subject");
        };
        Answer::json(
            StatusCode::OK,
            json!({
                "sub": agent.id,
                "name": agent.name,
                "organizations": [],
                "created_at": agent.created_at,
                "updated_at": agent.updated_at,
            }),
        )
    })
    .await
}

/// `POST {ACC}/{ISS}/tokens/introspect` (org key; JSON `{"token"}`): RFC 7662's answer in the
/// Core API's `{"data": ...}` envelope.
async fn introspect_at_core(
    State(app): State<AppState>,
    req: Req,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let input = json_object_body(&headers, &body);
    let iss = issuer_url(&app, &req.ids.issuer_id);
    read(&app, move |doc| {
        if let Err(answer) = authorize(doc.service::<AuthpiState>(), &req) {
            return answer;
        }
        let input = match input {
            Ok(input) => input,
            Err(message) => return Answer::invalid(&message),
        };
        match input.get("token").and_then(Value::as_str) {
            Some(token) if !token.is_empty() => Answer::json(
                StatusCode::OK,
                json!({"data": introspection(doc, &iss, token)}),
            ),
            _ => Answer::invalid_field("token", "required", "token is required"),
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use reqwest::Method;
    use reqwest::blocking::RequestBuilder;
    use reqwest::header::HeaderMap as ReplyHeaders;

    use super::super::testkit::Harness;
    use super::super::tokens::decode_unverified;
    use super::*;

    const BASE: &str = "/authpi/api/v1/accounts/acc_sandbox/issuers/i_sandbox";

    struct Reply {
        status: u16,
        headers: ReplyHeaders,
        body: Value,
    }

    impl Reply {
        fn header(&self, name: &str) -> Option<&str> {
            self.headers.get(name).and_then(|v| v.to_str().ok())
        }
    }

    fn send(request: RequestBuilder) -> Reply {
        let response = request.send().expect("request sent");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{status}: not JSON ({e}): {text}"))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// A Core API request under the demo account and issuer, with the demo key.
    fn core(h: &Harness, method: Method, path: &str) -> RequestBuilder {
        h.client
            .request(method, h.url(&format!("{BASE}{path}")))
            .basic_auth(DEMO_KEY_ID, Some(DEMO_KEY_SECRET))
    }

    fn create(h: &Harness, body: Value) -> Reply {
        send(core(h, Method::POST, "/agents").json(&body))
    }

    fn create_agent_id(h: &Harness, name: &str) -> String {
        let reply = create(
            h,
            json!({"name": name, "scopes": ["tickets:read", "tickets:triage"]}),
        );
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.body["data"]["id"].as_str().unwrap().to_owned()
    }

    fn add_secret(h: &Harness, agent: &str) -> (String, String) {
        let reply = send(
            core(h, Method::POST, &format!("/agents/{agent}/verifiers"))
                .json(&json!({"type": "secret", "name": null})),
        );
        assert_eq!(reply.status, 201, "{}", reply.body);
        (
            reply.body["data"]["id"].as_str().unwrap().to_owned(),
            reply.body["data"]["secret"].as_str().unwrap().to_owned(),
        )
    }

    fn token_request(h: &Harness, agent: &str, secret: &str) -> Reply {
        send(h.client.post(h.url("/authpi/idp/i_sandbox/token")).form(&[
            ("grant_type", "client_credentials"),
            ("client_id", agent),
            ("client_secret", secret),
        ]))
    }

    fn patch(h: &Harness, agent: &str, if_match: Option<&str>, body: Value) -> Reply {
        let mut request = core(h, Method::PATCH, &format!("/agents/{agent}")).json(&body);
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        send(request)
    }

    #[test]
    fn agents_are_created_read_and_listed_with_etags_and_cursors() {
        let h = Harness::start();
        let reply = create(
            &h,
            json!({"name": "Support Triage Agent", "description": "triage", "model": "claude-sonnet-4-5",
                   "provider": "anthropic", "version": "1.0", "scopes": ["tickets:read"],
                   "metadata": {"team": "support"}}),
        );
        assert_eq!(reply.status, 201, "{}", reply.body);
        let agent = &reply.body["data"];
        let id = agent["id"].as_str().unwrap();
        assert!(id.starts_with("agt_") && id.len() == 36, "{id}");
        assert_eq!(agent["status"], "active");
        assert_eq!(agent["issuer_id"], "i_sandbox");
        assert_eq!(agent["metadata"]["team"], "support");
        assert_eq!(agent["created_at"], agent["updated_at"]);
        let etag = format!("\"{}\"", agent["updated_at"]);
        assert_eq!(reply.header("etag"), Some(etag.as_str()));

        let got = send(core(&h, Method::GET, &format!("/agents/{id}")));
        assert_eq!(got.status, 200);
        assert_eq!(got.body["data"], *agent);
        assert_eq!(got.header("etag"), Some(etag.as_str()));

        for n in 0..2 {
            create_agent_id(&h, &format!("agent {n}"));
        }
        let page = send(core(&h, Method::GET, "/agents?limit=2"));
        assert_eq!(page.status, 200, "{}", page.body);
        assert_eq!(page.body["has_more"], true);
        let names: Vec<&str> = page.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["agent 1", "agent 0"], "newest first");
        assert_eq!(page.body["data"][0]["verifiers"], json!([]));
        let cursor = page.body["next_cursor"].as_str().unwrap();
        let rest = send(core(
            &h,
            Method::GET,
            &format!("/agents?limit=2&cursor={cursor}"),
        ));
        assert_eq!(rest.body["has_more"], false);
        assert_eq!(rest.body["next_cursor"], Value::Null);
        assert_eq!(rest.body["data"][0]["id"], id);

        let filtered = send(core(&h, Method::GET, "/agents?model=claude-sonnet-4-5"));
        assert_eq!(filtered.body["data"].as_array().unwrap().len(), 1);
        let bad = send(core(&h, Method::GET, "/agents?limit=0"));
        assert_eq!(bad.status, 400);
        assert_eq!(bad.body["error"], "invalid_request");
    }

    #[test]
    fn the_core_api_wants_the_org_key_of_the_account() {
        let h = Harness::start();
        let url = h.url(&format!("{BASE}/agents"));
        let none = send(h.client.get(&url));
        assert_eq!(none.status, 401);
        assert_eq!(none.body["error"], "unauthorized_client");
        let wrong = send(h.client.get(&url).basic_auth(DEMO_KEY_ID, Some("nope")));
        assert_eq!(wrong.status, 401);
        let bearer = send(h.client.get(&url).bearer_auth("eyJ.x.y"));
        assert_eq!(bearer.status, 401);
        let other = send(
            h.client
                .get(h.url("/authpi/api/v1/accounts/acc_other/issuers/i_sandbox/agents"))
                .basic_auth(DEMO_KEY_ID, Some(DEMO_KEY_SECRET)),
        );
        assert_eq!(other.status, 403);
        assert_eq!(other.body["error"], "access_denied");
        let issuer = send(
            h.client
                .get(h.url("/authpi/api/v1/accounts/acc_sandbox/issuers/i_other/agents"))
                .basic_auth(DEMO_KEY_ID, Some(DEMO_KEY_SECRET)),
        );
        assert_eq!(issuer.status, 404);
        assert_eq!(issuer.body["error"], "not_found");

        let me = send(
            h.client
                .get(h.url("/authpi/api/v1/me"))
                .basic_auth(DEMO_KEY_ID, Some(DEMO_KEY_SECRET)),
        );
        assert_eq!(
            me.body["data"]["accounts"][0]["account_id"],
            DEMO_ACCOUNT_ID
        );
        // Unknown fields are refused, naming the field.
        let typo = create(&h, json!({"name": "x", "agent_version": "1"}));
        assert_eq!(typo.status, 400);
        assert_eq!(typo.body["fields"][0]["field"], "agent_version");
        let unnamed = create(&h, json!({"description": "no name"}));
        assert_eq!(unnamed.status, 400);
        assert_eq!(unnamed.body["fields"][0]["code"], "required");
    }

    #[test]
    fn idempotency_keys_replay_refuse_other_bodies_and_show_work_in_flight() {
        let h = Harness::start();
        let body = json!({"name": "once"});
        let post = |key: &str, body: &Value| {
            send(
                core(&h, Method::POST, "/agents")
                    .header("idempotency-key", key)
                    .json(body),
            )
        };
        let first = post("k-1", &body);
        assert_eq!(first.status, 201);
        assert_eq!(first.header("idempotent-replayed"), None);
        let again = post("k-1", &body);
        assert_eq!(again.status, 201);
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(again.body, first.body);
        assert_eq!(again.header("etag"), first.header("etag"));
        let other = post("k-1", &json!({"name": "twice"}));
        assert_eq!(other.status, 422);
        assert!(
            other.body["error_description"]
                .as_str()
                .unwrap()
                .contains("different request body")
        );

        // A failed request frees its key.
        assert_eq!(post("k-2", &json!({"name": ""})).status, 400);
        assert_eq!(post("k-2", &body).status, 201);

        // A lost response: the work is done, the retry is a replay.
        h.post_json(
            "/_sandbox/faults",
            &json!({"method": "POST", "path": format!("{BASE}/agents"), "mode": "bad_gateway_after"}),
        );
        let dropped = post("k-3", &json!({"name": "lost"}));
        assert_eq!(dropped.status, 502);
        let retried = post("k-3", &json!({"name": "lost"}));
        assert_eq!(retried.status, 201);
        assert_eq!(retried.header("idempotent-replayed"), Some("true"));

        // Work in flight: a claim without an answer, as a concurrent request leaves it.
        let raw = serde_json::to_vec(&json!({"name": "busy"})).unwrap();
        let uri: Uri = "/v1/accounts/acc_sandbox/issuers/i_sandbox/agents"
            .parse()
            .unwrap();
        let mut doc: Value =
            serde_json::from_slice(&std::fs::read(h.state_path()).unwrap()).unwrap();
        doc["authpi"]["idempotency"]["acc_sandbox k-4"] =
            json!({"fingerprint": fingerprint(&uri, &raw), "created_at": now_ms()});
        doc["authpi"]["idempotency"]["acc_sandbox k-5"] = json!({"fingerprint": fingerprint(&uri, &raw), "created_at": now_ms() - IN_FLIGHT_STALE_MS});
        std::fs::write(h.state_path(), serde_json::to_vec(&doc).unwrap()).unwrap();
        let send_raw = |key: &str| {
            send(
                core(&h, Method::POST, "/agents")
                    .header("idempotency-key", key)
                    .header("content-type", "application/json")
                    .body(raw.clone()),
            )
        };
        let busy = send_raw("k-4");
        assert_eq!(busy.status, 409);
        assert_eq!(busy.header("retry-after"), Some("1"));
        // An abandoned claim is taken over.
        assert_eq!(send_raw("k-5").status, 201);

        let (state, _) = h.state_doc_key();
        let names: Vec<&str> = state["authpi"]["agents"]
            .as_object()
            .unwrap()
            .values()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        for (name, n) in [("once", 2), ("lost", 1), ("busy", 1)] {
            assert_eq!(names.iter().filter(|x| **x == name).count(), n, "{names:?}");
        }
    }

    #[test]
    fn status_changes_need_reasons_and_if_match_guards_writes() {
        let h = Harness::start();
        let id = create_agent_id(&h, "lifecycle");
        let etag = send(core(&h, Method::GET, &format!("/agents/{id}")))
            .header("etag")
            .unwrap()
            .to_owned();

        let no_reason = patch(&h, &id, Some(&etag), json!({"status": "suspended"}));
        assert_eq!(no_reason.status, 400);
        assert_eq!(no_reason.body["error"], "invalid_request");
        assert_eq!(no_reason.body["fields"][0]["field"], "status_reason");

        let suspended = patch(
            &h,
            &id,
            Some(&etag),
            json!({"status": "suspended", "status_reason": "key leak"}),
        );
        assert_eq!(suspended.status, 200, "{}", suspended.body);
        assert_eq!(suspended.body["data"]["status"], "suspended");
        assert_eq!(suspended.body["data"]["status_reason"], "key leak");
        assert!(suspended.body["data"]["status_at"].is_i64());
        let new_etag = suspended.header("etag").unwrap().to_owned();
        assert_ne!(new_etag, etag);

        let stale = patch(&h, &id, Some(&etag), json!({"status": "active"}));
        assert_eq!(stale.status, 412);
        assert_eq!(stale.body["error"], "precondition_failed");
        assert_eq!(stale.body["current_etag"], new_etag.as_str());

        let active = patch(&h, &id, Some(&new_etag), json!({"status": "active"}));
        assert_eq!(active.status, 200);
        assert_eq!(active.body["data"]["status_reason"], Value::Null);
        let blocked = patch(
            &h,
            &id,
            None,
            json!({"status": "blocked", "status_reason": "abuse"}),
        );
        assert_eq!(blocked.status, 200);
        let back = patch(&h, &id, None, json!({"status": "active"}));
        assert_eq!(back.status, 400, "a blocked agent stays blocked");

        let etag = blocked.header("etag").unwrap().to_owned();
        let stale_delete =
            send(core(&h, Method::DELETE, &format!("/agents/{id}")).header("if-match", "\"1\""));
        assert_eq!(stale_delete.status, 412);
        let deleted =
            send(core(&h, Method::DELETE, &format!("/agents/{id}")).header("if-match", etag));
        assert_eq!(deleted.status, 204);
        assert_eq!(deleted.body, Value::Null);
        assert_eq!(
            send(core(&h, Method::GET, &format!("/agents/{id}"))).status,
            404
        );
    }

    #[test]
    fn verifiers_hold_hashed_secrets_wallets_and_stop_at_twenty() {
        let h = Harness::start();
        let id = create_agent_id(&h, "verified");
        let path = format!("/agents/{id}/verifiers");
        let (vid, secret) = add_secret(&h, &id);
        assert!(vid.starts_with("vrf_"));
        assert!(secret.starts_with("cs_") && secret.len() == 67);

        let listed = send(core(&h, Method::GET, &path));
        assert_eq!(listed.status, 200);
        let item = &listed.body["data"][0];
        assert_eq!(item["type"], "secret");
        assert_eq!(item["credential"], json!({"algorithm": "sha256"}));
        assert!(item.get("secret").is_none());
        assert!(!listed.body.to_string().contains(&secret));
        let (state, _) = h.state_doc_key();
        assert_eq!(
            state["authpi"]["agents"][&id]["verifiers"][0]["secret_sha256"],
            sha256_hex(secret.as_bytes())
        );

        let add = |body: Value| send(core(&h, Method::POST, &path).json(&body));
        assert_eq!(
            add(json!({"type": "secret"})).status,
            400,
            "name must be sent"
        );
        let bad_net =
            add(json!({"type": "wallet", "name": "w", "address": "0x1", "network": "base"}));
        assert_eq!(bad_net.body["fields"][0]["field"], "network");
        let bad_addr =
            add(json!({"type": "wallet", "name": "w", "address": "0x1", "network": "eip155:8453"}));
        assert_eq!(bad_addr.body["fields"][0]["field"], "address");
        let wallet = |n: usize| json!({"type": "wallet", "name": format!("w{n}"), "address": format!("0x{n:040x}"), "network": "eip155:8453"});
        let first_wallet = add(wallet(1));
        assert_eq!(first_wallet.status, 201, "{}", first_wallet.body);
        assert_eq!(
            first_wallet.body["data"]["credential"]["network"],
            "eip155:8453"
        );
        assert_eq!(add(wallet(1)).status, 409, "a wallet belongs to one agent");
        for n in 2..=19 {
            assert_eq!(add(wallet(n)).status, 201);
        }
        let full = add(wallet(20));
        assert_eq!(full.status, 409);
        assert_eq!(full.body["error"], "conflict");
        assert_eq!(
            full.body["error_description"],
            "verifier limit reached (20)"
        );

        let remove = |vid: &str, tag: &str| {
            send(core(&h, Method::DELETE, &format!("{path}/{vid}")).header("if-match", tag))
        };
        assert_eq!(remove(&vid, "\"1\"").status, 412);
        let tag = format!("\"{}\"", item["created_at"]);
        assert_eq!(remove(&vid, &tag).status, 204);
        assert_eq!(remove(&vid, &tag).status, 404);
        assert_eq!(token_request(&h, &id, &secret).status, 401);

        patch(
            &h,
            &id,
            None,
            json!({"status": "suspended", "status_reason": "audit"}),
        );
        let frozen = add(json!({"type": "secret", "name": "late"}));
        assert_eq!(frozen.status, 409);
        assert!(
            frozen.body["error_description"]
                .as_str()
                .unwrap()
                .contains("suspended or blocked")
        );
    }

    #[test]
    fn discovery_revocation_introspection_and_userinfo() {
        let h = Harness::start();
        let id = create_agent_id(&h, "introspected");
        let (_, secret) = add_secret(&h, &id);
        let iss = format!("{}/authpi/idp/i_sandbox", h.sandbox.base_url());
        let (status, config) = h.get("/authpi/idp/i_sandbox/.well-known/openid-configuration");
        assert_eq!(status, 200);
        assert_eq!(config["issuer"], iss.as_str());
        for (field, path) in [
            ("token_endpoint", "token"),
            ("jwks_uri", "jwks.json"),
            ("revocation_endpoint", "revoke"),
            ("introspection_endpoint", "introspect"),
        ] {
            assert_eq!(config[field], format!("{iss}/{path}"));
        }
        assert_eq!(
            config["grant_types_supported"],
            json!(["client_credentials"])
        );

        let token = token_request(&h, &id, &secret).body["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let introspect = |token: &str| {
            send(
                h.client
                    .post(h.url("/authpi/idp/i_sandbox/introspect"))
                    .basic_auth(&id, Some(&secret))
                    .form(&[("token", token)]),
            )
        };
        let core_introspect = |token: &str| {
            send(core(&h, Method::POST, "/tokens/introspect").json(&json!({"token": token})))
        };
        let active = introspect(&token);
        assert_eq!(active.status, 200, "{}", active.body);
        assert_eq!(active.body["active"], true);
        assert_eq!(active.body["sub"], id.as_str());
        assert_eq!(active.body["client_id"], id.as_str());
        assert_eq!(active.body["iss"], iss.as_str());
        for field in ["scope", "exp", "iat", "token_type"] {
            assert!(!active.body[field].is_null(), "{field}");
        }
        assert_eq!(core_introspect(&token).body["data"]["active"], true);
        let me = send(
            h.client
                .get(h.url("/authpi/idp/i_sandbox/userinfo"))
                .bearer_auth(&token),
        );
        assert_eq!(me.status, 200, "{}", me.body);
        assert_eq!(me.body["sub"], id.as_str());
        assert_eq!(me.body["organizations"], json!([]));

        // Introspection needs the client's credentials.
        let anonymous = send(
            h.client
                .post(h.url("/authpi/idp/i_sandbox/introspect"))
                .form(&[("token", token.as_str())]),
        );
        assert_eq!(anonymous.status, 401);

        // Revoked: inactive everywhere, refused by the resource side; revoking again is 200.
        for _ in 0..2 {
            let revoked = send(h.client.post(h.url("/authpi/idp/i_sandbox/revoke")).form(&[
                ("token", token.as_str()),
                ("client_id", &id),
                ("client_secret", &secret),
            ]));
            assert_eq!(revoked.status, 200, "{}", revoked.body);
        }
        assert_eq!(introspect(&token).body, json!({"active": false}));
        assert_eq!(
            core_introspect(&token).body["data"],
            json!({"active": false})
        );
        let me = send(
            h.client
                .get(h.url("/authpi/idp/i_sandbox/userinfo"))
                .bearer_auth(&token),
        );
        assert_eq!(me.status, 401);
        assert_eq!(me.body["error"], "invalid_token");
        assert_eq!(introspect("not-a-token").body, json!({"active": false}));
        // A new token is active.
        let fresh = token_request(&h, &id, &secret).body["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(introspect(&fresh).body["active"], true);

        // /v1/me lists organizations beside accounts.
        let me = send(
            h.client
                .get(h.url("/authpi/api/v1/me"))
                .basic_auth(DEMO_KEY_ID, Some(DEMO_KEY_SECRET)),
        );
        assert_eq!(me.body["data"]["organizations"], json!([]));
        assert!(me.body["data"]["accounts"].is_array());

        // Exactly three status transitions.
        let patch =
            |body: Value| send(core(&h, Method::PATCH, &format!("/agents/{id}")).json(&body));
        assert_eq!(
            patch(json!({"status": "suspended", "status_reason": "r"})).status,
            200
        );
        let refused = patch(json!({"status": "blocked", "status_reason": "r"}));
        assert_eq!(refused.status, 400);
        assert_eq!(refused.body["error"], "invalid_transition");
        assert_eq!(refused.body["fields"][0]["code"], "invalid_transition");
        assert_eq!(
            introspect(&fresh).body["active"],
            false,
            "a suspended agent's token"
        );
        assert_eq!(patch(json!({"status": "active"})).status, 200);
        assert_eq!(
            patch(json!({"status": "blocked", "status_reason": "r"})).status,
            200
        );
        assert_eq!(patch(json!({"status": "active"})).status, 400);
    }

    #[test]
    fn the_idp_issues_at_jwts_to_active_agents_only() {
        let h = Harness::start();
        let id = create_agent_id(&h, "minting");
        let (vid, secret) = add_secret(&h, &id);

        let reply = token_request(&h, &id, &secret);
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.body["token_type"], "Bearer");
        assert_eq!(reply.body["expires_in"], 300);
        assert_eq!(reply.body["scope"], "tickets:read tickets:triage");
        let token = reply.body["access_token"].as_str().unwrap();
        let (doc, shared) = h.state_doc_key();
        let key =
            serde_json::from_value::<crate::state::StoredKey>(doc["keys"]["authpi/es256"].clone())
                .unwrap()
                .load("")
                .unwrap();
        let verified = key
            .verify(token, now_ms() / 1000)
            .expect("signed by AuthPI's key");
        assert!(
            shared.verify_signature(token).is_err(),
            "not the shared key"
        );
        assert_eq!(verified.header["typ"], "at+jwt");
        assert_eq!(verified.header["alg"], "ES256");
        assert_eq!(verified.header["kid"], key.kid());
        assert_eq!(key.kid().len(), 36, "a UUID");
        let claims = &verified.claims;
        let iss = format!("{}/authpi/idp/i_sandbox", h.sandbox.base_url());
        assert_eq!(claims["iss"], iss.as_str());
        // Not iss: the client id, when no resource was asked for.
        assert_eq!(claims["aud"], id.as_str());
        assert_eq!(claims["sub"], id.as_str());
        assert_eq!(claims["client_id"], id.as_str());
        assert_eq!(claims["dat"], json!({"type": "agent"}));
        assert_eq!(claims["auth_time"], claims["iat"]);
        assert_eq!(
            claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
            300
        );
        assert_eq!(claims["jti"].as_str().unwrap().len(), 18);
        assert!(claims.get("sid").is_none());

        let jwks = h.get("/authpi/idp/i_sandbox/jwks.json").1;
        let algs: Vec<&str> = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["alg"].as_str().unwrap())
            .collect();
        assert_eq!(algs, ["ES256", "EdDSA", "RS256"]);
        assert_eq!(jwks["keys"][0]["kid"], key.kid());
        assert_eq!(jwks["keys"][0], key.jwk(key.kid()));

        // Basic client authentication, a narrower scope and an audience.
        let basic = send(
            h.client
                .post(h.url("/authpi/idp/i_sandbox/token"))
                .basic_auth(&id, Some(&secret))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("scope", "tickets:read"),
                    ("resource", "https://api.example.com"),
                ]),
        );
        assert_eq!(basic.status, 200, "{}", basic.body);
        let claims = decode_unverified(basic.body["access_token"].as_str().unwrap())
            .unwrap()
            .claims;
        assert_eq!(claims["scope"], "tickets:read");
        assert_eq!(claims["aud"], "https://api.example.com");

        let listed = send(core(&h, Method::GET, &format!("/agents/{id}/verifiers")));
        assert_eq!(listed.body["data"][0]["id"], vid.as_str());
        assert_eq!(listed.body["data"][0]["usage_count"], 2);
        assert!(listed.body["data"][0]["last_used_at"].is_i64());

        let wrong = token_request(&h, &id, "cs_wrong");
        assert_eq!(wrong.status, 401);
        assert_eq!(wrong.body["error"], "invalid_client");
        let too_wide = send(
            h.client
                .post(h.url("/authpi/idp/i_sandbox/token"))
                .basic_auth(&id, Some(&secret))
                .form(&[("grant_type", "client_credentials"), ("scope", "admin")]),
        );
        assert_eq!(too_wide.body["error"], "invalid_scope");
        let json_body = send(h.client.post(h.url("/authpi/idp/i_sandbox/token")).json(
            &json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret}),
        ));
        assert_eq!(json_body.status, 400);

        patch(
            &h,
            &id,
            None,
            json!({"status": "suspended", "status_reason": "audit"}),
        );
        let refused = token_request(&h, &id, &secret);
        assert_eq!(refused.status, 400);
        assert_eq!(refused.body["error"], "unauthorized_client");
        assert!(
            refused.body["error_description"]
                .as_str()
                .unwrap()
                .contains("suspended")
        );
        patch(&h, &id, None, json!({"status": "active"}));
        assert_eq!(token_request(&h, &id, &secret).status, 200);
    }
}
