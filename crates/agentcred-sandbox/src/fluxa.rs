//! FluxA: the Agent ID service (`/fluxa/agentid`), the Wallet API (`/fluxa/wallet`) and the
//! owner's pages (`/fluxa/agentwallet`, the sandbox's stand-in for FluxA's agent wallet app),
//! as in docs/providers.md §1, §7 and §8.
//!
//! Agent ID (errors `{"error": code, "message": ...}`):
//! - `POST /register` `{agent_name, email?, client_info?}` → 200 `{agent_id, token, jwt}`. Not
//!   idempotent: every call makes a new agent. 400 `invalid_request` when `agent_name` is
//!   missing or empty.
//! - `POST /refresh` `{agent_id, token}` → 200 `{"jwt"}`; 401 `invalid_token` when the pair does
//!   not match; 400 `invalid_request` when a field is missing.
//! - `POST /agent/vc/issue` (Bearer login JWT) `{challenge, audience, ttl_seconds?}` → 200
//!   `{vc, jti, issued_at, expires_at, kid}` (unix seconds). `challenge` 1..4096 bytes,
//!   `audience` non-empty, `ttl_seconds` an integer 1..86400 (3600 when absent). Needs no
//!   owner approval.
//! - `GET /.well-known/jwks.json` → FluxA's RSA key (`kid` `agent-did-key`); `GET
//!   /public-key.pem` → the same key as a PEM SubjectPublicKeyInfo; `GET /agent/{agent_id}` →
//!   the agent's public record `{agent_id, agent_name, client_info, created_at, kid, jwks_uri}`
//!   (404 `not_found`).
//!
//! Wallet API (Bearer login JWT; errors `{"status":"error","code","message"}`):
//! - `GET /api/agent/self/status?network=base&txLimit=20` → the aggregate of seeds/001.
//! - `GET /api/mandates` → `{"status":"ok","mandates":[...]}`.
//! - `GET /api/mandates/agent/{mandateId}` → `{"status":"ok","mandate":{...}}` (docs/providers.md §1.4);
//!   404 `mandate_not_found`.
//! - `POST /api/mandates/create-intent` `{"intent": {naturalLanguage, currency?, limitAmount,
//!   validForSeconds, category?, hostAllowlist?}}` → 200 `{status:"ok", mandateId,
//!   authorizationUrl (the signing page), expiresAt, agentStatus:"ready"}`; for an agent its
//!   owner has not authorized, 200 `{agentStatus:"needs_wallet_authorization",
//!   authorizationUrl (the authorization page), mandateId: null}`; 400 `invalid_request`.
//! - `POST /api/payouts` `{payoutId, network?, currency?, assetAddress?, toAddress, amount,
//!   description?, ttlSeconds?}` → 200 `{payoutId, status:"pending_authorization", txHash:null,
//!   approvalUrl, expiresAt}` (unix seconds); idempotent by `payoutId` (another request under
//!   the same id: 409 `payout_id_conflict`); more than the USDC balance: 400
//!   `insufficient_balance`. `GET /api/payouts/{payoutId}` → `{"payout": {...}}`; 404
//!   `payout_not_found`.
//! - `POST /api/payment/x402V1Payment`, `POST /api/payment/x402V3Payment` and `POST
//!   /api/v2/payment/x402-payment`: x402 payments from the wallet, debited from its USDC
//!   balance, monthly budget and (V3, v2) mandate; see [`x402`] for bodies and refusals.
//!
//! Bearer checks, in order, as FluxA's `jwtAuth` (seeds/001's error table):
//! missing, malformed or wrongly signed → 401 `agent_auth_failed` ("invalid");
//! an Agent VC (`typ` `agent-vc` in header or payload) → 401 `{"error":"wrong_token_type"}`;
//! expired → 401 `agent_auth_failed` ("expired"); unknown agent → 403 `agent_not_authorized`;
//! an agent its owner has not authorized (every new agent) → 403 `agent_not_authorized` with
//! `authorizationUrl`: the sandbox's page for it, `{base}/fluxa/agentwallet/add-agent?agentId=
//! <id>&name=<name>` (FluxA's own app serves the same path).
//!
//! Owner's pages (HTML, plain forms, no JavaScript; GET changes nothing):
//! - `GET /add-agent?agentId=&name=` shows the agent and an Approve (or Revoke) button; `POST
//!   /add-agent` (form `agentId`, `action` = `approve` | `revoke`) does it.
//! - `GET /mandate/{mandateId}` shows a mandate and, while it waits, a Sign button; `POST` signs.
//! - The same approval from the command line: `agentcred sandbox approve [--revoke]`, through
//!   [`crate::set_owner_approval`] (this module's [`crate::OwnerApproval`]).
//!
//! Tokens: RS256 with FluxA's own key (state key [`KEY_NAME`], generated on first use), header
//! `{"alg":"RS256","typ":"JWT","kid":"agent-did-key"}`, payload `{agent_id, email?, iat, exp}`,
//! lifetime the `fluxa` JWT knob (900 s by default). The long-lived `token` is kept only as its
//! SHA-256.
//!
//! A new agent's wallet is empty and unauthorized. The owner's first approval funds it with
//! realistic demo data: a monthly budget, USDC / credits / XRP balances, four mandates (two
//! spendable, one waiting for a signature, one expired) and a history of 25 transactions, so
//! `hasMore` is true at the default `txLimit`. Revoking keeps the funds for a re-approval. The
//! history is immutable, so the state keeps its seed and id range rather than the 25 records,
//! and [`FluxaAgent::history`] regenerates the same items on every read.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::state::{AppState, ServiceState, StateDoc};
use super::support::{
    Auth, Envelope, form_pairs, format_atomic, hex, html_escape, html_response, iso_ms,
    json_object_body, json_response, now_ms, optional_str, query_escape, query_param, random_hex,
    required_str, sha256_hex, start_of_month_ms, uuid_v4,
};
use super::tokens::{Alg, SigningKey, TokenError};
use super::{Mount, OwnerApproval, SandboxService};
use agentcred_core::validate::looks_like_email;

mod x402;
pub use x402::X402Payment;

/// FluxA in the registry ([`crate::SERVICES`]): `fluxa` in the state file and the knobs.
pub const SERVICE: SandboxService = SandboxService {
    key: "fluxa",
    mounts: &[
        Mount {
            prefix: "/fluxa/agentid",
            env_var: "AGENTCRED_FLUXA_AGENTID_URL",
            envelope: AGENTID_ENVELOPE,
            router: agentid_router,
        },
        Mount {
            prefix: "/fluxa/wallet",
            env_var: "AGENTCRED_FLUXA_WALLET_URL",
            envelope: WALLET_ENVELOPE,
            router: wallet_router,
        },
        Mount {
            prefix: AGENTWALLET_PREFIX,
            env_var: "AGENTCRED_FLUXA_AGENTWALLET_URL",
            envelope: AGENTID_ENVELOPE,
            router: agentwallet_router,
        },
    ],
    // docs/providers.md §1.2
    jwt_ttl_default: Some(900),
    demo_operator_keys: &[],
    owner_approval: Some(OwnerApproval {
        set: set_owner_approval,
    }),
};
/// Where the owner's pages (agent authorization, mandate signing) are mounted: the sandbox's
/// stand-in for FluxA's agent wallet app.
pub const AGENTWALLET_PREFIX: &str = "/fluxa/agentwallet";
/// The state's name of FluxA's RS256 key (its own: no other service signs with it).
pub const KEY_NAME: &str = "fluxa/rs256";
/// The `kid` of every FluxA token.
pub const KID: &str = "agent-did-key";
pub const VC_TYP: &str = "agent-vc";
pub const VC_ISSUER: &str = "fluxa-agent-did";
pub const AGENTID_ENVELOPE: Envelope = Envelope::ErrorMessage;
pub const WALLET_ENVELOPE: Envelope = Envelope::StatusCodeMessage;

const MAX_CHALLENGE_BYTES: usize = 4096;
const MAX_VC_TTL: u64 = 86_400;
const DEFAULT_VC_TTL: u64 = 3600;
const MAX_NAME_CHARS: usize = 200;
/// How many issued VCs are remembered per agent (an audit trail, like FluxA's).
pub const VC_AUDIT_LIMIT: usize = 100;
/// `mandates.items` lists at most this many (seeds/001).
const MANDATE_ITEMS_LIMIT: usize = 200;
pub const SEEDED_TRANSACTIONS: usize = 25;

const USDC: &str = "USDC";
const XRP: &str = "XRP";
const CREDITS: &str = "FLUXA_MONETIZE_CREDITS";

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

pub fn agentid_router() -> Router<AppState> {
    Router::new()
        .route("/register", post(register))
        .route("/refresh", post(refresh))
        .route("/agent/vc/issue", post(issue_vc))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/public-key.pem", get(public_key_pem))
        .route("/agent/{agent_id}", get(agent_record))
}

pub fn wallet_router() -> Router<AppState> {
    Router::new()
        .route("/api/agent/self/status", get(agent_status))
        .route("/api/mandates", get(list_mandates))
        .route("/api/mandates/agent/{mandate_id}", get(get_mandate))
        .route("/api/mandates/create-intent", post(create_intent))
        .route("/api/payouts", post(create_payout))
        .route("/api/payouts/{payout_id}", get(get_payout))
        .route("/api/payment/x402V1Payment", post(x402::x402_v1))
        .route("/api/payment/x402V3Payment", post(x402::x402_v3))
        .route("/api/v2/payment/x402-payment", post(x402::x402_v2))
}

/// The owner's pages: plain HTML forms, no JavaScript. GET shows and changes nothing; the
/// form's POST acts.
pub fn agentwallet_router() -> Router<AppState> {
    Router::new()
        .route("/add-agent", get(add_agent_page).post(add_agent_submit))
        .route(
            "/mandate/{mandate_id}",
            get(mandate_page).post(mandate_submit),
        )
}

// ------------------------------------------------------------------------------------------
// State

/// FluxA's part of the state document.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FluxaState {
    /// Agents registered so far (the numeric `agent.id` is 1000 + this).
    pub agents_created: u64,
    /// Transaction ids handed out so far (each agent reserves [`SEEDED_TRANSACTIONS`]).
    pub transactions_created: u64,
    pub agents: BTreeMap<String, FluxaAgent>,
}

impl ServiceState for FluxaState {
    const KEY: &'static str = SERVICE.key;
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FluxaAgent {
    pub agent_id: String,
    /// The wallet's numeric id for the agent (`agent.id`).
    pub number: u64,
    pub name: String,
    pub email: Option<String>,
    pub client_info: Option<String>,
    /// SHA-256 (hex) of the long-lived refresh token.
    pub token_sha256: String,
    pub created_at: i64,
    /// Whether the agent's owner authorized it in their wallet; false (a new agent) makes the
    /// Wallet API answer 403 `agent_not_authorized` with the authorization URL.
    pub authorized: bool,
    pub authorization_expiry: Option<i64>,
    pub wallet_address: String,
    pub xrp_address: String,
    pub monthly: Monthly,
    pub usdc_available: u64,
    pub credits_available: u64,
    pub credits_frozen: u64,
    pub xrp_available: u64,
    /// Oldest first.
    pub mandates: Vec<Mandate>,
    /// The seed of the agent's transaction history, which [`FluxaAgent::history`] regenerates
    /// identically on every read. The history never changes, and storing it would make every
    /// request (each one parses and rewrites the whole state) several times more expensive.
    pub history_seed: u64,
    /// The id of the oldest seeded transaction; the agent owns the next
    /// [`SEEDED_TRANSACTIONS`] ids. 0 until the wallet is funded (at the first approval).
    pub first_tx_id: u64,
    /// The last [`VC_AUDIT_LIMIT`] VCs issued, newest last.
    pub vcs: Vec<VcRecord>,
    /// Payouts asked for with `POST /api/payouts`, oldest first.
    pub payouts: Vec<Payout>,
    /// x402 payments made, oldest first; they head `recentTransactions`.
    pub payments: Vec<X402Payment>,
}

/// A payout: waits for the owner's authorization at its `approvalUrl` (docs/providers.md §1.4).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Payout {
    /// The client's idempotency key, unique per agent.
    pub payout_id: String,
    pub status: String,
    pub network: String,
    pub currency: String,
    pub asset_address: String,
    pub to_address: String,
    /// Atomic units.
    pub amount: u64,
    pub description: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    pub expires_at: i64,
}

impl Payout {
    fn view(&self, wallet_app: &str, agent: &FluxaAgent) -> Value {
        json!({
            "payoutId": self.payout_id,
            "status": self.status,
            "txHash": Value::Null,
            "approvalUrl": format!("{wallet_app}/authorize-payout/{}", query_escape(&self.payout_id)),
            "expiresAt": self.expires_at,
            "toAddress": self.to_address,
            "amount": self.amount.to_string(),
            "currency": self.currency,
            "network": self.network,
            "assetAddress": self.asset_address,
            "agentId": agent.agent_id,
            "agentName": agent.name,
            "failureReason": Value::Null,
            "createdAt": self.created_at,
            "executedAt": Value::Null,
        })
    }
}

