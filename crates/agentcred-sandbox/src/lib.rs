//! The sandbox: a real, stateful HTTP emulator of the four services agentcred talks to.
//!
//! `--sandbox` starts it inside the CLI process on an ephemeral loopback port
//! ([`start_background`]); `agentcred sandbox serve` runs it in the foreground for other
//! programs ([`serve_foreground`]). Either way the emulated world lives in one JSON state file
//! shared by every process that serves it, so successive (and concurrent) invocations see the
//! same agents; see [`state`] for the transaction discipline and the file layout, and
//! [`reqlog`] for the request log kept next to it.
//!
//! Each service is mounted under its own path prefix, so one listener serves all of them and a
//! client only needs the per-service base URLs of [`service_urls`].
//!
//! # Route table
//!
//! | method | path | auth | what it does |
//! |---|---|---|---|
//! | POST | `/fluxa/agentid/register` | none | new FluxA agent → `{agent_id, token, jwt}`; not idempotent |
//! | POST | `/fluxa/agentid/refresh` | none (body `agent_id` + `token`) | new login JWT → `{jwt}`; 401 `invalid_token` |
//! | POST | `/fluxa/agentid/agent/vc/issue` | Bearer login JWT | Agent VC → `{vc, jti, issued_at, expires_at, kid}` |
//! | GET | `/fluxa/agentid/.well-known/jwks.json` | none | FluxA's RS256 key as a JWKS (`kid` `agent-did-key`) |
//! | GET | `/fluxa/agentid/public-key.pem` | none | the same RSA key, PEM |
//! | GET | `/fluxa/agentid/agent/{agent_id}` | none | the agent's public record |
//! | GET | `/fluxa/wallet/api/agent/self/status` | Bearer login JWT | agent, budget, balances, mandates, recent transactions (`network`, `txLimit`); 403 `agent_not_authorized` + `authorizationUrl` until the owner approves |
//! | GET | `/fluxa/wallet/api/mandates` | Bearer login JWT | `{status:"ok", mandates:[...]}` (403 likewise) |
//! | GET | `/fluxa/wallet/api/mandates/agent/{mandateId}` | Bearer login JWT | `{status:"ok", mandate}`; 404 `mandate_not_found` |
//! | POST | `/fluxa/wallet/api/mandates/create-intent` | Bearer login JWT | a mandate awaiting the owner's signature; `agentStatus:"needs_wallet_authorization"` before approval |
//! | POST | `/fluxa/wallet/api/payouts` | Bearer login JWT | a payout awaiting the owner (`pending_authorization`), idempotent by `payoutId` |
//! | GET | `/fluxa/wallet/api/payouts/{id}` | Bearer login JWT | `{"payout": {...}}` |
//! | POST | `/fluxa/wallet/api/payment/x402V1Payment` | Bearer login JWT | x402 payment (`amount`, atomic USDC) from the wallet → text: the `X-PAYMENT` value; debits balance and monthly budget; not idempotent |
//! | POST | `/fluxa/wallet/api/payment/x402V3Payment` | Bearer login JWT | the same under `mandateId` → `{status:"ok", xPaymentB64, xPayment, paymentRecordId, expiresAt}`; debits the mandate too; 403 `mandate_*` refusals |
//! | POST | `/fluxa/wallet/api/v2/payment/x402-payment` | Bearer login JWT | pays a 402 `paymentRequest`/`paymentRequestB64` under `mandateId` → `{status:"ok", paymentPayloadB64, paymentRecordId, expiresAt}` |
//! | GET, POST | `/fluxa/agentwallet/add-agent` | none (the owner's page) | HTML: GET shows Approve/Revoke, POST (form `agentId`, `action`) does it; approval funds the wallet |
//! | GET, POST | `/fluxa/agentwallet/mandate/{mandateId}` | none (the owner's page) | HTML: GET shows the mandate, POST signs it |
//! | GET | `/fluxra/health` | none | `{status:"healthy", timestamp, version}` |
//! | POST | `/fluxra/api/auth/register` | none | new Fluxra agent → 201 `{agent_id, agent_name, recovery_key, created_at, warning}`; 400 bad name, 409 name taken |
//! | POST | `/fluxra/api/agents/{agent_id}` | Basic agent_id:recovery_key | new API key → 201 `{key_id, name, api_key, scopes, expires_at, created_at}` |
//! | GET | `/fluxra/api/agents/{agent_id}` | Basic agent_id:recovery_key, or Bearer JWT | `{keys:[{key_id, name, scopes, expires_at, created_at, last_used_at}]}` |
//! | DELETE | `/fluxra/api/agents/{agent_id}/keys/{key_id}` | Basic agent_id:recovery_key | revoke → 204; 404 `NOT_FOUND` |
//! | POST | `/fluxra/api/auth/token` | Basic agent_id:api_key, `{"grant_type":"client_credentials"}` | JWT → `{access_token, token_type, expires_in}`; 401 for a bad, expired or revoked key |
//! | POST | `/proxy/v1/agents/register` | `Api-Key` | register, idempotent by `externalId`: 201 with `token` (once), 200 `created:false`, 409 `external_id_conflict` |
//! | GET | `/proxy/v1/agents` | `Api-Key` | agents of the key's environment (`external_id`, `limit`, `cursor`) |
//! | GET, PATCH | `/proxy/v1/agents/{id}` | `Api-Key` (GET also the agent's `Bearer at_…`) | the agent; PATCH name, description, status, spending limit fields |
//! | POST | `/proxy/v1/agents/{id}/deregister` | `Api-Key` | soft delete: tokens revoked, cards frozen, external id free |
//! | GET | `/proxy/v1/agents/{id}/policy` | `Api-Key` or own `Bearer at_…` | limit, frequency, current spend, remaining (cents) |
//! | GET, POST | `/proxy/v1/agents/{id}/tokens` | `Api-Key` | list (paged) / create (secret shown once) |
//! | DELETE | `/proxy/v1/agents/{id}/tokens/{tokenId}` | `Api-Key` | revoke; a revoked token gets 401 `invalid_token` |
//! | GET, POST | `/proxy/v1/agents/{id}/cards` | `Api-Key` (GET also own `Bearer at_…`) | list (paged) / create (`maxCards`: 400 `max_cards_reached`) |
//! | GET | `/proxy/v1/cards/{cardId}` | `Api-Key` | one card (last4, never PAN/CVV) |
//! | GET | `/authpi/api/v1/me` | Basic org key | `{data: {type, key_id, issuer_id, accounts}}` |
//! | GET | `/authpi/api/v1/accounts/{acc}/issuers/{iss}/agents` | Basic org key | `{data, has_more, next_cursor}` (`limit`, `cursor`, `status`, `model`, `provider`, `has_verifiers`) |
//! | POST | `/authpi/api/v1/accounts/{acc}/issuers/{iss}/agents` | Basic org key | 201 `{data: Agent}` + `ETag`; `Idempotency-Key` replays (`Idempotent-Replayed: true`), 422 other body, 409 in flight |
//! | GET | `/authpi/api/v1/accounts/{acc}/issuers/{iss}/agents/{id}` | Basic org key | `{data: Agent}` + `ETag` |
//! | PATCH | `/authpi/api/v1/accounts/{acc}/issuers/{iss}/agents/{id}` | Basic org key | partial update, `status` + `status_reason`; `If-Match` → 412 `current_etag` |
//! | DELETE | `/authpi/api/v1/accounts/{acc}/issuers/{iss}/agents/{id}` | Basic org key | 204; `If-Match` → 412 |
//! | GET | `/authpi/api/v1/accounts/{acc}/issuers/{iss}/agents/{id}/verifiers` | Basic org key | `{data: [Verifier], has_more, next_cursor}`, never a secret |
//! | POST | `/authpi/api/v1/accounts/{acc}/issuers/{iss}/agents/{id}/verifiers` | Basic org key | 201 secret (plaintext once) or wallet (CAIP-2); 409 at 20; `Idempotency-Key` |
//! | DELETE | `/authpi/api/v1/accounts/{acc}/issuers/{iss}/agents/{id}/verifiers/{vid}` | Basic org key | 204; `If-Match` → 412 |
//! | POST | `/authpi/idp/{iss}/token` | form `client_id` + `client_secret` (or Basic) | client_credentials → `{access_token (at+jwt), token_type, expires_in: 300, scope}`; 401 `invalid_client`; 400 `unauthorized_client` when suspended/blocked |
//! | GET | `/authpi/idp/{iss}/jwks.json` | none | AuthPI's keys (ES256, EdDSA, RS256; UUID kids) |
//! | GET | `/_sandbox/health` | none | `{status:"ok", base_url, state_file, services}` |
//! | GET | `/_sandbox/requests` | none | `{requests:[...], counts:{"METHOD /path": n}}` (`?method=&path=` filter the log) |
//! | DELETE | `/_sandbox/requests` | none | clear the log and the counts |
//! | GET | `/_sandbox/faults` | none | `{faults:[...]}` |
//! | POST | `/_sandbox/faults` | none | add a fault `{method?, path, status? (503), count? (1), retry_after?, mode? (before, drop_after, bad_gateway_after)}` → 201 |
//! | DELETE | `/_sandbox/faults` | none | remove every fault |
//! | GET | `/_sandbox/knobs` | none | `{jwt_ttl_secs:{service: secs}, jwt_exp_in_secs:{service: secs}, latency_ms, jwt_ttl_override}` |
//! | PUT | `/_sandbox/knobs` | none | partial update `{jwt_ttl_secs?: {service: secs or null}, jwt_exp_in_secs?: {service: secs (negative: expired) or null}, latency_ms?}` |
//!
//! Details of each service's routes are in its module ([`fluxa`], [`fluxra`], [`authpi`],
//! [`proxy`]); Fluxra's auth middleware answers some 401s in plain text, as its docs warn.
//!
//! # What happens to every request
//!
//! Requests outside `/_sandbox` are, in order: recorded in the request log and counted under
//! `"METHOD /full/path"`; matched against the faults (the first match with uses left is consumed);
//! delayed by the `latency_ms` knob; then either answered with the fault (`mode: "before"`, in the
//! service's error envelope, with `Retry-After` when set) or handled. After a `drop_after` fault
//! the handler's changes persist but the connection is closed without any answer (a client sees
//! "connection closed before message completed"); after a `bad_gateway_after` fault they persist
//! and the answer is 502 `{"error":"sandbox dropped the response"}`, as from a proxy that lost it.
//! Any error response that is not JSON (an unknown route, a wrong method, a body axum refused)
//! is rewritten into the service's error envelope: no service ever answers HTML, nor plain
//! text except where its docs say it does and the handler answers with
//! [`support::text_response`] on purpose (Fluxra's auth middleware).
//!
//! # Adding a service
//!
//! 1. `src/NAME.rs` with:
//!    - `pub const SERVICE: SandboxService`: its key (`"name"`), one [`Mount`] per base URL
//!      (prefix, the `AGENTCRED_NAME_URL` variable a client reads it from, error envelope,
//!      router), its default JWT lifetime if it mints JWTs, its demo operator keys if any;
//!    - `pub fn router() -> Router<AppState>` (routes relative to the prefix);
//!    - a `#[serde(default)]` state struct with `impl ServiceState for NameState { const KEY:
//!      &'static str = SERVICE.key; }`, reached in handlers as `doc.service::<NameState>()`
//!      (or `doc.service_mut::<NameState>()` to change it);
//!    - handlers that do all their work inside `app.transact_response(ENVELOPE, move |doc| ...)`
//!      (or `read_response` when they change nothing). Parse bodies with
//!      `support::json_object_body`, credentials with `support::Auth`, answer errors with
//!      `support::Envelope::X.response(...)`, mint ids/secrets with `support::random_hex`,
//!      tokens with `doc.signing_key()?.sign(...)`.
//! 2. `pub mod NAME;` below and `&NAME::SERVICE` in [`SERVICES`]. Routing, the service URLs
//!    (`/_sandbox/health`, `sandbox serve`, the CLI's sandbox profiles), the knobs, the state
//!    file and the demo keys all follow from the registry.
//! 3. Tests in the module with `testkit::Harness` (a sandbox on a temp state file + client).

