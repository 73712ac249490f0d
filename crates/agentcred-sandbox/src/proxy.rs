//! Proxy's Ledger API (`/proxy`), generation L, as in docs/providers.md §4 and the Proxy bullets of
//! docs/providers.md §7.
//!
//! # Route table
//!
//! | method | path | auth | what it does |
//! |---|---|---|---|
//! | POST | `/v1/agents/register` | `Api-Key` | register, idempotent by `externalId`: 201 `{..agent, created:true, token, tokenId}`; 200 `{..agent, created:false, token:null}` for the same user; 409 `external_id_conflict` for another user; 404 `user_not_found` |
//! | GET | `/v1/agents?external_id=&limit=&cursor=` | `Api-Key` | `{object:"list", data:[Agent], hasMore, cursor}` |
//! | GET | `/v1/agents/{id}` | `Api-Key`, or the agent's own `Bearer at_…` | Agent; 404 `agent_not_found` |
//! | PATCH | `/v1/agents/{id}` | `Api-Key` | update `name`, `description`, `status` (`active`/`suspended`), `spendingLimit`, `spendingLimitFrequency`, `onLimitExceeded`, `metadata` → Agent |
//! | POST | `/v1/agents/{id}/deregister` | `Api-Key` | soft delete: tokens revoked, cards frozen, `externalId` free again → `{object, id, externalId, status:"deregistered", previousStatus, deregisteredAt}` |
//! | GET | `/v1/agents/{id}/policy` | `Api-Key`, or own `Bearer at_…` | `{agentId, spendingLimit?, spendingLimitFrequency?, onLimitExceeded?, currentSpend, remaining}` (cents; `remaining` null without a limit) |
//! | POST | `/v1/agents/{id}/tokens` | `Api-Key` | `{name?, expiresAt?}` → 201 token object with the full `token` (shown once) |
//! | GET | `/v1/agents/{id}/tokens` | `Api-Key` | `{object:"list", data:[token without secret], hasMore, cursor}` |
//! | DELETE | `/v1/agents/{id}/tokens/{tokenId}` | `Api-Key` | revoke → 200 token object, `isActive:false`, `revokedAt`; 404 `token_not_found` |
//! | POST | `/v1/agents/{id}/cards` | `Api-Key` | `{purpose, type?: single\|multi, maxAmount?, limits?, merchantHint?}` → 201 Card; 400 `max_cards_reached` (type `validation_error`); 400 `agent_not_active` when suspended |
//! | GET | `/v1/agents/{id}/cards` | `Api-Key`, or own `Bearer at_…` | `{object:"list", data:[Card], hasMore, cursor}` |
//! | GET | `/v1/cards/{cardId}` | `Api-Key` | Card (never a PAN or CVV); 404 `card_not_found` |
//!
//! # Conventions
//!
//! - Errors: `{"error": {"type", "code", "message"}, "request_id": "req_…"}` with the codes of
//!   docs/providers.md §4.1: 401 `missing_api_key` / `invalid_api_key` / `invalid_token` (a revoked,
//!   expired or unknown agent token), 403 `access_denied` (an agent token outside its own
//!   agent's reads), 400 `validation_failed` / `parameter_missing` / `parameter_invalid` /
//!   `body_parse_error`, 404 `*_not_found`, 409 `external_id_conflict`, 400 `agent_deregistered`
//!   for any change to a deregistered agent.
//! - Timestamps are integer milliseconds; money is integer cents.
//! - Lists are ordered oldest first and paged with `limit` (1–100) and `cursor` (the id of the
//!   last item of the previous page). The default page is [`DEFAULT_PAGE_SIZE`] items, as
//!   documented.
//! - `Idempotency-Key` on any POST is honoured for 24 h, per organization key: the same key
//!   and body replay the first 2xx answer (`Idempotent-Replayed: true`; no second token or
//!   card), another body is 422 `idempotency_key_reused`, a repeat still in flight 409
//!   `idempotency_key_in_use` (see `idempotency`).
//! - Keys select an environment: agents registered with an `lk_dev_` key get `at_dev_` tokens
//!   and are invisible to `lk_live_` keys, and the other way round.
//! - An agent token's `lastUsedAt` is set by its first use and then at most once a minute, so
//!   that reads do not write the state file (as real services coarsen it too).
//!
//! # The demo organization
//!
//! On first use the state gets one organization with the documented fake values below, so
//! that `agentcred --sandbox register proxy ...` works offline with nothing configured:
//! the keys [`DEMO_API_KEY`] (dev) and [`DEMO_LIVE_API_KEY`] (live), and the approved users
//! [`DEMO_USER_ALICE`] and [`DEMO_USER_BOB`]. Keys and agent tokens are kept only as SHA-256.
//!
//! Suspending an agent freezes its active cards and reactivating unfreezes the ones the
//! suspension froze (seeds/004). Nothing in the sandbox spends money, so `currentSpend` stays
//! at 0 unless the state file is edited.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{delete, get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::state::ServiceState;
use super::support::{
    Auth, Envelope, iso_ms, json_object_body, json_response, now_ms, query_param, random_bytes,
    random_hex, sha256_hex,
};
use super::{AppState, Mount, SandboxService};

pub const ENVELOPE: Envelope = Envelope::Typed;

/// Proxy in the registry ([`crate::SERVICES`]): `proxy` in the state file. It mints no JWTs
/// (agent tokens are opaque `at_…` strings).
pub const SERVICE: SandboxService = SandboxService {
    key: "proxy",
    mounts: &[Mount {
        prefix: "/proxy",
        env_var: "AGENTCRED_PROXY_URL",
        envelope: ENVELOPE,
        router,
    }],
    jwt_ttl_default: None,
    demo_operator_keys: &[("PROXY_API_KEY", DEMO_API_KEY)],
    owner_approval: None,
};

/// The demo organization's development key (documented; fake).
pub const DEMO_API_KEY: &str = "lk_dev_sandbox";
/// The demo organization's live key (documented; fake): agents registered with it are apart
/// from the dev ones and get `at_live_` tokens.
pub const DEMO_LIVE_API_KEY: &str = "lk_live_sandbox";
/// The demo organization's users, both KYC-approved funding sources.
pub const DEMO_USER_ALICE: &str = "user_sandbox_alice";
pub const DEMO_USER_BOB: &str = "user_sandbox_bob";

/// Items per page when the request gives no `limit`.
pub const DEFAULT_PAGE_SIZE: usize = 20;
pub const MAX_PAGE_SIZE: usize = 100;

pub const FREQUENCIES: &[&str] = &[
    "perTransaction",
    "per24HourPeriod",
    "perWeek",
    "perMonth",
    "perYear",
    "allTime",
];
pub const LIMIT_ACTIONS: &[&str] = &["suspend", "notify", "none"];
const CARD_TYPES: &[&str] = &["single", "multi"];
const MAX_TEXT_CHARS: usize = 500;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/agents/register", post(register))
        .route("/v1/agents", get(list_agents))
        .route("/v1/agents/{id}", get(get_agent).patch(update_agent))
        .route("/v1/agents/{id}/deregister", post(deregister))
        .route("/v1/agents/{id}/policy", get(policy))
        .route(
            "/v1/agents/{id}/tokens",
            get(list_tokens).post(create_token),
        )
        .route("/v1/agents/{id}/tokens/{token_id}", delete(revoke_token))
        .route("/v1/agents/{id}/cards", get(list_cards).post(create_card))
        .route("/v1/cards/{card_id}", get(get_card))
        .layer(axum::middleware::from_fn(idempotency))
}

// ------------------------------------------------------------------------------------------
// Idempotency-Key (docs/providers.md §4.1, §8)