/// The monthly budget in USDC atomic units (6 decimals); `limit: None` means unlimited.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Monthly {
    pub limit: Option<u64>,
    pub spent: u64,
    pub pending: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Mandate {
    pub mandate_id: String,
    /// As stored: `signed`, `pending_signature` or `revoked`. What clients see is the
    /// effective status ([`Mandate::effective_status`]).
    pub status: String,
    pub enabled: bool,
    pub currency: String,
    pub natural_language: String,
    pub category: String,
    pub limit: u64,
    pub spent: u64,
    pub pending: u64,
    pub valid_from: i64,
    pub valid_until: i64,
    pub signed_at: Option<i64>,
    pub created_at: i64,
    pub host_allowlist: Vec<String>,
    pub updated_at: Option<i64>,
}

/// One entry of `recentTransactions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    pub id: u64,
    pub currency: String,
    pub amount: u64,
    /// `payment`, `deposit` or `payout`.
    pub kind: String,
    /// `completed`, `pending` or `failed`.
    pub status: String,
    pub tx_hash: Option<String>,
    pub to_address: Option<String>,
    pub from_address: Option<String>,
    pub failure_reason: Option<String>,
    pub created_at: i64,
}

/// What FluxA keeps about an issued VC: never the challenge itself (docs/providers.md §1.3).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct VcRecord {
    pub jti: String,
    pub audience: String,
    pub challenge_sha256: String,
    pub issued_at: i64,
    pub expires_at: i64,
}

fn decimals_of(currency: &str) -> u32 {
    if currency == CREDITS { 2 } else { 6 }
}

impl Mandate {
    /// A mandate past its `validUntil` reads `expired` whatever it was (seeds/001).
    pub fn effective_status(&self, now: i64) -> &str {
        if self.status != "revoked" && now >= self.valid_until {
            "expired"
        } else {
            &self.status
        }
    }

    pub fn remaining(&self) -> u64 {
        self.limit
            .saturating_sub(self.spent.saturating_add(self.pending))
    }

    /// Spendable right now: signed, enabled, in its window, with budget left.
    pub fn is_open(&self, now: i64) -> bool {
        self.effective_status(now) == "signed"
            && self.enabled
            && self.valid_from <= now
            && self.remaining() > 0
    }

    fn sign_url(&self, wallet_app: &str) -> String {
        format!("{wallet_app}/mandate/{}", self.mandate_id)
    }

    fn view(&self, now: i64, wallet_app: &str) -> Value {
        let decimals = decimals_of(&self.currency);
        let status = self.effective_status(now);
        let approval_url = (status == "pending_signature").then(|| self.sign_url(wallet_app));
        json!({
            "mandateId": self.mandate_id,
            "status": status,
            "isEnabled": self.enabled,
            "currency": self.currency,
            "decimals": decimals,
            "naturalLanguage": self.natural_language,
            "category": self.category,
            "limitAmount": self.limit.to_string(),
            "limitAmountFormatted": format_atomic(self.limit, decimals),
            "spentAmount": self.spent.to_string(),
            "spentAmountFormatted": format_atomic(self.spent, decimals),
            "pendingSpentAmount": self.pending.to_string(),
            "pendingSpentAmountFormatted": format_atomic(self.pending, decimals),
            "remainingAmount": self.remaining().to_string(),
            "remainingAmountFormatted": format_atomic(self.remaining(), decimals),
            "validFrom": iso_ms(self.valid_from),
            "validUntil": iso_ms(self.valid_until),
            "signedAt": self.signed_at.map(iso_ms),
            "createdAt": iso_ms(self.created_at),
            "approvalUrl": approval_url,
        })
    }

    /// The shape of `GET /api/mandates/agent/{mandateId}` (docs/providers.md §1.4).
    fn detail_view(&self, now: i64, wallet_app: &str) -> Value {
        let hash_input = format!(
            "{}|{}|{}|{}|{}",
            self.mandate_id, self.currency, self.limit, self.valid_from, self.valid_until
        );
        json!({
            "mandateId": self.mandate_id,
            "status": self.effective_status(now),
            "naturalLanguage": self.natural_language,
            "category": self.category,
            "currency": self.currency,
            "limitAmount": self.limit.to_string(),
            "spentAmount": self.spent.to_string(),
            "pendingSpentAmount": self.pending.to_string(),
            "remainingAmount": self.remaining().to_string(),
            "validFrom": iso_ms(self.valid_from),
            "validUntil": iso_ms(self.valid_until),
            "hostAllowlist": self.host_allowlist,
            "maxAmountPerTx": Value::Null,
            "mandateHash": format!("0x{}", sha256_hex(hash_input.as_bytes())),
            "signedAt": self.signed_at.map(iso_ms),
            "createdAt": iso_ms(self.created_at),
            "updatedAt": iso_ms(self.updated_at.unwrap_or(self.created_at)),
            "signUrl": self.sign_url(wallet_app),
        })
    }
}

impl Transaction {
    fn view(&self) -> Value {
        let decimals = decimals_of(&self.currency);
        json!({
            "id": self.id,
            "currency": self.currency,
            "decimals": decimals,
            "amount": self.amount.to_string(),
            "amountFormatted": format_atomic(self.amount, decimals),
            "type": self.kind,
            "status": self.status,
            "txHash": self.tx_hash,
            "toAddress": self.to_address,
            "fromAddress": self.from_address,
            "failureReason": self.failure_reason,
            "createdAt": iso_ms(self.created_at),
        })
    }
}

impl FluxaAgent {
    /// The agent's transactions, newest first: [`SEEDED_TRANSACTIONS`] of them over the month
    /// before registration, mostly USDC payments, with deposits, payouts, XRP and credits, one
    /// pending and a few failed. The same seed always gives the same history.
    pub fn history(&self) -> Vec<Transaction> {
        if !self.is_funded() {
            return Vec::new();
        }
        let mut rng = fastrand::Rng::with_seed(self.history_seed);
        let evm = |rng: &mut fastrand::Rng| format!("0x{}", rng_hex(rng, 20));
        let mut history = Vec::with_capacity(SEEDED_TRANSACTIONS);
        for i in 0..SEEDED_TRANSACTIONS {
            let id = self.first_tx_id + (SEEDED_TRANSACTIONS - 1 - i) as u64;
            let created_at =
                self.created_at - 20 * 60_000 - (i as i64) * 26 * HOUR_MS - rng.i64(0..HOUR_MS);
            let (currency, kind, amount) = match rng.u8(0..100) {
                0..=54 => (USDC, "payment", rng.u64(10_000..=5_000_000)),
                55..=69 => (USDC, "deposit", rng.u64(10..=200) * 1_000_000),
                70..=79 => (USDC, "payout", rng.u64(1_000_000..=50_000_000)),
                80..=91 => (XRP, "payment", rng.u64(100_000..=25_000_000)),
                _ => (CREDITS, "payment", rng.u64(50..=2_500)),
            };
            // Money arriving does not fail; outgoing payments and payouts sometimes do, and
            // one of the first few always has, so a short list shows a failure.
            let status = match (i, kind, rng.u8(0..100)) {
                (0, _, _) => "pending",
                (_, "deposit", _) => "completed",
                (3, _, _) | (_, _, 0..=6) => "failed",
                _ => "completed",
            };
            let failure_reason = (status == "failed").then(|| {
                let reasons: &[&str] = if kind == "payout" {
                    &[
                        "user_denied",
                        "tx_confirmation_timeout",
                        "insufficient_balance",
                    ]
                } else {
                    &[
                        "insufficient_balance",
                        "mandate_budget_exceeded",
                        "mandate_expired",
                    ]
                };
                reasons[rng.usize(..reasons.len())].to_owned()
            });
            let tx_hash = match (status, currency) {
                ("completed", USDC) => Some(format!("0x{}", rng_hex(&mut rng, 32))),
                ("completed", XRP) => Some(rng_hex(&mut rng, 32).to_ascii_uppercase()),
                _ => None,
            };
            // fromAddress is often null for received payments (seeds/001).
            let (to_address, from_address) = match (currency, kind) {
                (USDC, "payment") => (Some(evm(&mut rng)), None),
                (USDC, "deposit") => (
                    Some(self.wallet_address.clone()),
                    rng.bool().then(|| evm(&mut rng)),
                ),
                (USDC, _) => (Some(evm(&mut rng)), Some(self.wallet_address.clone())),
                (XRP, _) => (Some(xrp_address(&mut rng)), Some(self.xrp_address.clone())),
                _ => (None, None),
            };
            history.push(Transaction {
                id,
                currency: currency.to_owned(),
                amount,
                kind: kind.to_owned(),
                status: status.to_owned(),
                tx_hash,
                to_address,
                from_address,
                failure_reason,
                created_at,
            });
        }
        history
    }

    /// Whether the wallet got its demo funds (at the owner's first approval).
    pub fn is_funded(&self) -> bool {
        self.first_tx_id != 0
    }

    /// The URL where the owner authorizes this agent: the sandbox's own page (FluxA's app
    /// serves it at `{agent wallet app}/add-agent?agentId=<id>&name=<name>`).
    pub fn authorization_url(&self, wallet_app: &str) -> String {
        format!(
            "{wallet_app}/add-agent?agentId={}&name={}",
            query_escape(&self.agent_id),
            query_escape(&self.name)
        )
    }

    /// Mandates as listed: newest first, at most [`MANDATE_ITEMS_LIMIT`].
    fn mandate_views(&self, now: i64, wallet_app: &str) -> Vec<Value> {
        self.mandates
            .iter()
            .rev()
            .take(MANDATE_ITEMS_LIMIT)
            .map(|m| m.view(now, wallet_app))
            .collect()
    }

    /// The monthly budget of the status body, every amount atomic and formatted.
    fn monthly_view(&self, now: i64) -> Value {
        let m = &self.monthly;
        let remaining = m
            .limit
            .map(|limit| limit.saturating_sub(m.spent.saturating_add(m.pending)));
        let atomic = |v: Option<u64>| v.map(|v| v.to_string());
        let formatted = |v: Option<u64>| v.map(|v| format_atomic(v, 6));
        json!({
            "decimals": 6,
            "unlimited": m.limit.is_none(),
            "limit": atomic(m.limit),
            "limitFormatted": formatted(m.limit),
            "spent": m.spent.to_string(),
            "spentFormatted": format_atomic(m.spent, 6),
            "pending": m.pending.to_string(),
            "pendingFormatted": format_atomic(m.pending, 6),
            "remaining": atomic(remaining),
            "remainingFormatted": formatted(remaining),
            "lastReset": iso_ms(start_of_month_ms(now)),
        })
    }

    /// The balances of the status body, the USDC one on `network`. They are best-effort per
    /// currency: a lookup that cannot be done carries an "error" instead of a value, and the
    /// rest of the response still comes back.
    fn balances_view(&self, network: &str) -> Value {
        let usdc = if is_evm_network(network) {
            json!({
                "network": network,
                "address": self.wallet_address,
                "decimals": 6,
                "available": self.usdc_available.to_string(),
                "availableFormatted": format_atomic(self.usdc_available, 6),
            })
        } else {
            json!({
                "network": network,
                "address": self.wallet_address,
                "decimals": 6,
                "error": format!("unsupported network {network:?} for the USDC balance"),
            })
        };
        let credits_balance = self.credits_available.saturating_add(self.credits_frozen);
        json!({
            "usdc": usdc,
            "credits": {
                "decimals": 2,
                "available": self.credits_available.to_string(),
                "availableFormatted": format_atomic(self.credits_available, 2),
                "balance": credits_balance.to_string(),
                "balanceFormatted": format_atomic(credits_balance, 2),
                "frozen": self.credits_frozen.to_string(),
                "frozenFormatted": format_atomic(self.credits_frozen, 2),
            },
            "xrp": {
                "network": "xrpl-mainnet",
                "address": self.xrp_address,
                "decimals": 6,
                "available": self.xrp_available.to_string(),
                "availableFormatted": format_atomic(self.xrp_available, 6),
            },
        })
    }