pub mod authpi;
mod conn;
pub mod control;
pub mod fluxa;
pub mod fluxra;
mod persist;
pub mod proxy;
pub mod reqlog;
pub mod state;
pub mod support;
#[cfg(test)]
pub(crate) mod testkit;
pub mod tokens;

use std::future::{Future, IntoFuture as _, poll_fn};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::pin::pin;
use std::task::Poll;
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Extension, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use serde_json::json;
use tokio::sync::oneshot;

use conn::{DropSwitch, SandboxListener};
use state::{AppState, FaultMode, RequestRecord, StateStore};
use support::{Auth, Envelope, body_for_log, is_json_content_type, iso_ms, now_ms};

/// The control routes' prefix; requests under it are not logged, delayed or faulted.
pub const CONTROL_PREFIX: &str = "/_sandbox";

/// Every emulated service. Adding a service = its module and one line here.
pub const SERVICES: &[&SandboxService] = &[
    &fluxa::SERVICE,
    &fluxra::SERVICE,
    &authpi::SERVICE,
    &proxy::SERVICE,
];

/// The environment variable that sets a JWT lifetime (seconds, or a duration like `90s`) for
/// every service, in this process only.
pub const JWT_TTL_ENV: &str = "AGENTCRED_SANDBOX_JWT_TTL";