/// A claimed `Idempotency-Key`: in flight while `status` is `None`, then the 2xx answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct IdempotencyRecord {
    pub fingerprint: String,
    pub created_at: i64,
    pub status: Option<u16>,
    pub body: Option<Value>,
}

/// Replays are kept this long.
pub const IDEMPOTENCY_TTL_MS: i64 = 24 * 3_600_000;
/// A claim whose request has not finished after this long was abandoned.
pub const IN_FLIGHT_STALE_MS: i64 = 60_000;
const MAX_IDEMPOTENCY_KEY: usize = 255;

enum Claim {
    Answer(Response),
    Proceed,
}

/// Every POST with an `Idempotency-Key` header, per organization key: the first request is
/// handled and its 2xx answer kept for [`IDEMPOTENCY_TTL_MS`]; a repeat with the same method,
/// path and body gets that answer again (`Idempotent-Replayed: true`) without being handled;
/// the same key with another body is 422 `idempotency_key_reused`; a repeat while the first is
/// still being handled is 409 `idempotency_key_in_use` with `Retry-After: 1`. Errors are not
/// kept: the key is free again for a corrected request.
async fn idempotency(
    axum::extract::Extension(app): axum::extract::Extension<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (Some(key), true) = (key, req.method() == axum::http::Method::POST) else {
        return next.run(req).await;
    };
    if key.is_empty() || key.chars().count() > MAX_IDEMPOTENCY_KEY {
        return ENVELOPE.response(
            StatusCode::BAD_REQUEST,
            "parameter_invalid",
            &format!("Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} characters"),
        );
    }
    // Scoped by the organization key; without one the handler answers 401 as usual.
    let Some(org) = req
        .headers()
        .get("api-key")
        .and_then(|v| v.to_str().ok())
        .map(|k| sha256_hex(k.as_bytes()))
    else {
        return next.run(req).await;
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return ENVELOPE.response(
            StatusCode::BAD_REQUEST,
            "body_parse_error",
            "unreadable body",
        );
    };
    let mut input = format!("{} {}\n", parts.method, parts.uri.path()).into_bytes();
    input.extend_from_slice(&bytes);
    let fingerprint = sha256_hex(&input);
    let scoped = format!("{org} {key}");

    let claim_scoped = scoped.clone();
    let claimed = app
        .transact(move |doc| claim(doc.service_mut::<ProxyState>(), claim_scoped, fingerprint))
        .await;
    match claimed {
        Err(e) => return e.response(ENVELOPE),
        Ok(Claim::Answer(response)) => return response,
        Ok(Claim::Proceed) => {}
    }
    let response = next
        .run(axum::extract::Request::from_parts(
            parts,
            axum::body::Body::from(bytes),
        ))
        .await;
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let kept = parts
        .status
        .is_success()
        .then(|| serde_json::from_slice::<Value>(&bytes).ok())
        .flatten();
    let status = parts.status.as_u16();
    let outcome = app
        .transact(move |doc| record_outcome(doc.service_mut::<ProxyState>(), &scoped, status, kept))
        .await;
    if let Err(e) = outcome {
        return e.response(ENVELOPE);
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// The claim of key `scoped` for a request of `fingerprint`: a key used with another body is
/// refused, one in flight is answered "retry", one answered is replayed, and a new one is
/// claimed.
fn claim(state: &mut ProxyState, scoped: String, fingerprint: String) -> Claim {
    let now = now_ms();
    state
        .idempotency
        .retain(|_, r| now - r.created_at < IDEMPOTENCY_TTL_MS);
    match state.idempotency.get(&scoped) {
        Some(r) if r.fingerprint != fingerprint => Claim::Answer(ENVELOPE.response(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "this Idempotency-Key was used with another request body in the last 24 hours",
        )),
        Some(r) if r.status.is_none() && now - r.created_at < IN_FLIGHT_STALE_MS => {
            let mut response = ENVELOPE.response(
                StatusCode::CONFLICT,
                "idempotency_key_in_use",
                "a request with this Idempotency-Key is still being processed",
            );
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, 1.into());
            Claim::Answer(response)
        }
        Some(IdempotencyRecord {
            status: Some(status),
            body,
            ..
        }) => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::OK);
            let mut response = json_response(status, body.clone().unwrap_or(Value::Null));
            response
                .headers_mut()
                .insert("idempotent-replayed", "true".parse().expect("header value"));
            Claim::Answer(response)
        }
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

/// The handled request's end: a 2xx answer's JSON body (`kept`) is recorded under the claimed
/// key for replays; otherwise the key is freed for a corrected request.
fn record_outcome(state: &mut ProxyState, scoped: &str, status: u16, kept: Option<Value>) {
    match kept {
        Some(body) => {
            if let Some(record) = state.idempotency.get_mut(scoped) {
                record.status = Some(status);
                record.body = Some(body);
            }
        }
        None => {
            state.idempotency.remove(scoped);
        }
    }
}

// ------------------------------------------------------------------------------------------
// State

/// Proxy's part of the state document.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProxyState {
    /// Whether the demo organization exists yet.
    pub provisioned: bool,
    pub api_keys: Vec<ApiKey>,
    pub users: BTreeMap<String, User>,
    pub agents: BTreeMap<String, ProxyAgent>,
    pub tokens: BTreeMap<String, AgentToken>,
    pub cards: BTreeMap<String, Card>,
    /// Objects created so far; each one's `seq` orders the lists.
    pub created: u64,
    /// Idempotency records by `"{sha256 of the org key} {Idempotency-Key}"`.
    pub idempotency: BTreeMap<String, IdempotencyRecord>,
}