    /// The `GET /api/agent/self/status` body.
    fn status_view(&self, network: &str, tx_limit: usize, now: i64, wallet_app: &str) -> Value {
        let monthly = self.monthly_view(now);
        let balances = self.balances_view(network);
        let open = self.mandates.iter().filter(|m| m.is_open(now)).count();
        let mut history: Vec<Transaction> = self
            .payments
            .iter()
            .rev()
            .map(|p| p.transaction(&self.wallet_address))
            .collect();
        history.extend(self.history());
        let transactions: Vec<Value> = history
            .iter()
            .take(tx_limit)
            .map(Transaction::view)
            .collect();
        json!({
            "status": "ok",
            "agent": {
                "id": self.number,
                "externalAgentId": self.agent_id,
                "name": self.name,
                "isAuthorized": self.authorized,
                "authorizationExpiry": self.authorization_expiry.map(iso_ms),
                "walletAddress": self.wallet_address,
                "monthly": monthly,
            },
            "balances": balances,
            "mandates": {
                "open": open,
                "total": self.mandates.len(),
                "itemsTruncated": self.mandates.len() > MANDATE_ITEMS_LIMIT,
                "items": self.mandate_views(now, wallet_app),
            },
            "recentTransactions": {
                "items": transactions,
                "limit": tx_limit,
                "hasMore": history.len() > tx_limit,
            },
        })
    }
}

fn is_evm_network(network: &str) -> bool {
    matches!(
        network,
        "base" | "base-sepolia" | "eip155:8453" | "eip155:84532"
    )
}

// ------------------------------------------------------------------------------------------
// Agent ID handlers

fn invalid_request(message: &str) -> Response {
    AGENTID_ENVELOPE.response(StatusCode::BAD_REQUEST, "invalid_request", message)
}

fn internal(envelope: Envelope, err: &TokenError) -> Response {
    envelope.response(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_error",
        &format!("sandbox signing key unusable: {err}"),
    )
}

/// FluxA's own RS256 key (generated on first use, kept in the state file).
fn fluxa_key(doc: &StateDoc) -> Result<SigningKey, TokenError> {
    doc.named_key(KEY_NAME, Alg::RS256, || KID.to_owned())
}

/// The base URL of the owner's pages on this sandbox.
fn wallet_app(app: &AppState) -> String {
    format!("{}{AGENTWALLET_PREFIX}", app.base_url())
}

/// Sign a login JWT for `agent` with the current FluxA lifetime.
fn login_jwt(app: &AppState, doc: &StateDoc, agent: &FluxaAgent) -> Result<String, TokenError> {
    let (iat, exp) = app.jwt_times(doc, SERVICE.key, now_ms().div_euclid(1000));
    let mut claims = json!({"agent_id": agent.agent_id, "iat": iat, "exp": exp});
    if let Some(email) = &agent.email {
        claims["email"] = json!(email);
    }
    fluxa_key(doc)?.sign(&claims, "JWT", KID)
}

async fn register(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let input = match json_object_body(&headers, &body) {
        Ok(map) => map,
        Err(message) => return invalid_request(&message),
    };
    let name = match required_str(&input, "agent_name") {
        Ok(name) => name.trim().to_owned(),
        Err(message) => return invalid_request(&message),
    };
    if name.chars().count() > MAX_NAME_CHARS {
        return invalid_request(&format!(
            "agent_name must be at most {MAX_NAME_CHARS} characters"
        ));
    }
    let email = match optional_str(&input, "email") {
        Ok(email) => email
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_owned),
        Err(message) => return invalid_request(&message),
    };
    if let Some(email) = &email
        && !looks_like_email(email)
    {
        return invalid_request("email is not a valid email address");
    }
    let client_info = match optional_str(&input, "client_info") {
        Ok(info) => info.map(str::to_owned),
        Err(message) => return invalid_request(&message),
    };

    let token = format!("tok_{}", random_hex(16));
    let token_sha256 = sha256_hex(token.as_bytes());
    let handler_app = app.clone();
    app.transact_response(AGENTID_ENVELOPE, move |doc| {
        let now = now_ms();
        let agent = seed_agent(
            doc.service_mut::<FluxaState>(),
            name,
            email,
            client_info,
            token_sha256,
            now,
        );
        let jwt = match login_jwt(&handler_app, doc, &agent) {
            Ok(jwt) => jwt,
            Err(e) => return internal(AGENTID_ENVELOPE, &e),
        };
        let agent_id = agent.agent_id.clone();
        doc.service_mut::<FluxaState>()
            .agents
            .insert(agent_id.clone(), agent);
        json_response(
            StatusCode::OK,
            json!({"agent_id": agent_id, "token": token, "jwt": jwt}),
        )
    })
    .await
}

async fn refresh(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let input = match json_object_body(&headers, &body) {
        Ok(map) => map,
        Err(message) => return invalid_request(&message),
    };
    let (agent_id, token) = match (
        required_str(&input, "agent_id"),
        required_str(&input, "token"),
    ) {
        (Ok(a), Ok(t)) => (a.to_owned(), t.to_owned()),
        (Err(message), _) | (_, Err(message)) => return invalid_request(&message),
    };
    let token_sha256 = sha256_hex(token.as_bytes());
    let handler_app = app.clone();
    app.read_response(AGENTID_ENVELOPE, move |doc| {
        let agent = match doc.service::<FluxaState>().agents.get(&agent_id) {
            Some(agent) if agent.token_sha256 == token_sha256 => agent,
            _ => {
                return AGENTID_ENVELOPE.response(
                    StatusCode::UNAUTHORIZED,
                    "invalid_token",
                    "agent_id and token do not match a registered agent",
                );
            }
        };
        match login_jwt(&handler_app, doc, agent) {
            Ok(jwt) => json_response(StatusCode::OK, json!({"jwt": jwt})),
            Err(e) => internal(AGENTID_ENVELOPE, &e),
        }
    })
    .await
}

/// Why a Bearer login JWT was refused, in FluxA's `jwtAuth` order (see the module doc).
#[derive(Debug)]
enum AuthFailure {
    Missing,
    Invalid(String),
    WrongTokenType,
    Expired {
        exp: i64,
    },
    /// An unknown (deleted) agent: no URL; an agent its owner has not authorized: where they do.
    NotAuthorized {
        authorization_url: Option<String>,
    },
    Internal(TokenError),
}

impl AuthFailure {
    fn response(&self) -> Response {
        let auth_failed = |message: &str| {
            WALLET_ENVELOPE.response(StatusCode::UNAUTHORIZED, "agent_auth_failed", message)
        };
        match self {
            AuthFailure::Missing => {
                auth_failed("missing AgentID JWT: send Authorization: Bearer <jwt>")
            }
            AuthFailure::Invalid(why) => auth_failed(&format!("invalid AgentID JWT: {why}")),
            AuthFailure::Expired { exp } => auth_failed(&format!(
                "AgentID JWT expired at {}; refresh it with POST /refresh",
                iso_ms(exp.saturating_mul(1000))
            )),
            // FluxA answers this one in the bare `{"error": ...}` shape (seeds/001).
            AuthFailure::WrongTokenType => Envelope::ErrorMessage.response(
                StatusCode::UNAUTHORIZED,
                "wrong_token_type",
                "an Agent VC was sent; this endpoint needs the plain AgentID JWT",
            ),
            AuthFailure::NotAuthorized {
                authorization_url: None,
            } => WALLET_ENVELOPE.response(
                StatusCode::FORBIDDEN,
                "agent_not_authorized",
                "the agent is deleted or not authorized for a wallet",
            ),
            AuthFailure::NotAuthorized {
                authorization_url: Some(url),
            } => {
                let mut body = WALLET_ENVELOPE.body(
                    StatusCode::FORBIDDEN,
                    "agent_not_authorized",
                    "the agent is not authorized for a wallet yet: its owner must open authorizationUrl and approve it",
                );
                body["authorizationUrl"] = json!(url);
                json_response(StatusCode::FORBIDDEN, body)
            }
            AuthFailure::Internal(e) => internal(WALLET_ENVELOPE, e),
        }
    }
}

/// Check a login JWT the way FluxA's `jwtAuth` does and find its agent (authorized or not).
fn authenticate<'a>(
    doc: &'a StateDoc,
    auth: &Auth,
    now_ms: i64,
) -> Result<&'a FluxaAgent, AuthFailure> {
    let token = auth.bearer().ok_or(AuthFailure::Missing)?;
    let key = fluxa_key(doc).map_err(AuthFailure::Internal)?;
    let verified = key.verify_signature(token).map_err(|e| match e {
        TokenError::BadSignature => AuthFailure::Invalid("bad signature".into()),
        e => AuthFailure::Invalid(e.to_string()),
    })?;
    if verified.has_typ(VC_TYP) {
        return Err(AuthFailure::WrongTokenType);
    }
    if let Err(TokenError::Expired { exp }) = verified.check_exp(now_ms.div_euclid(1000)) {
        return Err(AuthFailure::Expired { exp });
    }
    let agent_id = verified
        .claim_str("agent_id")
        .ok_or_else(|| AuthFailure::Invalid("no agent_id claim".into()))?;
    doc.service::<FluxaState>()
        .agents
        .get(agent_id)
        .ok_or(AuthFailure::NotAuthorized {
            authorization_url: None,
        })
}

/// [`authenticate`], and the agent's owner must have authorized it (the Wallet API's rule).
fn authorized<'a>(
    doc: &'a StateDoc,
    auth: &Auth,
    now_ms: i64,
    wallet_app: &str,
) -> Result<&'a FluxaAgent, AuthFailure> {
    let agent = authenticate(doc, auth, now_ms)?;
    if agent.authorized {
        Ok(agent)
    } else {
        Err(AuthFailure::NotAuthorized {
            authorization_url: Some(agent.authorization_url(wallet_app)),
        })
    }
}

async fn issue_vc(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let auth = Auth::from_headers(&headers);
    let input = json_object_body(&headers, &body);
    app.transact_response(AGENTID_ENVELOPE, move |doc| {
        let now = now_ms();
        // Authentication comes first, as in FluxA: an unauthenticated caller learns nothing
        // about its body. A VC needs an Agent ID, not a wallet: no owner approval needed.
        let agent_id = match authenticate(doc, &auth, now) {
            Ok(agent) => agent.agent_id.clone(),
            Err(failure) => return failure.response(),
        };
        let input = match input {
            Ok(map) => map,
            Err(message) => return invalid_request(&message),
        };
        let challenge = match input.get("challenge") {
            Some(Value::String(c)) if !c.is_empty() && c.len() <= MAX_CHALLENGE_BYTES => c.clone(),
            Some(Value::String(c)) if !c.is_empty() => {
                return invalid_request(&format!(
                    "challenge must be at most {MAX_CHALLENGE_BYTES} UTF-8 bytes"
                ));
            }
            Some(Value::String(_)) | None | Some(Value::Null) => {
                return invalid_request("challenge is required");
            }
            Some(_) => return invalid_request("challenge must be a string"),
        };
        let audience = match required_str(&input, "audience") {
            Ok(a) => a.to_owned(),
            Err(message) => return invalid_request(&message),
        };
        let ttl = match input.get("ttl_seconds") {
            None | Some(Value::Null) => DEFAULT_VC_TTL,
            Some(v) => match v.as_u64() {
                Some(t) if (1..=MAX_VC_TTL).contains(&t) => t,
                _ => {
                    return invalid_request(&format!(
                        "ttl_seconds must be an integer from 1 to {MAX_VC_TTL}"
                    ));
                }
            },
        };
        let iat = now.div_euclid(1000);
        let exp = iat.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX));
        let jti = uuid_v4();
        let claims = json!({
            "typ": VC_TYP,
            "sub": agent_id,
            "iss": VC_ISSUER,
            "aud": audience,
            "jti": jti,
            "challenge": challenge,
            "iat": iat,
            "exp": exp,
        });
        let vc = match fluxa_key(doc).and_then(|k| k.sign(&claims, VC_TYP, KID)) {
            Ok(vc) => vc,
            Err(e) => return internal(AGENTID_ENVELOPE, &e),
        };
        if let Some(agent) = doc.service_mut::<FluxaState>().agents.get_mut(&agent_id) {
            agent.vcs.push(VcRecord {
                jti: jti.clone(),
                audience,
                challenge_sha256: sha256_hex(challenge.as_bytes()),
                issued_at: iat,
                expires_at: exp,
            });
            let excess = agent.vcs.len().saturating_sub(VC_AUDIT_LIMIT);
            agent.vcs.drain(..excess);
        }
        json_response(
            StatusCode::OK,
            json!({"vc": vc, "jti": jti, "issued_at": iat, "expires_at": exp, "kid": KID}),
        )
    })
    .await
}

async fn jwks(State(app): State<AppState>) -> Response {
    app.read_response(AGENTID_ENVELOPE, |doc| match fluxa_key(doc) {
        Ok(key) => json_response(StatusCode::OK, key.jwks(KID)),
        Err(e) => internal(AGENTID_ENVELOPE, &e),
    })
    .await
}