/// Request bodies beyond this are refused with 413.
const MAX_BODY_BYTES: usize = 1024 * 1024;
/// How long shutting down waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// What the generic parts of the sandbox (routing, knobs, the state file, the CLI's sandbox
/// profiles) know about one service; each service module has one as `SERVICE`.
pub struct SandboxService {
    /// Its name: the key of its sub-document in the state file
    /// ([`state::ServiceState::KEY`]) and of its lifetime in the `jwt_ttl_secs` knob.
    pub key: &'static str,
    /// Its base URLs (FluxA has two: agent ID and wallet).
    pub mounts: &'static [Mount],
    /// The lifetime of the JWTs it mints, in seconds, unless a knob says otherwise; `None` for
    /// a service that mints none.
    pub jwt_ttl_default: Option<u64>,
    /// Its documented demo operator credentials, by the variable that would carry a real one
    /// (`PROXY_API_KEY`), for sandbox profiles whose user configured none.
    pub demo_operator_keys: &'static [(&'static str, &'static str)],
    /// How the sandbox plays an agent's owner, for a service whose new agents wait for their
    /// owner's approval; `None` for the others.
    pub owner_approval: Option<OwnerApproval>,
}

/// A service's owner-approval step, as the sandbox plays it ([`set_owner_approval`]).
pub struct OwnerApproval {
    /// Approve the agent (`true`: the owner authorizes it, and the service funds it the first
    /// time) or take the authorization back (`false`). `Err` says why not (no such agent).
    pub set: fn(&mut state::StateDoc, agent_id: &str, approve: bool) -> Result<(), String>,
}

