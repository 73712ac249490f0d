//! FluxA's x402 payment routes on the Wallet API (Bearer login JWT, an agent its owner
//! authorized), as docs/providers.md §1.4 describes them:
//!
//! - `POST /api/payment/x402V1Payment` `{scheme?, network, amount, currency?, assetAddress?,
//!   payTo, host?, resource?, description?, tokenName?, tokenVersion?, validityWindowSeconds?,
//!   approvalId?}` → 200 `text/plain`: the `X-PAYMENT` header value, base64 of `{x402Version: 1,
//!   scheme, network, payload: {signature, authorization: {from, to, value, validAfter,
//!   validBefore, nonce}}}`. Paid from the wallet under its monthly budget.
//! - `POST /api/payment/x402V3Payment`: the same body plus `mandateId` → 200 `{status: "ok",
//!   xPaymentB64, xPayment, paymentRecordId, expiresAt}`. Paid under the mandate.
//! - `POST /api/v2/payment/x402-payment` `{mandateId, paymentRequest | paymentRequestB64,
//!   preferredAssets?: [{network, asset}]}` → 200 `{status: "ok", paymentPayloadB64,
//!   paymentRecordId, expiresAt}`. The payment request is the resource's 402 answer (`accepts`
//!   options, amount in `amount` or `maxAmountRequired`); the first `exact` USDC option on an EVM
//!   network (among `preferredAssets` when given) is paid, under the mandate.
//!
//! The caller is checked first, as on every wallet route (401 `agent_auth_failed`, 403
//! `agent_not_authorized`): a caller refused there learns nothing about its body. Then the body,
//! the mandate, the monthly budget and the balance, and a refusal has the x402 error body
//! `{status, code, message, payment_model_context: {primer, instructions}}` (`status` is
//! `"error"` for a bad request, `"denied"` when the wallet or mandate says no):
//! 400 `invalid_payment_request` (a field missing or malformed) or `no_supported_payment_option`
//! (not an `exact` USDC payment on an EVM network); 404 `mandate_not_found`; 403 `mandate_expired`; 403
//! `mandate_not_signed` (with the signing page as `authorizationUrl`; a revoked or disabled
//! mandate too); 400 `currency_mismatch`; 403 `invalid_payment_request` (a host outside the
//! mandate's `hostAllowlist`); 403 `mandate_budget_exceeded` (nothing left) or
//! `mandate_insufficient_budget` (less than the amount); 403 `monthly_budget_exceeded` (the
//! sandbox's name for the agent's monthly limit running out); 400 `insufficient_balance` (more
//! than the USDC balance).
//!
//! A payment that passes is settled at once (the sandbox has no facilitator to wait for): the
//! amount leaves the USDC balance, counts as spent in the monthly budget and in the mandate,
//! and the payment is a completed `payment` at the head of `recentTransactions`, so `GET
//! /api/agent/self/status` shows it. The routes are not idempotent: FluxA names no
//! idempotency key for them, and every call signs a fresh authorization (a new nonce) that is
//! paid again. The signature is random bytes of the right length: nothing verifies it.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{
    AppState, Auth, FluxaAgent, FluxaState, Mandate, Transaction, USDC, WALLET_ENVELOPE,
    authorized, is_evm_network, iso_ms, json_object_body, json_response, now_ms, optional_str,
    random_hex, wallet_app,
};
use crate::support::text_response;

/// Where the USDC contract sits on Base (the default `assetAddress`).
const BASE_USDC: &str = "0x833589fCD6Edb6E08f4c7C32D4f71b54bdA02913";
const MAX_VALIDITY_SECS: i64 = 3600;
const DEFAULT_VALIDITY_SECS: i64 = 300;

/// A payment made through one of the x402 routes, as the wallet keeps it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct X402Payment {
    pub payment_record_id: String,
    /// `x402V1Payment`, `x402V3Payment` or `x402-payment`.
    pub route: String,
    pub mandate_id: Option<String>,
    pub scheme: String,
    pub network: String,
    pub currency: String,
    pub asset_address: String,
    pub pay_to: String,
    /// Atomic units.
    pub amount: u64,
    pub host: Option<String>,
    pub resource: Option<String>,
    pub nonce: String,
    /// The id of its entry in `recentTransactions`.
    pub tx_id: u64,
    /// Unix milliseconds.
    pub created_at: i64,
    pub expires_at: i64,
}