/// `GET /public-key.pem`: the JWKS's RSA key as a PEM SubjectPublicKeyInfo.
async fn public_key_pem(State(app): State<AppState>) -> Response {
    app.read_response(AGENTID_ENVELOPE, |doc| {
        match fluxa_key(doc).map(|k| k.public_key_pem()) {
            Ok(Some(pem)) => axum::response::IntoResponse::into_response((
                StatusCode::OK,
                [(axum::http::header::CONTENT_TYPE, "application/x-pem-file")],
                pem,
            )),
            Ok(None) => internal(
                AGENTID_ENVELOPE,
                &TokenError::Malformed("FluxA's key is not RSA".into()),
            ),
            Err(e) => internal(AGENTID_ENVELOPE, &e),
        }
    })
    .await
}

/// `GET /agent/{agent_id}`: the agent's public record (no auth; undocumented shape).
async fn agent_record(State(app): State<AppState>, Path(agent_id): Path<String>) -> Response {
    app.read_response(AGENTID_ENVELOPE, move |doc| {
        match doc.service::<FluxaState>().agents.get(&agent_id) {
            Some(agent) => json_response(
                StatusCode::OK,
                json!({
                    "agent_id": agent.agent_id,
                    "agent_name": agent.name,
                    "client_info": agent.client_info,
                    "created_at": iso_ms(agent.created_at),
                    "kid": KID,
                    "jwks_uri": "/.well-known/jwks.json",
                }),
            ),
            None => AGENTID_ENVELOPE.response(
                StatusCode::NOT_FOUND,
                "not_found",
                &format!("no agent {agent_id}"),
            ),
        }
    })
    .await
}

// ------------------------------------------------------------------------------------------
// Wallet API handlers

/// `txLimit` as FluxA reads it: an integer clamped to 1..100, 20 when absent or unparsable.
fn tx_limit(raw: Option<String>) -> usize {
    match raw.and_then(|s| s.trim().parse::<i64>().ok()) {
        Some(n) => usize::try_from(n.clamp(1, 100)).unwrap_or(20),
        None => 20,
    }
}

async fn agent_status(State(app): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    let auth = Auth::from_headers(&headers);
    let network = query_param(uri.query(), "network")
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "base".to_owned());
    let limit = tx_limit(query_param(uri.query(), "txLimit"));
    let wallet_app = wallet_app(&app);
    app.read_response(WALLET_ENVELOPE, move |doc| {
        let now = now_ms();
        match authorized(doc, &auth, now, &wallet_app) {
            Ok(agent) => json_response(
                StatusCode::OK,
                agent.status_view(&network, limit, now, &wallet_app),
            ),
            Err(failure) => failure.response(),
        }
    })
    .await
}

async fn list_mandates(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let auth = Auth::from_headers(&headers);
    let wallet_app = wallet_app(&app);
    app.read_response(WALLET_ENVELOPE, move |doc| {
        let now = now_ms();
        match authorized(doc, &auth, now, &wallet_app) {
            Ok(agent) => json_response(
                StatusCode::OK,
                json!({"status": "ok", "mandates": agent.mandate_views(now, &wallet_app)}),
            ),
            Err(failure) => failure.response(),
        }
    })
    .await
}

/// `GET /api/mandates/agent/{mandateId}`: one of the agent's mandates.
async fn get_mandate(
    State(app): State<AppState>,
    Path(mandate_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let auth = Auth::from_headers(&headers);
    let wallet_app = wallet_app(&app);
    app.read_response(WALLET_ENVELOPE, move |doc| {
        let now = now_ms();
        let agent = match authorized(doc, &auth, now, &wallet_app) {
            Ok(agent) => agent,
            Err(failure) => return failure.response(),
        };
        match agent.mandates.iter().find(|m| m.mandate_id == mandate_id) {
            Some(m) => json_response(
                StatusCode::OK,
                json!({"status": "ok", "mandate": m.detail_view(now, &wallet_app)}),
            ),
            None => WALLET_ENVELOPE.response(
                StatusCode::NOT_FOUND,
                "mandate_not_found",
                &format!("no mandate {mandate_id} for this agent"),
            ),
        }
    })
    .await
}

/// A mandate intent as `create-intent` takes it (`{"intent": {...}}`, docs/providers.md §1.4).
fn parse_intent(input: &serde_json::Map<String, Value>, now: i64) -> Result<Mandate, String> {
    let Some(Value::Object(intent)) = input.get("intent") else {
        return Err("intent is required (an object)".into());
    };
    let natural_language = required_str(intent, "naturalLanguage")?.trim().to_owned();
    let currency = match optional_str(intent, "currency")?.map(str::to_ascii_uppercase) {
        None => USDC.to_owned(),
        Some(c) if [USDC, XRP, CREDITS].contains(&c.as_str()) => c,
        Some(c) => {
            return Err(format!(
                "currency {c} is not supported (USDC, XRP, FLUXA_MONETIZE_CREDITS)"
            ));
        }
    };
    let limit = match intent.get("limitAmount") {
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        Some(Value::Number(n)) => n.as_u64(),
        _ => None,
    }
    .filter(|l| *l > 0)
    .ok_or("limitAmount is required: a positive atomic-unit integer string")?;
    const YEAR_SECS: u64 = 365 * 86_400;
    let valid_for = intent
        .get("validForSeconds")
        .and_then(Value::as_u64)
        .filter(|v| (1..=YEAR_SECS).contains(v))
        .ok_or(format!("validForSeconds is required: 1 to {YEAR_SECS}"))?;
    let category = optional_str(intent, "category")?
        .map(str::to_owned)
        .unwrap_or_else(|| "general".to_owned());
    let host_allowlist = match intent.get("hostAllowlist") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(hosts)) => hosts
            .iter()
            .map(|h| h.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or("hostAllowlist must be an array of strings")?,
        Some(_) => return Err("hostAllowlist must be an array of strings".into()),
    };
    Ok(Mandate {
        mandate_id: format!("mand_{}", random_hex(8)),
        status: "pending_signature".into(),
        enabled: true,
        currency,
        natural_language,
        category,
        limit,
        valid_from: now,
        valid_until: now.saturating_add(i64::try_from(valid_for).unwrap_or(0) * 1000),
        created_at: now,
        host_allowlist,
        ..Mandate::default()
    })
}

/// `POST /api/mandates/create-intent`: a mandate waiting for the owner's signature. An agent
/// its owner has not authorized gets 200 `agentStatus: "needs_wallet_authorization"` and the
/// authorization URL instead (docs/providers.md §1.4, §8).
async fn create_intent(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let auth = Auth::from_headers(&headers);
    let input = json_object_body(&headers, &body);
    let wallet_app = wallet_app(&app);
    app.transact_response(WALLET_ENVELOPE, move |doc| {
        let now = now_ms();
        let agent = match authenticate(doc, &auth, now) {
            Ok(agent) => agent,
            Err(failure) => return failure.response(),
        };
        let invalid =
            |m: &str| WALLET_ENVELOPE.response(StatusCode::BAD_REQUEST, "invalid_request", m);
        let mandate = match input
            .as_ref()
            .map_err(String::clone)
            .and_then(|i| parse_intent(i, now))
        {
            Ok(m) => m,
            Err(message) => return invalid(&message),
        };
        if !agent.authorized {
            return json_response(
                StatusCode::OK,
                json!({
                    "status": "ok",
                    "mandateId": Value::Null,
                    "authorizationUrl": agent.authorization_url(&wallet_app),
                    "expiresAt": Value::Null,
                    "agentStatus": "needs_wallet_authorization",
                }),
            );
        }
        let agent_id = agent.agent_id.clone();
        let answer = json!({
            "status": "ok",
            "mandateId": mandate.mandate_id,
            "authorizationUrl": mandate.sign_url(&wallet_app),
            "expiresAt": iso_ms(mandate.valid_until),
            "agentStatus": "ready",
        });
        if let Some(agent) = doc.service_mut::<FluxaState>().agents.get_mut(&agent_id) {
            agent.mandates.push(mandate);
        }
        json_response(StatusCode::OK, answer)
    })
    .await
}

/// What `POST /api/payouts` takes (docs/providers.md §1.4): `payoutId`, `network`, `currency`,
/// `assetAddress`, `toAddress`, `amount` (atomic string), optional `description`,
/// `ttlSeconds` (60-3600) and the fields FluxA accepts and this emulator ignores.
fn parse_payout(input: &serde_json::Map<String, Value>, now: i64) -> Result<Payout, String> {
    let payout_id = required_str(input, "payoutId")?.trim().to_owned();
    if payout_id.is_empty() || payout_id.len() > 128 {
        return Err("payoutId is required: 1 to 128 characters".into());
    }
    let network = optional_str(input, "network")?.unwrap_or("base").to_owned();
    if network != "base" && network != "eip155:8453" {
        return Err(format!(
            "network {network} is not supported for payouts (base)"
        ));
    }
    let currency = optional_str(input, "currency")?
        .unwrap_or(USDC)
        .to_ascii_uppercase();
    if currency != USDC {
        return Err(format!(
            "currency {currency} is not supported for payouts (USDC)"
        ));
    }
    let to_address = required_str(input, "toAddress")?.to_owned();
    if !(to_address.len() == 42 && to_address.starts_with("0x")) {
        return Err("toAddress must be a 0x-prefixed 20-byte address".into());
    }
    let amount = match input.get("amount") {
        Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse::<u64>().ok()
        }
        _ => None,
    }
    .filter(|a| *a > 0)
    .ok_or("amount is required: a positive atomic-unit integer string")?;
    let ttl = match input.get("ttlSeconds") {
        None | Some(Value::Null) => 600,
        Some(v) => v
            .as_i64()
            .filter(|t| (60..=3600).contains(t))
            .ok_or("ttlSeconds must be 60 to 3600")?,
    };
    let now_secs = now.div_euclid(1000);
    Ok(Payout {
        payout_id,
        status: "pending_authorization".into(),
        network: "base".into(),
        currency,
        asset_address: optional_str(input, "assetAddress")?
            .unwrap_or("0x833589fCD6Edb6E08f4c7C32D4f71b54bdA02913")
            .to_owned(),
        to_address,
        amount,
        description: optional_str(input, "description")?.map(str::to_owned),
        created_at: now_secs,
        expires_at: now_secs + ttl,
    })
}

/// `POST /api/payouts`: a payout waiting for the owner's authorization. Idempotent by
/// `payoutId`: the same id with the same request answers the first payout again; with
/// another request it is refused (409 `payout_id_conflict`).
async fn create_payout(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let auth = Auth::from_headers(&headers);
    let input = json_object_body(&headers, &body);
    let wallet_app = wallet_app(&app);
    app.transact_response(WALLET_ENVELOPE, move |doc| {
        let now = now_ms();
        let agent = match authorized(doc, &auth, now, &wallet_app) {
            Ok(agent) => agent,
            Err(failure) => return failure.response(),
        };
        let payout = match input
            .as_ref()
            .map_err(String::clone)
            .and_then(|i| parse_payout(i, now))
        {
            Ok(p) => p,
            Err(message) => {
                return WALLET_ENVELOPE.response(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    &message,
                );
            }
        };
        if let Some(existing) = agent
            .payouts
            .iter()
            .find(|p| p.payout_id == payout.payout_id)
        {
            let same = existing.amount == payout.amount && existing.to_address == payout.to_address;
            return if same {
                json_response(StatusCode::OK, existing.view(&wallet_app, agent))
            } else {
                WALLET_ENVELOPE.response(
                    StatusCode::CONFLICT,
                    "payout_id_conflict",
                    &format!("payoutId {} was used for another payout", payout.payout_id),
                )
            };
        }
        if payout.amount > agent.usdc_available {
            return WALLET_ENVELOPE.response(
                StatusCode::BAD_REQUEST,
                "insufficient_balance",
                &format!(
                    "the wallet holds {} USDC atomic units, less than the payout's {}",
                    agent.usdc_available, payout.amount
                ),
            );
        }
        let answer = payout.view(&wallet_app, agent);
        let agent_id = agent.agent_id.clone();
        if let Some(agent) = doc.service_mut::<FluxaState>().agents.get_mut(&agent_id) {
            agent.payouts.push(payout);
        }
        json_response(StatusCode::OK, answer)
    })
    .await
}