/// Why [`set_owner_approval`] did nothing.
#[derive(Debug)]
pub enum ApprovalError {
    /// No service mounted under that variable has an owner-approval step.
    NotSupported,
    /// The service refused (no such agent), with its message.
    Refused(String),
    /// The state file could not be read or written.
    State(String),
}

/// The variables (`AGENTCRED_*_URL`) of the mounts of every service that has an
/// owner-approval step.
pub fn owner_approval_env_vars() -> Vec<&'static str> {
    SERVICES
        .iter()
        .filter(|s| s.owner_approval.is_some())
        .flat_map(|s| s.mounts.iter().map(|m| m.env_var))
        .collect()
}

/// Play the owner of `agent_id` in the sandbox state at `state_path`, for the service that
/// publishes its base URL under `env_var`: approve it, or take the approval back. Works
/// whether or not a sandbox is serving that state right now (the state file is shared).
pub fn set_owner_approval(
    state_path: &std::path::Path,
    env_var: &str,
    agent_id: &str,
    approve: bool,
) -> Result<(), ApprovalError> {
    let approval = SERVICES
        .iter()
        .find(|s| s.mounts.iter().any(|m| m.env_var == env_var))
        .and_then(|s| s.owner_approval.as_ref())
        .ok_or(ApprovalError::NotSupported)?;
    let set = approval.set;
    let agent_id = agent_id.to_owned();
    StateStore::new(state_path.to_path_buf())
        .transact(move |doc| set(doc, &agent_id, approve))
        .map_err(|e| ApprovalError::State(e.to_string()))?
        .map_err(ApprovalError::Refused)
}