impl X402Payment {
    pub(super) fn transaction(&self, from: &str) -> Transaction {
        Transaction {
            id: self.tx_id,
            currency: self.currency.clone(),
            amount: self.amount,
            kind: "payment".into(),
            status: "completed".into(),
            tx_hash: None,
            to_address: Some(self.pay_to.clone()),
            from_address: Some(from.to_owned()),
            failure_reason: None,
            created_at: self.created_at,
        }
    }

    /// The signed `exact` authorization (EIP-3009 `transferWithAuthorization` fields).
    fn x_payment(&self, from: &str) -> Value {
        json!({
            "x402Version": 1,
            "scheme": self.scheme,
            "network": self.network,
            "payload": {
                "signature": format!("0x{}", random_hex(65)),
                "authorization": {
                    "from": from,
                    "to": self.pay_to,
                    "value": self.amount.to_string(),
                    "validAfter": (self.created_at.div_euclid(1000) - 60).to_string(),
                    "validBefore": self.expires_at.div_euclid(1000).to_string(),
                    "nonce": self.nonce,
                },
            },
        })
    }
}

fn b64(value: &Value) -> String {
    base64::engine::general_purpose::STANDARD.encode(value.to_string())
}

/// A refusal in the x402 error body.
struct Refusal {
    status: StatusCode,
    denied: bool,
    code: &'static str,
    message: String,
    authorization_url: Option<String>,
}

impl Refusal {
    fn bad(code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal {
            status: StatusCode::BAD_REQUEST,
            denied: false,
            code,
            message: message.into(),
            authorization_url: None,
        }
    }

    fn denied(status: StatusCode, code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            denied: true,
            code,
            message: message.into(),
            authorization_url: None,
        }
    }

    fn response(self) -> Response {
        let mut body = WALLET_ENVELOPE.body(self.status, self.code, &self.message);
        if self.denied {
            body["status"] = json!("denied");
        }
        body["payment_model_context"] = json!({
            "primer": "FluxA pays x402 resources from the agent's wallet, within its monthly budget and, for V3 and v2 payments, within a mandate its owner signed.",
            "instructions": match self.code {
                "mandate_not_signed" => "ask the owner to sign the mandate at authorizationUrl, then pay again",
                "mandate_not_found" | "mandate_expired" | "mandate_budget_exceeded"
                | "mandate_insufficient_budget" => "create a new mandate with POST /api/mandates/create-intent and have the owner sign it",
                "insufficient_balance" | "monthly_budget_exceeded" => "ask the owner to fund the wallet or raise the monthly limit",
                _ => "fix the request as the message says and pay again",
            },
        });
        if let Some(url) = self.authorization_url {
            body["authorizationUrl"] = json!(url);
        }
        json_response(self.status, body)
    }
}

/// What a payment asks for, whichever route it came by.
struct Ask {
    scheme: String,
    network: String,
    currency: String,
    asset_address: String,
    pay_to: String,
    amount: u64,
    host: Option<String>,
    resource: Option<String>,
    validity_secs: i64,
}

fn atomic(value: Option<&Value>, field: &str) -> Result<u64, Refusal> {
    match value {
        Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse::<u64>().ok()
        }
        Some(Value::Number(n)) => n.as_u64(),
        _ => None,
    }
    .filter(|a| *a > 0)
    .ok_or_else(|| {
        Refusal::bad(
            "invalid_payment_request",
            format!("{field} is required: a positive atomic-unit integer string"),
        )
    })
}

fn is_address(text: &str) -> bool {
    text.len() == 42 && text.starts_with("0x") && text[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

fn str_field<'a>(input: &'a Map<String, Value>, field: &str) -> Result<Option<&'a str>, Refusal> {
    optional_str(input, field).map_err(|m| Refusal::bad("invalid_payment_request", m))
}