/// `GET /api/payouts/{payoutId}`: `{"payout": {...}}` (timestamps in unix seconds).
async fn get_payout(
    State(app): State<AppState>,
    Path(payout_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let auth = Auth::from_headers(&headers);
    let wallet_app = wallet_app(&app);
    app.read_response(WALLET_ENVELOPE, move |doc| {
        let now = now_ms();
        let agent = match authorized(doc, &auth, now, &wallet_app) {
            Ok(agent) => agent,
            Err(failure) => return failure.response(),
        };
        match agent.payouts.iter().find(|p| p.payout_id == payout_id) {
            Some(p) => json_response(
                StatusCode::OK,
                json!({"payout": p.view(&wallet_app, agent)}),
            ),
            None => WALLET_ENVELOPE.response(
                StatusCode::NOT_FOUND,
                "payout_not_found",
                &format!("no payout {payout_id} for this agent"),
            ),
        }
    })
    .await
}

// ------------------------------------------------------------------------------------------
// The owner's side: authorization and mandate signing

/// [`crate::OwnerApproval::set`] for FluxA: approving authorizes the agent for a year and, the
/// first time, funds its wallet with the demo balances, mandates and history; taking the
/// approval back makes the Wallet API refuse it again (its wallet is kept for a re-approval).
fn set_owner_approval(doc: &mut StateDoc, agent_id: &str, approve: bool) -> Result<(), String> {
    let fluxa = doc.service_mut::<FluxaState>();
    let Some(agent) = fluxa.agents.get(agent_id) else {
        return Err(format!("no FluxA agent {agent_id} in this sandbox"));
    };
    let now = now_ms();
    if approve && !agent.is_funded() {
        let first_tx_id = 90_001 + fluxa.transactions_created;
        fluxa.transactions_created += SEEDED_TRANSACTIONS as u64;
        if let Some(agent) = fluxa.agents.get_mut(agent_id) {
            fund(agent, first_tx_id, now);
        }
    }
    if let Some(agent) = fluxa.agents.get_mut(agent_id) {
        agent.authorized = approve;
        agent.authorization_expiry = approve.then_some(now + 365 * DAY_MS);
    }
    Ok(())
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    html_response(
        status,
        format!(
            "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{t} - FluxA sandbox</title></head>\n<body>\n<h1>{t}</h1>\n{body}\n<p><small>agentcred sandbox: a stand-in for the FluxA agent wallet app.</small></p>\n</body></html>\n",
            t = html_escape(title)
        ),
    )
}

fn no_such_agent(agent_id: &str) -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Unknown agent",
        &format!(
            "<p>No agent <code>{}</code> is registered in this sandbox.</p>",
            html_escape(agent_id)
        ),
    )
}

/// The agent's state as a sentence and the owner's form for it.
fn add_agent_form(agent: &FluxaAgent, action: &str) -> String {
    let (state, button, value) = if agent.authorized {
        ("is authorized to use your wallet", "Revoke", "revoke")
    } else {
        ("is asking to use your wallet", "Approve", "approve")
    };
    format!(
        "<p>Agent <strong>{name}</strong> (<code>{id}</code>) {state}.</p>\n<form method=\"post\" action=\"{action}\">\n<input type=\"hidden\" name=\"agentId\" value=\"{id}\">\n<input type=\"hidden\" name=\"action\" value=\"{value}\">\n<button type=\"submit\">{button}</button>\n</form>",
        name = html_escape(&agent.name),
        id = html_escape(&agent.agent_id),
        action = html_escape(action),
    )
}

/// `GET /add-agent?agentId=&name=`: the owner's authorization page; changes nothing.
async fn add_agent_page(State(app): State<AppState>, uri: Uri) -> Response {
    let agent_id = query_param(uri.query(), "agentId").unwrap_or_default();
    let action = format!("{}/add-agent", wallet_app(&app));
    app.read_response(AGENTID_ENVELOPE, move |doc| {
        match doc.service::<FluxaState>().agents.get(&agent_id) {
            Some(agent) => page(
                StatusCode::OK,
                "Authorize an agent",
                &add_agent_form(agent, &action),
            ),
            None => no_such_agent(&agent_id),
        }
    })
    .await
}

/// `POST /add-agent` (form `agentId`, `action` = `approve` | `revoke`): the owner decides.
async fn add_agent_submit(State(app): State<AppState>, body: Bytes) -> Response {
    let form = form_pairs(&body);
    let field = |name: &str| {
        form.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (agent_id, act) = (field("agentId"), field("action"));
    let approve = match act.as_str() {
        "" | "approve" => true,
        "revoke" => false,
        other => {
            return page(
                StatusCode::BAD_REQUEST,
                "Unknown action",
                &format!(
                    "<p>Action <code>{}</code> is not approve or revoke.</p>",
                    html_escape(other)
                ),
            );
        }
    };
    let action = format!("{}/add-agent", wallet_app(&app));
    app.transact_response(AGENTID_ENVELOPE, move |doc| {
        if set_owner_approval(doc, &agent_id, approve).is_err() {
            return no_such_agent(&agent_id);
        }
        let Some(agent) = doc.service::<FluxaState>().agents.get(&agent_id) else {
            return no_such_agent(&agent_id);
        };
        let title = if approve {
            "Agent approved"
        } else {
            "Authorization revoked"
        };
        page(StatusCode::OK, title, &add_agent_form(agent, &action))
    })
    .await
}

/// The agent and index of a mandate, by id, across agents.
fn find_mandate<'a>(fluxa: &'a FluxaState, mandate_id: &str) -> Option<(&'a FluxaAgent, usize)> {
    fluxa.agents.values().find_map(|a| {
        a.mandates
            .iter()
            .position(|m| m.mandate_id == mandate_id)
            .map(|i| (a, i))
    })
}

fn mandate_form(agent: &FluxaAgent, m: &Mandate, now: i64, action: &str) -> String {
    let decimals = decimals_of(&m.currency);
    let status = m.effective_status(now);
    let button = if status == "pending_signature" {
        format!(
            "<form method=\"post\" action=\"{}\"><button type=\"submit\">Sign</button></form>",
            html_escape(action)
        )
    } else {
        String::new()
    };
    format!(
        "<p>Agent <strong>{}</strong> asks: {}</p>\n<p>Up to {} {} until {}. Status: <code>{}</code>.</p>\n{button}",
        html_escape(&agent.name),
        html_escape(&m.natural_language),
        format_atomic(m.limit, decimals),
        html_escape(&m.currency),
        iso_ms(m.valid_until),
        html_escape(status),
    )
}

/// `GET /mandate/{id}`: the owner's signing page; changes nothing.
async fn mandate_page(State(app): State<AppState>, Path(mandate_id): Path<String>) -> Response {
    let action = format!("{}/mandate/{mandate_id}", wallet_app(&app));
    app.read_response(AGENTID_ENVELOPE, move |doc| {
        match find_mandate(doc.service::<FluxaState>(), &mandate_id) {
            Some((agent, i)) => page(
                StatusCode::OK,
                "Sign a mandate",
                &mandate_form(agent, &agent.mandates[i], now_ms(), &action),
            ),
            None => page(
                StatusCode::NOT_FOUND,
                "Unknown mandate",
                "<p>No such mandate.</p>",
            ),
        }
    })
    .await
}

/// `POST /mandate/{id}`: the owner signs a mandate waiting for a signature.
async fn mandate_submit(State(app): State<AppState>, Path(mandate_id): Path<String>) -> Response {
    let action = format!("{}/mandate/{mandate_id}", wallet_app(&app));
    app.transact_response(AGENTID_ENVELOPE, move |doc| {
        let now = now_ms();
        let fluxa = doc.service_mut::<FluxaState>();
        let Some(agent_id) = find_mandate(fluxa, &mandate_id).map(|(a, _)| a.agent_id.clone())
        else {
            return page(
                StatusCode::NOT_FOUND,
                "Unknown mandate",
                "<p>No such mandate.</p>",
            );
        };
        let Some(agent) = fluxa.agents.get_mut(&agent_id) else {
            return page(
                StatusCode::NOT_FOUND,
                "Unknown mandate",
                "<p>No such mandate.</p>",
            );
        };
        let Some(i) = agent
            .mandates
            .iter()
            .position(|m| m.mandate_id == mandate_id)
        else {
            return page(
                StatusCode::NOT_FOUND,
                "Unknown mandate",
                "<p>No such mandate.</p>",
            );
        };
        if agent.mandates[i].effective_status(now) == "pending_signature" {
            let m = &mut agent.mandates[i];
            m.status = "signed".into();
            m.signed_at = Some(now);
            m.updated_at = Some(now);
        }
        let agent = &*agent;
        page(
            StatusCode::OK,
            "Mandate",
            &mandate_form(agent, &agent.mandates[i], now, &action),
        )
    })
    .await
}

// ------------------------------------------------------------------------------------------
// Seed data for a new agent

const XRPL_ALPHABET: &[u8] = b"rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz";

fn evm_address() -> String {
    format!("0x{}", random_hex(20))
}

fn rng_hex(rng: &mut fastrand::Rng, n: usize) -> String {
    let bytes: Vec<u8> = std::iter::repeat_with(|| rng.u8(..)).take(n).collect();
    hex(&bytes)
}

fn xrp_address(rng: &mut fastrand::Rng) -> String {
    let mut s = String::from("r");
    for _ in 0..33 {
        s.push(XRPL_ALPHABET[rng.usize(..XRPL_ALPHABET.len())] as char);
    }
    s
}

/// A new agent with a fresh id and its addresses, not yet authorized by its owner, with an
/// empty wallet (as every real agent starts). Ids never repeat within the state.
fn seed_agent(
    fluxa: &mut FluxaState,
    name: String,
    email: Option<String>,
    client_info: Option<String>,
    token_sha256: String,
    now: i64,
) -> FluxaAgent {
    let mut rng = fastrand::Rng::new();
    let agent_id = loop {
        let id = format!("ag_{}", random_hex(8));
        if !fluxa.agents.contains_key(&id) {
            break id;
        }
    };
    fluxa.agents_created += 1;
    FluxaAgent {
        agent_id,
        number: 1000 + fluxa.agents_created,
        name,
        email,
        client_info,
        token_sha256,
        created_at: now,
        authorized: false,
        authorization_expiry: None,
        wallet_address: evm_address(),
        xrp_address: xrp_address(&mut rng),
        monthly: Monthly::default(),
        history_seed: rng.u64(..),
        ..FluxaAgent::default()
    }
}

/// The demo wallet's four mandates, as of `now`: one expired, two spendable (USDC and
/// credits), one waiting for a signature.
fn demo_mandates(now: i64) -> Vec<Mandate> {
    let mandate = |status: &str, currency: &str, text: &str, category: &str| Mandate {
        mandate_id: format!("mand_{}", random_hex(8)),
        status: status.to_owned(),
        enabled: true,
        currency: currency.to_owned(),
        natural_language: text.to_owned(),
        category: category.to_owned(),
        ..Mandate::default()
    };
    vec![
        // Signed long ago and past its window: reads `expired`.
        Mandate {
            limit: 5_000_000,
            spent: 4_200_000,
            created_at: now - 40 * DAY_MS,
            valid_from: now - 40 * DAY_MS,
            valid_until: now - 10 * DAY_MS,
            signed_at: Some(now - 40 * DAY_MS + 5 * 60_000),
            ..mandate(
                "signed",
                USDC,
                "Pay up to 5 USDC for one web search batch",
                "search",
            )
        },
        // The documented example: spendable, partly used.
        Mandate {
            limit: 100_000_000,
            spent: 12_500_000,
            created_at: now - 2 * DAY_MS,
            valid_from: now - 2 * DAY_MS,
            valid_until: now + 28 * DAY_MS,
            signed_at: Some(now - 2 * DAY_MS + 10 * 60_000),
            ..mandate("signed", USDC, "Pay up to 100 USDC this month", "api")
        },
        // Credits, 2 decimals.
        Mandate {
            limit: 2_000,
            spent: 350,
            pending: 25,
            created_at: now - DAY_MS,
            valid_from: now - DAY_MS,
            valid_until: now + 6 * DAY_MS,
            signed_at: Some(now - DAY_MS + 2 * 60_000),
            ..mandate(
                "signed",
                CREDITS,
                "Spend up to 20 credits this week on data APIs",
                "data",
            )
        },
        // Waiting for the user: has an approvalUrl.
        Mandate {
            limit: 25_000_000,
            created_at: now - HOUR_MS,
            valid_from: now - HOUR_MS,
            valid_until: now + 7 * DAY_MS,
            ..mandate(
                "pending_signature",
                USDC,
                "Pay up to 25 USDC for travel bookings",
                "travel",
            )
        },
    ]
}

/// Give an agent's wallet the demo funds: a monthly budget, balances in three currencies,
/// four mandates (two spendable, one waiting for a signature, one expired) and a history of
/// [`SEEDED_TRANSACTIONS`] transactions from `first_tx_id` on, so `hasMore` is true at the
/// default `txLimit`. Amounts are random so that every agent looks different.
fn fund(agent: &mut FluxaAgent, first_tx_id: u64, now: i64) {
    let mut rng = fastrand::Rng::new();
    let mandates = demo_mandates(now);
    let credits_available = rng.u64(1_000..=20_000);
    agent.monthly = Monthly {
        limit: Some(100_000_000),
        spent: 12_500_000,
        pending: 0,
    };
    agent.usdc_available = rng.u64(20_000_000..=500_000_000);
    agent.credits_available = credits_available;
    agent.credits_frozen = rng.u64(0..=credits_available / 4);
    agent.xrp_available = rng.u64(10_000_000..=900_000_000);
    agent.mandates.splice(0..0, mandates);
    agent.first_tx_id = first_tx_id;
}