/// One base URL of a service: where it is mounted, the variable a client reads that base URL
/// from, how its errors look and its routes.
pub struct Mount {
    pub prefix: &'static str,
    /// `AGENTCRED_<SERVICE>_URL`: the variable that overrides this base URL in the CLI.
    pub env_var: &'static str,
    pub envelope: Envelope,
    /// The routes, relative to `prefix`.
    pub router: fn() -> Router<AppState>,
}

/// Every mounted base URL of every service.
pub fn mounts() -> impl Iterator<Item = &'static Mount> {
    SERVICES.iter().flat_map(|service| service.mounts)
}

/// (service key, default JWT lifetime) of every service that mints JWTs.
pub fn jwt_ttl_defaults() -> impl Iterator<Item = (&'static str, u64)> {
    SERVICES
        .iter()
        .filter_map(|service| Some((service.key, service.jwt_ttl_default?)))
}

fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The error envelope of whatever answers `path` (the sandbox's own outside any service).
pub fn envelope_for(path: &str) -> Envelope {
    mounts()
        .find(|m| under(path, m.prefix))
        .map_or(Envelope::Sandbox, |m| m.envelope)
}

/// How to run a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub state_path: PathBuf,
    /// 0 = an ephemeral port.
    pub port: u16,
    /// JWT lifetime in seconds for every service, overriding the knobs; this process only.
    pub jwt_ttl_override: Option<u64>,
}

impl SandboxConfig {
    /// A config with the JWT lifetime override read from `AGENTCRED_SANDBOX_JWT_TTL`.
    pub fn from_env(state_path: PathBuf, port: u16) -> anyhow::Result<Self> {
        let jwt_ttl_override = match std::env::var(JWT_TTL_ENV) {
            Ok(value) if !value.trim().is_empty() => Some(parse_ttl(&value).with_context(|| {
                format!(
                    "{JWT_TTL_ENV}={value:?} is not a lifetime; use seconds (`120`) or a duration (`2m`)"
                )
            })?),
            Ok(_) | Err(std::env::VarError::NotPresent) => None,
            Err(std::env::VarError::NotUnicode(_)) => {
                anyhow::bail!("{JWT_TTL_ENV} is not valid UTF-8")
            }
        };
        Ok(SandboxConfig {
            state_path,
            port,
            jwt_ttl_override,
        })
    }
}

fn parse_ttl(value: &str) -> anyhow::Result<u64> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Ok(secs);
    }
    Ok(humantime::parse_duration(value)?.as_secs())
}

/// The base URL of each service for a sandbox at `base_url`, as (env var, url).
pub fn service_urls(base_url: &str) -> Vec<(&'static str, String)> {
    let base = base_url.trim_end_matches('/');
    mounts()
        .map(|m| (m.env_var, format!("{base}{}", m.prefix)))
        .collect()
}

/// The documented demo organization keys, by the variable that would carry a real one, for
/// sandbox profiles whose user configured no operator key.
pub fn demo_operator_keys() -> Vec<(&'static str, &'static str)> {
    SERVICES
        .iter()
        .flat_map(|service| service.demo_operator_keys.iter().copied())
        .collect()
}

/// The whole application: control routes, every mounted service, the JSON 404, and the
/// recording/fault/latency layer around all of it. It must be served through
/// [`SandboxListener`] with `into_make_service_with_connect_info::<DropSwitch>()`: every
/// request needs its connection's [`DropSwitch`].
fn app(state: AppState) -> Router {
    let control = control::router().layer(middleware::from_fn_with_state(
        state.clone(),
        control::require_token,
    ));
    let mut router = Router::new().nest(CONTROL_PREFIX, control);
    for mount in mounts() {
        router = router.nest(mount.prefix, (mount.router)());
    }
    router
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// The request line as received, for handlers that run after nesting stripped the prefix.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    path: String,
}