impl ServiceState for ProxyState {
    const KEY: &'static str = SERVICE.key;
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiKey {
    pub sha256: String,
    /// The first characters, for people reading the state file.
    pub prefix: String,
    pub live: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct User {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub application_status: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProxyAgent {
    pub id: String,
    pub seq: u64,
    pub live: bool,
    pub external_id: String,
    pub user_id: String,
    pub name: String,
    pub description: Option<String>,
    /// `active`, `suspended` or `deregistered`.
    pub status: String,
    pub created_at: i64,
    pub deregistered_at: Option<i64>,
    /// Cents.
    pub spending_limit: Option<i64>,
    pub spending_limit_frequency: Option<String>,
    pub on_limit_exceeded: Option<String>,
    /// Cents spent in the current period.
    pub current_spend: i64,
    pub max_cards: Option<u64>,
    pub metadata: Option<Value>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AgentToken {
    pub id: String,
    pub seq: u64,
    pub agent_id: String,
    pub sha256: String,
    pub token_prefix: String,
    pub name: Option<String>,
    pub is_active: bool,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Card {
    pub id: String,
    pub seq: u64,
    pub agent_id: String,
    pub user_id: String,
    /// `single` or `multi`.
    pub card_type: String,
    pub purpose: String,
    /// `notActivated`, `active`, `frozen` or `closed`.
    pub status: String,
    /// Frozen because its agent was suspended (and so unfrozen when it is reactivated).
    pub frozen_by_suspension: bool,
    pub last4: String,
    pub expiration_month: String,
    pub expiration_year: String,
    pub max_amount: Option<i64>,
    pub limits: Option<Value>,
    pub merchant_hint: Option<String>,
    pub created_at: i64,
}

impl ProxyState {
    /// Create the demo organization the first time the service is used.
    fn provision(&mut self) {
        if self.provisioned {
            return;
        }
        self.provisioned = true;
        for (key, live) in [(DEMO_API_KEY, false), (DEMO_LIVE_API_KEY, true)] {
            self.api_keys.push(ApiKey {
                sha256: sha256_hex(key.as_bytes()),
                prefix: key.chars().take(8).collect(),
                live,
            });
        }
        for (id, first, last) in [
            (DEMO_USER_ALICE, "Alice", "Sandbox"),
            (DEMO_USER_BOB, "Bob", "Sandbox"),
        ] {
            self.users.insert(
                id.to_owned(),
                User {
                    id: id.to_owned(),
                    first_name: first.to_owned(),
                    last_name: last.to_owned(),
                    email: format!("{}@sandbox.example", first.to_ascii_lowercase()),
                    application_status: "approved".to_owned(),
                },
            );
        }
    }

    fn next_seq(&mut self) -> u64 {
        self.created += 1;
        self.created
    }

    /// Cards that count against `maxCards`: every card not closed.
    fn open_cards(&self, agent_id: &str) -> usize {
        self.cards
            .values()
            .filter(|c| c.agent_id == agent_id && c.status != "closed")
            .count()
    }

    /// The registered (not deregistered) agent with this external id in this environment.
    fn by_external_id(&self, external_id: &str, live: bool) -> Option<&ProxyAgent> {
        self.agents
            .values()
            .filter(|a| a.external_id == external_id && a.live == live)
            .find(|a| a.status != "deregistered")
    }

    fn agent_json(&self, agent: &ProxyAgent) -> Value {
        let mut body = json!({
            "object": "agent",
            "id": agent.id,
            "externalId": agent.external_id,
            "userId": agent.user_id,
            "name": agent.name,
            "status": agent.status,
            "createdAt": agent.created_at,
            "currentSpend": agent.current_spend,
            "cardCount": self.open_cards(&agent.id),
        });
        let optional = [
            ("description", agent.description.clone().map(Value::from)),
            ("spendingLimit", agent.spending_limit.map(Value::from)),
            (
                "spendingLimitFrequency",
                agent.spending_limit_frequency.clone().map(Value::from),
            ),
            (
                "onLimitExceeded",
                agent.on_limit_exceeded.clone().map(Value::from),
            ),
            ("maxCards", agent.max_cards.map(Value::from)),
            ("metadata", agent.metadata.clone()),
            ("deregisteredAt", agent.deregistered_at.map(Value::from)),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                body[key] = value;
            }
        }
        body
    }
}

impl AgentToken {
    /// The token as listed: never the secret.
    fn json(&self) -> Value {
        json!({
            "object": "agent_token",
            "id": self.id,
            "agentId": self.agent_id,
            "tokenPrefix": self.token_prefix,
            "name": self.name,
            "isActive": self.is_active,
            "createdAt": self.created_at,
            "expiresAt": self.expires_at,
            "lastUsedAt": self.last_used_at,
            "revokedAt": self.revoked_at,
        })
    }
}

impl Card {
    fn json(&self) -> Value {
        let mut body = json!({
            "object": "card",
            "id": self.id,
            "agentId": self.agent_id,
            "userId": self.user_id,
            "type": self.card_type,
            "purpose": self.purpose,
            "credentialExposure": "extensionOnly",
            "status": self.status,
            "last4": self.last4,
            "expirationMonth": self.expiration_month,
            "expirationYear": self.expiration_year,
            "createdAt": self.created_at,
        });
        if let Some(max) = self.max_amount {
            body["maxAmount"] = max.into();
        }
        if let Some(limits) = &self.limits {
            body["limits"] = limits.clone();
        }
        if let Some(hint) = &self.merchant_hint {
            body["merchantHint"] = hint.clone().into();
        }
        body
    }
}

// ------------------------------------------------------------------------------------------
// Errors

/// A refusal in Proxy's error envelope, built where the handler decides and rendered once.
struct Refusal {
    status: StatusCode,
    /// `error.type`: given explicitly, since it does not always follow the status
    /// (`max_cards_reached` is a 400 `validation_error`).
    kind: &'static str,
    code: &'static str,
    message: String,
}

impl Refusal {
    fn response(&self) -> Response {
        json_response(
            self.status,
            json!({
                "error": {"type": self.kind, "code": self.code, "message": self.message},
                "request_id": format!("req_{}", random_hex(12)),
            }),
        )
    }
}

type Answer = Result<Response, Refusal>;

fn error(
    status: StatusCode,
    kind: &'static str,
    code: &'static str,
    message: impl Into<String>,
) -> Refusal {
    Refusal {
        status,
        kind,
        code,
        message: message.into(),
    }
}

fn validation(code: &'static str, message: &str) -> Refusal {
    error(StatusCode::BAD_REQUEST, "validation_error", code, message)
}

fn invalid(message: &str) -> Refusal {
    validation("validation_failed", message)
}

fn not_found(code: &'static str, message: &str) -> Refusal {
    error(StatusCode::NOT_FOUND, "not_found_error", code, message)
}

fn deregistered(agent: &ProxyAgent) -> Refusal {
    error(
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "agent_deregistered",
        format!(
            "agent {} is deregistered and cannot be changed; register a new agent (the externalId '{}' is free again)",
            agent.id, agent.external_id
        ),
    )
}

// ------------------------------------------------------------------------------------------
// Authentication

/// Who is calling.
enum Caller {
    /// An organization key, in the live or the dev environment.
    Operator { live: bool },
    /// An agent token: it may read its own agent, policy and cards, and nothing else.
    Agent { agent_id: String },
}

/// How stale a token's `last_used_at` may get before a use records it again: recording every
/// use would make every read a write, so reads under load would queue on the state file.
const LAST_USED_GRANULARITY_MS: i64 = 60_000;

/// Who is calling, and the id of the agent token whose `last_used_at` is due to be recorded.
fn authenticate(
    state: &ProxyState,
    auth: &Auth,
    now: i64,
) -> Result<(Caller, Option<String>), Refusal> {
    let unauthorized = |code: &'static str, message: &str| {
        error(
            StatusCode::UNAUTHORIZED,
            "authentication_error",
            code,
            message,
        )
    };
    match auth {
        Auth::ApiKey(key) => {
            let digest = sha256_hex(key.as_bytes());
            state
                .api_keys
                .iter()
                .find(|k| k.sha256 == digest)
                .map(|k| (Caller::Operator { live: k.live }, None))
                .ok_or_else(|| unauthorized("invalid_api_key", "Invalid API key"))
        }
        Auth::Bearer(token) if token.starts_with("at_") => {
            let digest = sha256_hex(token.as_bytes());
            let Some(found) = state.tokens.values().find(|t| t.sha256 == digest) else {
                return Err(unauthorized("invalid_token", "Invalid agent token"));
            };
            if !found.is_active {
                return Err(unauthorized(
                    "invalid_token",
                    "This agent token has been revoked",
                ));
            }
            if found.expires_at.is_some_and(|exp| exp <= now) {
                return Err(unauthorized(
                    "invalid_token",
                    "This agent token has expired",
                ));
            }
            let due = found
                .last_used_at
                .is_none_or(|at| now - at >= LAST_USED_GRANULARITY_MS);
            Ok((
                Caller::Agent {
                    agent_id: found.agent_id.clone(),
                },
                due.then(|| found.id.clone()),
            ))
        }
        Auth::None => Err(unauthorized("missing_api_key", "Missing Api-Key header")),
        _ => Err(unauthorized(
            "invalid_api_key",
            "Send the organization key as `Api-Key: lk_…`, or an agent token as `Authorization: Bearer at_…`",
        )),
    }
}

fn access_denied() -> Refusal {
    error(
        StatusCode::FORBIDDEN,
        "authorization_error",
        "access_denied",
        "An agent token can only read its own agent, policy and cards; use the organization Api-Key",
    )
}

impl Caller {
    fn operator(&self) -> Result<bool, Refusal> {
        match self {
            Caller::Operator { live } => Ok(*live),
            Caller::Agent { .. } => Err(access_denied()),
        }
    }

    /// The agent `id` as this caller may read it: an operator sees its environment's agents,
    /// an agent token only its own.
    fn readable<'s>(&self, state: &'s ProxyState, id: &str) -> Result<&'s ProxyAgent, Refusal> {
        let live = match self {
            Caller::Agent { agent_id } if agent_id != id => return Err(access_denied()),
            Caller::Agent { agent_id } => state.agents.get(agent_id).is_some_and(|a| a.live),
            Caller::Operator { live } => *live,
        };
        state
            .agents
            .get(id)
            .filter(|a| a.live == live)
            .ok_or_else(|| agent_not_found(id))
    }

    /// The agent `id`, for an operator's change.
    fn writable(&self, state: &ProxyState, id: &str) -> Result<String, Refusal> {
        let live = self.operator()?;
        state
            .agents
            .get(id)
            .filter(|a| a.live == live)
            .map(|a| a.id.clone())
            .ok_or_else(|| agent_not_found(id))
    }
}

fn agent_not_found(id: &str) -> Refusal {
    not_found("agent_not_found", &format!("No agent with id '{id}'"))
}

/// Run a handler body in one state transaction, after provisioning and authentication.
async fn handle<F>(app: AppState, headers: &HeaderMap, f: F) -> Response
where
    F: FnOnce(&mut ProxyState, &Caller, i64) -> Answer + Send + 'static,
{
    transact_as(app, Auth::from_headers(headers), f).await
}

async fn transact_as<F>(app: AppState, auth: Auth, f: F) -> Response
where
    F: FnOnce(&mut ProxyState, &Caller, i64) -> Answer + Send + 'static,
{
    app.transact_response(ENVELOPE, move |doc| {
        let now = now_ms();
        let state = doc.service_mut::<ProxyState>();
        state.provision();
        match authenticate(state, &auth, now) {
            Ok((caller, touch)) => {
                if let Some(token) = touch.and_then(|id| state.tokens.get_mut(&id)) {
                    token.last_used_at = Some(now);
                }
                f(state, &caller, now).unwrap_or_else(|refusal| refusal.response())
            }
            Err(refusal) => refusal.response(),
        }
    })
    .await
}

/// A read-only handler body: run on the shared document, without a transaction, unless the
/// demo organization is still to be created or the caller's token use is due to be recorded
/// (then as [`handle`] does).
async fn handle_read<F>(app: AppState, headers: &HeaderMap, f: F) -> Response
where
    F: FnOnce(&ProxyState, &Caller, i64) -> Answer + Send + 'static,
{
    let auth = Auth::from_headers(headers);
    let read_auth = auth.clone();
    let outcome = app
        .read(move |doc| {
            let now = now_ms();
            let state = doc.service::<ProxyState>();
            if !state.provisioned {
                return Err(f);
            }
            match authenticate(state, &read_auth, now) {
                Ok((_, Some(_))) => Err(f),
                Ok((caller, None)) => {
                    Ok(f(state, &caller, now).unwrap_or_else(|refusal| refusal.response()))
                }
                Err(refusal) => Ok(refusal.response()),
            }
        })
        .await;
    match outcome {
        Ok(Ok(response)) => response,
        Ok(Err(f)) => transact_as(app, auth, move |state, caller, now| f(state, caller, now)).await,
        Err(e) => e.response(ENVELOPE),
    }
}

// ------------------------------------------------------------------------------------------
// Request bodies

fn body_map(
    headers: &HeaderMap,
    body: &[u8],
    optional: bool,
) -> Result<Map<String, Value>, Refusal> {
    if optional && body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    json_object_body(headers, body).map_err(|message| validation("body_parse_error", &message))
}

fn refuse_unknown(body: &Map<String, Value>, known: &[&str]) -> Result<(), Refusal> {
    match body.keys().find(|k| !known.contains(&k.as_str())) {
        Some(key) => Err(validation(
            "parameter_invalid",
            &format!("Unknown parameter '{key}'"),
        )),
        None => Ok(()),
    }
}

fn text(body: &Map<String, Value>, field: &str, required: bool) -> Result<Option<String>, Refusal> {
    match body.get(field) {
        None | Some(Value::Null) if required => Err(validation(
            "parameter_missing",
            &format!("'{field}' is required"),
        )),
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() && required => Err(validation(
            "parameter_missing",
            &format!("'{field}' must not be empty"),
        )),
        Some(Value::String(s)) if s.chars().count() > MAX_TEXT_CHARS => Err(invalid(&format!(
            "'{field}' must be at most {MAX_TEXT_CHARS} characters"
        ))),
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
        Some(_) => Err(validation(
            "parameter_invalid",
            &format!("'{field}' must be a string"),
        )),
    }
}

/// A non-negative integer number of cents (or of something else counted).
fn count(body: &Map<String, Value>, field: &str, min: i64) -> Result<Option<i64>, Refusal> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => match value.as_i64() {
            Some(n) if n >= min => Ok(Some(n)),
            _ => Err(validation(
                "parameter_invalid",
                &format!("'{field}' must be an integer of at least {min}"),
            )),
        },
    }
}