/// The host of a resource URL, when it is one.
fn host_of(resource: &str) -> Option<String> {
    let rest = resource.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?.split(':').next()?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// The body of the V1 and V3 routes.
fn parse_direct(input: &Map<String, Value>) -> Result<Ask, Refusal> {
    let scheme = str_field(input, "scheme")?.unwrap_or("exact").to_owned();
    if scheme != "exact" {
        return Err(Refusal::bad(
            "no_supported_payment_option",
            format!("scheme {scheme} is not supported (exact)"),
        ));
    }
    let network = str_field(input, "network")?
        .ok_or_else(|| Refusal::bad("invalid_payment_request", "network is required (base)"))?
        .to_owned();
    let currency = str_field(input, "currency")?
        .unwrap_or(USDC)
        .to_ascii_uppercase();
    if !is_evm_network(&network) || currency != USDC {
        return Err(Refusal::bad(
            "no_supported_payment_option",
            format!("{currency} on {network} cannot be paid: FluxA pays USDC on base"),
        ));
    }
    let pay_to = str_field(input, "payTo")?.unwrap_or_default().to_owned();
    if !is_address(&pay_to) {
        return Err(Refusal::bad(
            "invalid_payment_request",
            "payTo is required: a 0x-prefixed 20-byte address",
        ));
    }
    let amount = atomic(input.get("amount"), "amount")?;
    let validity_secs = match input.get("validityWindowSeconds") {
        None | Some(Value::Null) => DEFAULT_VALIDITY_SECS,
        Some(v) => v
            .as_i64()
            .filter(|t| (1..=MAX_VALIDITY_SECS).contains(t))
            .ok_or_else(|| {
                Refusal::bad(
                    "invalid_payment_request",
                    format!("validityWindowSeconds must be 1 to {MAX_VALIDITY_SECS}"),
                )
            })?,
    };
    let resource = str_field(input, "resource")?.map(str::to_owned);
    let host = str_field(input, "host")?
        .map(str::to_ascii_lowercase)
        .or_else(|| resource.as_deref().and_then(host_of));
    Ok(Ask {
        scheme,
        network,
        currency,
        asset_address: str_field(input, "assetAddress")?
            .unwrap_or(BASE_USDC)
            .to_owned(),
        pay_to,
        amount,
        host,
        resource,
        validity_secs,
    })
}

/// The resource's payment request the v2 route pays, given as an object or as base64 of one.
fn payment_request(input: &Map<String, Value>) -> Result<Value, Refusal> {
    match (input.get("paymentRequest"), input.get("paymentRequestB64")) {
        (Some(Value::Object(r)), _) => Ok(Value::Object(r.clone())),
        (_, Some(Value::String(encoded))) => base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
            .filter(Value::is_object)
            .ok_or_else(|| {
                Refusal::bad(
                    "invalid_payment_request",
                    "paymentRequestB64 is not base64 of a JSON object",
                )
            }),
        _ => Err(Refusal::bad(
            "invalid_payment_request",
            "paymentRequest (an object) or paymentRequestB64 is required",
        )),
    }
}

/// The `preferredAssets` the option paid must be among, as `(network, lowercase asset)`
/// (none: any).
fn preferred_assets(input: &Map<String, Value>) -> Result<Vec<(String, String)>, Refusal> {
    let malformed = || {
        Refusal::bad(
            "invalid_payment_request",
            "preferredAssets must be an array of {network, asset}",
        )
    };
    match input.get("preferredAssets") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|p| {
                Some((
                    p.get("network")?.as_str()?.to_owned(),
                    p.get("asset")?.as_str()?.to_ascii_lowercase(),
                ))
            })
            .collect::<Option<_>>()
            .ok_or_else(malformed),
        Some(_) => Err(malformed()),
    }
}