async fn not_found(seen: Option<Extension<Seen>>) -> Response {
    let (method, path) = seen.map_or_else(
        || ("?".to_owned(), "?".to_owned()),
        |Extension(s)| (s.method.to_string(), s.path),
    );
    envelope_for(&path).response(
        StatusCode::NOT_FOUND,
        "not_found",
        &format!("no route for {method} {path}"),
    )
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The layer every request goes through (see "What happens to every request" above).
async fn observe(
    State(app): State<AppState>,
    ConnectInfo(connection): ConnectInfo<DropSwitch>,
    mut req: Request,
    next: Next,
) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    req.extensions_mut().insert(Seen {
        method: method.clone(),
        path: path.clone(),
    });
    // For service layers that need the state (a service's own middleware).
    req.extensions_mut().insert(app.clone());
    if under(&path, CONTROL_PREFIX) {
        let response = next.run(req).await;
        return json_errors(response, Envelope::Sandbox, &method, &path);
    }
    let envelope = envelope_for(&path);

    let (parts, body) = req.into_parts();
    let (bytes, too_large) = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => (bytes, false),
        Err(_) => (axum::body::Bytes::new(), true),
    };
    let record = request_record(&method, &path, query, &parts.headers, &bytes);
    let (fault, latency_ms) = match app.admit(record).await {
        Ok(outcome) => outcome,
        Err(e) => return e.response(envelope),
    };
    if too_large {
        return envelope.response(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            &format!("request bodies are limited to {MAX_BODY_BYTES} bytes"),
        );
    }
    if latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(latency_ms)).await;
    }

    if let Some(fault) = &fault
        && fault.mode == FaultMode::Before
    {
        let status = StatusCode::from_u16(fault.status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        let response = envelope.response(status, "injected_fault", "injected fault");
        return with_retry_after(response, fault.retry_after);
    }

    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let response = json_errors(response, envelope, &method, &path);
    match fault {
        Some(fault) if fault.mode == FaultMode::DropAfter => {
            // The connection fails from now on, so hyper closes it without writing a byte of
            // this answer.
            connection.drop_connection();
            response
        }
        Some(fault) if fault.mode == FaultMode::BadGatewayAfter => {
            let dropped = support::json_response(
                StatusCode::BAD_GATEWAY,
                json!({"error": "sandbox dropped the response"}),
            );
            with_retry_after(dropped, fault.retry_after)
        }
        _ => response,
    }
}

/// What the request log keeps of a request: its line, how it authenticates (never its
/// secret), its body as logged, and the headers the services act on.
fn request_record(
    method: &Method,
    path: &str,
    query: Option<String>,
    headers: &HeaderMap,
    body: &[u8],
) -> RequestRecord {
    let auth = Auth::from_headers(headers);
    let content_type = header_str(headers, "content-type");
    RequestRecord {
        seq: 0,
        at: iso_ms(now_ms()),
        method: method.to_string(),
        path: path.to_owned(),
        query,
        auth_scheme: auth.scheme().to_owned(),
        basic_user: auth.basic().map(|(user, _)| user.to_owned()),
        body: body_for_log(content_type.as_deref(), body),
        content_type,
        idempotency_key: header_str(headers, "idempotency-key"),
        if_match: header_str(headers, "if-match"),
    }
}

/// `response` with a `Retry-After` of `secs`, when there is one.
fn with_retry_after(mut response: Response, secs: Option<u64>) -> Response {
    if let Some(secs) = secs {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// Rewrite a non-JSON error response (axum's 405, a refused body, ...) into `envelope`,
/// keeping headers such as `Allow` and `Retry-After`.
fn json_errors(response: Response, envelope: Envelope, method: &Method, path: &str) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response
            .extensions()
            .get::<support::DeliberateText>()
            .is_some()
    {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_json_content_type);
    if is_json {
        return response;
    }
    let message = match status {
        StatusCode::METHOD_NOT_ALLOWED => format!("{method} is not allowed on {path}"),
        _ => format!(
            "{method} {path}: {}",
            status.canonical_reason().unwrap_or("error")
        ),
    };
    let mut rewritten = envelope.response(status, envelope.generic_code(status), &message);
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = response.headers().get(&name) {
            rewritten.headers_mut().insert(name, value.clone());
        }
    }
    rewritten
}