fn one_of(
    body: &Map<String, Value>,
    field: &str,
    allowed: &[&str],
) -> Result<Option<String>, Refusal> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => Ok(Some(s.clone())),
        Some(_) => Err(validation(
            "parameter_invalid",
            &format!("'{field}' must be one of: {}", allowed.join(", ")),
        )),
    }
}

fn object(body: &Map<String, Value>, field: &str) -> Result<Option<Value>, Refusal> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::Object(_)) => Ok(Some(v.clone())),
        Some(_) => Err(validation(
            "parameter_invalid",
            &format!("'{field}' must be an object"),
        )),
    }
}

// ------------------------------------------------------------------------------------------
// Pagination

/// One page of `items` (already in list order, each with its id) per `limit` and `cursor`.
fn page(items: Vec<(String, Value)>, query: Option<&str>) -> Answer {
    let limit = match query_param(query, "limit") {
        None => DEFAULT_PAGE_SIZE,
        Some(raw) => match raw.trim().parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
            _ => {
                return Err(validation(
                    "parameter_invalid",
                    &format!("'limit' must be an integer from 1 to {MAX_PAGE_SIZE}"),
                ));
            }
        },
    };
    let start = match query_param(query, "cursor").filter(|c| !c.is_empty()) {
        None => 0,
        Some(cursor) => match items.iter().position(|(id, _)| *id == cursor) {
            Some(index) => index + 1,
            None => {
                return Err(validation(
                    "parameter_invalid",
                    &format!("'cursor' {cursor:?} is not a position in this list"),
                ));
            }
        },
    };
    let end = (start + limit).min(items.len());
    let has_more = end < items.len();
    let cursor = has_more.then(|| items[end - 1].0.clone());
    let data: Vec<Value> = items
        .into_iter()
        .skip(start)
        .take(end.saturating_sub(start))
        .map(|(_, v)| v)
        .collect();
    Ok(json_response(
        StatusCode::OK,
        json!({"object": "list", "data": data, "hasMore": has_more, "cursor": cursor}),
    ))
}

// ------------------------------------------------------------------------------------------
// Agents