#[cfg(test)]
mod tests {
    use super::super::testkit::Harness;
    use super::*;

    /// A new agent, not yet authorized.
    fn register_only(h: &Harness, name: &str) -> Value {
        let (status, body) = h.post_json(
            "/fluxa/agentid/register",
            &json!({"agent_name": name, "client_info": "agentcred-test"}),
        );
        assert_eq!(status, 200, "{body}");
        body
    }

    /// The owner's Approve (or Revoke) button on the authorization page.
    fn owner_submits(h: &Harness, agent_id: &str, action: &str) -> (u16, String) {
        let response = h
            .client
            .post(h.url("/fluxa/agentwallet/add-agent"))
            .form(&[("agentId", agent_id), ("action", action)])
            .send()
            .unwrap();
        (response.status().as_u16(), response.text().unwrap())
    }

    /// A new agent its owner approved.
    fn register(h: &Harness, name: &str) -> Value {
        let body = register_only(h, name);
        let (status, page) = owner_submits(h, body["agent_id"].as_str().unwrap(), "approve");
        assert_eq!(status, 200, "{page}");
        body
    }

    fn fluxa_key(h: &Harness) -> SigningKey {
        let (doc, _) = h.state_doc_key();
        serde_json::from_value::<crate::state::StoredKey>(doc["keys"][KEY_NAME].clone())
            .unwrap()
            .load(KID)
            .unwrap()
    }

    fn is_iso_ms(v: &Value) -> bool {
        let s = v.as_str().unwrap_or("");
        s.len() == 24 && s.ends_with('Z') && &s[19..20] == "."
    }

    /// Every `<field>` with a `<field>Formatted` twin renders exactly with `decimals`.
    fn check_formatted(obj: &Value, decimals: u32) {
        let map = obj.as_object().unwrap();
        let mut checked = 0;
        for (key, value) in map {
            if let Some(base) = key.strip_suffix("Formatted") {
                match (&map[base], value) {
                    (Value::String(atomic), Value::String(formatted)) => {
                        let atomic: u64 = atomic.parse().unwrap();
                        assert_eq!(
                            formatted,
                            &format_atomic(atomic, decimals),
                            "{key} in {obj}"
                        );
                    }
                    (Value::Null, Value::Null) => {}
                    other => panic!("{key}: {other:?}"),
                }
                checked += 1;
            }
        }
        assert!(checked > 0, "no *Formatted fields in {obj}");
    }

    #[test]
    fn register_then_status_has_the_documented_shape() {
        let h = Harness::start();
        let reg = register(&h, "Trading Agent");
        let agent_id = reg["agent_id"].as_str().unwrap();
        assert!(
            agent_id.starts_with("ag_") && agent_id.len() == 19,
            "{agent_id}"
        );
        let token = reg["token"].as_str().unwrap();
        assert!(token.starts_with("tok_") && token.len() == 36);
        let jwt = reg["jwt"].as_str().unwrap();

        // The JWT decodes to the documented header and claims.
        let decoded = super::super::tokens::decode_unverified(jwt).unwrap();
        assert_eq!(decoded.header["typ"], "JWT");
        assert_eq!(decoded.header["kid"], KID);
        assert_eq!(decoded.claims["agent_id"], agent_id);
        let iat = decoded.claims["iat"].as_i64().unwrap();
        assert_eq!(decoded.claims["exp"].as_i64().unwrap() - iat, 900);
        assert!(decoded.claims.get("email").is_none());

        let (status, body) = h.get_bearer(
            "/fluxa/wallet/api/agent/self/status?network=base&txLimit=20",
            jwt,
        );
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["status"], "ok");
        let agent = &body["agent"];
        assert!(agent["id"].is_u64());
        assert_eq!(agent["externalAgentId"], agent_id);
        assert_eq!(agent["name"], "Trading Agent");
        assert_eq!(agent["isAuthorized"], true);
        assert!(is_iso_ms(&agent["authorizationExpiry"]));
        let wallet = agent["walletAddress"].as_str().unwrap();
        assert!(wallet.starts_with("0x") && wallet.len() == 42);
        let monthly = &agent["monthly"];
        assert_eq!(monthly["decimals"], 6);
        assert_eq!(monthly["unlimited"], false);
        assert_eq!(monthly["limit"], "100000000");
        assert_eq!(monthly["spent"], "12500000");
        assert_eq!(monthly["pending"], "0");
        assert_eq!(monthly["remaining"], "87500000");
        assert_eq!(monthly["remainingFormatted"], "87.5");
        assert!(
            monthly["lastReset"]
                .as_str()
                .unwrap()
                .ends_with("-01T00:00:00.000Z")
        );
        check_formatted(monthly, 6);

        let balances = &body["balances"];
        assert_eq!(balances["usdc"]["network"], "base");
        assert_eq!(balances["usdc"]["address"], wallet);
        check_formatted(&balances["usdc"], 6);
        check_formatted(&balances["credits"], 2);
        let credits = &balances["credits"];
        let n = |v: &Value| v.as_str().unwrap().parse::<u64>().unwrap();
        assert_eq!(
            n(&credits["balance"]),
            n(&credits["available"]) + n(&credits["frozen"])
        );
        assert_eq!(balances["xrp"]["network"], "xrpl-mainnet");
        assert_eq!(balances["xrp"]["decimals"], 6);
        check_formatted(&balances["xrp"], 6);

        let mandates = &body["mandates"];
        assert_eq!(mandates["total"], 4);
        assert_eq!(mandates["open"], 2);
        assert_eq!(mandates["itemsTruncated"], false);
        let items = mandates["items"].as_array().unwrap();
        let by_status = |s: &str| items.iter().find(|m| m["status"] == s).unwrap();
        assert!(by_status("signed")["approvalUrl"].is_null());
        assert!(
            by_status("pending_signature")["approvalUrl"]
                .as_str()
                .unwrap()
                .starts_with(&format!(
                    "{}/fluxa/agentwallet/mandate/mand_",
                    h.sandbox.base_url()
                ))
        );
        assert!(by_status("pending_signature")["signedAt"].is_null());
        assert!(by_status("expired")["approvalUrl"].is_null());
        for m in items {
            check_formatted(m, m["decimals"].as_u64().unwrap() as u32);
            for field in ["validFrom", "validUntil", "createdAt"] {
                assert!(is_iso_ms(&m[field]), "{field} in {m}");
            }
        }

        let recent = &body["recentTransactions"];
        assert_eq!(recent["limit"], 20);
        assert_eq!(recent["hasMore"], true);
        let txs = recent["items"].as_array().unwrap();
        assert_eq!(txs.len(), 20);
        let times: Vec<&str> = txs
            .iter()
            .map(|t| t["createdAt"].as_str().unwrap())
            .collect();
        assert!(
            times.windows(2).all(|w| w[0] >= w[1]),
            "newest first: {times:?}"
        );
        for tx in txs {
            for field in [
                "id",
                "currency",
                "decimals",
                "amount",
                "amountFormatted",
                "type",
                "status",
                "txHash",
                "toAddress",
                "fromAddress",
                "failureReason",
                "createdAt",
            ] {
                assert!(tx.get(field).is_some(), "{field} missing in {tx}");
            }
            check_formatted(tx, tx["decimals"].as_u64().unwrap() as u32);
        }

        // txLimit is clamped; an unknown network gets an error in the usdc block only.
        let (_, all) = h.get_bearer("/fluxa/wallet/api/agent/self/status?txLimit=500", jwt);
        assert_eq!(all["recentTransactions"]["limit"], 100);
        assert_eq!(
            all["recentTransactions"]["items"].as_array().unwrap().len(),
            25
        );
        assert_eq!(all["recentTransactions"]["hasMore"], false);
        let (_, few) = h.get_bearer(
            "/fluxa/wallet/api/agent/self/status?txLimit=0&network=solana",
            jwt,
        );
        assert_eq!(few["recentTransactions"]["limit"], 1);
        assert!(few["balances"]["usdc"]["error"].is_string());
        assert_eq!(few["balances"]["usdc"]["network"], "solana");

        // The history is the same on every read, and its ids are the agent's own.
        let (_, again) = h.get_bearer("/fluxa/wallet/api/agent/self/status?txLimit=100", jwt);
        assert_eq!(again["recentTransactions"], all["recentTransactions"]);
        let other = register(&h, "Other");
        let (_, theirs) = h.get_bearer(
            "/fluxa/wallet/api/agent/self/status?txLimit=100",
            other["jwt"].as_str().unwrap(),
        );
        let ids = |v: &Value| -> Vec<u64> {
            v["recentTransactions"]["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_u64().unwrap())
                .collect()
        };
        let (mine, theirs) = (ids(&all), ids(&theirs));
        assert!(mine.iter().all(|id| !theirs.contains(id)));
        assert!(mine.windows(2).all(|w| w[0] > w[1]), "ids newest first");

        let (status, list) = h.get_bearer("/fluxa/wallet/api/mandates", jwt);
        assert_eq!(status, 200);
        assert_eq!(list["status"], "ok");
        assert_eq!(list["mandates"], mandates["items"]);
    }

    #[test]
    fn register_is_not_idempotent_and_validates_its_body() {
        let h = Harness::start();
        let a = register(&h, "Same");
        let b = register(&h, "Same");
        assert_ne!(a["agent_id"], b["agent_id"]);

        for body in [
            json!({}),
            json!({"agent_name": ""}),
            json!({"agent_name": "  "}),
        ] {
            let (status, err) = h.post_json("/fluxa/agentid/register", &body);
            assert_eq!(status, 400, "{body}");
            assert_eq!(
                err,
                json!({"error": "invalid_request", "message": "agent_name is required"})
            );
        }
        let (status, err) = h.post_json("/fluxa/agentid/register", &json!({"agent_name": 5}));
        assert_eq!(status, 400);
        assert_eq!(err["error"], "invalid_request");
        let (status, err) = h.post_raw("/fluxa/agentid/register", "text/plain", "agent_name=x");
        assert_eq!(status, 400);
        assert_eq!(err["error"], "invalid_request");

        // The email, when given, is a JWT claim.
        let (_, reg) = h.post_json(
            "/fluxa/agentid/register",
            &json!({"agent_name": "Mailer", "email": "agent@example.com"}),
        );
        let claims = super::super::tokens::decode_unverified(reg["jwt"].as_str().unwrap())
            .unwrap()
            .claims;
        assert_eq!(claims["email"], "agent@example.com");
    }

    #[test]
    fn refresh_gives_a_new_jwt_and_rejects_bad_tokens() {
        let h = Harness::start();
        let reg = register(&h, "Refresher");
        let (status, body) = h.post_json(
            "/fluxa/agentid/refresh",
            &json!({"agent_id": reg["agent_id"], "token": reg["token"]}),
        );
        assert_eq!(status, 200, "{body}");
        let jwt = body["jwt"].as_str().unwrap();
        assert_eq!(body.as_object().unwrap().len(), 1);
        let (status, _) = h.get_bearer("/fluxa/wallet/api/mandates", jwt);
        assert_eq!(status, 200);

        let (status, body) = h.post_json(
            "/fluxa/agentid/refresh",
            &json!({"agent_id": reg["agent_id"], "token": "tok_wrong"}),
        );
        assert_eq!(status, 401);
        assert_eq!(body["error"], "invalid_token");
        let (status, body) = h.post_json(
            "/fluxa/agentid/refresh",
            &json!({"agent_id": "ag_unknown", "token": reg["token"]}),
        );
        assert_eq!(status, 401);
        assert_eq!(body["error"], "invalid_token");
        let (status, body) = h.post_json(
            "/fluxa/agentid/refresh",
            &json!({"agent_id": reg["agent_id"]}),
        );
        assert_eq!(status, 400);
        assert_eq!(body["error"], "invalid_request");
    }

    #[test]
    fn an_expired_jwt_is_refused_with_agent_auth_failed() {
        let h = Harness::start();
        let (status, _) = h.put_json("/_sandbox/knobs", &json!({"jwt_ttl_secs": {"fluxa": 1}}));
        assert_eq!(status, 200);
        let reg = register(&h, "Short-lived");
        let jwt = reg["jwt"].as_str().unwrap();
        let claims = super::super::tokens::decode_unverified(jwt).unwrap().claims;
        assert_eq!(
            claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
            1
        );
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let (status, body) = h.get_bearer("/fluxa/wallet/api/agent/self/status", jwt);
        assert_eq!(status, 401);
        assert_eq!(body["status"], "error");
        assert_eq!(body["code"], "agent_auth_failed");
        assert!(
            body["message"].as_str().unwrap().contains("expired"),
            "{body}"
        );

        // A refreshed JWT works again (with the default lifetime restored).
        h.put_json("/_sandbox/knobs", &json!({"jwt_ttl_secs": {"fluxa": null}}));
        let (_, fresh) = h.post_json(
            "/fluxa/agentid/refresh",
            &json!({"agent_id": reg["agent_id"], "token": reg["token"]}),
        );
        let (status, _) = h.get_bearer(
            "/fluxa/wallet/api/agent/self/status",
            fresh["jwt"].as_str().unwrap(),
        );
        assert_eq!(status, 200);
    }