fn bind(port: u16) -> anyhow::Result<(TcpListener, String)> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
    listener
        .set_nonblocking(true)
        .context("cannot make the sandbox listener non-blocking")?;
    let addr = listener
        .local_addr()
        .context("the sandbox listener has no address")?;
    Ok((listener, format!("http://{addr}")))
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .context("cannot start the sandbox's runtime")
}

/// Serve until `shutdown` completes, then give requests in flight [`SHUTDOWN_GRACE`].
async fn serve_until(
    listener: TcpListener,
    app_state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let listener = SandboxListener(
        tokio::net::TcpListener::from_std(listener)
            .context("cannot hand the listener to the runtime")?,
    );
    let app = app(app_state).into_make_service_with_connect_info::<DropSwitch>();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let server = tokio::spawn(
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stop_rx.await;
            })
            .into_future(),
    );
    shutdown.await;
    let _ = stop_tx.send(());
    match tokio::time::timeout(SHUTDOWN_GRACE, server).await {
        Ok(Ok(result)) => result.context("the sandbox server failed"),
        Ok(Err(join)) => Err(anyhow::anyhow!("the sandbox server task failed: {join}")),
        // Connections still busy after the grace period are dropped with the runtime.
        Err(_) => Ok(()),
    }
}

/// A sandbox running on a background thread (own current-thread tokio runtime), bound to
/// 127.0.0.1. Dropping it shuts the server down and joins the thread.
pub struct RunningSandbox {
    base_url: String,
    control_token: String,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl RunningSandbox {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// What the control routes require as `Authorization: Bearer`.
    pub fn control_token(&self) -> &str {
        &self.control_token
    }
}

impl std::fmt::Debug for RunningSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSandbox")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Start a sandbox on a background thread; returns once the port is bound.
pub fn start_background(config: SandboxConfig) -> anyhow::Result<RunningSandbox> {
    let (listener, base_url) = bind(config.port)?;
    let runtime = runtime()?;
    let app_state = AppState::new(
        StateStore::new(config.state_path),
        config.jwt_ttl_override,
        base_url.clone(),
    );
    let control_token = app_state.control_token().to_owned();
    let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("agentcred-sandbox".into())
        .spawn(move || {
            let result = runtime.block_on(serve_until(listener, app_state, async move {
                // A dropped sender (RunningSandbox dropped) also means stop.
                let _ = shutdown_rx.await;
            }));
            if let Err(e) = result {
                eprintln!("agentcred sandbox: {e:#}");
            }
        })
        .context("cannot start the sandbox thread")?;
    Ok(RunningSandbox {
        base_url,
        control_token,
        shutdown: Some(shutdown_tx),
        thread: Some(thread),
    })
}

/// Run in the foreground until Ctrl-C or SIGTERM; calls `on_ready(base_url, control_token)`
/// once bound.
pub fn serve_foreground(
    config: SandboxConfig,
    on_ready: impl FnOnce(&str, &str),
) -> anyhow::Result<()> {
    let (listener, base_url) = bind(config.port)?;
    let runtime = runtime()?;
    let app_state = AppState::new(
        StateStore::new(config.state_path),
        config.jwt_ttl_override,
        base_url.clone(),
    );
    runtime.block_on(async move {
        // Install the handlers before announcing readiness, so a signal sent right after the
        // URL is printed is not missed.
        let signals = shutdown_signal()?;
        on_ready(&base_url, app_state.control_token());
        serve_until(listener, app_state, signals).await
    })
}

/// A future that completes on Ctrl-C (or SIGTERM on unix).
fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot listen for SIGTERM")?;
    Ok(async move {
        let mut ctrl_c = pin!(tokio::signal::ctrl_c());
        poll_fn(|cx| {
            if ctrl_c.as_mut().poll(cx).is_ready() {
                return Poll::Ready(());
            }
            #[cfg(unix)]
            if term.poll_recv(cx).is_ready() {
                return Poll::Ready(());
            }
            Poll::Pending
        })
        .await;
    })
}

#[cfg(test)]
mod tests;