const REGISTER_FIELDS: &[&str] = &[
    "externalId",
    "userId",
    "name",
    "description",
    "spendingLimit",
    "spendingLimitFrequency",
    "onLimitExceeded",
    "maxCards",
    "defaultCardLimit",
    "defaultCardLimitFrequency",
    "defaultPolicyId",
    "metadata",
];

async fn register(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let input = body_map(&headers, &body, false);
    handle(app, &headers, move |state, caller, now| {
        let live = caller.operator()?;
        let input = input?;
        refuse_unknown(&input, REGISTER_FIELDS)?;
        let external_id = text(&input, "externalId", true)?.unwrap_or_default();
        let user_id = text(&input, "userId", true)?.unwrap_or_default();
        let name = text(&input, "name", true)?.unwrap_or_default();
        let description = text(&input, "description", false)?;
        let spending_limit = count(&input, "spendingLimit", 0)?;
        let frequency = one_of(&input, "spendingLimitFrequency", FREQUENCIES)?;
        let on_limit_exceeded = one_of(&input, "onLimitExceeded", LIMIT_ACTIONS)?;
        let max_cards = count(&input, "maxCards", 1)?.map(|n| n as u64);
        count(&input, "defaultCardLimit", 0)?;
        one_of(&input, "defaultCardLimitFrequency", FREQUENCIES)?;
        let metadata = object(&input, "metadata")?;
        if !state.users.contains_key(&user_id) {
            return Err(not_found(
                "user_not_found",
                &format!("No user with id '{user_id}'"),
            ));
        }

        if let Some(existing) = state.by_external_id(&external_id, live) {
            if existing.user_id != user_id {
                return Err(error(
                    StatusCode::CONFLICT,
                    "conflict_error",
                    "external_id_conflict",
                    format!("externalId '{external_id}' is already registered to another user"),
                ));
            }
            let mut body = state.agent_json(existing);
            body["created"] = false.into();
            body["token"] = Value::Null;
            return Ok(json_response(StatusCode::OK, body));
        }

        let agent_id = format!("agent_{}", random_hex(8));
        let seq = state.next_seq();
        let agent = ProxyAgent {
            id: agent_id.clone(),
            seq,
            live,
            external_id,
            user_id,
            name,
            description,
            status: "active".to_owned(),
            created_at: now,
            deregistered_at: None,
            spending_limit,
            spending_limit_frequency: frequency,
            on_limit_exceeded,
            current_spend: 0,
            max_cards,
            metadata,
        };
        state.agents.insert(agent_id.clone(), agent);
        let (token, secret) = mint_token(state, &agent_id, live, None, None, now);
        let mut body = state.agent_json(&state.agents[&agent_id]);
        body["created"] = true.into();
        body["token"] = secret.into();
        body["tokenId"] = token.id.into();
        Ok(json_response(StatusCode::CREATED, body))
    })
    .await
}

/// A new agent token; returns its record and the secret (which the state keeps only hashed).
fn mint_token(
    state: &mut ProxyState,
    agent_id: &str,
    live: bool,
    name: Option<String>,
    expires_at: Option<i64>,
    now: i64,
) -> (AgentToken, String) {
    let env = if live { "live" } else { "dev" };
    let secret = format!("at_{env}_{}", random_hex(24));
    let prefix: String = secret
        .chars()
        .take(format!("at_{env}_").len() + 8)
        .collect();
    let token = AgentToken {
        id: format!("atok_{}", random_hex(8)),
        seq: state.next_seq(),
        agent_id: agent_id.to_owned(),
        sha256: sha256_hex(secret.as_bytes()),
        token_prefix: prefix,
        name,
        is_active: true,
        created_at: now,
        expires_at,
        last_used_at: None,
        revoked_at: None,
    };
    state.tokens.insert(token.id.clone(), token.clone());
    (token, secret)
}

async fn list_agents(State(app): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    handle_read(app, &headers, move |state, caller, _| {
        let live = caller.operator()?;
        let external_id = query_param(uri.query(), "external_id");
        let mut agents: Vec<&ProxyAgent> = state
            .agents
            .values()
            .filter(|a| a.live == live)
            .filter(|a| external_id.as_ref().is_none_or(|e| *e == a.external_id))
            .collect();
        agents.sort_by_key(|a| a.seq);
        let items = agents
            .into_iter()
            .map(|a| (a.id.clone(), state.agent_json(a)))
            .collect();
        page(items, uri.query())
    })
    .await
}

async fn get_agent(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    handle_read(app, &headers, move |state, caller, _| {
        let agent = caller.readable(state, &id)?;
        Ok(json_response(StatusCode::OK, state.agent_json(agent)))
    })
    .await
}

const PATCH_FIELDS: &[&str] = &[
    "name",
    "description",
    "status",
    "spendingLimit",
    "spendingLimitFrequency",
    "onLimitExceeded",
    "metadata",
];

async fn update_agent(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let input = body_map(&headers, &body, false);
    handle(app, &headers, move |state, caller, _| {
        let id = caller.writable(state, &id)?;
        let input = input?;
        refuse_unknown(&input, PATCH_FIELDS)?;
        if state.agents[&id].status == "deregistered" {
            return Err(deregistered(&state.agents[&id]));
        }
        let name = text(&input, "name", false)?;
        if name.as_deref() == Some("") {
            return Err(validation("parameter_invalid", "'name' must not be empty"));
        }
        let description = text(&input, "description", false)?;
        let status = match one_of(&input, "status", &["active", "suspended", "deregistered"])? {
            Some(s) if s == "deregistered" => {
                return Err(validation(
                    "parameter_invalid",
                    "use POST /v1/agents/{id}/deregister to deregister an agent",
                ));
            }
            other => other,
        };
        let spending_limit = count(&input, "spendingLimit", 0)?;
        let frequency = one_of(&input, "spendingLimitFrequency", FREQUENCIES)?;
        let action = one_of(&input, "onLimitExceeded", LIMIT_ACTIONS)?;
        let metadata = object(&input, "metadata")?;

        let agent = state.agents.get_mut(&id).expect("checked above");
        if let Some(name) = name {
            agent.name = name;
        }
        if input.contains_key("description") {
            agent.description = description;
        }
        // An explicit null clears a limit setting; an absent field leaves it alone.
        if input.contains_key("spendingLimit") {
            agent.spending_limit = spending_limit;
        }
        if input.contains_key("spendingLimitFrequency") {
            agent.spending_limit_frequency = frequency;
        }
        if input.contains_key("onLimitExceeded") {
            agent.on_limit_exceeded = action;
        }
        if input.contains_key("metadata") {
            agent.metadata = metadata;
        }
        if let Some(status) = status {
            let changed = agent.status != status;
            agent.status = status.clone();
            if changed {
                set_cards_frozen(state, &id, status == "suspended");
            }
        }
        Ok(json_response(
            StatusCode::OK,
            state.agent_json(&state.agents[&id]),
        ))
    })
    .await
}

/// Suspension freezes the agent's active cards; reactivation unfreezes those it froze.
fn set_cards_frozen(state: &mut ProxyState, agent_id: &str, frozen: bool) {
    for card in state.cards.values_mut().filter(|c| c.agent_id == agent_id) {
        if frozen && card.status == "active" {
            card.status = "frozen".to_owned();
            card.frozen_by_suspension = true;
        } else if !frozen && card.frozen_by_suspension {
            card.status = "active".to_owned();
            card.frozen_by_suspension = false;
        }
    }
}