/// The body of the v2 route: the option of the resource's payment request that is paid.
fn parse_request(input: &Map<String, Value>) -> Result<Ask, Refusal> {
    let request = payment_request(input)?;
    let preferred = preferred_assets(input)?;
    let accepts = request["accepts"].as_array().cloned().unwrap_or_default();
    let top_resource = request["resource"]
        .as_str()
        .or_else(|| request["resource"]["url"].as_str())
        .map(str::to_owned);
    let option = accepts
        .iter()
        .find(|o| {
            let network = o["network"].as_str().unwrap_or_default();
            let asset = o["asset"].as_str().unwrap_or_default().to_ascii_lowercase();
            o["scheme"] == "exact"
                && is_evm_network(network)
                && asset == BASE_USDC.to_ascii_lowercase()
                && (preferred.is_empty()
                    || preferred.iter().any(|(n, a)| n == network && *a == asset))
        })
        .ok_or_else(|| {
            Refusal::bad(
                "no_supported_payment_option",
                "no option in paymentRequest.accepts is an exact USDC payment on base (or among preferredAssets)",
            )
        })?;
    let pay_to = option["payTo"].as_str().unwrap_or_default().to_owned();
    if !is_address(&pay_to) {
        return Err(Refusal::bad(
            "invalid_payment_request",
            "the chosen option's payTo is not a 0x-prefixed 20-byte address",
        ));
    }
    let amount = atomic(
        option
            .get("amount")
            .or_else(|| option.get("maxAmountRequired")),
        "the chosen option's amount",
    )?;
    let resource = option["resource"]
        .as_str()
        .map(str::to_owned)
        .or(top_resource);
    let validity_secs = option["maxTimeoutSeconds"]
        .as_i64()
        .map(|t| t.clamp(1, MAX_VALIDITY_SECS))
        .unwrap_or(DEFAULT_VALIDITY_SECS);
    Ok(Ask {
        scheme: "exact".into(),
        network: option["network"].as_str().unwrap_or("base").to_owned(),
        currency: USDC.into(),
        asset_address: option["asset"].as_str().unwrap_or(BASE_USDC).to_owned(),
        pay_to,
        amount,
        host: resource.as_deref().and_then(host_of),
        resource,
        validity_secs,
    })
}

/// Check `ask` against the agent's wallet (and mandate), then pay it: the balance, the monthly
/// budget and the mandate are debited and the payment recorded. Returns it and the payer's
/// address.
fn pay(
    app: &AppState,
    doc: &mut crate::state::StateDoc,
    headers: &Auth,
    route: &str,
    mandate_id: Option<&str>,
    ask: Ask,
) -> Result<(X402Payment, String), Box<Response>> {
    let now = now_ms();
    let wallet_app = wallet_app(app);
    let agent = authorized(doc, headers, now, &wallet_app).map_err(|f| Box::new(f.response()))?;
    let agent_id = agent.agent_id.clone();
    let from = agent.wallet_address.clone();
    let mandate_index = mandate_id
        .map(|id| mandate_pays(agent, id, now, &ask, &wallet_app))
        .transpose()
        .and_then(|index| wallet_pays(agent, &ask).map(|()| index))
        .map_err(|refusal| Box::new(refusal.response()))?;

    let fluxa = doc.service_mut::<FluxaState>();
    let tx_id = 90_001 + fluxa.transactions_created;
    fluxa.transactions_created += 1;
    let payment = X402Payment {
        payment_record_id: format!("pay_{}", random_hex(12)),
        route: route.to_owned(),
        mandate_id: mandate_id.map(str::to_owned),
        scheme: ask.scheme,
        network: ask.network,
        currency: ask.currency,
        asset_address: ask.asset_address,
        pay_to: ask.pay_to,
        amount: ask.amount,
        host: ask.host,
        resource: ask.resource,
        nonce: format!("0x{}", random_hex(32)),
        tx_id,
        created_at: now,
        expires_at: now + ask.validity_secs * 1000,
    };
    let Some(agent) = fluxa.agents.get_mut(&agent_id) else {
        return Err(WALLET_ENVELOPE
            .response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "the agent vanished",
            )
            .into());
    };
    if let Some(m) = mandate_index.and_then(|i| agent.mandates.get_mut(i)) {
        m.spent = m.spent.saturating_add(payment.amount);
        m.updated_at = Some(now);
    }
    agent.monthly.spent = agent.monthly.spent.saturating_add(payment.amount);
    agent.usdc_available -= payment.amount;
    agent.payments.push(payment.clone());
    Ok((payment, from))
}