    #[test]
    fn bad_or_missing_jwts_are_refused() {
        let h = Harness::start();
        let (status, body) = h.get("/fluxa/wallet/api/agent/self/status");
        assert_eq!(status, 401);
        assert_eq!(body["code"], "agent_auth_failed");
        let (status, body) = h.get_bearer("/fluxa/wallet/api/agent/self/status", "not.a.jwt");
        assert_eq!(status, 401);
        assert_eq!(body["code"], "agent_auth_failed");
        assert!(body["message"].as_str().unwrap().contains("invalid"));

        // A JWT for an agent the wallet does not know: 403 agent_not_authorized, no URL.
        register_only(&h, "Key maker");
        let key = fluxa_key(&h);
        let forged = key
            .sign(
                &json!({"agent_id": "ag_ghost", "iat": 1, "exp": i64::MAX / 2000}),
                "JWT",
                KID,
            )
            .unwrap();
        let (status, body) = h.get_bearer("/fluxa/wallet/api/agent/self/status", &forged);
        assert_eq!(status, 403);
        assert_eq!(body["code"], "agent_not_authorized");
    }

    #[test]
    fn a_vc_is_issued_and_refused_where_a_login_jwt_is_needed() {
        let h = Harness::start();
        let reg = register(&h, "Prover");
        let jwt = reg["jwt"].as_str().unwrap();
        let (status, body) = h.post_json_bearer(
            "/fluxa/agentid/agent/vc/issue",
            jwt,
            &json!({"challenge": "third-party-user-42", "audience": "https://thirdparty.example.com", "ttl_seconds": 600}),
        );
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["kid"], KID);
        assert_eq!(
            body["expires_at"].as_i64().unwrap() - body["issued_at"].as_i64().unwrap(),
            600
        );
        let vc = body["vc"].as_str().unwrap();
        let decoded = super::super::tokens::decode_unverified(vc).unwrap();
        assert_eq!(decoded.header["typ"], "agent-vc");
        assert_eq!(decoded.claims["typ"], "agent-vc");
        assert_eq!(decoded.claims["sub"], reg["agent_id"]);
        assert_eq!(decoded.claims["iss"], "fluxa-agent-did");
        assert_eq!(decoded.claims["aud"], "https://thirdparty.example.com");
        assert_eq!(decoded.claims["jti"], body["jti"]);
        assert_eq!(decoded.claims["challenge"], "third-party-user-42");

        for path in [
            "/fluxa/wallet/api/agent/self/status",
            "/fluxa/wallet/api/mandates",
        ] {
            let (status, body) = h.get_bearer(path, vc);
            assert_eq!(status, 401);
            assert_eq!(body["error"], "wrong_token_type");
        }
        let (status, body) = h.post_json_bearer(
            "/fluxa/agentid/agent/vc/issue",
            vc,
            &json!({"challenge": "c", "audience": "a"}),
        );
        assert_eq!(status, 401);
        assert_eq!(body["error"], "wrong_token_type");

        for bad in [
            json!({"challenge": "", "audience": "a", "ttl_seconds": 60}),
            json!({"challenge": "x".repeat(4097), "audience": "a"}),
            json!({"challenge": "c", "audience": ""}),
            json!({"challenge": "c", "audience": "a", "ttl_seconds": 0}),
            json!({"challenge": "c", "audience": "a", "ttl_seconds": 86401}),
            json!({"challenge": "c", "audience": "a", "ttl_seconds": 1.5}),
        ] {
            let (status, body) = h.post_json_bearer("/fluxa/agentid/agent/vc/issue", jwt, &bad);
            assert_eq!(status, 400, "{bad} -> {body}");
            assert_eq!(body["error"], "invalid_request");
        }