async fn deregister(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    handle(app, &headers, move |state, caller, now| {
        let id = caller.writable(state, &id)?;
        let agent = state.agents.get_mut(&id).expect("checked above");
        let previous = agent.status.clone();
        if previous != "deregistered" {
            agent.status = "deregistered".to_owned();
            agent.deregistered_at = Some(now);
            for token in state.tokens.values_mut().filter(|t| t.agent_id == id) {
                if token.is_active {
                    token.is_active = false;
                    token.revoked_at = Some(now);
                }
            }
            // Cards stay for the audit trail but cannot transact.
            for card in state.cards.values_mut().filter(|c| c.agent_id == id) {
                if card.status == "active" || card.status == "notActivated" {
                    card.status = "frozen".to_owned();
                    card.frozen_by_suspension = false;
                }
            }
        }
        let agent = &state.agents[&id];
        Ok(json_response(
            StatusCode::OK,
            json!({
                "object": "agent",
                "id": agent.id,
                "externalId": agent.external_id,
                "status": agent.status,
                "previousStatus": previous,
                "deregisteredAt": agent.deregistered_at,
            }),
        ))
    })
    .await
}

async fn policy(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    handle_read(app, &headers, move |state, caller, _| {
        let agent = caller.readable(state, &id)?;
        let mut body = json!({
            "agentId": agent.id,
            "currentSpend": agent.current_spend,
            "remaining": agent.spending_limit.map(|limit| (limit - agent.current_spend).max(0)),
        });
        if let Some(limit) = agent.spending_limit {
            body["spendingLimit"] = limit.into();
        }
        if let Some(frequency) = &agent.spending_limit_frequency {
            body["spendingLimitFrequency"] = frequency.clone().into();
        }
        if let Some(action) = &agent.on_limit_exceeded {
            body["onLimitExceeded"] = action.clone().into();
        }
        Ok(json_response(StatusCode::OK, body))
    })
    .await
}

// ------------------------------------------------------------------------------------------
// Tokens

async fn create_token(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let input = body_map(&headers, &body, true);
    handle(app, &headers, move |state, caller, now| {
        let id = caller.writable(state, &id)?;
        let input = input?;
        refuse_unknown(&input, &["name", "expiresAt"])?;
        let name = text(&input, "name", false)?;
        let expires_at = count(&input, "expiresAt", 0)?;
        if expires_at.is_some_and(|at| at <= now) {
            return Err(invalid("'expiresAt' must be in the future (milliseconds)"));
        }
        let agent = &state.agents[&id];
        if agent.status == "deregistered" {
            return Err(deregistered(agent));
        }
        let live = agent.live;
        let (token, secret) = mint_token(state, &id, live, name, expires_at, now);
        let mut body = token.json();
        body["token"] = secret.into();
        Ok(json_response(StatusCode::CREATED, body))
    })
    .await
}

async fn list_tokens(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    handle_read(app, &headers, move |state, caller, _| {
        let id = caller.writable(state, &id)?;
        let mut tokens: Vec<&AgentToken> =
            state.tokens.values().filter(|t| t.agent_id == id).collect();
        tokens.sort_by_key(|t| t.seq);
        let items = tokens
            .into_iter()
            .map(|t| (t.id.clone(), t.json()))
            .collect();
        page(items, uri.query())
    })
    .await
}

async fn revoke_token(
    State(app): State<AppState>,
    Path((id, token_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    handle(app, &headers, move |state, caller, now| {
        let id = caller.writable(state, &id)?;
        let Some(token) = state.tokens.get_mut(&token_id).filter(|t| t.agent_id == id) else {
            return Err(not_found(
                "token_not_found",
                &format!("No token '{token_id}' for agent '{id}'"),
            ));
        };
        // Revoking twice is not an error: the token ends up revoked either way.
        if token.is_active {
            token.is_active = false;
            token.revoked_at = Some(now);
        }
        Ok(json_response(StatusCode::OK, token.json()))
    })
    .await
}

// ------------------------------------------------------------------------------------------
// Cards

const CARD_FIELDS: &[&str] = &["purpose", "type", "maxAmount", "limits", "merchantHint"];

async fn create_card(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let input = body_map(&headers, &body, false);
    handle(app, &headers, move |state, caller, now| {
        let id = caller.writable(state, &id)?;
        let input = input?;
        refuse_unknown(&input, CARD_FIELDS)?;
        let purpose = text(&input, "purpose", true)?.unwrap_or_default();
        let card_type = one_of(&input, "type", CARD_TYPES)?.unwrap_or_else(|| "single".into());
        let max_amount = count(&input, "maxAmount", 1)?;
        let limits = object(&input, "limits")?;
        if let Some(Value::Object(limits)) = &limits {
            refuse_unknown(limits, &["perAuth", "perDay", "perMonth"])?;
            for field in ["perAuth", "perDay", "perMonth"] {
                count(limits, field, 1)?;
            }
        }
        let merchant_hint = text(&input, "merchantHint", false)?;

        let agent = &state.agents[&id];
        match agent.status.as_str() {
            "deregistered" => return Err(deregistered(agent)),
            "suspended" => {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request_error",
                    "agent_not_active",
                    format!(
                        "agent {id} is suspended; reactivate it (PATCH status: active) to create cards"
                    ),
                ));
            }
            _ => {}
        }
        let open = state.open_cards(&id);
        if let Some(max) = agent.max_cards
            && open as u64 >= max
        {
            return Err(validation(
                "max_cards_reached",
                &format!("agent {id} already has {open} open cards (maxCards {max})"),
            ));
        }
        let user_id = agent.user_id.clone();
        let (year, month) = year_month(now);
        let digits = random_bytes(4);
        let card = Card {
            id: format!("card_{}", random_hex(8)),
            seq: state.next_seq(),
            agent_id: id,
            user_id,
            card_type,
            purpose,
            status: "active".to_owned(),
            frozen_by_suspension: false,
            last4: digits.iter().map(|b| char::from(b'0' + b % 10)).collect(),
            expiration_month: format!("{month:02}"),
            expiration_year: (year + 3).to_string(),
            max_amount,
            limits,
            merchant_hint,
            created_at: now,
        };
        let body = card.json();
        state.cards.insert(card.id.clone(), card);
        Ok(json_response(StatusCode::CREATED, body))
    })
    .await
}

/// (year, month) of a unix-millisecond time, in UTC.
fn year_month(ms: i64) -> (i64, u32) {
    let iso = iso_ms(ms);
    let year = iso[..4].parse().unwrap_or(1970);
    let month = iso[5..7].parse().unwrap_or(1);
    (year, month)
}

async fn list_cards(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    handle_read(app, &headers, move |state, caller, _| {
        let agent = caller.readable(state, &id)?;
        let mut cards: Vec<&Card> = state
            .cards
            .values()
            .filter(|c| c.agent_id == agent.id)
            .collect();
        cards.sort_by_key(|c| c.seq);
        let items = cards
            .into_iter()
            .map(|c| (c.id.clone(), c.json()))
            .collect();
        page(items, uri.query())
    })
    .await
}