/// The index of the agent's mandate `id` when it may pay `ask` now: signed, enabled and
/// valid, in the payment's currency, for its host, with budget left for its amount.
fn mandate_pays(
    agent: &FluxaAgent,
    id: &str,
    now: i64,
    ask: &Ask,
    wallet_app: &str,
) -> Result<usize, Refusal> {
    let Some(index) = agent.mandates.iter().position(|m| m.mandate_id == id) else {
        return Err(Refusal::denied(
            StatusCode::NOT_FOUND,
            "mandate_not_found",
            format!("no mandate {id} for this agent"),
        ));
    };
    let m = &agent.mandates[index];
    may_pay_now(m, now, wallet_app)?;
    if m.currency != ask.currency {
        return Err(Refusal::bad(
            "currency_mismatch",
            format!(
                "mandate {id} pays {}, the payment is {}",
                m.currency, ask.currency
            ),
        ));
    }
    if !m.host_allowlist.is_empty() {
        let allowed = ask
            .host
            .as_deref()
            .is_some_and(|h| m.host_allowlist.iter().any(|a| a.eq_ignore_ascii_case(h)));
        if !allowed {
            return Err(Refusal::denied(
                StatusCode::FORBIDDEN,
                "invalid_payment_request",
                format!(
                    "host {} is not in mandate {id}'s hostAllowlist",
                    ask.host.as_deref().unwrap_or("(none)")
                ),
            ));
        }
    }
    let remaining = m.remaining();
    if remaining == 0 {
        return Err(Refusal::denied(
            StatusCode::FORBIDDEN,
            "mandate_budget_exceeded",
            format!("mandate {id} has no budget left"),
        ));
    }
    if ask.amount > remaining {
        return Err(Refusal::denied(
            StatusCode::FORBIDDEN,
            "mandate_insufficient_budget",
            format!(
                "mandate {id} has {remaining} atomic units left, less than the payment's {}",
                ask.amount
            ),
        ));
    }
    Ok(index)
}

/// Whether mandate `m` may pay now: signed, enabled and valid (a mandate waiting for its
/// owner's signature answers with where to sign it).
fn may_pay_now(m: &Mandate, now: i64, wallet_app: &str) -> Result<(), Refusal> {
    let id = &m.mandate_id;
    match m.effective_status(now) {
        "expired" => Err(Refusal::denied(
            StatusCode::FORBIDDEN,
            "mandate_expired",
            format!("mandate {id} expired at {}", iso_ms(m.valid_until)),
        )),
        "signed" if m.enabled && m.valid_from <= now => Ok(()),
        status => {
            let mut refusal = Refusal::denied(
                StatusCode::FORBIDDEN,
                "mandate_not_signed",
                format!(
                    "mandate {id} is {status}{}: its owner must sign it before it pays",
                    if m.enabled { "" } else { " and disabled" }
                ),
            );
            refusal.authorization_url =
                (status == "pending_signature").then(|| m.sign_url(wallet_app));
            Err(refusal)
        }
    }
}

/// Whether the agent's monthly budget and wallet balance cover `ask`.
fn wallet_pays(agent: &FluxaAgent, ask: &Ask) -> Result<(), Refusal> {
    let monthly = &agent.monthly;
    if let Some(limit) = monthly.limit {
        let left = limit.saturating_sub(monthly.spent.saturating_add(monthly.pending));
        if ask.amount > left {
            return Err(Refusal::denied(
                StatusCode::FORBIDDEN,
                "monthly_budget_exceeded",
                format!(
                    "the agent's monthly budget has {left} atomic units left, less than the payment's {}",
                    ask.amount
                ),
            ));
        }
    }
    if ask.amount > agent.usdc_available {
        return Err(Refusal::bad(
            "insufficient_balance",
            format!(
                "the wallet holds {} USDC atomic units, less than the payment's {}",
                agent.usdc_available, ask.amount
            ),
        ));
    }
    Ok(())
}

/// A body that does not parse, answered only to a caller the wallet accepts: one it refuses
/// learns nothing about its body (the order the module doc states).
fn refused_after_auth(
    app: &AppState,
    doc: &mut crate::state::StateDoc,
    auth: &Auth,
    refusal: Refusal,
) -> Response {
    match authorized(doc, auth, now_ms(), &wallet_app(app)) {
        Ok(_) => refusal.response(),
        Err(failure) => failure.response(),
    }
}