        // The challenge itself is never stored, only its hash.
        let state = std::fs::read_to_string(h.state_path()).unwrap();
        let doc: Value = serde_json::from_str(&state).unwrap();
        let agent = &doc["fluxa"]["agents"][reg["agent_id"].as_str().unwrap()];
        assert_eq!(agent["vcs"].as_array().unwrap().len(), 1);
        assert_eq!(
            agent["vcs"][0]["challenge_sha256"],
            sha256_hex(b"third-party-user-42")
        );
    }

    #[test]
    fn jwks_pem_and_agent_record_publish_the_rsa_key_that_verifies_the_jwt() {
        let h = Harness::start();
        let reg = register_only(&h, "Verifiable");
        let jwt = reg["jwt"].as_str().unwrap();
        let header = super::super::tokens::decode_unverified(jwt).unwrap().header;
        assert_eq!(
            header,
            json!({"alg": "RS256", "typ": "JWT", "kid": KID})
                .as_object()
                .unwrap()
                .clone()
        );
        let (status, jwks) = h.get("/fluxa/agentid/.well-known/jwks.json");
        assert_eq!(status, 200);
        assert_eq!(jwks["keys"][0]["kid"], KID);
        assert_eq!(jwks["keys"][0]["kty"], "RSA");
        assert_eq!(jwks["keys"][0]["alg"], "RS256");
        let key = fluxa_key(&h);
        assert_eq!(key.jwks(KID), jwks);
        key.verify(jwt, now_ms() / 1000).unwrap();
        // FluxA's key is its own: the shared key (other services') is another.
        let (_, shared) = h.state_doc_key();
        assert!(shared.verify_signature(jwt).is_err());

        let pem = h
            .client
            .get(h.url("/fluxa/agentid/public-key.pem"))
            .send()
            .unwrap();
        assert_eq!(pem.status(), 200);
        assert_eq!(pem.text().unwrap(), key.public_key_pem().unwrap());

        let id = reg["agent_id"].as_str().unwrap();
        let (status, record) = h.get(&format!("/fluxa/agentid/agent/{id}"));
        assert_eq!(status, 200);
        assert_eq!(record["agent_id"], id);
        assert_eq!(record["agent_name"], "Verifiable");
        let (status, _) = h.get("/fluxa/agentid/agent/ag_nobody");
        assert_eq!(status, 404);
    }

    #[test]
    fn a_new_agent_waits_for_its_owner_with_an_empty_wallet() {
        let h = Harness::start();
        let reg = register_only(&h, "Newcomer & Co");
        let id = reg["agent_id"].as_str().unwrap();
        let jwt = reg["jwt"].as_str().unwrap();
        for path in [
            "/fluxa/wallet/api/agent/self/status",
            "/fluxa/wallet/api/mandates",
        ] {
            let (status, body) = h.get_bearer(path, jwt);
            assert_eq!(status, 403, "{body}");
            assert_eq!(body["status"], "error");
            assert_eq!(body["code"], "agent_not_authorized");
            let url = body["authorizationUrl"].as_str().unwrap();
            assert_eq!(
                url,
                format!(
                    "{}/fluxa/agentwallet/add-agent?agentId={id}&name=Newcomer+%26+Co",
                    h.sandbox.base_url()
                )
            );
        }
        // A VC needs no wallet.
        let (status, _) = h.post_json_bearer(
            "/fluxa/agentid/agent/vc/issue",
            jwt,
            &json!({"challenge": "c", "audience": "a"}),
        );
        assert_eq!(status, 200);
        // The page shows an Approve form and changes nothing.
        let (_, body) = h.get_bearer("/fluxa/wallet/api/mandates", jwt);
        let page = h
            .client
            .get(body["authorizationUrl"].as_str().unwrap())
            .send()
            .unwrap();
        assert_eq!(page.status(), 200);
        assert!(
            page.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let page = page.text().unwrap();
        assert!(page.contains("<form method=\"post\""), "{page}");
        assert!(
            page.contains("Approve") && page.contains("Newcomer &amp; Co"),
            "{page}"
        );
        assert_eq!(h.get_bearer("/fluxa/wallet/api/mandates", jwt).0, 403);

        // Approving funds the wallet; revoking takes the authorization (not the funds) back.
        let (status, page) = owner_submits(&h, id, "approve");
        assert_eq!(status, 200);
        assert!(page.contains("Revoke"), "{page}");
        let (status, body) = h.get_bearer("/fluxa/wallet/api/agent/self/status", jwt);
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["agent"]["isAuthorized"], true);
        assert_eq!(body["mandates"]["total"], 4);
        assert_eq!(
            body["recentTransactions"]["items"]
                .as_array()
                .unwrap()
                .len(),
            20
        );
        let usdc = body["balances"]["usdc"]["available"].clone();
        assert_eq!(owner_submits(&h, id, "revoke").0, 200);
        let (status, body) = h.get_bearer("/fluxa/wallet/api/agent/self/status", jwt);
        assert_eq!(status, 403);
        assert_eq!(body["code"], "agent_not_authorized");
        set_owner_approval(&mut StateDoc::default(), "ag_nobody", true).unwrap_err();
        crate::set_owner_approval(h.state_path(), "AGENTCRED_FLUXA_AGENTID_URL", id, true).unwrap();
        let (_, body) = h.get_bearer("/fluxa/wallet/api/agent/self/status", jwt);
        assert_eq!(body["balances"]["usdc"]["available"], usdc, "funded once");
        assert_eq!(body["mandates"]["total"], 4);
        assert!(matches!(
            crate::set_owner_approval(h.state_path(), "AGENTCRED_PROXY_URL", id, true),
            Err(crate::ApprovalError::NotSupported)
        ));
        assert_eq!(owner_submits(&h, "ag_nobody", "approve").0, 404);
    }

    #[test]
    fn payouts_wait_for_the_owner_and_are_idempotent_by_id() {
        let h = Harness::start();
        let reg = register_only(&h, "Payer");
        let jwt = reg["jwt"].as_str().unwrap();
        let payout = |id: &str, amount: &str| {
            json!({"payoutId": id, "network": "base", "currency": "USDC",
                   "toAddress": "0x1111111111111111111111111111111111111111", "amount": amount})
        };
        // Not authorized by its owner yet: refused like every Wallet API route.
        let (status, _) =
            h.post_json_bearer("/fluxa/wallet/api/payouts", jwt, &payout("p1", "1000000"));
        assert_eq!(status, 403);
        owner_submits(&h, reg["agent_id"].as_str().unwrap(), "approve");
        let (status, body) =
            h.post_json_bearer("/fluxa/wallet/api/payouts", jwt, &payout("p1", "1000000"));
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["status"], "pending_authorization");
        assert!(body["txHash"].is_null());
        assert!(
            body["approvalUrl"]
                .as_str()
                .unwrap()
                .ends_with("/authorize-payout/p1")
        );
        assert!(body["expiresAt"].as_i64().unwrap() > 1_700_000_000);
        // The same id and request: the same payout; another request under it: 409.
        let (status, again) =
            h.post_json_bearer("/fluxa/wallet/api/payouts", jwt, &payout("p1", "1000000"));
        assert_eq!((status, &again["expiresAt"]), (200, &body["expiresAt"]));
        let (status, body) =
            h.post_json_bearer("/fluxa/wallet/api/payouts", jwt, &payout("p1", "2000000"));
        assert_eq!(
            (status, body["code"].as_str()),
            (409, Some("payout_id_conflict"))
        );
        let (status, body) = h.post_json_bearer(
            "/fluxa/wallet/api/payouts",
            jwt,
            &payout("p2", "999999999999"),
        );
        assert_eq!(
            (status, body["code"].as_str()),
            (400, Some("insufficient_balance"))
        );
        let (status, body) =
            h.post_json_bearer("/fluxa/wallet/api/payouts", jwt, &payout("p3", "1.5"));
        assert_eq!(
            (status, body["code"].as_str()),
            (400, Some("invalid_request"))
        );
        let (status, body) = h.get_bearer("/fluxa/wallet/api/payouts/p1", jwt);
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["payout"]["amount"], "1000000");
        assert_eq!(body["payout"]["agentId"], reg["agent_id"]);
        let (status, body) = h.get_bearer("/fluxa/wallet/api/payouts/nope", jwt);
        assert_eq!(
            (status, body["code"].as_str()),
            (404, Some("payout_not_found"))
        );
    }

    #[test]
    fn x402_payments_are_debited_from_the_wallet_and_mandate_and_refused_past_them() {
        use base64::Engine as _;
        let h = Harness::start();
        let reg = register_only(&h, "Buyer");
        let jwt = reg["jwt"].as_str().unwrap();
        const V1: &str = "/fluxa/wallet/api/payment/x402V1Payment";
        const V3: &str = "/fluxa/wallet/api/payment/x402V3Payment";
        const V2: &str = "/fluxa/wallet/api/v2/payment/x402-payment";
        let pay_to = "0x2222222222222222222222222222222222222222";
        let direct = |amount: &str| {
            json!({"scheme": "exact", "network": "base", "amount": amount, "currency": "USDC",
                   "assetAddress": "0x833589fCD6Edb6E08f4c7C32D4f71b54bdA02913", "payTo": pay_to,
                   "host": "api.example.com", "resource": "https://api.example.com/data",
                   "description": "one call", "tokenName": "USD Coin", "tokenVersion": "2",
                   "validityWindowSeconds": 60})
        };
        let v1_text = |body: &Value, token: &str| {
            let response = h
                .client
                .post(h.url(V1))
                .bearer_auth(token)
                .json(body)
                .send()
                .unwrap();
            (response.status().as_u16(), response.text().unwrap())
        };
        let status = |h: &Harness| {
            let (code, body) = h.get_bearer("/fluxa/wallet/api/agent/self/status", jwt);
            assert_eq!(code, 200, "{body}");
            body
        };
        let number = |v: &Value| v.as_str().unwrap().parse::<u64>().unwrap();

        // Refused like every wallet route until the owner authorizes; no token at all: 401.
        assert_eq!(h.post_json_bearer(V3, jwt, &direct("1")).0, 403);
        let (code, body) = h.post_json(V3, &direct("1"));
        assert_eq!(
            (code, body["code"].as_str()),
            (401, Some("agent_auth_failed"))
        );
        assert_eq!(v1_text(&direct("1"), jwt).0, 403);
        owner_submits(&h, reg["agent_id"].as_str().unwrap(), "approve");
        let before = status(&h);
        let balance = number(&before["balances"]["usdc"]["available"]);
        let monthly_spent = number(&before["agent"]["monthly"]["spent"]);
        let wallet = before["agent"]["walletAddress"]
            .as_str()
            .unwrap()
            .to_owned();
        let mandate = |text: &str| {
            before["mandates"]["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["naturalLanguage"].as_str().unwrap().contains(text))
                .unwrap()["mandateId"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let open = mandate("100 USDC this month");

        // V1: the X-PAYMENT header value, as text; paid every time it is asked (no idempotency).
        let (code, text) = v1_text(&direct("2000000"), jwt);
        assert_eq!(code, 200, "{text}");
        let header: Value = serde_json::from_slice(
            &base64::engine::general_purpose::STANDARD
                .decode(&text)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(header["x402Version"], 1);
        assert_eq!(header["scheme"], "exact");
        let auth = &header["payload"]["authorization"];
        assert_eq!(
            (auth["from"].as_str(), auth["to"].as_str()),
            (Some(wallet.as_str()), Some(pay_to))
        );
        assert_eq!(auth["value"], "2000000");
        assert_eq!(auth["nonce"].as_str().unwrap().len(), 66);
        assert_eq!(header["payload"]["signature"].as_str().unwrap().len(), 132);
        let (code, again) = v1_text(&direct("2000000"), jwt);
        assert_eq!(code, 200);
        assert_ne!(again, text, "a second call signs a fresh authorization");

        // V3 under the open mandate.
        let mut body = direct("3000000");
        body["mandateId"] = json!(open);
        let (code, paid) = h.post_json_bearer(V3, jwt, &body);
        assert_eq!(code, 200, "{paid}");
        assert_eq!(paid["status"], "ok");
        assert!(
            paid["paymentRecordId"]
                .as_str()
                .unwrap()
                .starts_with("pay_")
        );
        assert_eq!(
            paid["xPayment"]["payload"]["authorization"]["value"],
            "3000000"
        );
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(paid["xPaymentB64"].as_str().unwrap())
            .unwrap();
        assert_eq!(
            serde_json::from_slice::<Value>(&decoded).unwrap(),
            paid["xPayment"]
        );
        assert!(is_iso_ms(&paid["expiresAt"]));

        // v2: the resource's payment request, the USDC option chosen.
        let request = json!({"x402Version": 1, "accepts": [
            {"scheme": "exact", "network": "xrpl-mainnet", "maxAmountRequired": "1", "asset": "XRP", "payTo": pay_to},
            {"scheme": "exact", "network": "base", "maxAmountRequired": "1000000",
             "asset": "0x833589fCD6Edb6E08f4c7C32D4f71b54bdA02913", "payTo": pay_to,
             "resource": "https://api.example.com/v2"}]});
        let (code, paid) = h.post_json_bearer(
            V2,
            jwt,
            &json!({"mandateId": open, "paymentRequestB64":
                base64::engine::general_purpose::STANDARD.encode(request.to_string())}),
        );
        assert_eq!(code, 200, "{paid}");
        let payload: Value = serde_json::from_slice(
            &base64::engine::general_purpose::STANDARD
                .decode(paid["paymentPayloadB64"].as_str().unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(payload["accepted"]["amount"], "1000000");
        let (code, body) = h.post_json_bearer(
            V2,
            jwt,
            &json!({"mandateId": open, "paymentRequest": {"accepts": [request["accepts"][0]]}}),
        );
        assert_eq!(
            (code, body["code"].as_str()),
            (400, Some("no_supported_payment_option"))
        );

        // The wallet, the monthly budget, the mandate and the history show all four.
        let after = status(&h);
        let total = 2_000_000 + 2_000_000 + 3_000_000 + 1_000_000;
        assert_eq!(
            number(&after["balances"]["usdc"]["available"]),
            balance - total
        );
        assert_eq!(
            number(&after["agent"]["monthly"]["spent"]),
            monthly_spent + total
        );
        let items = after["recentTransactions"]["items"].as_array().unwrap();
        let amounts: Vec<&str> = items[..4]
            .iter()
            .map(|t| t["amount"].as_str().unwrap())
            .collect();
        assert_eq!(amounts, ["1000000", "3000000", "2000000", "2000000"]);
        assert!(
            items[..4]
                .iter()
                .all(|t| t["type"] == "payment" && t["status"] == "completed")
        );
        let (_, detail) = h.get_bearer(&format!("/fluxa/wallet/api/mandates/agent/{open}"), jwt);
        assert_eq!(
            detail["mandate"]["spentAmount"],
            (12_500_000 + 4_000_000).to_string()
        );

        // Refusals, each in the x402 error body, none of them paid.
        let refused = |body: Value, path: &str| {
            let (code, body) = h.post_json_bearer(path, jwt, &body);
            assert!(
                body["payment_model_context"]["instructions"].is_string(),
                "{body}"
            );
            assert!(body["message"].is_string(), "{body}");
            (
                code,
                body["status"].as_str().unwrap().to_owned(),
                body["code"].as_str().unwrap().to_owned(),
                body,
            )
        };
        let with_mandate = |amount: &str, id: &str| {
            let mut b = direct(amount);
            b["mandateId"] = json!(id);
            b
        };
        let left = 100_000_000 - 12_500_000 - 4_000_000u64;
        let (code, s, c, _) = refused(with_mandate(&(left + 1).to_string(), &open), V3);
        assert_eq!(
            (code, s.as_str(), c.as_str()),
            (403, "denied", "mandate_insufficient_budget")
        );
        let (code, _, c, b) = refused(with_mandate("1", &mandate("travel")), V3);
        assert_eq!((code, c.as_str()), (403, "mandate_not_signed"));
        assert!(
            b["authorizationUrl"]
                .as_str()
                .unwrap()
                .contains("/mandate/mand_")
        );
        let (code, _, c, _) = refused(with_mandate("1", &mandate("web search")), V3);
        assert_eq!((code, c.as_str()), (403, "mandate_expired"));
        let (code, _, c, _) = refused(with_mandate("1", &mandate("credits")), V3);
        assert_eq!((code, c.as_str()), (400, "currency_mismatch"));
        let (code, _, c, _) = refused(with_mandate("1", "mand_nope"), V3);
        assert_eq!((code, c.as_str()), (404, "mandate_not_found"));
        let (code, s, c, _) = refused(direct("1"), V3);
        assert_eq!(
            (code, s.as_str(), c.as_str()),
            (400, "error", "invalid_payment_request")
        );
        let monthly_left = 100_000_000 - monthly_spent - total;
        let (code, _, c, _) = refused(direct(&(monthly_left + 1).to_string()), V1);
        assert_eq!((code, c.as_str()), (403, "monthly_budget_exceeded"));
        let (code, _, c, _) = refused(direct("1.5"), V1);
        assert_eq!((code, c.as_str()), (400, "invalid_payment_request"));
        let mut xrp = direct("1");
        xrp["currency"] = json!("XRP");
        let (code, _, c, _) = refused(xrp, V1);
        assert_eq!((code, c.as_str()), (400, "no_supported_payment_option"));
        let final_status = status(&h);
        assert_eq!(
            number(&final_status["balances"]["usdc"]["available"]),
            balance - total
        );
    }

    #[test]
    fn mandate_intents_and_their_follow_up() {
        let h = Harness::start();
        let reg = register_only(&h, "Planner");
        let jwt = reg["jwt"].as_str().unwrap();
        let intent = json!({"intent": {
            "naturalLanguage": "Pay up to 10 USDC for maps",
            "currency": "USDC",
            "limitAmount": "10000000",
            "validForSeconds": 28800,
            "category": "maps",
            "hostAllowlist": ["maps.example.com"],
        }});
        let (status, body) =
            h.post_json_bearer("/fluxa/wallet/api/mandates/create-intent", jwt, &intent);
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["agentStatus"], "needs_wallet_authorization");
        assert!(
            body["authorizationUrl"]
                .as_str()
                .unwrap()
                .contains("/add-agent?agentId=")
        );

        owner_submits(&h, reg["agent_id"].as_str().unwrap(), "approve");
        let (status, body) =
            h.post_json_bearer("/fluxa/wallet/api/mandates/create-intent", jwt, &intent);
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["status"], "ok");
        assert_eq!(body["agentStatus"], "ready");
        let id = body["mandateId"].as_str().unwrap();
        let sign_url = body["authorizationUrl"].as_str().unwrap();
        assert_eq!(
            sign_url,
            format!("{}/fluxa/agentwallet/mandate/{id}", h.sandbox.base_url())
        );

        let (status, got) = h.get_bearer(&format!("/fluxa/wallet/api/mandates/agent/{id}"), jwt);
        assert_eq!(status, 200, "{got}");
        let m = &got["mandate"];
        assert_eq!(m["status"], "pending_signature");
        assert_eq!(m["limitAmount"], "10000000");
        assert_eq!(m["remainingAmount"], "10000000");
        assert_eq!(m["hostAllowlist"], json!(["maps.example.com"]));
        assert_eq!(m["signUrl"], sign_url);
        assert!(m["signedAt"].is_null());

        // The owner signs on the page the URL names.
        let page = h.client.get(sign_url).send().unwrap().text().unwrap();
        assert!(page.contains("Sign"), "{page}");
        assert_eq!(h.client.post(sign_url).send().unwrap().status(), 200);
        let (_, got) = h.get_bearer(&format!("/fluxa/wallet/api/mandates/agent/{id}"), jwt);
        assert_eq!(got["mandate"]["status"], "signed");
        assert!(got["mandate"]["signedAt"].is_string());
        let (_, status) = h.get_bearer("/fluxa/wallet/api/agent/self/status", jwt);
        assert_eq!(status["mandates"]["total"], 5);
        assert_eq!(status["mandates"]["open"], 3);

        let (status, body) = h.get_bearer("/fluxa/wallet/api/mandates/agent/mand_nope", jwt);
        assert_eq!(status, 404);
        assert_eq!(body["code"], "mandate_not_found");
        for bad in [
            json!({}),
            json!({"intent": {"naturalLanguage": "x", "limitAmount": "0", "validForSeconds": 60}}),
            json!({"intent": {"naturalLanguage": "x", "limitAmount": "5", "validForSeconds": 0}}),
            json!({"intent": {"naturalLanguage": "x", "limitAmount": "5", "validForSeconds": 60, "currency": "EUR"}}),
        ] {
            let (status, body) =
                h.post_json_bearer("/fluxa/wallet/api/mandates/create-intent", jwt, &bad);
            assert_eq!(status, 400, "{bad}: {body}");
            assert_eq!(body["code"], "invalid_request");
        }
    }

    #[test]
    fn unknown_routes_and_methods_answer_json_in_the_envelope() {
        let h = Harness::start();
        let (status, body) = h.get("/fluxa/agentid/nope");
        assert_eq!(status, 404);
        assert_eq!(body["error"], "not_found");
        let (status, body) = h.get("/fluxa/wallet/api/nope");
        assert_eq!(status, 404);
        assert_eq!(body["status"], "error");
        assert_eq!(body["code"], "not_found");
        let (status, body) = h.get("/fluxa/agentid/register");
        assert_eq!(status, 405);
        assert_eq!(body["error"], "method_not_allowed");
    }
}