async fn get_card(
    State(app): State<AppState>,
    Path(card_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    handle_read(app, &headers, move |state, caller, _| {
        let live = caller.operator()?;
        state
            .cards
            .get(&card_id)
            .filter(|c| {
                state
                    .agents
                    .get(&c.agent_id)
                    .is_some_and(|a| a.live == live)
            })
            .map(|c| json_response(StatusCode::OK, c.json()))
            .ok_or_else(|| not_found("card_not_found", &format!("No card with id '{card_id}'")))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::super::testkit::Harness;
    use super::*;

    const P: &str = "/proxy";

    fn call(
        h: &Harness,
        method: reqwest::Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = h.client.request(method, h.url(&format!("{P}{path}")));
        if let Some(key) = key {
            request = if key.starts_with("at_") {
                request.bearer_auth(key)
            } else {
                request.header("Api-Key", key)
            };
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        h.send(request)
    }

    fn get(h: &Harness, path: &str, key: &str) -> (u16, Value) {
        call(h, reqwest::Method::GET, path, Some(key), None)
    }

    fn post(h: &Harness, path: &str, key: &str, body: Value) -> (u16, Value) {
        call(h, reqwest::Method::POST, path, Some(key), Some(body))
    }

    fn register(h: &Harness, external_id: &str, user: &str) -> (u16, Value) {
        post(
            h,
            "/v1/agents/register",
            DEMO_API_KEY,
            json!({"externalId": external_id, "userId": user, "name": "Shopper",
                   "spendingLimit": 50000, "spendingLimitFrequency": "perMonth"}),
        )
    }

    fn error_code(body: &Value) -> &str {
        body["error"]["code"].as_str().unwrap_or_default()
    }

    #[test]
    fn an_idempotency_key_replays_the_first_answer_for_the_same_body_only() {
        let h = Harness::start();
        let (_, reg) = register(&h, "idem", DEMO_USER_ALICE);
        let id = reg["id"].as_str().unwrap();
        let path = format!("{P}/v1/agents/{id}/tokens");
        let send = |key: &str, body: Value| {
            let response = h
                .client
                .post(h.url(&path))
                .header("Api-Key", DEMO_API_KEY)
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
                .unwrap();
            let replayed = response.headers().get("idempotent-replayed").is_some();
            let status = response.status().as_u16();
            (status, replayed, response.json::<Value>().unwrap())
        };
        let (status, replayed, first) = send("k-1", json!({"name": "ci"}));
        assert_eq!((status, replayed), (201, false), "{first}");
        let (status, replayed, again) = send("k-1", json!({"name": "ci"}));
        assert_eq!((status, replayed), (201, true));
        assert_eq!(again, first, "the same token, secret included");
        let (status, _, other) = send("k-1", json!({"name": "other"}));
        assert_eq!(status, 422, "{other}");
        assert_eq!(error_code(&other), "idempotency_key_reused");
        let (_, list) = get(&h, &format!("/v1/agents/{id}/tokens"), DEMO_API_KEY);
        // The registration's token and the one created once.
        assert_eq!(list["data"].as_array().unwrap().len(), 2, "{list}");
        // Another key (or none) is another request; the key is scoped per org key.
        assert_eq!(send("k-2", json!({"name": "ci"})).0, 201);
        let (_, list) = get(&h, &format!("/v1/agents/{id}/tokens"), DEMO_API_KEY);
        assert_eq!(list["data"].as_array().unwrap().len(), 3);
        // A failed request does not keep its key.
        let bad = format!("{P}/v1/agents/agent_nope/tokens");
        let status = h
            .client
            .post(h.url(&bad))
            .header("Api-Key", DEMO_API_KEY)
            .header("Idempotency-Key", "k-3")
            .json(&json!({}))
            .send()
            .unwrap()
            .status();
        assert_eq!(status, 404);
        assert_eq!(send("k-3", json!({})).0, 201);
    }

    #[test]
    fn register_is_idempotent_by_external_id_and_conflicts_across_users() {
        let h = Harness::start();
        let (status, first) = register(&h, "shop-1", DEMO_USER_ALICE);
        assert_eq!(status, 201, "{first}");
        assert_eq!(first["created"], true);
        assert_eq!(first["object"], "agent");
        assert_eq!(first["status"], "active");
        assert_eq!(first["spendingLimit"], 50000);
        assert!(first["createdAt"].as_i64().unwrap() > 1_600_000_000_000);
        let token = first["token"].as_str().unwrap();
        assert!(token.starts_with("at_dev_"), "{token}");
        assert!(first["tokenId"].is_string());

        let (status, again) = register(&h, "shop-1", DEMO_USER_ALICE);
        assert_eq!(status, 200, "{again}");
        assert_eq!(again["created"], false);
        assert_eq!(again["token"], Value::Null);
        assert_eq!(again["id"], first["id"]);

        let (status, conflict) = register(&h, "shop-1", DEMO_USER_BOB);
        assert_eq!(status, 409, "{conflict}");
        assert_eq!(conflict["error"]["type"], "conflict_error");
        assert_eq!(error_code(&conflict), "external_id_conflict");
        assert!(conflict["request_id"].as_str().unwrap().starts_with("req_"));

        // The state never holds the token itself.
        let (doc, _) = h.state_doc_key();
        assert!(!doc.to_string().contains(token));
    }

    #[test]
    fn keys_are_checked_and_environments_kept_apart() {
        let h = Harness::start();
        let (status, body) = call(&h, reqwest::Method::GET, "/v1/agents", None, None);
        assert_eq!((status, error_code(&body)), (401, "missing_api_key"));
        let (status, body) = get(&h, "/v1/agents", "lk_dev_wrong");
        assert_eq!((status, error_code(&body)), (401, "invalid_api_key"));
        assert_eq!(body["error"]["type"], "authentication_error");

        let (_, dev) = register(&h, "shop-1", DEMO_USER_ALICE);
        let id = dev["id"].as_str().unwrap();
        let (status, _) = get(&h, &format!("/v1/agents/{id}"), DEMO_LIVE_API_KEY);
        assert_eq!(status, 404);
        let (status, live) = post(
            &h,
            "/v1/agents/register",
            DEMO_LIVE_API_KEY,
            json!({"externalId": "shop-1", "userId": DEMO_USER_BOB, "name": "Live"}),
        );
        assert_eq!(status, 201, "{live}");
        assert!(live["token"].as_str().unwrap().starts_with("at_live_"));
        let (status, _) = register(&h, "ghost-user", "user_nobody");
        assert_eq!(status, 404);
    }

    #[test]
    fn reads_leave_the_state_file_alone_and_record_a_token_use_once_a_minute() {
        let h = Harness::start();
        let (_, a) = register(&h, "quiet", DEMO_USER_ALICE);
        let (id, token) = (a["id"].as_str().unwrap(), a["token"].as_str().unwrap());
        // The first use of the token is recorded (a write); the next minute's uses are not.
        assert_eq!(get(&h, &format!("/v1/agents/{id}"), token).0, 200);
        let before = std::fs::read(h.state_path()).unwrap();
        let inode = |p: &std::path::Path| {
            std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).unwrap())
        };
        let ino = inode(h.state_path());
        for path in ["", "/policy", "/cards"] {
            for key in [token, DEMO_API_KEY] {
                let (status, body) = get(&h, &format!("/v1/agents/{id}{path}"), key);
                assert_eq!(status, 200, "{path}: {body}");
            }
        }
        assert_eq!(get(&h, "/v1/agents", DEMO_API_KEY).0, 200);
        assert_eq!(std::fs::read(h.state_path()).unwrap(), before);
        assert_eq!(
            inode(h.state_path()),
            ino,
            "not even rewritten with the same bytes"
        );
        let (_, log) = h.get("/_sandbox/requests");
        assert_eq!(log["counts"][format!("GET /proxy/v1/agents/{id}")], 3);
    }

    #[test]
    fn agent_tokens_read_only_their_own_agent_and_die_when_revoked() {
        let h = Harness::start();
        let (_, a) = register(&h, "a", DEMO_USER_ALICE);
        let (_, b) = register(&h, "b", DEMO_USER_ALICE);
        let (a_id, b_id) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
        let token = a["token"].as_str().unwrap();
        for path in ["", "/policy", "/cards"] {
            let (status, body) = get(&h, &format!("/v1/agents/{a_id}{path}"), token);
            assert_eq!(status, 200, "{path}: {body}");
            let (status, body) = get(&h, &format!("/v1/agents/{b_id}{path}"), token);
            assert_eq!((status, error_code(&body)), (403, "access_denied"));
        }
        let (status, _) = get(&h, &format!("/v1/agents/{a_id}/tokens"), token);
        assert_eq!(status, 403);

        let (_, listed) = get(&h, &format!("/v1/agents/{a_id}/tokens"), DEMO_API_KEY);
        let first = &listed["data"][0];
        assert!(first["lastUsedAt"].as_i64().is_some(), "{first}");
        assert!(first.get("token").is_none());
        let token_id = a["tokenId"].as_str().unwrap();
        let (status, revoked) = call(
            &h,
            reqwest::Method::DELETE,
            &format!("/v1/agents/{a_id}/tokens/{token_id}"),
            Some(DEMO_API_KEY),
            None,
        );
        assert_eq!(status, 200, "{revoked}");
        assert_eq!(revoked["isActive"], false);
        assert!(revoked["revokedAt"].as_i64().is_some());
        let (status, body) = get(&h, &format!("/v1/agents/{a_id}"), token);
        assert_eq!((status, error_code(&body)), (401, "invalid_token"));
    }

    #[test]
    fn lists_page_with_cursor() {
        let h = Harness::start();
        let (_, a) = register(&h, "a", DEMO_USER_ALICE);
        let id = a["id"].as_str().unwrap();
        for n in 0..DEFAULT_PAGE_SIZE + 2 {
            let (status, _) = post(
                &h,
                &format!("/v1/agents/{id}/tokens"),
                DEMO_API_KEY,
                json!({"name": format!("t{n}")}),
            );
            assert_eq!(status, 201);
        }
        let (_, first) = get(&h, &format!("/v1/agents/{id}/tokens"), DEMO_API_KEY);
        assert_eq!(first["data"].as_array().unwrap().len(), DEFAULT_PAGE_SIZE);
        assert_eq!(first["hasMore"], true);
        let cursor = first["cursor"].as_str().unwrap();
        let (_, second) = get(
            &h,
            &format!("/v1/agents/{id}/tokens?cursor={cursor}"),
            DEMO_API_KEY,
        );
        // The registration token and 12 more: 13 in all.
        assert_eq!(second["data"].as_array().unwrap().len(), 3);
        assert_eq!(second["hasMore"], false);
        assert_eq!(second["cursor"], Value::Null);
        let (status, _) = get(&h, &format!("/v1/agents/{id}/tokens?limit=0"), DEMO_API_KEY);
        assert_eq!(status, 400);
        let (status, _) = get(
            &h,
            &format!("/v1/agents/{id}/tokens?cursor=nope"),
            DEMO_API_KEY,
        );
        assert_eq!(status, 400);
    }

    #[test]
    fn cards_follow_max_cards_and_suspension() {
        let h = Harness::start();
        let (_, a) = post(
            &h,
            "/v1/agents/register",
            DEMO_API_KEY,
            json!({"externalId": "c", "userId": DEMO_USER_ALICE, "name": "Cards", "maxCards": 1}),
        );
        let id = a["id"].as_str().unwrap();
        let cards = format!("/v1/agents/{id}/cards");
        let (status, card) = post(
            &h,
            &cards,
            DEMO_API_KEY,
            json!({"purpose": "dinner", "type": "multi", "maxAmount": 2500}),
        );
        assert_eq!(status, 201, "{card}");
        assert_eq!(card["last4"].as_str().unwrap().len(), 4);
        assert_eq!(card["maxAmount"], 2500);
        assert!(card.get("pan").is_none() && card.get("cvv").is_none());
        let (status, body) = post(&h, &cards, DEMO_API_KEY, json!({"purpose": "more"}));
        assert_eq!((status, error_code(&body)), (400, "max_cards_reached"));
        assert_eq!(body["error"]["type"], "validation_error");

        let patch = |status: &str| {
            call(
                &h,
                reqwest::Method::PATCH,
                &format!("/v1/agents/{id}"),
                Some(DEMO_API_KEY),
                Some(json!({"status": status})),
            )
        };
        let card_id = card["id"].as_str().unwrap();
        assert_eq!(patch("suspended").0, 200);
        let (_, shown) = get(&h, &format!("/v1/cards/{card_id}"), DEMO_API_KEY);
        assert_eq!(shown["status"], "frozen");
        assert_eq!(patch("active").0, 200);
        let (_, shown) = get(&h, &format!("/v1/cards/{card_id}"), DEMO_API_KEY);
        assert_eq!(shown["status"], "active");
        let (status, body) = get(&h, "/v1/cards/card_nope", DEMO_API_KEY);
        assert_eq!((status, error_code(&body)), (404, "card_not_found"));
    }

    #[test]
    fn policy_reports_spend_and_patch_validates() {
        let h = Harness::start();
        let (_, a) = register(&h, "p", DEMO_USER_ALICE);
        let id = a["id"].as_str().unwrap();
        let (_, policy) = get(&h, &format!("/v1/agents/{id}/policy"), DEMO_API_KEY);
        assert_eq!(
            policy,
            json!({"agentId": id, "spendingLimit": 50000, "spendingLimitFrequency": "perMonth",
                   "currentSpend": 0, "remaining": 50000})
        );
        let patch = |body: Value| {
            call(
                &h,
                reqwest::Method::PATCH,
                &format!("/v1/agents/{id}"),
                Some(DEMO_API_KEY),
                Some(body),
            )
        };
        let (status, body) = patch(json!({"spendingLimitFrequency": "hourly"}));
        assert_eq!((status, error_code(&body)), (400, "parameter_invalid"));
        let (status, body) = patch(json!({"spendingLimit": -1}));
        assert_eq!(status, 400, "{body}");
        let (status, body) = patch(json!({"spendingLimit": null, "onLimitExceeded": "notify"}));
        assert_eq!(status, 200, "{body}");
        let (_, policy) = get(&h, &format!("/v1/agents/{id}/policy"), DEMO_API_KEY);
        assert_eq!(policy["remaining"], Value::Null);
        assert!(policy.get("spendingLimit").is_none());
        assert_eq!(policy["onLimitExceeded"], "notify");
    }

    #[test]
    fn deregister_revokes_tokens_freezes_cards_and_frees_the_external_id() {
        let h = Harness::start();
        let (_, a) = register(&h, "d", DEMO_USER_ALICE);
        let id = a["id"].as_str().unwrap();
        let token = a["token"].as_str().unwrap();
        post(
            &h,
            &format!("/v1/agents/{id}/cards"),
            DEMO_API_KEY,
            json!({"purpose": "x"}),
        );
        let (status, body) = post(
            &h,
            &format!("/v1/agents/{id}/deregister"),
            DEMO_API_KEY,
            json!({}),
        );
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["status"], "deregistered");
        assert_eq!(body["previousStatus"], "active");
        assert!(body["deregisteredAt"].as_i64().is_some());
        assert_eq!(get(&h, &format!("/v1/agents/{id}"), token).0, 401);
        let (_, cards) = get(&h, &format!("/v1/agents/{id}/cards"), DEMO_API_KEY);
        assert_eq!(cards["data"][0]["status"], "frozen");
        let (status, body) = post(
            &h,
            &format!("/v1/agents/{id}/tokens"),
            DEMO_API_KEY,
            json!({}),
        );
        assert_eq!((status, error_code(&body)), (400, "agent_deregistered"));

        let (status, again) = register(&h, "d", DEMO_USER_BOB);
        assert_eq!(status, 201, "{again}");
        assert_ne!(again["id"], a["id"]);
    }
}