fn body_of(headers: &HeaderMap, body: &Bytes) -> Result<Map<String, Value>, Refusal> {
    json_object_body(headers, body).map_err(|m| Refusal::bad("invalid_payment_request", m))
}

fn mandate_field(input: &Map<String, Value>) -> Result<String, Refusal> {
    match str_field(input, "mandateId")?.map(str::trim) {
        Some(id) if !id.is_empty() => Ok(id.to_owned()),
        _ => Err(Refusal::bad(
            "invalid_payment_request",
            "mandateId is required: a signed mandate of this agent",
        )),
    }
}

/// `POST /api/payment/x402V1Payment`: the `X-PAYMENT` header value, as plain text.
pub(super) async fn x402_v1(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let auth = Auth::from_headers(&headers);
    let input = body_of(&headers, &body);
    let state = app.clone();
    app.transact_response(WALLET_ENVELOPE, move |doc| {
        let ask = match input.and_then(|i| parse_direct(&i)) {
            Ok(ask) => ask,
            // Who asks comes first: an unauthenticated caller learns nothing about its body.
            Err(refusal) => return refused_after_auth(&state, doc, &auth, refusal),
        };
        match pay(&state, doc, &auth, "x402V1Payment", None, ask) {
            Ok((payment, from)) => text_response(StatusCode::OK, &b64(&payment.x_payment(&from))),
            Err(response) => *response,
        }
    })
    .await
}

/// `POST /api/payment/x402V3Payment`: a payment under a mandate.
pub(super) async fn x402_v3(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let auth = Auth::from_headers(&headers);
    let input = body_of(&headers, &body);
    let state = app.clone();
    app.transact_response(WALLET_ENVELOPE, move |doc| {
        let parsed = input.and_then(|i| Ok((mandate_field(&i)?, parse_direct(&i)?)));
        let (mandate_id, ask) = match parsed {
            Ok(p) => p,
            Err(refusal) => return refused_after_auth(&state, doc, &auth, refusal),
        };
        match pay(&state, doc, &auth, "x402V3Payment", Some(&mandate_id), ask) {
            Ok((payment, from)) => {
                let x_payment = payment.x_payment(&from);
                json_response(
                    StatusCode::OK,
                    json!({
                        "status": "ok",
                        "xPaymentB64": b64(&x_payment),
                        "xPayment": x_payment,
                        "paymentRecordId": payment.payment_record_id,
                        "expiresAt": iso_ms(payment.expires_at),
                    }),
                )
            }
            Err(response) => *response,
        }
    })
    .await
}

/// `POST /api/v2/payment/x402-payment`: pays a resource's payment request under a mandate.
pub(super) async fn x402_v2(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let auth = Auth::from_headers(&headers);
    let input = body_of(&headers, &body);
    let state = app.clone();
    app.transact_response(WALLET_ENVELOPE, move |doc| {
        let parsed = input.and_then(|i| Ok((mandate_field(&i)?, parse_request(&i)?)));
        let (mandate_id, ask) = match parsed {
            Ok(p) => p,
            Err(refusal) => return refused_after_auth(&state, doc, &auth, refusal),
        };
        match pay(&state, doc, &auth, "x402-payment", Some(&mandate_id), ask) {
            Ok((payment, from)) => {
                let payload = json!({
                    "x402Version": 2,
                    "accepted": {
                        "scheme": payment.scheme,
                        "network": payment.network,
                        "amount": payment.amount.to_string(),
                        "asset": payment.asset_address,
                        "payTo": payment.pay_to,
                    },
                    "payload": payment.x_payment(&from)["payload"],
                });
                json_response(
                    StatusCode::OK,
                    json!({
                        "status": "ok",
                        "paymentPayloadB64": b64(&payload),
                        "paymentRecordId": payment.payment_record_id,
                        "expiresAt": iso_ms(payment.expires_at),
                    }),
                )
            }
            Err(response) => *response,
        }
    })
    .await
}
